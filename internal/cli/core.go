package cli

import (
	"context"
	"fmt"
	"reflect"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"
	"github.com/spf13/cobra"
)

// coreKind is one of the core network resources the associations point at,
// with the gophercloud calls that manage it.
type coreKind struct {
	res, plural string
	title       string // "Network", as in the delete messages
	view        view
	calls
}

// calls are one resource's gophercloud calls, with its package's own
// option and result types hidden.
type calls struct {
	create func(ctx context.Context, c *gophercloud.ServiceClient, b body) gophercloud.Result
	get    func(ctx context.Context, c *gophercloud.ServiceClient, id string) gophercloud.Result
	update func(ctx context.Context, c *gophercloud.ServiceClient, id string, b body) gophercloud.Result
	remove func(ctx context.Context, c *gophercloud.ServiceClient, id string) interface{ ExtractErr() error }
	list   func(c *gophercloud.ServiceClient, q query) pagination.Pager
}

// callsOf adapts a gophercloud networking package's Create, Get, Update,
// Delete and List; body and query implement every package's option
// builders.
func callsOf[CO, UO, LO, CR, GR, UR any, DR interface{ ExtractErr() error }](
	create func(context.Context, *gophercloud.ServiceClient, CO) CR,
	get func(context.Context, *gophercloud.ServiceClient, string) GR,
	update func(context.Context, *gophercloud.ServiceClient, string, UO) UR,
	remove func(context.Context, *gophercloud.ServiceClient, string) DR,
	list func(*gophercloud.ServiceClient, LO) pagination.Pager,
) calls {
	return calls{
		create: func(ctx context.Context, c *gophercloud.ServiceClient, b body) gophercloud.Result {
			return resultOf(create(ctx, c, any(b).(CO)))
		},
		get: func(ctx context.Context, c *gophercloud.ServiceClient, id string) gophercloud.Result {
			return resultOf(get(ctx, c, id))
		},
		update: func(ctx context.Context, c *gophercloud.ServiceClient, id string, b body) gophercloud.Result {
			return resultOf(update(ctx, c, id, any(b).(UO)))
		},
		remove: func(ctx context.Context, c *gophercloud.ServiceClient, id string) interface{ ExtractErr() error } {
			return remove(ctx, c, id)
		},
		list: func(c *gophercloud.ServiceClient, q query) pagination.Pager { return list(c, any(q).(LO)) },
	}
}

// resultOf is the gophercloud.Result that a package's result type
// (networks.CreateResult…) embeds; generics cannot reach an embedded field.
func resultOf(r any) gophercloud.Result {
	return reflect.ValueOf(r).FieldByName("Result").Interface().(gophercloud.Result)
}

var coreKinds = map[string]coreKind{
	"network": {
		res: "network", plural: "networks", title: "Network",
		view: view{columns: []column{
			{"id", "ID", listBoth}, {"name", "Name", listBoth}, {"subnets", "Subnets", listBoth},
			{"tenant_id", "Project", listLongOnly}, {"status", "Status", listLongOnly},
			{"admin_state_up", "State", listLongOnly}, {"shared", "Shared", listLongOnly},
		}, format: autoFormat, rawShow: true},
		calls: callsOf(networks.Create, networks.Get, networks.Update, networks.Delete, networks.List),
	},
	"subnet": {
		res: "subnet", plural: "subnets", title: "Subnet",
		view: view{columns: []column{
			{"id", "ID", listBoth}, {"name", "Name", listBoth}, {"network_id", "Network", listBoth},
			{"cidr", "Subnet", listBoth}, {"tenant_id", "Project", listLongOnly},
			{"gateway_ip", "Gateway", listLongOnly}, {"allocation_pools", "Allocation Pools", listLongOnly},
			{"enable_dhcp", "DHCP", listLongOnly},
		}, format: autoFormat, rawShow: true},
		calls: callsOf(subnets.Create, subnets.Get, subnets.Update, subnets.Delete, subnets.List),
	},
	"port": {
		res: "port", plural: "ports", title: "Port",
		view: view{columns: []column{
			{"id", "ID", listBoth}, {"name", "Name", listBoth}, {"mac_address", "MAC Address", listBoth},
			{"fixed_ips", "Fixed IP Addresses", listBoth}, {"status", "Status", listBoth},
			{"network_id", "Network", listLongOnly}, {"binding:host_id", "Host", listLongOnly},
			{"device_owner", "Device Owner", listLongOnly}, {"device_id", "Device ID", listLongOnly},
		}, format: autoFormat, rawShow: true},
		calls: callsOf(ports.Create, ports.Get, ports.Update, ports.Delete, ports.List),
	},
	"router": {
		res: "router", plural: "routers", title: "Router",
		view: view{columns: []column{
			{"id", "ID", listBoth}, {"name", "Name", listBoth}, {"status", "Status", listBoth},
			{"admin_state_up", "State", listBoth}, {"tenant_id", "Project", listBoth},
			{"routes", "Routes", listLongOnly},
		}, format: autoFormat, rawShow: true},
		calls: callsOf(routers.Create, routers.Get, routers.Update, routers.Delete, routers.List),
	},
}

func (a *app) coreFinder(ctx context.Context, res string) (finder, error) {
	k := coreKinds[res]
	c, err := a.net(ctx)
	if err != nil {
		return finder{}, err
	}
	return finder{
		kind: res,
		get: func(ctx context.Context, id string) (object, error) {
			return extract(k.get(ctx, c, id), k.res)
		},
		list: func(ctx context.Context, q query) ([]object, error) {
			return extractAll(ctx, k.list(c, q), k.plural)
		},
	}, nil
}

