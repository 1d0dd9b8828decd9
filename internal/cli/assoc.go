package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgpvpns"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/spf13/cobra"
)

// assocKind is what differs between network, router and port associations.
type assocKind struct {
	res  string // network, router, port
	view view
	// transform rewrites a returned association before it is shown.
	transform func(object)
	// options adds the kind's own create/set/unset flags and returns the
	// function that fills the request attributes; nil for network
	// associations, which have none.
	options func(a *app, cmd *cobra.Command, action string) func(ctx context.Context, bgpvpnID string, cur object, attrs map[string]any) error

	create func(ctx context.Context, c *gophercloud.ServiceClient, bgpvpnID string, b body) gophercloud.Result
	get    func(ctx context.Context, c *gophercloud.ServiceClient, bgpvpnID, id string) gophercloud.Result
	update func(ctx context.Context, c *gophercloud.ServiceClient, bgpvpnID, id string, b body) gophercloud.Result
	remove func(ctx context.Context, c *gophercloud.ServiceClient, bgpvpnID, id string) gophercloud.ErrResult
	list   func(c *gophercloud.ServiceClient, bgpvpnID string, q query) pagination.Pager
}

func (k assocKind) key() string    { return k.res + "_association" }
func (k assocKind) plural() string { return k.res + "_associations" }
func (k assocKind) title() string  { return strings.ToUpper(k.res[:1]) + k.res[1:] }

func assocColumns(res string, extra ...column) []column {
	title := strings.ToUpper(res[:1]) + res[1:]
	cols := []column{
		{"id", "ID", listBoth},
		{"tenant_id", "Project", listLongOnly},
		{res + "_id", title + " ID", listBoth},
	}
	return append(cols, extra...)
}

var networkAssoc = assocKind{
	res:  "network",
	view: view{columns: assocColumns("network")},
	create: func(ctx context.Context, c *gophercloud.ServiceClient, id string, b body) gophercloud.Result {
		return bgpvpns.CreateNetworkAssociation(ctx, c, id, b).Result
	},
	get: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string) gophercloud.Result {
		return bgpvpns.GetNetworkAssociation(ctx, c, vpn, id).Result
	},
	remove: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string) gophercloud.ErrResult {
		return bgpvpns.DeleteNetworkAssociation(ctx, c, vpn, id).ErrResult
	},
	list: func(c *gophercloud.ServiceClient, vpn string, q query) pagination.Pager {
		return bgpvpns.ListNetworkAssociations(c, vpn, q)
	},
}

var routerAssoc = assocKind{
	res: "router",
	view: view{columns: assocColumns("router",
		column{"advertise_extra_routes", "Advertise extra routes", listLongOnly})},
	options: routerAssocOptions,
	create: func(ctx context.Context, c *gophercloud.ServiceClient, id string, b body) gophercloud.Result {
		return bgpvpns.CreateRouterAssociation(ctx, c, id, b).Result
	},
	get: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string) gophercloud.Result {
		return bgpvpns.GetRouterAssociation(ctx, c, vpn, id).Result
	},
	update: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string, b body) gophercloud.Result {
		return bgpvpns.UpdateRouterAssociation(ctx, c, vpn, id, b).Result
	},
	remove: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string) gophercloud.ErrResult {
		return bgpvpns.DeleteRouterAssociation(ctx, c, vpn, id).ErrResult
	},
	list: func(c *gophercloud.ServiceClient, vpn string, q query) pagination.Pager {
		return bgpvpns.ListRouterAssociations(c, vpn, q)
	},
}

var portAssoc = assocKind{
	res: "port",
	view: view{
		columns: assocColumns("port",
			column{"prefix_routes", "Prefix Routes (BGP LOCAL_PREF)", listLongOnly},
			column{"bgpvpn_routes", "BGP VPN Routes (BGP LOCAL_PREF)", listLongOnly},
			column{"advertise_fixed_ips", "Advertise Port's Fixed IPs", listLongOnly}),
		format: listFormat("prefix_routes", "bgpvpn_routes"),
	},
	transform: splitPortRoutes,
	options:   portAssocOptions,
	create: func(ctx context.Context, c *gophercloud.ServiceClient, id string, b body) gophercloud.Result {
		return bgpvpns.CreatePortAssociation(ctx, c, id, b).Result
	},
	get: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string) gophercloud.Result {
		return bgpvpns.GetPortAssociation(ctx, c, vpn, id).Result
	},
	update: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string, b body) gophercloud.Result {
		return bgpvpns.UpdatePortAssociation(ctx, c, vpn, id, b).Result
	},
	remove: func(ctx context.Context, c *gophercloud.ServiceClient, vpn, id string) gophercloud.ErrResult {
		return bgpvpns.DeletePortAssociation(ctx, c, vpn, id).ErrResult
	},
	list: func(c *gophercloud.ServiceClient, vpn string, q query) pagination.Pager {
		return bgpvpns.ListPortAssociations(c, vpn, q)
	},
}

