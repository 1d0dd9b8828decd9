package interop

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/ovs"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// ovsAgentConf is an agent whose IP VPN and EVPN instances are forwarded
// by the ovs driver on node nd's Open vSwitch.
func ovsAgentConf(local, rr string, port int, nd *ovslab.Node) string {
	c := agentConf(local, rr, port, "graceful_restart_time = 60\n")
	return strings.ReplaceAll(c, "dataplane_driver = dummy\n", fmt.Sprintf(
		"dataplane_driver = ovs\ndataplane_local_address = %s\novs_rundir = %s\novs_datapath_type = netdev\nadopt_grace = 5\n", nd.Addr, nd.Dir))
}

// Two agents with the ovs driver and a reflector: VMs attached by REST ping
// each other through an IP VPN over MPLS over GRE, then through an EVPN
// over VXLAN; detaching cuts each; restarting an agent under a 10 ms ping
// flood loses nothing.
func TestOVSAgents(t *testing.T) {
	ovslab.Need(t)
	l := ovslab.NewLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	gw := netip.MustParseAddr("10.81.0.254")
	vm1 := n1.VM(t, "tap1", netip.MustParsePrefix("10.81.0.1/24"), gw)
	vm2 := n2.VM(t, "tap2", netip.MustParsePrefix("10.81.0.2/24"), gw)
	port := freePort(t, "127.0.0.70")
	startReflector(t, "127.0.0.70", port)
	confA := ovsAgentConf("127.0.0.71", "127.0.0.70", port, n1)
	confB := ovsAgentConf("127.0.0.72", "127.0.0.70", port, n2)
	a, b := startAgent(t, confA), startAgent(t, confB)

	attach := func(typ, id string, v ovslab.VM, n int, rt string) string {
		return fmt.Sprintf(`{"vpn_type":%q,"vpn_instance_id":%q,"mac_address":%q,"ip_address":%q,"gateway_ip":%q,"local_port":"tap%d","import_rt":[%q],"export_rt":[%q]}`,
			typ, id, v.MAC, v.Addr, gw, n, rt, rt)
	}
	detach := func(typ, id string, v ovslab.VM, n int) string {
		return fmt.Sprintf(`{"vpn_type":%q,"vpn_instance_id":%q,"mac_address":%q,"ip_address":%q,"local_port":"tap%d"}`, typ, id, v.MAC, v.Addr, n)
	}

	// IP VPN: MPLS over GRE (the ovs driver offers MPLS first).
	a.post(t, "/attach_localport", attach("ipvpn", "ipvpn_net", vm1, 1, "64512:81"))
	b.post(t, "/attach_localport", attach("ipvpn", "ipvpn_net", vm2, 2, "64512:81"))
	ovslab.WaitPing(t, vm1, vm2.Addr.Addr())
	ovslab.WaitPing(t, vm2, vm1.Addr.Addr())
	if flows := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls"); !strings.Contains(flows, "push_mpls:0x8847") {
		t.Errorf("node 1 sends without pushing an MPLS label:\n%s", flows)
	}

	// Restart agent A under a 10 ms ping flood: nothing lost.
	r := ovslab.Flood(t, vm1, vm2.Addr.Addr().String(), func() {
		a.stop()
		a = startAgent(t, confA)
		a.post(t, "/attach_localport", attach("ipvpn", "ipvpn_net", vm1, 1, "64512:81"))
	})
	t.Logf("agent restart (ovs): %v", r)
	if r.Lost() != 0 {
		t.Errorf("agent restart: %v, want none lost", r)
	}

	a.post(t, "/detach_localport", detach("ipvpn", "ipvpn_net", vm1, 1))
	ovslab.WaitNoPing(t, vm1, vm2.Addr.Addr())
	b.post(t, "/detach_localport", detach("ipvpn", "ipvpn_net", vm2, 2))

	// EVPN over VXLAN: the VMs forget the router MAC they learnt.
	ovslab.Run(t, "ip", "-n", vm1.NS, "neigh", "flush", "all")
	ovslab.Run(t, "ip", "-n", vm2.NS, "neigh", "flush", "all")
	a.post(t, "/attach_localport", attach("evpn", "evpn_net", vm1, 1, "64512:82"))
	b.post(t, "/attach_localport", attach("evpn", "evpn_net", vm2, 2, "64512:82"))
	ovslab.WaitPing(t, vm1, vm2.Addr.Addr())
	a.post(t, "/detach_localport", detach("evpn", "evpn_net", vm1, 1))
	ovslab.WaitNoPing(t, vm1, vm2.Addr.Addr())
}
