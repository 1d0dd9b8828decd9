package ovs

import (
	"net/netip"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// eviState is node n's EVI: its VM, and (with remote) the other node's
// VM's MAC and the other node in the flood list, as type 2 and type 3
// routes would give them.
func eviState(local vm, remote *vm, remoteNode *node) dataplane.State {
	e := dataplane.EVI{ID: "evpn_net2", Number: 1, VNI: 5000,
		Ports: []dataplane.Port{{LinuxIf: "evm", MAC: local.MAC, IPs: []netip.Prefix{local.Addr}}}}
	if remote != nil {
		e.MACs = []dataplane.FDBEntry{{MAC: remote.MAC, IP: remote.Addr.Addr(), VTEP: remoteNode.Addr, VNI: 5000}}
		e.Flood = []dataplane.FloodEntry{{VTEP: remoteNode.Addr, VNI: 5000}}
	}
	return dataplane.State{EVIs: []dataplane.EVI{e}}
}

// TestEVPNTwoNodes: two VMs of one subnet on two nodes reach each other
// through an E-VPN over VXLAN (ARP flooded to the VTEP of the flood list,
// replies to the MAC of the type 2 route); withdrawing the routes cuts it.
func TestEVPNTwoNodes(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	vm1 := n1.VM(t, "evm", netip.MustParsePrefix("10.1.0.1/24"), netip.Addr{})
	vm2 := n2.VM(t, "evm", netip.MustParsePrefix("10.1.0.2/24"), netip.Addr{})
	d1, d2 := newDriver(t, n1), newDriver(t, n2)
	apply(t, d1, eviState(vm1, &vm2, n2))
	apply(t, d2, eviState(vm2, &vm1, n1))
	waitPing(t, vm1, vm2.Addr.Addr())
	waitPing(t, vm2, vm1.Addr.Addr())
	apply(t, d1, eviState(vm1, nil, nil))
	waitNoPing(t, vm1, vm2.Addr.Addr())
}

// TestEVPNAfterIPVPN: a VM port that left an IP VPN (unplugged) and joins
// an E-VPN (plugged again) forwards, as the agent does on detach and
// attach.
func TestEVPNAfterIPVPN(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	vm1 := n1.VM(t, "evm", netip.MustParsePrefix("10.1.0.1/24"), netip.Addr{})
	vm2 := n2.VM(t, "evm", netip.MustParsePrefix("10.1.0.2/24"), netip.Addr{})
	d1, d2 := newDriver(t, n1), newDriver(t, n2)
	l3 := dataplane.State{VRFs: []dataplane.VRF{{ID: "ipvpn_net1", Number: 1, VNI: 50, GatewayIP: gw,
		Ports: []dataplane.Port{{LinuxIf: "evm", MAC: vm2.MAC, IPs: []netip.Prefix{vm2.Addr}, Label: 51}}}}}
	apply(t, d2, l3)
	apply(t, d2, dataplane.State{})
	apply(t, d1, eviState(vm1, &vm2, n2))
	apply(t, d2, eviState(vm2, &vm1, n1))
	waitPing(t, vm1, vm2.Addr.Addr())
	waitPing(t, vm2, vm1.Addr.Addr())
}
