package ovs

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

var (
	gw     = netip.MustParseAddr("10.0.0.254")
	vm1IP  = netip.MustParsePrefix("10.0.0.1/24")
	vm2IP  = netip.MustParsePrefix("10.0.0.2/24")
	labels = map[int]struct{ vrf, port uint32 }{1: {50, 51}, 2: {60, 61}}
)

// ipvpnState is node n's VRF: its VM, and the other node's VM reached
// through that node's port label with encap (or no route).
func ipvpnState(n int, local vm, remote vm, remoteNode *node, encap uint16) dataplane.State {
	v := dataplane.VRF{ID: "ipvpn_net1", Number: 1, VNI: labels[n].vrf, GatewayIP: gw,
		Ports: []dataplane.Port{{LinuxIf: "vm", MAC: local.MAC, IPs: []netip.Prefix{local.Addr}, Label: labels[n].port}}}
	if remoteNode != nil {
		v.Routes = []dataplane.IPRoute{{Prefix: netip.PrefixFrom(remote.Addr.Addr(), 32), NextHops: []dataplane.NextHop{
			{Address: remoteNode.Addr, Label: labels[remoteNode.N].port, Encap: encap}}}}
	}
	return dataplane.State{VRFs: []dataplane.VRF{v}}
}

// TestIPVPNTwoNodes: two VMs on two nodes ping each other through an IP
// VPN over MPLS over GRE, then over VXLAN; a second Apply changes no flow
// and detaching the route cuts the traffic.
func TestIPVPNTwoNodes(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	vm1, vm2 := n1.VM(t, "vm", vm1IP, gw), n2.VM(t, "vm", vm2IP, gw)
	d1, d2 := newDriver(t, n1), newDriver(t, n2)
	for _, tc := range []struct {
		name  string
		encap uint16
	}{{"MPLS over GRE", encapMPLS}, {"VXLAN", encapVXLAN}} {
		t.Run(tc.name, func(t *testing.T) {
			apply(t, d1, ipvpnState(1, vm1, vm2, n2, tc.encap))
			apply(t, d2, ipvpnState(2, vm2, vm1, n1, tc.encap))
			waitPing(t, vm1, vm2.Addr.Addr())
			waitPing(t, vm2, vm1.Addr.Addr())
			before := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls")
			apply(t, d1, ipvpnState(1, vm1, vm2, n2, tc.encap))
			if after := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls"); after != before {
				t.Errorf("a second Apply changed the flows:\n%s\nthen\n%s", before, after)
			}
			apply(t, d1, ipvpnState(1, vm1, vm2, nil, tc.encap))
			waitNoPing(t, vm1, vm2.Addr.Addr())
		})
	}
	t.Run("foreign flows stay", func(t *testing.T) {
		n1.Ofctl(t, "add-flow", "br-mpls", "table=7,priority=5,cookie=0x42,actions=drop")
		apply(t, d1, dataplane.State{})
		flows := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls")
		if !strings.Contains(flows, "cookie=0x42") {
			t.Errorf("an empty state removed a flow that is not ours:\n%s", flows)
		}
		if strings.Contains(flows, "cookie=0xb6b0") {
			t.Errorf("an empty state left flows of ours:\n%s", flows)
		}
		if ports := n1.Vsctl(t, "list-ports", "br-mpls"); strings.Contains(ports, "vm\n") {
			t.Errorf("an empty state left the VM port plugged:\n%s", ports)
		}
	})
}

// TestMPLSOverEthernet: with mpls_over_gre = false, MPLS leaves bare over
// mpls_interface (each node's mx, on a segment of its own) toward the
// PE's MAC address, which ARP gave (our requests, the peer's answers,
// learnt into table ovs_table_id_start+2): the VMs ping each other;
// withdrawing the route cuts it.
func TestMPLSOverEthernet(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	l.Link(t, n1, "mx", "br1")
	l.Link(t, n2, "mx", "br1")
	vm1, vm2 := n1.VM(t, "vm", vm1IP, gw), n2.VM(t, "vm", vm2IP, gw)
	eth := func(o *Options) { o.MPLSOverEthernet, o.MPLSInterface, o.VXLANEncap = true, "mx", false }
	d1, d2 := newDriver(t, n1, eth), newDriver(t, n2, eth)
	apply(t, d1, ipvpnState(1, vm1, vm2, n2, encapMPLS))
	apply(t, d2, ipvpnState(2, vm2, vm1, n1, encapMPLS))
	waitPing(t, vm1, vm2.Addr.Addr())
	waitPing(t, vm2, vm1.Addr.Addr())
	flows := n1.Ofctl(t, "dump-flows", "--no-stats", "--no-names", "br-mpls")
	if !strings.Contains(flows, "table=3") || strings.Contains(flows, "tun_dst") {
		t.Errorf("want learnt PE MACs in table 3 and no tunnel:\n%s", flows)
	}
	if ports := n1.Vsctl(t, "list-ports", "br-mpls"); strings.Contains(ports, "mpls_gre") {
		t.Errorf("a GRE port with MPLS over Ethernet:\n%s", ports)
	}
	apply(t, d1, ipvpnState(1, vm1, vm2, nil, encapMPLS))
	waitNoPing(t, vm1, vm2.Addr.Addr())
}
