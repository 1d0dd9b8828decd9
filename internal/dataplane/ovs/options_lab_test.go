package ovs

import (
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// routedState is node n's VRF for a VM in its own subnet (gateway gwn),
// reaching the other node's VM through next hops (ECMP when several).
func routedState(n int, local vm, gwn netip.Addr, remote vm, hops ...dataplane.NextHop) dataplane.State {
	v := dataplane.VRF{ID: "ipvpn_net1", Number: 1, VNI: labels[n].vrf, GatewayIP: gwn,
		Ports: []dataplane.Port{{LinuxIf: "vm", MAC: local.MAC, IPs: []netip.Prefix{local.Addr}, Label: labels[n].port}}}
	if len(hops) > 0 {
		v.Routes = []dataplane.IPRoute{{Prefix: netip.PrefixFrom(remote.Addr.Addr(), 32), NextHops: hops}}
	}
	return dataplane.State{VRFs: []dataplane.VRF{v}}
}

// neigh is what VM v's ARP table says of addr after v tried to reach it.
func neigh(t *testing.T, v vm, addr string) string {
	_ = exec.Command("ip", "netns", "exec", v.NS, "ping", "-c", "1", "-W", "1", addr).Run()
	return strings.TrimSpace(run(t, "ip", "-n", v.NS, "neigh", "show", addr))
}

// TestTablesARPAndECMP: with input_table 10, ovs_table_id_start 20,
// proxy_arp off and hash_method hash, our flows live in tables 10, 20
// and 21 only (table 0 is the operator's, who sends packets on to 10),
// only the gateway's ARP requests are answered, and a route with two
// next hops goes through an OVS select group with the hash selection
// method.
func TestTablesARPAndECMP(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	gw1, gw2 := netip.MustParseAddr("10.0.1.254"), netip.MustParseAddr("10.0.2.254")
	vm1 := n1.VM(t, "vm", netip.MustParsePrefix("10.0.1.1/24"), gw1)
	vm2 := n2.VM(t, "vm", netip.MustParsePrefix("10.0.2.2/24"), gw2)
	opts := func(o *Options) {
		o.InputTable, o.TableStart, o.ProxyARP, o.ARPResponder, o.HashMethod = 10, 20, false, true, "hash"
	}
	d1, d2 := newDriver(t, n1, opts), newDriver(t, n2, opts)
	for _, nd := range []*node{n1, n2} {
		nd.Ofctl(t, "add-flow", "br-mpls", "table=0,priority=1,cookie=0x42,actions=goto_table:10")
	}
	// Node 2's VM by its port label and by the VRF label: two paths.
	apply(t, d1, routedState(1, vm1, gw1, vm2,
		dataplane.NextHop{Address: n2.Addr, Label: labels[2].port, Encap: encapMPLS},
		dataplane.NextHop{Address: n2.Addr, Label: labels[2].vrf, Encap: encapMPLS}))
	apply(t, d2, routedState(2, vm2, gw2, vm1, dataplane.NextHop{Address: n1.Addr, Label: labels[1].port, Encap: encapMPLS}))
	waitPing(t, vm1, vm2.Addr.Addr())
	waitPing(t, vm2, vm1.Addr.Addr())

	t.Run("tables", func(t *testing.T) {
		for _, line := range strings.Split(n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls"), "\n") {
			if !strings.Contains(line, "cookie=0xb6b0") {
				continue
			}
			if !strings.Contains(line, "table=10,") && !strings.Contains(line, "table=20,") && !strings.Contains(line, "table=21,") {
				t.Errorf("flow of ours outside tables 10, 20, 21: %s", line)
			}
		}
	})
	t.Run("ARP responder for the gateway only", func(t *testing.T) {
		if got := neigh(t, vm1, gw1.String()); !strings.Contains(got, routerMAC(n1.Addr).String()) {
			t.Errorf("the gateway: %q, want the router MAC %s", got, routerMAC(n1.Addr))
		}
		if got := neigh(t, vm1, "10.0.1.77"); strings.Contains(got, "lladdr") {
			t.Errorf("another address of the subnet got an answer: %q", got)
		}
	})
	t.Run("ECMP select group", func(t *testing.T) {
		groups := n1.Ofctl(t, "dump-groups", "br-mpls")
		if !strings.Contains(groups, "type=select") || !strings.Contains(groups, "selection_method=hash") || strings.Count(groups, "bucket=") != 2 {
			t.Errorf("want a select group with 2 buckets and the hash method:\n%s", groups)
		}
		// Either path alone delivers: drop one label, then the other.
		for _, hop := range []uint32{labels[2].port, labels[2].vrf} {
			apply(t, d1, routedState(1, vm1, gw1, vm2, dataplane.NextHop{Address: n2.Addr, Label: hop, Encap: encapMPLS}))
			waitPing(t, vm1, vm2.Addr.Addr())
		}
	})
}

// TestFallback: what matches no route of the VRF goes to the fallback
// port (the Neutron router's side) with the fallback's MACs; without a
// fallback, it is dropped.
func TestFallback(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1 := l.Node(t, 1)
	vm1 := n1.VM(t, "vm", vm1IP, gw)
	// The "router": a namespace behind a port that is not ours, with an
	// address outside the VPN, answering vm1 through a foreign flow.
	rtr := n1.VM(t, "rtr", netip.MustParsePrefix("10.9.9.9/32"), netip.Addr{})
	run(t, "ip", "-n", rtr.NS, "route", "add", "10.0.0.0/24", "dev", "eth0")
	run(t, "ip", "-n", rtr.NS, "neigh", "add", vm1.Addr.Addr().String(), "lladdr", vm1.MAC.String(), "dev", "eth0")
	d1 := newDriver(t, n1)
	n1.Vsctl(t, "add-port", "br-mpls", "rtr")
	s := ipvpnState(1, vm1, vm{}, nil, encapMPLS)
	apply(t, d1, s)
	rtrPort, err := strconv.Atoi(strings.TrimSpace(n1.Vsctl(t, "get", "Interface", "rtr", "ofport")))
	if err != nil {
		t.Fatal(err)
	}
	vmPort := strings.TrimSpace(n1.Vsctl(t, "get", "Interface", "vm", "ofport"))
	n1.Ofctl(t, "add-flow", "br-mpls", "table=0,priority=200,cookie=0x42,in_port="+strconv.Itoa(rtrPort)+",actions=output:"+vmPort)
	dst := netip.MustParseAddr("10.9.9.9")
	if ovslab.Pings(vm1, dst) {
		t.Fatal("the router answers without a fallback")
	}
	s.VRFs[0].Fallback = &dataplane.Fallback{PortNumber: uint32(rtrPort), SrcMAC: dataplane.MAC{0, 0, 0x5e, 0x2a, 0x10, 0}, DstMAC: rtr.MAC}
	apply(t, d1, s)
	waitPing(t, vm1, dst)
	flows := n1.Ofctl(t, "dump-flows", "--no-stats", "--no-names", "br-mpls")
	if !strings.Contains(flows, "00:00:5e:2a:10:00->eth_src") {
		t.Errorf("no fallback flow with the fallback's source MAC:\n%s", flows)
	}
	s.VRFs[0].Fallback = nil
	apply(t, d1, s)
	waitNoPing(t, vm1, dst)
}
