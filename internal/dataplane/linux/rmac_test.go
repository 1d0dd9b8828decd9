package linux

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// An EVPN gateway as FRR builds one for its L3 VNIs, in namespace gw
// behind the underlay (VTEP 192.0.2.9): per L3 VNI a VXLAN device in a
// bridge whose MAC is the router MAC it advertises in its type 5 routes,
// and the addresses behind it on the bridge. A bridge delivers to its own
// stack only the frames addressed to its MAC: a frame with another inner
// destination MAC is flooded to the bridge's other ports (none) and lost,
// which is what an EVPN gateway does with our 02:b6:<VTEP> convention.
const (
	gwVTEP         = "192.0.2.9"
	gwMAC1, gwMAC2 = "aa:bb:cc:00:00:60", "aa:bb:cc:00:00:61"
)

type gatewayNode struct{ node, vm, gw string }

func newGatewayNode(t *testing.T) *gatewayNode {
	g := &gatewayNode{node: newNS(t, "n"), vm: newNS(t, "vm"), gw: newNS(t, "gw")}
	veth(t, g.node, "underlay", g.gw, "underlay")
	run(t, "ip", "-n", g.node, "addr", "add", vtep1+"/24", "dev", "underlay")
	run(t, "ip", "-n", g.gw, "addr", "add", gwVTEP+"/24", "dev", "underlay")
	veth(t, g.node, "tap-l1", g.vm, "eth0")
	run(t, "ip", "-n", g.vm, "link", "set", "eth0", "address", macL1)
	run(t, "ip", "-n", g.vm, "addr", "add", "10.1.1.10/24", "dev", "eth0")
	run(t, "ip", "-n", g.vm, "route", "add", "default", "via", "10.1.1.1")

	run(t, "ip", "netns", "exec", g.gw, "sysctl", "-qw", "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0")
	for _, l3 := range []struct{ vni, mac, addr string }{{"5050", gwMAC1, "10.50.0.1/24"}, {"5060", gwMAC2, "10.60.0.1/24"}} {
		vx, br := "vx"+l3.vni, "br"+l3.vni
		run(t, "ip", "-n", g.gw, "link", "add", br, "address", l3.mac, "type", "bridge")
		run(t, "ip", "-n", g.gw, "link", "add", vx, "type", "vxlan", "id", l3.vni, "local", gwVTEP, "dstport", "4790", "nolearning")
		run(t, "ip", "-n", g.gw, "link", "set", vx, "master", br)
		run(t, "ip", "-n", g.gw, "link", "set", vx, "up")
		run(t, "ip", "-n", g.gw, "link", "set", br, "up")
		run(t, "ip", "-n", g.gw, "addr", "add", l3.addr, "dev", br)
	}
	// Back to the VM over VNI 5050, the VNI of our VRF, toward our bgv-l3
	// (the MAC our type 5 routes advertise), as FRR does with our routes.
	run(t, "ip", "-n", g.gw, "route", "add", "10.1.1.0/24", "via", "169.254.0.1", "dev", "br5050", "onlink")
	run(t, "ip", "-n", g.gw, "neigh", "add", "169.254.0.1", "lladdr", "02:b6:c0:00:02:01", "dev", "br5050", "nud", "permanent")
	run(t, "bridge", "-n", g.gw, "fdb", "append", "02:b6:c0:00:02:01", "dev", "vx5050", "dst", vtep1, "self", "permanent")
	return g
}

// gatewayVRF is our VRF (VNI 5050) with the gateway's two prefixes, each
// behind its L3 VNI, with the router MACs the type 5 routes carried.
func gatewayVRF(mac50, mac60 string) dataplane.VRF {
	v := vrfState(5050, 17, "10.1.1.1", "tap-l1", macL1, "10.1.1.10/24", "", 0, "")
	hop := func(vni uint32, mac string) dataplane.NextHop {
		nh := dataplane.NextHop{Address: addr(gwVTEP), Label: vni, Encap: encapVXLAN}
		if mac != "" {
			nh.RouterMAC = mustMAC(mac)
		}
		return nh
	}
	v.Routes = []dataplane.IPRoute{{Prefix: pfx("10.50.0.0/24"), NextHops: []dataplane.NextHop{hop(5050, mac50)}}}
	if mac60 != "" {
		v.Routes = append(v.Routes, dataplane.IPRoute{Prefix: pfx("10.60.0.0/24"), NextHops: []dataplane.NextHop{hop(5060, mac60)}})
	}
	return v
}

