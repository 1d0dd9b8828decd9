package ovs

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// intVLAN is the local VLAN the "OVS agent" gave the network on br-int.
const intVLAN = "3"

// plugIntoBrInt plugs the node's interface name into br-int as
// neutron-openvswitch-agent leaves a port it has wired: an access port of
// the network's local VLAN, recorded in other_config, the Neutron port
// in external_ids:iface-id (empty: not a VM, as a router's qr- port).
func plugIntoBrInt(t *testing.T, nd *node, name, ifaceID string) {
	t.Helper()
	args := []string{"add-port", "br-int", name, "tag=" + intVLAN,
		"--", "set", "Port", name, "other_config:net_uuid=net1", "other_config:tag=" + intVLAN}
	if ifaceID != "" {
		args = append(args, "--", "set", "Interface", name, "external_ids:iface-id="+ifaceID)
	}
	nd.Vsctl(t, args...)
}

// TestIntegrationBridgeFallback: with integration_bridge (our feed on an
// OVS cloud), a VM on br-int reaches an address outside every VPN route
// through the fallback the feed asks for (the router MAC): out of our
// patch port on the network's local VLAN, to the router's port on br-int.
// Without a router MAC, and once the VM is detached, it does not.
func TestIntegrationBridgeFallback(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1 := l.Node(t, 1)
	// br-int as the OVS agent keeps it: NORMAL switching, OpenFlow 1.3.
	n1.Vsctl(t, "add-br", "br-int", "--", "set", "bridge", "br-int", "datapath_type=netdev", "protocols=OpenFlow13")
	vm1 := n1.VM(t, "tapvm1", vm1IP, gw)
	plugIntoBrInt(t, n1, "tapvm1", "0f0c2b6e-vm1")
	// The Neutron router: its qr- port owns the gateway address on the
	// same network; outside the VPN it answers for 198.51.100.1.
	rtr := n1.VM(t, "qr1", netip.PrefixFrom(gw, 24), netip.Addr{})
	plugIntoBrInt(t, n1, "qr1", "")
	run(t, "ip", "-n", rtr.NS, "addr", "add", "198.51.100.1/32", "dev", "lo")
	d1 := newDriver(t, n1, func(o *Options) { o.IntegrationBridge = "br-int" })

	// What the feed gives the agent: a port by its tap name, the fallback
	// with the router MAC alone (or empty without a router).
	state := func(router dataplane.MAC) dataplane.State {
		return dataplane.State{VRFs: []dataplane.VRF{{ID: "ipvpn_net1", Number: 1, VNI: labels[1].vrf, GatewayIP: gw,
			Ports:    []dataplane.Port{{LinuxIf: "tapvm1", MAC: vm1.MAC, IPs: []netip.Prefix{vm1.Addr}, Label: labels[1].port}},
			Fallback: &dataplane.Fallback{DstMAC: router}}}}
	}
	outside := netip.MustParseAddr("198.51.100.1")
	apply(t, d1, state(nil))
	if ovslab.Pings(vm1, outside) {
		t.Fatal("the VM reaches the router without a fallback")
	}
	apply(t, d1, state(rtr.MAC))
	waitPing(t, vm1, outside)
	flows := n1.Ofctl(t, "dump-flows", "--no-stats", "--no-names", "br-mpls")
	if !strings.Contains(flows, "00:00:5e:2a:10:00->eth_src") || !strings.Contains(flows, "->eth_dst") {
		t.Errorf("no fallback flow toward the router:\n%s", flows)
	}
	apply(t, d1, state(nil))
	waitNoPing(t, vm1, outside)

	apply(t, d1, state(rtr.MAC))
	waitPing(t, vm1, outside)
	apply(t, d1, dataplane.State{}) // the VM detached
	waitNoPing(t, vm1, outside)
	if flows := n1.Ofctl(t, "dump-flows", "--no-stats", "--no-names", "br-mpls"); strings.Contains(flows, "00:00:5e:2a:10:00") {
		t.Errorf("a fallback flow outlives the VRF:\n%s", flows)
	}
}
