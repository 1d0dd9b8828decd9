package linux

import (
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

const macL3 = "52:54:00:00:02:03"

// dualPort is a dual-stack VRF port.
func dualPort(tap, mac string, label uint32, ips ...string) dataplane.Port {
	p := dataplane.Port{LinuxIf: tap, MAC: mustMAC(mac), Direction: "both", Label: label}
	for _, ip := range ips {
		p.IPs = append(p.IPs, pfx(ip))
	}
	return p
}

func hostRoutes(vtep string, label uint32, hosts ...string) []dataplane.IPRoute {
	var out []dataplane.IPRoute
	for _, h := range hosts {
		out = append(out, dataplane.IPRoute{Prefix: pfx(h), NextHops: []dataplane.NextHop{{Address: addr(vtep), Label: label, Encap: encapVXLAN}}})
	}
	return out
}

// TestTwoNodesIPv6: dual-stack VMs on two nodes. l1 (network A: 10.1.1.0/24,
// fd00:1::/64) behind n1; l2 (network B: 10.2.2.0/24, fd00:2::/64) and
// l3 (network A again, so on-link for l1) behind n2, in n2's VRFs of
// networks B and A. The nodes start with IPv6 disabled: the driver turns
// it on for the ports, with forwarding and proxy NDP.
func TestTwoNodesIPv6(t *testing.T) {
	needNetNS(t)
	tn := newTwoNodes(t)
	l3 := newNS(t, "vm")
	veth(t, tn.n2, "tap-l3", l3, "eth0")
	run(t, "ip", "-n", l3, "link", "set", "eth0", "address", macL3)
	run(t, "ip", "-n", l3, "addr", "add", "10.1.1.20/24", "dev", "eth0")
	run(t, "ip", "-n", l3, "route", "add", "default", "via", "10.1.1.1")
	for _, c := range []struct{ node, tap string }{{tn.n1, "tap-l1"}, {tn.n2, "tap-l2"}, {tn.n2, "tap-l3"}} {
		// Usable link-local addresses at once when the driver turns IPv6
		// on (no duplicate address detection).
		run(t, "ip", "netns", "exec", c.node, "sysctl", "-qw", "net.ipv6.conf."+c.tap+".accept_dad=0")
	}
	for _, c := range []struct{ ns, ip6, gw6 string }{{tn.l1, "fd00:1::10/64", "fd00:1::1"}, {tn.l2, "fd00:2::10/64", "fd00:2::1"}, {l3, "fd00:1::20/64", "fd00:1::1"}} {
		run(t, "ip", "netns", "exec", c.ns, "sysctl", "-qw", "net.ipv6.conf.eth0.accept_dad=0", "net.ipv6.conf.all.disable_ipv6=0")
		run(t, "ip", "-n", c.ns, "addr", "add", c.ip6, "dev", "eth0", "nodad")
		run(t, "ip", "-n", c.ns, "-6", "route", "add", "default", "via", c.gw6)
	}

	// Labels: n1's VRF 16, l1 17; n2's VRF of B 18, l2 19; n2's VRF of
	// A 20, l3 21.
	vrfA1 := dataplane.VRF{ID: "ipvpn_a", Number: 2, VNI: 16, GatewayIP: addr("10.1.1.1"), GatewayIPv6: addr("fd00:1::1"),
		Ports:  []dataplane.Port{dualPort("tap-l1", macL1, 17, "10.1.1.10/24", "fd00:1::10/64")},
		Routes: append(hostRoutes(vtep2, 19, "10.2.2.10/32", "fd00:2::10/128"), hostRoutes(vtep2, 21, "10.1.1.20/32", "fd00:1::20/128")...)}
	vrfB2 := dataplane.VRF{ID: "ipvpn_b", Number: 2, VNI: 18, GatewayIP: addr("10.2.2.1"), GatewayIPv6: addr("fd00:2::1"),
		Ports:  []dataplane.Port{dualPort("tap-l2", macL2, 19, "10.2.2.10/24", "fd00:2::10/64")},
		Routes: hostRoutes(vtep1, 17, "10.1.1.10/32", "fd00:1::10/128")}
	vrfA2 := dataplane.VRF{ID: "ipvpn_a", Number: 3, VNI: 20, GatewayIP: addr("10.1.1.1"), GatewayIPv6: addr("fd00:1::1"),
		Ports:  []dataplane.Port{dualPort("tap-l3", macL3, 21, "10.1.1.20/24", "fd00:1::20/64")},
		Routes: hostRoutes(vtep1, 17, "10.1.1.10/32", "fd00:1::10/128")}
	s1 := dataplane.State{VRFs: []dataplane.VRF{vrfA1}}
	s2 := dataplane.State{VRFs: []dataplane.VRF{vrfB2, vrfA2}}
	d1, d2 := newDriver(t, tn.n1, vtep1), newDriver(t, tn.n2, vtep2)
	apply(t, d1, s1)
	apply(t, d2, s2)

	proxies := run(t, "ip", "-n", tn.n1, "-6", "neigh", "show", "proxy")
	for _, w := range []string{"fd00:1::1 dev tap-l1 router proxy proto 220", "fd00:1::20 dev tap-l1 proxy proto 220"} {
		if !strings.Contains(proxies, w) {
			t.Errorf("n1's proxy neighbours lack %q:\n%s", w, proxies)
		}
	}
	for _, p := range []string{"ipv6/conf/all/forwarding", "ipv6/conf/tap-l1/forwarding", "ipv6/conf/tap-l1/proxy_ndp"} {
		if v := d1.readSysctl(p); v != "1" {
			t.Errorf("n1 %s = %q, want 1", p, v)
		}
	}

	// Through the gateways, both families, both ways; and on-link
	// between l1 and l3, which are in one subnet on two nodes.
	for _, c := range []struct{ from, to string }{
		{tn.l1, "fd00:2::10"}, {tn.l2, "fd00:1::10"}, {tn.l1, "10.2.2.10"}, {tn.l2, "10.1.1.10"},
		{tn.l1, "fd00:1::20"}, {l3, "fd00:1::10"}, {l3, "10.1.1.10"},
	} {
		mustPing(t, c.from, c.to)
	}

	if c := changes(t, tn.n1, func() { apply(t, d1, s1) }); c != "" {
		t.Errorf("second Apply changed:\n%s", c)
	}

	// Withdrawing l2's IPv6 route at n1 cuts IPv6 only.
	v := vrfA1
	v.Routes = append(hostRoutes(vtep2, 19, "10.2.2.10/32"), hostRoutes(vtep2, 21, "10.1.1.20/32", "fd00:1::20/128")...)
	apply(t, d1, dataplane.State{VRFs: []dataplane.VRF{v}})
	mustNotPing(t, tn.l1, "fd00:2::10")
	mustPing(t, tn.l1, "10.2.2.10")
	apply(t, d1, s1)
	mustPing(t, tn.l1, "fd00:2::10")

	// Restart both drivers while pinging over IPv6: nothing changes on
	// n1, nothing lost.
	d1, _ = restartLosesNothing(t, tn, "IPv6", d1, d2, tn.l1, "fd00:2::10", s1, s2)

	// The port leaves: its proxy entries and proxy NDP go.
	apply(t, d1, dataplane.State{})
	if p := run(t, "ip", "-n", tn.n1, "-6", "neigh", "show", "proxy"); strings.Contains(p, "proto 220") {
		t.Errorf("proxy neighbours left after removal:\n%s", p)
	}
	if v := d1.readSysctl("ipv6/conf/tap-l1/proxy_ndp"); v != "0" {
		t.Errorf("tap-l1 proxy_ndp = %q after removal, want 0", v)
	}
	mustNotPing(t, tn.l1, "fd00:2::10")
}

// TestProxyRoundTrip pins the raw encoding of proxy entries: what we write
// (with protocol 220) reads back, and an entry of another protocol reads
// back with it.
func TestProxyRoundTrip(t *testing.T) {
	needNetNS(t)
	node, vm := newNS(t, "n"), newNS(t, "vm")
	veth(t, node, "tap1", vm, "eth0")
	run(t, "ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0")
	run(t, "ip", "-n", node, "-6", "neigh", "add", "proxy", "fd00::2", "dev", "tap1")
	d := newDriver(t, node, "192.0.2.1")
	l, err := d.k.LinkByName("tap1")
	if err != nil {
		t.Fatal(err)
	}
	p := kproxy{Index: l.Attrs().Index, Addr: addr("fd00::1"), Protocol: rtProto}
	if err := d.raw.proxyAdd(p); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "ip", "-n", node, "-6", "neigh", "show", "proxy"); !strings.Contains(out, "fd00::1 dev tap1 proxy proto 220") {
		t.Errorf("ip neigh show proxy:\n%s", out)
	}
	got, err := d.raw.proxies()
	if err != nil {
		t.Fatal(err)
	}
	want := map[kproxy]bool{p: true, {Index: p.Index, Addr: addr("fd00::2")}: true}
	if len(got) != 2 || !want[got[0]] || !want[got[1]] {
		t.Errorf("proxies() = %v, want %v", got, want)
	}
	if err := d.raw.proxyDel(p); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "ip", "-n", node, "-6", "neigh", "show", "proxy"); strings.Contains(out, "fd00::1 ") || !strings.Contains(out, "fd00::2 ") {
		t.Errorf("after deleting fd00::1, ip neigh show proxy:\n%s", out)
	}
}
