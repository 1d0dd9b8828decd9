package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgpvpns"
	"github.com/spf13/cobra"
)

var bgpvpnView = view{
	columns: []column{
		{"id", "ID", listBoth},
		{"tenant_id", "Project", listLongOnly},
		{"name", "Name", listBoth},
		{"type", "Type", listBoth},
		{"route_targets", "Route Targets", listLongOnly},
		{"import_targets", "Import Targets", listLongOnly},
		{"export_targets", "Export Targets", listLongOnly},
		{"route_distinguishers", "Route Distinguishers", listLongOnly},
		{"networks", "Associated Networks", listLongOnly},
		{"routers", "Associated Routers", listLongOnly},
		{"ports", "Associated Ports", listLongOnly},
		{"vni", "VNI", listLongOnly},
		{"local_pref", "Local Pref", listLongOnly},
	},
	format: listFormat("route_targets", "import_targets", "export_targets", "route_distinguishers", "networks", "routers", "ports"),
}

// bgpvpnID resolves a BGPVPN given by name or ID, as OSC does.
func (a *app) bgpvpnID(ctx context.Context, nameOrID string) (string, error) {
	vpns, err := a.bgpvpnFinder(ctx)
	if err != nil {
		return "", err
	}
	return vpns.findID(ctx, nameOrID)
}

func (a *app) bgpvpnFinder(ctx context.Context) (finder, error) {
	c, err := a.net(ctx)
	if err != nil {
		return finder{}, err
	}
	return finder{
		kind: "bgpvpn",
		get: func(ctx context.Context, id string) (object, error) {
			return extract(bgpvpns.Get(ctx, c, id).Result, "bgpvpn")
		},
		list: func(ctx context.Context, q query) ([]object, error) {
			return extractAll(ctx, bgpvpns.List(c, q), "bgpvpns")
		},
	}, nil
}

// rtLists are the four route target / distinguisher options of create, set
// and unset, each a list attribute of the BGPVPN.
type rtLists struct {
	values map[string]*[]string // attribute -> values given
	purge  map[string]*bool     // attribute -> --no-X / --all-X given
}

var rtAttrs = []struct{ attr, flag, what string }{
	{"route_targets", "route-target", "Route Target to the import/export list"},
	{"import_targets", "import-target", "Route Target to the import list"},
	{"export_targets", "export-target", "Route Target to the export list"},
	{"route_distinguishers", "route-distinguisher", "Route Distinguisher to the list RDs are picked from to advertise VPN routes"},
}

// addRTFlags adds --route-target etc.; action is "create", "set" or "unset".
func addRTFlags(cmd *cobra.Command, action string) rtLists {
	l := rtLists{values: map[string]*[]string{}, purge: map[string]*bool{}}
	for _, r := range rtAttrs {
		v := new([]string)
		verb := "Add"
		if action == "unset" {
			verb = "Remove"
		}
		cmd.Flags().StringArrayVar(v, r.flag, nil, fmt.Sprintf("%s %s (repeat for several)", verb, strings.Replace(r.what, " to the ", map[bool]string{true: " from the ", false: " to the "}[action == "unset"], 1)))
		l.values[r.attr] = v
		if action == "create" {
			continue
		}
		p := new(bool)
		name := "no-" + r.flag
		if action == "unset" {
			name = "all-" + r.flag
		}
		cmd.Flags().BoolVar(p, name, false, "Empty the "+strings.ReplaceAll(r.flag, "-", " ")+" list")
		l.purge[r.attr] = p
	}
	return l
}

// needsCurrent tells whether the current lists must be read: adding to or
// removing from a list is done on the client, as the openstack CLI does.
func (l rtLists) needsCurrent() bool {
	for attr, v := range l.values {
		if len(*v) > 0 && (l.purge[attr] == nil || !*l.purge[attr]) {
			return true
		}
	}
	return false
}

// apply puts into attrs the new value of every list the options touch.
func (l rtLists) apply(current object, unset bool, attrs map[string]any) {
	for _, r := range rtAttrs {
		old := stringList(current[r.attr])
		if p := l.purge[r.attr]; p != nil && *p {
			// --no-X empties the list before adding what is given (set);
			// --all-X empties it whatever else is given (unset).
			old = nil
			attrs[r.attr] = []string{}
			if unset {
				continue
			}
		}
		values := *l.values[r.attr]
		if len(values) == 0 {
			continue
		}
		attrs[r.attr] = mergeList(old, values, unset)
	}
}