// associationCommand is "<res> association create|list|show|set|unset|delete".
func (a *app) associationCommand(k assocKind) *cobra.Command {
	subs := []*cobra.Command{a.assocCreate(k), a.assocList(k), a.assocShow(k), a.assocDelete(k)}
	if k.update != nil {
		subs = append(subs, a.assocSet(k, "set"), a.assocSet(k, "unset"))
	}
	return group("association", fmt.Sprintf("Manage the %s associations of BGP VPNs", k.res), subs...)
}

func (a *app) show(k assocKind, out *outputOpts, obj object) error {
	if k.transform != nil {
		k.transform(obj)
	}
	headers, values := k.view.one(obj)
	return out.EmitOne(a.stdout, headers, values)
}

func (a *app) assocCreate(k assocKind) *cobra.Command {
	var project, projectDomain string
	cmd := &cobra.Command{
		Use:   fmt.Sprintf("create <bgpvpn> <%s> [flags]", k.res),
		Short: fmt.Sprintf("Create a BGP VPN %s association", k.res),
		Long: fmt.Sprintf(`Associate a %s with a BGP VPN. Both may be given by name or ID.
Options not given are left to the server's defaults.`, k.res),
		Example:           assocCreateExample(k.res),
		Args:              exactArgs(2, fmt.Sprintf("<bgpvpn> <%s>", k.res)),
		ValidArgsFunction: a.completeArgs(map[int]string{0: "bgpvpn", 1: k.res}),
	}
	cmd.Flags().StringVar(&project, "project", "", "Owner's project of the association (ID; sent as tenant_id)")
	cmd.Flags().StringVar(&projectDomain, "project-domain", "", "Domain the project belongs to (accepted for compatibility)")
	var fill func(context.Context, string, object, map[string]any) error
	if k.options != nil {
		fill = k.options(a, cmd, "create")
	}
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		vpnID, err := a.bgpvpnID(ctx, args[0])
		if err != nil {
			return err
		}
		resources, err := a.coreFinder(ctx, k.res)
		if err != nil {
			return err
		}
		resID, err := resources.findID(ctx, args[1])
		if err != nil {
			return err
		}
		attrs := map[string]any{k.res + "_id": resID}
		if project != "" {
			attrs["tenant_id"] = project
		}
		if fill != nil {
			if err := fill(ctx, vpnID, object{}, attrs); err != nil {
				return err
			}
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		obj, err := extract(k.create(ctx, c, vpnID, body{k.key(), attrs}), k.key())
		if err != nil {
			return err
		}
		return a.show(k, out, obj)
	}
	return cmd
}

func assocCreateExample(res string) string {
	switch res {
	case "router":
		return `  bgpvpn router association create blue router1
  bgpvpn router association create blue router1 --no-advertise_extra_routes`
	case "port":
		return `  bgpvpn port association create blue port1
  bgpvpn port association create blue port1 --no-advertise-fixed-ips \
      --prefix-route prefix=20.1.0.0/16,local_pref=100 --bgpvpn-route bgpvpn=red,local_pref=50`
	}
	return `  bgpvpn network association create blue net1
  bgpvpn network association create blue 5fb4d19f-83f1-4bed-b429-0ca96256fa64 -f value -c ID`
}

func (a *app) assocList(k assocKind) *cobra.Command {
	var long bool
	var props []string
	cmd := &cobra.Command{
		Use:   "list <bgpvpn> [flags]",
		Short: fmt.Sprintf("List the %s associations of a BGP VPN", k.res),
		Example: fmt.Sprintf(`  bgpvpn %[1]s association list blue
  bgpvpn %[1]s association list blue --long -f json`, k.res),
		Args:              exactArgs(1, "<bgpvpn>"),
		ValidArgsFunction: a.completeArgs(map[int]string{0: "bgpvpn"}),
	}
	cmd.Flags().BoolVar(&long, "long", false, "List additional fields in output")
	cmd.Flags().StringArrayVar(&props, "property", nil, "Filter on key=value, sent as a query filter (repeatable)")
	out := outputFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		q, err := propertyQuery(props)
		if err != nil {
			return err
		}
		vpnID, err := a.bgpvpnID(ctx, args[0])
		if err != nil {
			return err
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		objs, err := extractAll(ctx, k.list(c, vpnID, q), k.plural())
		if err != nil {
			return err
		}
		if k.transform != nil {
			for _, o := range objs {
				k.transform(o)
			}
		}
		headers, rows := k.view.list(objs, long)
		return out.EmitList(a.stdout, headers, rows)
	}
	return cmd
}

