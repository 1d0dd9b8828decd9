package cli

import (
	"context"

	"github.com/spf13/cobra"
)

func (a *app) portCommand() *cobra.Command {
	var network, deviceID, deviceOwner, host string
	list := &cobra.Command{
		Use:     "list [flags]",
		Short:   "List ports",
		Example: "  bgpvpn port list --network net1\n  bgpvpn port list --host compute-1 --long",
	}
	list.Flags().StringVar(&network, "network", "", "List only the ports of this network (name or ID)")
	list.Flags().StringVar(&deviceID, "device-id", "", "List only the ports of this device")
	list.Flags().StringVar(&deviceOwner, "device-owner", "", "List only the ports of this device owner, e.g. network:router_interface")
	list.Flags().StringVar(&host, "host", "", "List only the ports bound to this host (binding:host_id)")
	return group("port", "Manage ports, and their BGP VPN associations",
		a.portCreate(),
		a.coreList("port", list, func(ctx context.Context, q query) error {
			for attr, v := range map[string]string{"device_id": deviceID, "device_owner": deviceOwner, "binding:host_id": host} {
				if v != "" {
					q[attr] = []string{v}
				}
			}
			return a.filterByNetwork(ctx, network, q)
		}),
		a.coreShow("port"), a.portSet(), a.coreDelete("port"),
		a.associationCommand(portAssoc))
}

type portFlags struct {
	fixedIPs    []string
	noFixedIP   bool
	host        string
	deviceID    string
	deviceOwner string
	state       *boolPair
}

func addPortFlags(cmd *cobra.Command) *portFlags {
	f := &portFlags{}
	cmd.Flags().StringArrayVar(&f.fixedIPs, "fixed-ip", nil,
		"Fixed IP: subnet=<subnet>,ip-address=<ip-address> (either key may be left out; repeatable; on set, adds)")
	cmd.Flags().BoolVar(&f.noFixedIP, "no-fixed-ip", false, "No fixed IP (create), or clear the fixed IPs first (set)")
	cmd.Flags().StringVar(&f.host, "host", "", "Host the port is bound to (binding:host_id)")
	cmd.Flags().StringVar(&f.deviceID, "device-id", "", "ID of the device using the port")
	cmd.Flags().StringVar(&f.deviceOwner, "device-owner", "", "Owner of the device using the port, e.g. compute:nova")
	f.state = enableFlags(cmd, "the port")
	return f
}

// fixedIPs parses --fixed-ip options; subnets are given by name or ID.
func (a *app) fixedIPs(ctx context.Context, opts []string) ([]any, error) {
	var out []any
	for _, s := range opts {
		kv, err := splitKeyValues("--fixed-ip", s, nil, []string{"subnet", "ip-address"})
		if err != nil {
			return nil, err
		}
		ip := map[string]any{}
		if sub, ok := kv["subnet"]; ok {
			f, err := a.coreFinder(ctx, "subnet")
			if err != nil {
				return nil, err
			}
			id, err := f.findID(ctx, sub)
			if err != nil {
				return nil, err
			}
			ip["subnet_id"] = id
		}
		if addr, ok := kv["ip-address"]; ok {
			ip["ip_address"] = addr
		}
		out = append(out, ip)
	}
	return out, nil
}

func (a *app) applyPortFlags(ctx context.Context, cmd *cobra.Command, f *portFlags, cur object, attrs map[string]any) error {
	if f.noFixedIP || len(f.fixedIPs) > 0 {
		var ips []any
		if !f.noFixedIP {
			// Keep the current addresses, as the openstack CLI's set does.
			for _, it := range anyList(cur["fixed_ips"]) {
				if m, ok := it.(map[string]any); ok {
					ips = append(ips, map[string]any{"subnet_id": m["subnet_id"], "ip_address": m["ip_address"]})
				}
			}
		}
		more, err := a.fixedIPs(ctx, f.fixedIPs)
		if err != nil {
			return err
		}
		attrs["fixed_ips"] = append(append([]any{}, ips...), more...)
	}
	for flag, attr := range map[string]string{"host": "binding:host_id", "device-id": "device_id", "device-owner": "device_owner"} {
		if cmd.Flags().Changed(flag) {
			v, _ := cmd.Flags().GetString(flag)
			attrs[attr] = v
		}
	}
	f.state.put(attrs, "admin_state_up")
	return nil
}

func (a *app) portCreate() *cobra.Command {
	var network, mac string
	cmd := &cobra.Command{
		Use:   "create <name> --network <network> [flags]",
		Short: "Create a port",
		Example: `  bgpvpn port create port1 --network net1
  bgpvpn port create port1 --network net1 --fixed-ip subnet=sub1,ip-address=10.9.0.10 --host compute-1`,
	}
	cmd.Flags().StringVar(&network, "network", "", "Network of the port (name or ID, required)")
	cmd.Flags().StringVar(&mac, "mac-address", "", "MAC address")
	_ = cmd.MarkFlagRequired("network")
	f := addPortFlags(cmd)
	return a.coreCreate("port", cmd, func(ctx context.Context, attrs map[string]any) error {
		nets, err := a.coreFinder(ctx, "network")
		if err != nil {
			return err
		}
		id, err := nets.findID(ctx, network)
		if err != nil {
			return err
		}
		attrs["network_id"] = id
		if mac != "" {
			attrs["mac_address"] = mac
		}
		return a.applyPortFlags(ctx, cmd, f, object{}, attrs)
	})
}

func (a *app) portSet() *cobra.Command {
	var name, description string
	cmd := &cobra.Command{
		Use:     "set <port> [flags]",
		Short:   "Set port properties",
		Example: "  bgpvpn port set port1 --host compute-2\n  bgpvpn port set port1 --no-fixed-ip --fixed-ip subnet=sub1",
	}
	cmd.Flags().StringVar(&name, "name", "", "New name")
	cmd.Flags().StringVar(&description, "description", "", "Description")
	f := addPortFlags(cmd)
	return a.coreSet("port", cmd, func(ctx context.Context, cur object, attrs map[string]any) error {
		if cmd.Flags().Changed("name") {
			attrs["name"] = name
		}
		if cmd.Flags().Changed("description") {
			attrs["description"] = description
		}
		return a.applyPortFlags(ctx, cmd, f, cur, attrs)
	})
}