// TestRouterMACTraffic: a VM behind our VRF reaches the addresses behind
// an EVPN gateway only when the driver sends with the router MAC of the
// gateway's type 5 routes, one per L3 VNI of one VTEP.
func TestRouterMACTraffic(t *testing.T) {
	needNetNS(t)
	g := newGatewayNode(t)
	d := newDriver(t, g.node, vtep1)

	// Without a router MAC the driver sends to 02:b6:<VTEP>: lost.
	apply(t, d, dataplane.State{VRFs: []dataplane.VRF{gatewayVRF("", "")}})
	mustNotPing(t, g.vm, "10.50.0.1")
	// The other L3 VNI's MAC: lost too (the MAC is per VNI, not per VTEP).
	apply(t, d, dataplane.State{VRFs: []dataplane.VRF{gatewayVRF(gwMAC2, "")}})
	mustNotPing(t, g.vm, "10.50.0.1")

	s := dataplane.State{VRFs: []dataplane.VRF{gatewayVRF(gwMAC1, gwMAC2)}}
	// And a multipath route mixing an IPv6 gateway (router MAC) and an
	// IPv4 one, which must read back as written.
	s.VRFs[0].Routes = append(s.VRFs[0].Routes, dataplane.IPRoute{Prefix: pfx("10.80.0.0/24"), NextHops: []dataplane.NextHop{
		{Address: addr(gwVTEP), Label: 5050, Encap: encapVXLAN, RouterMAC: mustMAC(gwMAC1)}, {Address: addr("192.0.2.3"), Label: 80, Encap: encapVXLAN}}})
	apply(t, d, s)
	mustPing(t, g.vm, "10.50.0.1")
	mustPing(t, g.vm, "10.60.0.1")

	gw1, gw2 := "fe80:b6:c000:209:0:aabb:cc00:60", "fe80:b6:c000:209:0:aabb:cc00:61"
	t.Run("kernel state", func(t *testing.T) {
		neigh := run(t, "ip", "-n", g.node, "-6", "neigh", "show", "dev", l3Device)
		for _, w := range []string{gw1 + " lladdr " + gwMAC1 + " PERMANENT", gw2 + " lladdr " + gwMAC2 + " PERMANENT"} {
			if !strings.Contains(neigh, w) {
				t.Errorf("bgv-l3 neighbours lack %q:\n%s", w, neigh)
			}
		}
		if n4 := run(t, "ip", "-n", g.node, "-4", "neigh", "show", "dev", l3Device); strings.Contains(n4, gwVTEP) {
			t.Errorf("bgv-l3 keeps the 02:b6 neighbour of %s:\n%s", gwVTEP, n4)
		}
		routes := run(t, "ip", "-n", g.node, "route", "show", "table", "20002")
		for _, w := range []string{
			"10.50.0.0/24  encap ip id 5050 src 192.0.2.1 dst 192.0.2.9 ttl 0 tos 0 via inet6 " + gw1 + " dev bgv-l3 proto 220 onlink",
			"nexthop  encap ip id 80 src 192.0.2.1 dst 192.0.2.3 ttl 0 tos 0 via 192.0.2.3 dev bgv-l3 weight 1 onlink",
			"nexthop  encap ip id 5050 src 192.0.2.1 dst 192.0.2.9 ttl 0 tos 0 via inet6 " + gw1 + " dev bgv-l3 weight 1 onlink",
		} {
			if !strings.Contains(routes, w) {
				t.Errorf("table 20002 lacks %q:\n%s", w, routes)
			}
		}
		// IPv6 on for the gateways, without an address of its own.
		if a := run(t, "ip", "-n", g.node, "-6", "addr", "show", "dev", l3Device); strings.TrimSpace(a) != "" {
			t.Errorf("bgv-l3 has IPv6 addresses:\n%s", a)
		}
	})
	idempotentAndAdopted(t, g.node, vtep1, &d, s)
	t.Run("answers after the restart", func(t *testing.T) {
		mustPing(t, g.vm, "10.60.0.1")
	})
	t.Run("withdrawn route takes its neighbour along", func(t *testing.T) {
		apply(t, d, dataplane.State{VRFs: []dataplane.VRF{gatewayVRF(gwMAC1, "")}})
		mustPing(t, g.vm, "10.50.0.1")
		mustNotPing(t, g.vm, "10.60.0.1")
		if neigh := run(t, "ip", "-n", g.node, "-6", "neigh", "show", "dev", l3Device); strings.Contains(neigh, gw2) || !strings.Contains(neigh, gw1) {
			t.Errorf("bgv-l3 neighbours after withdrawing 10.60.0.0/24, want only %s:\n%s", gw1, neigh)
		}
		apply(t, d, dataplane.State{VRFs: []dataplane.VRF{gatewayVRF("", "")}})
		if neigh := run(t, "ip", "-n", g.node, "neigh", "show", "dev", l3Device); strings.Contains(neigh, gw1) || !strings.Contains(neigh, gwVTEP+" lladdr 02:b6:c0:00:02:09 PERMANENT") {
			t.Errorf("bgv-l3 neighbours without router MAC, want only %s at 02:b6:c0:00:02:09:\n%s", gwVTEP, neigh)
		}
	})
}