// mergeList adds values missing from old (set) or removes them (unset),
// keeping the order of old, then of values.
func mergeList(old, values []string, unset bool) []string {
	out := []string{}
	has := func(list []string, s string) bool {
		for _, x := range list {
			if x == s {
				return true
			}
		}
		return false
	}
	for _, o := range old {
		if unset && has(values, o) {
			continue
		}
		out = append(out, o)
	}
	if !unset {
		for _, v := range values {
			if !has(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

func stringList(v any) []string {
	items, _ := v.([]any)
	out := make([]string, 0, len(items))
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func (a *app) bgpvpnCommands() []*cobra.Command {
	return []*cobra.Command{
		a.bgpvpnCreate(), a.bgpvpnList(), a.bgpvpnShow(), a.bgpvpnSet(false), a.bgpvpnSet(true), a.bgpvpnDelete(),
		a.rbacCommand(), a.techniqueCommand(),
	}
}

func (a *app) printOne(cmd *cobra.Command, o *outputOpts, v view, obj object) error {
	headers, values := v.one(obj)
	return o.EmitOne(a.stdout, headers, values)
}

func (a *app) bgpvpnCreate() *cobra.Command {
	var name, project, projectDomain, typ string
	var vni, localPref int
	cmd := &cobra.Command{
		Use:   "create [flags]",
		Short: "Create a BGP VPN",
		Long: `Create a BGP VPN. Only an admin may, by default. Options not given are left to
the server's defaults (type l3, empty lists, no VNI or LOCAL_PREF).`,
		Example: `  bgpvpn create --name blue --route-target 64512:1
  bgpvpn create --name evpn --type l2 --vni 4242 --import-target 64512:2 --export-target 64512:3
  bgpvpn create --name tenant-vpn --project project-a --route-target 64512:10 -f json`,
		Args: exactArgs(0, "no positional argument"),
	}
	rts := addRTFlags(cmd, "create")
	cmd.Flags().StringVar(&name, "name", "", "Name of the BGP VPN")
	cmd.Flags().StringVar(&project, "project", "", "Owner's project (ID; sent as tenant_id)")
	cmd.Flags().StringVar(&projectDomain, "project-domain", "", "Domain the project belongs to (accepted for compatibility; the project is taken as an ID)")
	cmd.Flags().StringVar(&typ, "type", "", "BGP VPN type: l3 (IP VPN, server default) or l2 (Ethernet VPN)")
	cmd.Flags().IntVar(&vni, "vni", 0, "VXLAN Network Identifier to use for this BGP VPN")
	cmd.Flags().IntVar(&localPref, "local-pref", 0, "Default BGP LOCAL_PREF of the routes advertised to this BGP VPN")
	spec := addSpecifiedFlags(cmd)
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		attrs := map[string]any{}
		if cmd.Flags().Changed("name") {
			attrs["name"] = name
		}
		if typ != "" {
			if typ != "l2" && typ != "l3" {
				return usagef("argument --type: invalid choice: '%s' (choose from 'l2', 'l3')", typ)
			}
			attrs["type"] = typ
		}
		rts.apply(nil, false, attrs)
		if cmd.Flags().Changed("vni") {
			attrs["vni"] = vni
		}
		if cmd.Flags().Changed("local-pref") {
			attrs["local_pref"] = localPref
		}
		if project != "" {
			attrs["tenant_id"] = project
		}
		spec.apply(cmd, attrs)
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		obj, err := extract(bgpvpns.Create(ctx, c, body{"bgpvpn", attrs}).Result, "bgpvpn")
		if err != nil {
			return err
		}
		return a.printOne(cmd, out, bgpvpnView, obj)
	}
	return cmd
}

func (a *app) bgpvpnList() *cobra.Command {
	var project, projectDomain string
	var long bool
	var props []string
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List BGP VPNs",
		Example: `  bgpvpn list
  bgpvpn list --long
  bgpvpn list --property type=l2 --property name=blue
  bgpvpn list --property networks=<network-id> -f value -c ID`,
		Args: exactArgs(0, "no positional argument"),
	}
	cmd.Flags().StringVar(&project, "project", "", "List only the BGP VPNs of this project (ID)")
	cmd.Flags().StringVar(&projectDomain, "project-domain", "", "Domain the project belongs to (accepted for compatibility)")
	cmd.Flags().BoolVar(&long, "long", false, "List additional fields in output")
	cmd.Flags().StringArrayVar(&props, "property", nil, "Filter on key=value, sent as a query filter (repeatable), e.g. type=l3, networks=<id>")
	out := outputFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		q, err := propertyQuery(props)
		if err != nil {
			return err
		}
		if project != "" {
			q["tenant_id"] = []string{project}
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		objs, err := extractAll(ctx, bgpvpns.List(c, q), "bgpvpns")
		if err != nil {
			return err
		}
		headers, rows := bgpvpnView.list(objs, long)
		return out.EmitList(a.stdout, headers, rows)
	}
	return cmd
}

// propertyQuery turns --property k=v options into list filters; a key given
// twice keeps the last value, as osc-lib's KeyValueAction does.
func propertyQuery(props []string) (query, error) {
	q := query{}
	for _, p := range props {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, usagef("argument --property: expected key=value, got %q", p)
		}
		q[k] = []string{v}
	}
	return q, nil
}

func (a *app) bgpvpnShow() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "show <bgpvpn>",
		Short: "Show a BGP VPN (name or ID)",
		Example: `  bgpvpn show blue
  bgpvpn show blue -c Name -c 'Route Targets'
  bgpvpn show 0b31fe6d-5e92-4d76-b28d-210f9ac53d9a -f json`,
		Args:              exactArgs(1, "<bgpvpn>"),
		ValidArgsFunction: a.completeArgs(map[int]string{0: "bgpvpn"}),
	}
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		f, err := a.bgpvpnFinder(ctx)
		if err != nil {
			return err
		}
		obj, err := f.find(ctx, args[0])
		if err != nil {
			return err
		}
		// The lookup may have come from a filtered list: read the resource
		// itself, as the openstack CLI does.
		obj, err = f.get(ctx, obj.str("id"))
		if err != nil {
			return err
		}
		return a.printOne(cmd, out, bgpvpnView, obj)
	}
	return cmd
}

