package cli

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"
)

// boolPair is a pair of mutually exclusive --x / --no-x flags. On unset the
// meanings are swapped, as in the openstack CLI (unset --advertise-fixed-ips
// turns advertising off).
type boolPair struct{ yes, no bool }

// value returns the attribute value and whether one was asked for.
func (p boolPair) value(action string) (bool, bool) {
	switch {
	case p.yes:
		return action != "unset", true
	case p.no:
		return action == "unset", true
	}
	return false, false
}

func addBoolPair(cmd *cobra.Command, p *boolPair, yes, no, alsoYes, alsoNo, yesHelp, noHelp, action string) {
	if action == "unset" {
		yesHelp, noHelp = noHelp, yesHelp
	}
	cmd.Flags().BoolVar(&p.yes, yes, false, yesHelp)
	cmd.Flags().BoolVar(&p.no, no, false, noHelp)
	names := []string{yes, no}
	if alsoYes != "" {
		cmd.Flags().BoolVar(&p.yes, alsoYes, false, yesHelp+" (same as --"+yes+")")
		cmd.Flags().BoolVar(&p.no, alsoNo, false, noHelp+" (same as --"+no+")")
		names = append(names, alsoYes, alsoNo)
	}
	cmd.MarkFlagsMutuallyExclusive(names...)
}

func routerAssocOptions(_ *app, cmd *cobra.Command, action string) func(context.Context, string, object, map[string]any) error {
	var p boolPair
	def := ""
	if action == "create" {
		def = " (server default)"
	}
	addBoolPair(cmd, &p, "advertise_extra_routes", "no-advertise_extra_routes",
		"advertise-extra-routes", "no-advertise-extra-routes",
		"Routes of the router will be advertised to the BGP VPN"+def,
		"Routes of the router will not be advertised to the BGP VPN", action)
	return func(_ context.Context, _ string, _ object, attrs map[string]any) error {
		// Unlike the original CLI, no flag means the server's default: the
		// attribute is not sent.
		if v, ok := p.value(action); ok {
			attrs["advertise_extra_routes"] = v
		}
		return nil
	}
}

// portRouteFlags are the route options of port association create/set/unset.
type portRouteFlags struct {
	prefix, bgpvpn           []string // create/set: k=v lists; unset: plain values
	purgePrefix, purgeBGPVPN bool
	advertise                boolPair
}

// route is one port association route: a prefix or a BGP VPN to leak, with
// an optional LOCAL_PREF.
type route struct {
	key       string // prefix or bgpvpn ID
	localPref *int64
}

// routeSet keeps routes in order, keyed by prefix or BGP VPN ID.
type routeSet []route

func (s routeSet) put(r route) routeSet {
	for i := range s {
		if s[i].key == r.key {
			s[i] = r
			return s
		}
	}
	return append(s, r)
}

func (s routeSet) remove(key string) routeSet {
	out := s[:0:0]
	for _, r := range s {
		if r.key != key {
			out = append(out, r)
		}
	}
	return out
}

// currentRoutes splits an association's routes by type.
func currentRoutes(cur object) (prefix, vpn routeSet) {
	items, _ := cur["routes"].([]any)
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		r := route{}
		if lp, ok := m["local_pref"].(int64); ok {
			r.localPref = &lp
		}
		switch m["type"] {
		case "prefix":
			r.key, _ = m["prefix"].(string)
			prefix = append(prefix, r)
		case "bgpvpn":
			r.key, _ = m["bgpvpn_id"].(string)
			vpn = append(vpn, r)
		}
	}
	return prefix, vpn
}

func parseRouteOption(opt, s, keyName string) (route, error) {
	kv, err := splitKeyValues(opt, s, []string{keyName}, []string{"local_pref"})
	if err != nil {
		return route{}, err
	}
	r := route{key: kv[keyName]}
	if lp, ok := kv["local_pref"]; ok {
		n, err := strconv.ParseInt(lp, 10, 64)
		if err != nil {
			return route{}, usagef("invalid local_pref %q in %s %q: not an integer", lp, opt, s)
		}
		r.localPref = &n
	}
	return r, nil
}

