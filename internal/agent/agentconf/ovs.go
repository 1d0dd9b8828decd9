package agentconf

import (
	"fmt"

	"github.com/bgpvpn/bgpvpn/internal/config"
)

// ovsOpts are the options of the ovs dataplane driver in a
// [DATAPLANE_DRIVER_*] section: bagpipe-bgp's names (mpls_interface is
// declared with the linux driver's options), plus where to find Open
// vSwitch. When both sections name the ovs driver, one driver serves
// both with the IP VPN section's options.
func ovsOpts(section string) []config.Opt {
	s := func(name, def, help string, choices ...string) config.Opt {
		return config.Opt{Section: section, Name: name, Type: config.String, Default: def, Help: "ovs driver: " + help, Choices: choices}
	}
	b := func(name, def, help string) config.Opt {
		return config.Opt{Section: section, Name: name, Type: config.Bool, Default: def, Help: "ovs driver: " + help}
	}
	i := func(name, help string) config.Opt {
		return config.Opt{Section: section, Name: name, Type: config.Int, Min: config.Bound(0), Max: config.Bound(252), Help: "ovs driver: " + help}
	}
	unused := func(name string) config.Opt {
		return config.Opt{Section: section, Name: name, Type: config.String, Help: "Accepted for compatibility with bagpipe-bgp's ovs driver; unused."}
	}
	return []config.Opt{
		s("ovs_bridge", "br-mpls", "the OpenFlow bridge of the VRFs and EVIs (created when missing)."),
		s("ovs_datapath_type", "", "datapath of a bridge the driver creates: system (the kernel module) or netdev (userspace).", "", "system", "netdev"),
		s("ovs_rundir", "/var/run/openvswitch", "directory of ovsdb-server's db.sock and the bridges' <bridge>.mgmt OpenFlow sockets."),
		s("ovsdb_connection", "", "OVSDB to connect to (default unix:<ovs_rundir>/db.sock)."),
		s("mpls_over_gre", "auto", "MPLS leaves through the GRE port gre_tunnel (true; auto when mpls_interface is unset or *gre*), or bare over Ethernet through mpls_interface (false; auto with another mpls_interface), toward PE MAC addresses learnt by ARP on it.", "auto", "true", "false", "True", "False"),
		s("gre_tunnel", "mpls_gre", "name of the GRE tunnel port (RFC 4023 MPLS over GRE)."),
		b("vxlan_encap", "false", "also offer VXLAN for IP VPN routes (UDP ipvpn_vxlan_port), and prefer it: traffic to a PE that advertises VXLAN goes as VXLAN, as in bagpipe-bgp."),
		b("proxy_arp", "true", "answer every ARP request of a VM with the router MAC (except for the VM's own address)."),
		b("arp_responder", "true", "answer ARP requests for the gateway (when proxy_arp is off)."),
		i("input_table", "table where packets enter the pipeline (default 0)."),
		i("ovs_table_id_start", "first of the two tables of the VRFs and EVIs (default input_table + 1)."),
		s("hash_method", "dp_hash", "how an ECMP select group picks a bucket.", "dp_hash", "hash"),
		s("integration_bridge", "", "neutron-openvswitch-agent's integration bridge (br-int) on a node where the agent follows the bgpvpn-server feed: VM ports found there (by name, or external_ids:iface-id) are patched into the VRFs with the OVS agent's local VLAN, as networking-bagpipe's extension does (default: none)."),
		unused("gre_tunnel_options"), unused("ovsbr_interfaces_mtu"), unused("hash_method_param"), unused("hash_fields"),
	}
}

// ovsDriverOpts adds the ovs options of section set in v to o.
func ovsDriverOpts(v *config.Values, section string, o map[string]string) {
	for _, opt := range ovsOpts(section) {
		if !v.IsSet(section, opt.Name) || opt.Help[:4] == "Acce" {
			continue
		}
		switch opt.Type {
		case config.Bool:
			o[opt.Name] = fmt.Sprint(v.Bool(section, opt.Name))
		case config.Int:
			o[opt.Name] = fmt.Sprint(v.Int(section, opt.Name))
		default:
			o[opt.Name] = v.String(section, opt.Name)
		}
	}
}