func (a *app) bgpvpnSet(unset bool) *cobra.Command {
	var name string
	var vni, localPref int
	action := "set"
	cmd := &cobra.Command{
		Use:   "set <bgpvpn> [flags]",
		Short: "Set BGP VPN properties",
		Long: `Set BGP VPN properties. --route-target, --import-target, --export-target and
--route-distinguisher add to the current list; --no-X empties it first.`,
		Example: `  bgpvpn set blue --name red
  bgpvpn set blue --route-target 64512:2          # adds 64512:2
  bgpvpn set blue --no-route-target --route-target 64512:9   # replaces the list
  bgpvpn set blue --local-pref 200`,
		Args:              exactArgs(1, "<bgpvpn>"),
		ValidArgsFunction: a.completeArgs(map[int]string{0: "bgpvpn"}),
	}
	if unset {
		action = "unset"
		cmd.Use = "unset <bgpvpn> [flags]"
		cmd.Short = "Unset BGP VPN properties"
		cmd.Long = `Unset BGP VPN properties: remove the given route targets or distinguishers
from their list, or empty a list with --all-X.`
		cmd.Example = `  bgpvpn unset blue --route-target 64512:2
  bgpvpn unset blue --all-export-target --all-import-target`
	} else {
		cmd.Flags().StringVar(&name, "name", "", "Name of the BGP VPN")
	}
	var spec *specifiedFlags
	if !unset {
		spec = addSpecifiedFlags(cmd)
	}
	rts := addRTFlags(cmd, action)
	cmd.Flags().IntVar(&vni, "vni", 0, "VXLAN Network Identifier (the server refuses changes: read-only)")
	cmd.Flags().IntVar(&localPref, "local-pref", 0, "Default BGP LOCAL_PREF of the routes advertised to this BGP VPN")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		f, err := a.bgpvpnFinder(ctx)
		if err != nil {
			return err
		}
		cur, err := f.find(ctx, args[0])
		if err != nil {
			return err
		}
		id := cur.str("id")
		attrs := map[string]any{}
		if !unset && cmd.Flags().Changed("name") {
			attrs["name"] = name
		}
		if cmd.Flags().Changed("vni") {
			attrs["vni"] = vni
		}
		if cmd.Flags().Changed("local-pref") {
			attrs["local_pref"] = localPref
		}
		if spec != nil {
			spec.apply(cmd, attrs)
		}
		if rts.needsCurrent() {
			if cur, err = f.get(ctx, id); err != nil {
				return err
			}
		}
		rts.apply(cur, unset, attrs)
		if len(attrs) == 0 {
			return nil
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		_, err = extract(bgpvpns.Update(ctx, c, id, body{"bgpvpn", attrs}).Result, "bgpvpn")
		return err
	}
	return cmd
}

func (a *app) bgpvpnDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete <bgpvpn> [<bgpvpn> ...]",
		Short: "Delete BGP VPN(s) (name or ID)",
		Long:  "Delete BGP VPNs; each failure is reported and the command fails if any did.",
		Example: `  bgpvpn delete blue
  bgpvpn delete blue red 0b31fe6d-5e92-4d76-b28d-210f9ac53d9a`,
		Args:              minArgs(1, "at least one <bgpvpn>"),
		ValidArgsFunction: a.completeArgs(map[int]string{-1: "bgpvpn"}),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			f, err := a.bgpvpnFinder(ctx)
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
					err = serverError(bgpvpns.Delete(ctx, c, id).ExtractErr())
				}
				if err != nil {
					fails++
					fmt.Fprintf(a.stderr, "Failed to delete BGP VPN with name or ID '%s': %v\n", nameOrID, err)
					continue
				}
				fmt.Fprintf(a.stderr, "BGP VPN %s deleted\n", id)
			}
			if fails > 0 {
				return fmt.Errorf("Failed to delete %d of %d BGP VPN.", fails, len(args))
			}
			return nil
		},
	}
}