// coreCreate is "<res> create <name>"; fill adds the kind's own attributes.
func (a *app) coreCreate(res string, cmd *cobra.Command, fill func(ctx context.Context, attrs map[string]any) error) *cobra.Command {
	k := coreKinds[res]
	var project, description string
	cmd.Flags().StringVar(&project, "project", "", "Owner's project (ID)")
	cmd.Flags().StringVar(&description, "description", "", "Description")
	out := outputFlags(cmd, false)
	cmd.Args = exactArgs(1, "<name>")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		attrs := map[string]any{"name": args[0]}
		if project != "" {
			attrs["project_id"] = project
		}
		if cmd.Flags().Changed("description") {
			attrs["description"] = description
		}
		if err := fill(ctx, attrs); err != nil {
			return err
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		obj, err := extract(k.create(ctx, c, body{k.res, attrs}), k.res)
		if err != nil {
			return err
		}
		headers, values := k.view.one(obj)
		return out.EmitOne(a.stdout, headers, values)
	}
	return cmd
}

// coreSet is "<res> set <name or id>"; fill adds the kind's attributes and
// may read the current resource.
func (a *app) coreSet(res string, cmd *cobra.Command, fill func(ctx context.Context, cur object, attrs map[string]any) error) *cobra.Command {
	k := coreKinds[res]
	cmd.Args = exactArgs(1, "<"+res+">")
	cmd.ValidArgsFunction = a.completeArgs(map[int]string{0: res})
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		f, err := a.coreFinder(ctx, res)
		if err != nil {
			return err
		}
		cur, err := f.find(ctx, args[0])
		if err != nil {
			return err
		}
		attrs := map[string]any{}
		if err := fill(ctx, cur, attrs); err != nil {
			return err
		}
		if len(attrs) == 0 {
			return nil
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		_, err = extract(k.update(ctx, c, cur.str("id"), body{k.res, attrs}), k.res)
		return err
	}
	return cmd
}

func (a *app) coreShow(res string) *cobra.Command {
	k := coreKinds[res]
	cmd := &cobra.Command{
		Use:               fmt.Sprintf("show <%s>", res),
		Short:             fmt.Sprintf("Show a %s (name or ID)", res),
		Example:           fmt.Sprintf("  bgpvpn %[1]s show my-%[1]s\n  bgpvpn %[1]s show my-%[1]s -f json", res),
		Args:              exactArgs(1, "<"+res+">"),
		ValidArgsFunction: a.completeArgs(map[int]string{0: res}),
	}
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		f, err := a.coreFinder(ctx, res)
		if err != nil {
			return err
		}
		obj, err := f.find(ctx, args[0])
		if err != nil {
			return err
		}
		headers, values := k.view.one(obj)
		return out.EmitOne(a.stdout, headers, values)
	}
	return cmd
}

// coreList is "<res> list"; filters maps each filter flag to its attribute.
func (a *app) coreList(res string, cmd *cobra.Command, filters func(ctx context.Context, q query) error) *cobra.Command {
	k := coreKinds[res]
	var long bool
	var props []string
	cmd.Flags().BoolVar(&long, "long", false, "List additional fields in output")
	cmd.Flags().StringArrayVar(&props, "property", nil, "Filter on key=value, sent as a query filter (repeatable)")
	out := outputFlags(cmd, true)
	cmd.Args = exactArgs(0, "no positional argument")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		q, err := propertyQuery(props)
		if err != nil {
			return err
		}
		if filters != nil {
			if err := filters(ctx, q); err != nil {
				return err
			}
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		objs, err := extractAll(ctx, k.list(c, q), k.plural)
		if err != nil {
			return err
		}
		headers, rows := k.view.list(objs, long)
		return out.EmitList(a.stdout, headers, rows)
	}
	return cmd
}

func (a *app) coreDelete(res string) *cobra.Command {
	k := coreKinds[res]
	return &cobra.Command{
		Use:               fmt.Sprintf("delete <%[1]s> [<%[1]s> ...]", res),
		Short:             fmt.Sprintf("Delete %s(s) (name or ID)", res),
		Example:           fmt.Sprintf("  bgpvpn %[1]s delete my-%[1]s\n  bgpvpn %[1]s delete a b c", res),
		Args:              minArgs(1, "at least one <"+res+">"),
		ValidArgsFunction: a.completeArgs(map[int]string{-1: res}),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := a.coreFinder(ctx, res)
			if err != nil {
				return err
			}
			c, err := a.net(ctx)
			if err != nil {
				return err
			}
			fails := 0
			for _, nameOrID := range args {
				id, err := f.findID(ctx, nameOrID)
				if err == nil {
					err = serverError(k.remove(ctx, c, id).ExtractErr())
				}
				if err != nil {
					fails++
					fmt.Fprintf(a.stderr, "Failed to delete %s with name or ID '%s': %v\n", res, nameOrID, err)
				}
			}
			if fails > 0 {
				return fmt.Errorf("%d of %d %s failed to delete.", fails, len(args), k.plural)
			}
			return nil
		},
	}
}

// enableFlags adds --enable/--disable (admin_state_up).
func enableFlags(cmd *cobra.Command, what string) *boolPair {
	p := &boolPair{}
	cmd.Flags().BoolVar(&p.yes, "enable", false, "Enable "+what)
	cmd.Flags().BoolVar(&p.no, "disable", false, "Disable "+what)
	cmd.MarkFlagsMutuallyExclusive("enable", "disable")
	return p
}

func (p *boolPair) put(attrs map[string]any, attr string) {
	if v, ok := p.value("set"); ok {
		attrs[attr] = v
	}
}