func (a *app) assocShow(k assocKind) *cobra.Command {
	cmd := &cobra.Command{
		Use:               fmt.Sprintf("show <%s association ID> <bgpvpn>", k.res),
		Short:             fmt.Sprintf("Show a BGP VPN %s association", k.res),
		Example:           fmt.Sprintf("  bgpvpn %s association show 138d8b61-7503-4aea-a2da-08c1421876ef blue", k.res),
		Args:              exactArgs(2, fmt.Sprintf("<%s association ID> <bgpvpn>", k.res)),
		ValidArgsFunction: a.completeArgs(map[int]string{1: "bgpvpn"}),
	}
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		vpnID, err := a.bgpvpnID(ctx, args[1])
		if err != nil {
			return err
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		obj, err := extract(k.get(ctx, c, vpnID, args[0]), k.key())
		if err != nil {
			return err
		}
		return a.show(k, out, obj)
	}
	return cmd
}

func (a *app) assocSet(k assocKind, action string) *cobra.Command {
	cmd := &cobra.Command{
		Use:               fmt.Sprintf("%s <%s association ID> <bgpvpn> [flags]", action, k.res),
		Short:             fmt.Sprintf("%s BGP VPN %s association properties", strings.ToUpper(action[:1])+action[1:], k.res),
		Args:              exactArgs(2, fmt.Sprintf("<%s association ID> <bgpvpn>", k.res)),
		ValidArgsFunction: a.completeArgs(map[int]string{1: "bgpvpn"}),
	}
	cmd.Example = assocSetExample(k.res, action)
	fill := k.options(a, cmd, action)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		vpnID, err := a.bgpvpnID(ctx, args[1])
		if err != nil {
			return err
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		cur, err := extract(k.get(ctx, c, vpnID, args[0]), k.key())
		if err != nil {
			return err
		}
		attrs := map[string]any{}
		if err := fill(ctx, vpnID, cur, attrs); err != nil {
			return err
		}
		if len(attrs) == 0 {
			return nil
		}
		_, err = extract(k.update(ctx, c, vpnID, args[0], body{k.key(), attrs}), k.key())
		return err
	}
	return cmd
}

func assocSetExample(res, action string) string {
	if res == "router" {
		if action == "unset" {
			return "  bgpvpn router association unset <association-id> blue --advertise_extra_routes"
		}
		return "  bgpvpn router association set <association-id> blue --no-advertise_extra_routes"
	}
	if action == "unset" {
		return `  bgpvpn port association unset <association-id> blue --prefix-route 20.1.0.0/16
  bgpvpn port association unset <association-id> blue --all-bgpvpn-routes`
	}
	return `  bgpvpn port association set <association-id> blue --prefix-route prefix=20.2.0.0/16   # adds a route
  bgpvpn port association set <association-id> blue --no-prefix-route --advertise-fixed-ips`
}

func (a *app) assocDelete(k assocKind) *cobra.Command {
	return &cobra.Command{
		Use:     fmt.Sprintf("delete <%s association ID> [<%s association ID> ...] <bgpvpn>", k.res, k.res),
		Short:   fmt.Sprintf("Delete BGP VPN %s association(s)", k.res),
		Example: fmt.Sprintf("  bgpvpn %s association delete 138d8b61-7503-4aea-a2da-08c1421876ef blue", k.res),
		Args:    minArgs(2, fmt.Sprintf("<%s association ID> [...] <bgpvpn>", k.res)),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			vpnID, err := a.bgpvpnID(ctx, args[len(args)-1])
			if err != nil {
				return err
			}
			c, err := a.net(ctx)
			if err != nil {
				return err
			}
			ids := args[:len(args)-1]
			fails := 0
			for _, id := range ids {
				if err := serverError(k.remove(ctx, c, vpnID, id).ExtractErr()); err != nil {
					fails++
					fmt.Fprintf(a.stderr, "Failed to delete %s association with ID '%s': %v\n", k.res, id, err)
					continue
				}
				fmt.Fprintf(a.stderr, "%s association %s deleted\n", k.title(), id)
			}
			if fails > 0 {
				return fmt.Errorf("Failed to delete %d of %d %s BGP VPN association(s).", fails, len(ids), k.res)
			}
			return nil
		},
	}
}