// TestPlanL3RouterMAC: each (VTEP, router MAC) pair has its own gateway
// and neighbour, derived from both; no router MAC, or our agents' own
// 02:b6:<VTEP>, keeps the gateways of before; a router MAC that is no
// unicast address skips its next hop with an error naming it.
func TestPlanL3RouterMAC(t *testing.T) {
	hop := func(vtep string, vni uint32, mac string) dataplane.NextHop {
		nh := dataplane.NextHop{Address: addr(vtep), Label: vni, Encap: encapVXLAN}
		if mac != "" {
			nh.RouterMAC = mustMAC(mac)
		}
		return nh
	}
	route := func(p string, hops ...dataplane.NextHop) dataplane.IPRoute {
		return dataplane.IPRoute{Prefix: pfx(p), NextHops: hops}
	}
	v := dataplane.VRF{ID: "v", Number: 1, VNI: 5050, Routes: []dataplane.IPRoute{
		route("10.50.0.0/24", hop("192.0.2.9", 5050, gwMAC1)),
		route("10.60.0.0/24", hop("192.0.2.9", 5060, gwMAC2)),
		route("10.70.0.0/24", hop("192.0.2.2", 70, "02:b6:c0:00:02:02")), // a bgpvpn agent's type 5
		route("10.80.0.0/24", hop("192.0.2.9", 5050, gwMAC1), hop("192.0.2.3", 80, "")),
		route("2001:db8:50::/48", hop("192.0.2.9", 5050, gwMAC1)),
		route("10.90.0.0/24", hop("192.0.2.9", 5050, "01:00:5e:00:00:01"), hop("192.0.2.9", 5050, "00:00:00:00:00:00"), hop("192.0.2.3", 90, "")),
	}}
	p, errs := planL3(dataplane.State{VRFs: []dataplane.VRF{v}}, testOpts, map[string]int{l3Device: 10}, "")
	var errStrs []string
	for _, err := range errs {
		errStrs = append(errStrs, err.Error())
	}
	wantErrs := []string{"VRF v: route 10.90.0.0/24: next hop 192.0.2.9 skipped: router MAC 01:00:5e:00:00:01 is a multicast address\n" +
		"route 10.90.0.0/24: next hop 192.0.2.9 skipped: router MAC 00:00:00:00:00:00 is not an address"}
	if diff := cmp.Diff(wantErrs, errStrs); diff != "" {
		t.Errorf("planL3 errors (-want +got):\n%s", diff)
	}
	var got []string
	for _, k := range sortedRouteKeys(p.routes) {
		if r := p.routes[k]; r.Type == unix.RTN_UNICAST {
			got = append(got, r.String())
		}
	}
	const gw1, gw2 = "fe80:b6:c000:209:0:aabb:cc00:60", "fe80:b6:c000:209:0:aabb:cc00:61"
	want := []string{
		"table 20001 2001:db8:50::/48 type 1 scope 0 metric 1024 encap ip id 5050 dst 192.0.2.9 src 192.0.2.1 via " + gw1 + " oif 10 onlink",
		"table 20001 10.50.0.0/24 type 1 scope 0 metric 0 encap ip id 5050 dst 192.0.2.9 src 192.0.2.1 via " + gw1 + " oif 10 onlink",
		"table 20001 10.60.0.0/24 type 1 scope 0 metric 0 encap ip id 5060 dst 192.0.2.9 src 192.0.2.1 via " + gw2 + " oif 10 onlink",
		"table 20001 10.70.0.0/24 type 1 scope 0 metric 0 encap ip id 70 dst 192.0.2.2 src 192.0.2.1 via 192.0.2.2 oif 10 onlink",
		"table 20001 10.80.0.0/24 type 1 scope 0 metric 0 nexthop encap ip id 80 dst 192.0.2.3 src 192.0.2.1 via 192.0.2.3 oif 10 onlink nexthop encap ip id 5050 dst 192.0.2.9 src 192.0.2.1 via " + gw1 + " oif 10 onlink",
		"table 20001 10.90.0.0/24 type 1 scope 0 metric 0 encap ip id 90 dst 192.0.2.3 src 192.0.2.1 via 192.0.2.3 oif 10 onlink",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	gotNeigh := map[string]string{}
	for a, m := range p.neigh {
		gotNeigh[a.String()] = m.String()
	}
	wantNeigh := map[string]string{gw1: gwMAC1, gw2: gwMAC2, "192.0.2.2": "02:b6:c0:00:02:02", "192.0.2.3": "02:b6:c0:00:02:03"}
	if diff := cmp.Diff(wantNeigh, gotNeigh); diff != "" {
		t.Errorf("neighbours (-want +got):\n%s", diff)
	}
	wantIPv6 := []sysctl{{"ipv6/conf/bgv-l3/addr_gen_mode", "1"}, {"ipv6/conf/bgv-l3/disable_ipv6", "0"}}
	if diff := cmp.Diff(wantIPv6, p.ipv6, cmp.AllowUnexported(sysctl{})); diff != "" {
		t.Errorf("IPv6 settings of bgv-l3 (-want +got):\n%s", diff)
	}

	// IPv4 gateways only: IPv6 on bgv-l3 is left as it is.
	v.Routes = v.Routes[2:4]
	v.Routes[1].NextHops = v.Routes[1].NextHops[1:]
	if p, _ := planL3(dataplane.State{VRFs: []dataplane.VRF{v}}, testOpts, map[string]int{l3Device: 10}, ""); p.ipv6 != nil {
		t.Errorf("IPv6 settings without IPv6 gateway = %v, want none", p.ipv6)
	}
}

// TestInfoPerVPNType: one driver serving both VPN types offers MPLS to IP
// VPNs only (EVIs forward over VXLAN whatever the kernel has), and
// publishes bgv-l3's MAC as the router MAC for our type 5 routes.
func TestInfoPerVPNType(t *testing.T) {
	d, err := newFakeDriver(newFakeKernel(), mplsKernelCaps, Options{LocalAddress: addr("192.0.2.1")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	info := d.Info()
	for _, c := range []struct {
		vpnType string
		want    []uint16
	}{{"ipvpn", []uint16{encapMPLS, encapVXLAN}}, {"evpn", []uint16{encapVXLAN}}} {
		if got := info.EncapsFor(c.vpnType); !cmp.Equal(got, c.want) {
			t.Errorf("Info().EncapsFor(%q) = %v, want %v", c.vpnType, got, c.want)
		}
	}
	if info.SupportsFor("evpn", encapMPLS) {
		t.Error("Info().SupportsFor(evpn, MPLS) = true, want false")
	}
	if got := info.RouterMAC.String(); got != "02:b6:c0:00:02:01" {
		t.Errorf("Info().RouterMAC = %s, want bgv-l3's 02:b6:c0:00:02:01", got)
	}
}
