package cli

import (
	"context"

	"github.com/spf13/cobra"
)

func (a *app) subnetCommand() *cobra.Command {
	var network string
	list := &cobra.Command{
		Use:     "list [flags]",
		Short:   "List subnets",
		Example: "  bgpvpn subnet list\n  bgpvpn subnet list --network net1 -f value -c ID",
	}
	list.Flags().StringVar(&network, "network", "", "List only the subnets of this network (name or ID)")
	return group("subnet", "Manage subnets",
		a.subnetCreate(),
		a.coreList("subnet", list, func(ctx context.Context, q query) error {
			return a.filterByNetwork(ctx, network, q)
		}),
		a.coreShow("subnet"), a.subnetSet(), a.coreDelete("subnet"))
}

func (a *app) filterByNetwork(ctx context.Context, network string, q query) error {
	if network == "" {
		return nil
	}
	f, err := a.coreFinder(ctx, "network")
	if err != nil {
		return err
	}
	id, err := f.findID(ctx, network)
	if err != nil {
		return err
	}
	q["network_id"] = []string{id}
	return nil
}

// subnetFlags are the options create and set share.
type subnetFlags struct {
	gateway    string
	dhcp       boolPair
	dns        []string
	pools      []string
	hostRoutes []string
}

func addSubnetFlags(cmd *cobra.Command) *subnetFlags {
	f := &subnetFlags{}
	cmd.Flags().StringVar(&f.gateway, "gateway", "", "Gateway IP address, 'auto' (server's choice) or 'none'")
	cmd.Flags().BoolVar(&f.dhcp.yes, "dhcp", false, "Enable DHCP")
	cmd.Flags().BoolVar(&f.dhcp.no, "no-dhcp", false, "Disable DHCP")
	cmd.MarkFlagsMutuallyExclusive("dhcp", "no-dhcp")
	cmd.Flags().StringArrayVar(&f.dns, "dns-nameserver", nil, "DNS server (repeatable)")
	cmd.Flags().StringArrayVar(&f.pools, "allocation-pool", nil, "Allocation pool start=<ip>,end=<ip> (repeatable)")
	cmd.Flags().StringArrayVar(&f.hostRoutes, "host-route", nil, "Host route destination=<cidr>,gateway=<ip> (repeatable)")
	return f
}

// apply fills attrs; on set, lists are added to the current ones.
func (f *subnetFlags) apply(_ *cobra.Command, cur object, attrs map[string]any) error {
	switch {
	case f.gateway == "none":
		attrs["gateway_ip"] = nil
	case f.gateway != "" && f.gateway != "auto":
		attrs["gateway_ip"] = f.gateway
	}
	f.dhcp.put(attrs, "enable_dhcp")
	if len(f.dns) > 0 {
		attrs["dns_nameservers"] = mergeList(stringList(cur["dns_nameservers"]), f.dns, false)
	}
	if len(f.pools) > 0 {
		pools, err := keyValueObjects("--allocation-pool", f.pools, []string{"start", "end"}, anyList(cur["allocation_pools"]))
		if err != nil {
			return err
		}
		attrs["allocation_pools"] = pools
	}
	if len(f.hostRoutes) > 0 {
		routes, err := keyValueObjects("--host-route", f.hostRoutes, []string{"destination", "gateway"}, anyList(cur["host_routes"]))
		if err != nil {
			return err
		}
		attrs["host_routes"] = routes
	}
	return nil
}

// keyValueObjects parses repeated k=v,k=v options into objects appended to
// the current ones (duplicates dropped). The option's "gateway" key is the
// API's "nexthop", as in the openstack CLI's --route and --host-route.
func keyValueObjects(opt string, values, keys []string, current []any) ([]any, error) {
	out := append([]any{}, current...)
	for _, v := range values {
		kv, err := splitKeyValues(opt, v, keys, nil)
		if err != nil {
			return nil, err
		}
		m := map[string]any{}
		for k, val := range kv {
			if k == "gateway" {
				k = "nexthop"
			}
			m[k] = val
		}
		dup := false
		for _, c := range out {
			if cm, ok := c.(map[string]any); ok && sameStrings(cm, m) {
				dup = true
			}
		}
		if !dup {
			out = append(out, m)
		}
	}
	return out, nil
}

func sameStrings(a, b map[string]any) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func (a *app) subnetCreate() *cobra.Command {
	var network, subnetRange string
	var ipVersion int
	cmd := &cobra.Command{
		Use:   "create <name> --network <network> --subnet-range <cidr> [flags]",
		Short: "Create a subnet",
		Example: `  bgpvpn subnet create sub1 --network net1 --subnet-range 10.9.0.0/24
  bgpvpn subnet create sub6 --network net1 --subnet-range 2001:db8::/64 --ip-version 6 --gateway none`,
	}
	cmd.Flags().StringVar(&network, "network", "", "Network the subnet belongs to (name or ID, required)")
	cmd.Flags().StringVar(&subnetRange, "subnet-range", "", "Subnet range in CIDR notation (required)")
	cmd.Flags().IntVar(&ipVersion, "ip-version", 4, "IP version: 4 or 6")
	_ = cmd.MarkFlagRequired("network")
	_ = cmd.MarkFlagRequired("subnet-range")
	f := addSubnetFlags(cmd)
	return a.coreCreate("subnet", cmd, func(ctx context.Context, attrs map[string]any) error {
		nets, err := a.coreFinder(ctx, "network")
		if err != nil {
			return err
		}
		id, err := nets.findID(ctx, network)
		if err != nil {
			return err
		}
		attrs["network_id"] = id
		attrs["cidr"] = subnetRange
		attrs["ip_version"] = ipVersion
		return f.apply(cmd, object{}, attrs)
	})
}

func (a *app) subnetSet() *cobra.Command {
	var name, description string
	var noDNS, noHostRoutes bool
	cmd := &cobra.Command{
		Use:     "set <subnet> [flags]",
		Short:   "Set subnet properties",
		Example: "  bgpvpn subnet set sub1 --name sub2 --no-dhcp\n  bgpvpn subnet set sub1 --dns-nameserver 192.0.2.53",
	}
	cmd.Flags().StringVar(&name, "name", "", "New name")
	cmd.Flags().StringVar(&description, "description", "", "Description")
	cmd.Flags().BoolVar(&noDNS, "no-dns-nameservers", false, "Empty the DNS server list first")
	cmd.Flags().BoolVar(&noHostRoutes, "no-host-route", false, "Empty the host route list first")
	f := addSubnetFlags(cmd)
	return a.coreSet("subnet", cmd, func(_ context.Context, cur object, attrs map[string]any) error {
		if cmd.Flags().Changed("name") {
			attrs["name"] = name
		}
		if cmd.Flags().Changed("description") {
			attrs["description"] = description
		}
		cur = object{"dns_nameservers": cur["dns_nameservers"], "host_routes": cur["host_routes"], "allocation_pools": cur["allocation_pools"]}
		if noDNS {
			cur["dns_nameservers"] = nil
			attrs["dns_nameservers"] = []string{}
		}
		if noHostRoutes {
			cur["host_routes"] = nil
			attrs["host_routes"] = []any{}
		}
		return f.apply(cmd, cur, attrs)
	})
}