// portRoutes computes the complete routes list to send: the association's
// current routes with the options applied (set adds or updates, unset
// removes, --no-X/--all-X empties). resolve turns a BGP VPN name into its ID.
func portRoutes(cur object, f portRouteFlags, action string, resolve func(string) (string, error)) ([]any, error) {
	prefix, vpn := currentRoutes(cur)
	if f.purgePrefix {
		prefix = nil
	}
	if f.purgeBGPVPN {
		vpn = nil
	}
	for _, s := range f.prefix {
		if action == "unset" {
			prefix = prefix.remove(s)
			continue
		}
		r, err := parseRouteOption("--prefix-route", s, "prefix")
		if err != nil {
			return nil, err
		}
		prefix = prefix.put(r)
	}
	for _, s := range f.bgpvpn {
		r := route{key: s}
		if action != "unset" {
			var err error
			if r, err = parseRouteOption("--bgpvpn-route", s, "bgpvpn"); err != nil {
				return nil, err
			}
		}
		id, err := resolve(r.key)
		if err != nil {
			return nil, err
		}
		r.key = id
		if action == "unset" {
			vpn = vpn.remove(id)
		} else {
			vpn = vpn.put(r)
		}
	}
	routes := []any{}
	for _, r := range prefix {
		m := map[string]any{"type": "prefix", "prefix": r.key}
		if r.localPref != nil {
			m["local_pref"] = *r.localPref
		}
		routes = append(routes, m)
	}
	for _, r := range vpn {
		m := map[string]any{"type": "bgpvpn", "bgpvpn_id": r.key}
		if r.localPref != nil {
			m["local_pref"] = *r.localPref
		}
		routes = append(routes, m)
	}
	return routes, nil
}

func (f portRouteFlags) touchesRoutes() bool {
	return len(f.prefix) > 0 || len(f.bgpvpn) > 0 || f.purgePrefix || f.purgeBGPVPN
}

func portAssocOptions(a *app, cmd *cobra.Command, action string) func(context.Context, string, object, map[string]any) error {
	var f portRouteFlags
	def := ""
	if action == "create" {
		def = " (server default)"
	}
	addBoolPair(cmd, &f.advertise, "advertise-fixed-ips", "no-advertise-fixed-ips", "", "",
		"Fixed IPs of the port will be advertised to the BGP VPN"+def,
		"Fixed IPs of the port will not be advertised to the BGP VPN", action)
	if action == "unset" {
		cmd.Flags().StringArrayVar(&f.prefix, "prefix-route", nil, "Remove the prefix route in CIDR notation (repeatable)")
		cmd.Flags().StringArrayVar(&f.bgpvpn, "bgpvpn-route", nil, "Remove the BGP VPN route, by BGP VPN name or ID (repeatable)")
		cmd.Flags().BoolVar(&f.purgePrefix, "all-prefix-routes", false, "Empty the prefix route list")
		cmd.Flags().BoolVar(&f.purgeBGPVPN, "all-bgpvpn-routes", false, "Empty the BGP VPN route list")
	} else {
		cmd.Flags().StringArrayVar(&f.prefix, "prefix-route", nil,
			"Add a prefix route: prefix=<cidr>[,local_pref=<integer>] (repeatable)")
		cmd.Flags().StringArrayVar(&f.bgpvpn, "bgpvpn-route", nil,
			"Add a BGP VPN route for route leaking: bgpvpn=<BGP VPN ID or name>[,local_pref=<integer>] (repeatable)")
		if action == "set" {
			cmd.Flags().BoolVar(&f.purgePrefix, "no-prefix-route", false, "Empty the prefix route list")
			cmd.Flags().BoolVar(&f.purgeBGPVPN, "no-bgpvpn-route", false, "Empty the BGP VPN route list")
		}
	}
	return func(ctx context.Context, _ string, cur object, attrs map[string]any) error {
		if v, ok := f.advertise.value(action); ok {
			attrs["advertise_fixed_ips"] = v
		}
		// On create, no route option means the server default (no routes).
		// On set/unset the complete list is always sent, as the openstack
		// CLI does, so a server that drops routes missing from a PUT keeps
		// them.
		if action == "create" && !f.touchesRoutes() {
			return nil
		}
		if action != "create" && !f.touchesRoutes() && len(attrs) == 0 {
			return nil
		}
		vpns, err := a.bgpvpnFinder(ctx)
		if err != nil {
			return err
		}
		routes, err := portRoutes(cur, f, action, func(s string) (string, error) { return vpns.findID(ctx, s) })
		if err != nil {
			return err
		}
		attrs["routes"] = routes
		return nil
	}
}

// splitPortRoutes turns "routes" into the two columns the openstack CLI
// shows: "<prefix> (<local_pref>)" and "<bgpvpn id> (<local_pref>)"; a
// column only appears when there is a route of its type.
func splitPortRoutes(o object) {
	items, _ := o["routes"].([]any)
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			continue
		}
		suffix := ""
		if lp, ok := m["local_pref"].(int64); ok && lp != 0 {
			suffix = fmt.Sprintf(" (%d)", lp)
		}
		switch m["type"] {
		case "prefix":
			o["prefix_routes"] = append(anyList(o["prefix_routes"]), fmt.Sprint(m["prefix"])+suffix)
		case "bgpvpn":
			o["bgpvpn_routes"] = append(anyList(o["bgpvpn_routes"]), fmt.Sprint(m["bgpvpn_id"])+suffix)
		}
	}
	delete(o, "routes")
}

func anyList(v any) []any {
	l, _ := v.([]any)
	return l
}
