package linux

import (
	"context"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// The MPLS path at the request level: what the driver asks of a kernel
// that has MPLS routing, MPLS encapsulation and VRF devices (the fake),
// since the kernel these tests run on has none of them.

func mplsVRF() dataplane.VRF {
	return dataplane.VRF{ID: "ipvpn_a", Number: 2, VNI: 16, GatewayIP: addr("10.1.1.1"),
		Ports: []dataplane.Port{
			{LinuxIf: "tap1", IPs: []netip.Prefix{pfx("10.1.1.10/24")}, Direction: "both", Label: 17},
			{LinuxIf: "tap2", Direction: "to-port", Label: 18}, // no address
		},
		Routes: []dataplane.IPRoute{
			{Prefix: pfx("10.2.2.0/24"), NextHops: []dataplane.NextHop{ // ECMP over two PEs
				{Address: addr("192.0.2.3"), Label: 30, Encap: encapMPLS}, {Address: addr("192.0.2.2"), Label: 20, Encap: encapMPLS}}},
			{Prefix: pfx("10.3.3.0/24"), NextHops: []dataplane.NextHop{ // one PE over MPLS, one over VXLAN
				{Address: addr("192.0.2.2"), Label: 21, Encap: encapMPLS}, {Address: addr("192.0.2.4"), Label: 40, Encap: encapVXLAN}}},
			{Prefix: pfx("10.4.4.0/24"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.4"), Label: 41, Encap: encapVXLAN}}},
			{Prefix: pfx("10.5.5.0/24"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 1 << 20, Encap: encapMPLS}}}, // no MPLS label
		},
	}
}

func applyFake(t *testing.T, d *Driver, s dataplane.State) {
	t.Helper()
	if err := d.applyIPVPN(context.Background(), s); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

func sorted(ss []string) []string {
	ss = slices.Clone(ss)
	slices.Sort(ss)
	return ss
}

func TestMPLSApplyRequests(t *testing.T) {
	k := newFakeKernel("tap1", "tap2") // lo 1, eth0 2, tap1 3, tap2 4
	d, err := newFakeDriver(k, mplsKernelCaps, Options{LocalAddress: addr("192.0.2.1")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := d.Info().Encaps; !slices.Equal(got, []uint16{encapMPLS, encapVXLAN}) {
		t.Errorf("Info().Encaps = %v, want MPLS then VXLAN", got)
	}
	if got := d.Info().Details; got["ipvpn_encap"] != "mpls" || got["mpls_interface"] != "eth0" {
		t.Errorf("Info().Details = %v, want ipvpn_encap mpls on eth0", got)
	}
	s := dataplane.State{VRFs: []dataplane.VRF{mplsVRF()}}
	applyFake(t, d, s)
	got := k.take()
	want := []string{
		// bgv-l3 (5) still carries the routes that offer only VXLAN.
		"link add bgv-l3 vxlan external true dstport 4790",
		"link up bgv-l3",
		"neigh set 192.0.2.4 lladdr 02:b6:c0:00:02:04 dev 5",
		// The VRF device (6), bound to the VRF's table.
		"link add bgv-vrf2 vrf table 20002",
		"link up bgv-vrf2",
		// Incoming labels: the VRF's pops into the VRF device (lookup in
		// its table), tap1's pops and delivers to tap1's address; tap2
		// has no address, so no MPLS route.
		"route replace mpls 16 oif 6",
		"route replace mpls 17 via 10.1.1.10 oif 3",
		// Outgoing: push the route's label toward the PE on eth0, ECMP
		// over PEs, MPLS and VXLAN hops side by side; the next hop with
		// a label beyond 20 bits (10.5.5.0/24) gets nothing.
		"route replace table 20002 10.2.2.0/24 type 1 scope 0 metric 0 nexthop encap mpls 20 via 192.0.2.2 oif 2 nexthop encap mpls 30 via 192.0.2.3 oif 2",
		"route replace table 20002 10.3.3.0/24 type 1 scope 0 metric 0 nexthop encap mpls 21 via 192.0.2.2 oif 2 nexthop encap ip id 40 dst 192.0.2.4 src 192.0.2.1 via 192.0.2.4 oif 5 onlink",
		"route replace table 20002 10.4.4.0/24 type 1 scope 0 metric 0 encap ip id 41 dst 192.0.2.4 src 192.0.2.1 via 192.0.2.4 oif 5 onlink",
		// As on the VXLAN path: ports, gateway, catch-all, label tables,
		// rules for the ports and the VNIs.
		"route replace table 20002 10.1.1.1/32 type 1 scope 253 metric 0 oif 5",
		"route replace table 20002 10.1.1.10/32 type 1 scope 253 metric 0 oif 3",
		"route replace table 20002 0.0.0.0/0 type 7 scope 0 metric 4278198272 oif 0",
		"route replace table 16797233 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.10 oif 3 onlink",
		"route replace table 16797234 0.0.0.0/0 type 1 scope 253 metric 0 oif 4",
		"rule add pref 20000 iif bgv-l3 tun_id 16 lookup 20002 (family 2)",
		"rule add pref 20000 iif tap1 lookup 20002 (family 2)",
		"rule add pref 20000 iif bgv-l3 tun_id 17 lookup 16797233 (family 2)",
		"rule add pref 20000 iif bgv-l3 tun_id 18 lookup 16797234 (family 2)",
		"sysctl ipv4/conf/bgv-l3/forwarding=1",
		"sysctl ipv4/conf/bgv-l3/rp_filter=0",
		// MPLS input from the underlay and from ourselves, every label.
		"sysctl mpls/platform_labels=1048575",
		"sysctl mpls/conf/eth0/input=1",
		"sysctl mpls/conf/lo/input=1",
		"sysctl ipv4/conf/tap1/forwarding=1",
		"sysctl ipv4/conf/tap1/proxy_arp=1",
		"sysctl ipv4/neigh/tap1/proxy_delay=0",
		"sysctl ipv4/conf/tap1/rp_filter=0",
		// tap1 starts sending into the VRF: its VM learns the gateway
		// is at tap1 (garp.go).
		"announce 10.1.1.1 at tap1",
	}
	if diff := cmp.Diff(sorted(want), sorted(got)); diff != "" {
		t.Errorf("requests of the first Apply (-want +got):\n%s", diff)
	}
	// Order matters where one thing needs another: the VRF device before
	// the label that points at it, routes before the rules leading there.
	before := func(a, b string) {
		ia, ib := slices.IndexFunc(got, func(r string) bool { return strings.HasPrefix(r, a) }), slices.IndexFunc(got, func(r string) bool { return strings.HasPrefix(r, b) })
		if ia < 0 || ib < 0 || ia > ib {
			t.Errorf("%q should come before %q in:\n%s", a, b, strings.Join(got, "\n"))
		}
	}
	before("link up bgv-vrf2", "route replace mpls 16")
	before("route replace table 20002 10.1.1.10/32", "rule add pref 20000 iif tap1")

	t.Run("second Apply asks nothing", func(t *testing.T) {
		applyFake(t, d, s)
		if got := k.take(); len(got) != 0 {
			t.Errorf("second Apply requests:\n%s", strings.Join(got, "\n"))
		}
	})
	t.Run("changes are patched", func(t *testing.T) {
		v := mplsVRF()
		v.Routes = v.Routes[:1]
		v.Routes[0].NextHops = v.Routes[0].NextHops[:1] // 10.2.2.0/24 via 192.0.2.3 only
		v.Ports[0].Label = 19
		applyFake(t, d, dataplane.State{VRFs: []dataplane.VRF{v}})
		got := sorted(k.take())
		want := []string{
			"route replace mpls 19 via 10.1.1.10 oif 3",
			"route del mpls 17 via 10.1.1.10 oif 3",
			"route replace table 20002 10.2.2.0/24 type 1 scope 0 metric 0 encap mpls 30 via 192.0.2.3 oif 2",
			"route del table 20002 10.3.3.0/24 type 1 scope 0 metric 0 nexthop encap mpls 21 via 192.0.2.2 oif 2 nexthop encap ip id 40 dst 192.0.2.4 src 192.0.2.1 via 192.0.2.4 oif 5 onlink",
			"route del table 20002 10.4.4.0/24 type 1 scope 0 metric 0 encap ip id 41 dst 192.0.2.4 src 192.0.2.1 via 192.0.2.4 oif 5 onlink",
			"route replace table 16797235 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.10 oif 3 onlink",
			"route del table 16797233 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.10 oif 3 onlink",
			"rule add pref 20000 iif bgv-l3 tun_id 19 lookup 16797235 (family 2)",
			"rule del pref 20000 iif bgv-l3 tun_id 17 lookup 16797233 (family 2)",
			"neigh del 192.0.2.4 dev 5",
		}
		if diff := cmp.Diff(sorted(want), got); diff != "" {
			t.Errorf("requests (-want +got):\n%s", diff)
		}
	})
	t.Run("removal takes away all of ours", func(t *testing.T) {
		applyFake(t, d, dataplane.State{})
		got := k.take()
		for _, w := range []string{"link del bgv-vrf2", "link del bgv-l3", "route del mpls 16 oif 6", "route del mpls 19 via 10.1.1.10 oif 3", "sysctl ipv4/conf/tap1/proxy_arp=0"} {
			if !slices.Contains(got, w) {
				t.Errorf("removal did not ask %q:\n%s", w, strings.Join(got, "\n"))
			}
		}
		if len(k.routes) != 0 || len(k.rules) != 0 || k.links["bgv-vrf2"] != nil || k.links["bgv-l3"] != nil {
			t.Errorf("left after removal: routes %v, rules %v, links %v", k.routes, k.rules, k.links)
		}
	})
}

// TestMPLSAdopt: a restarted driver finds what the previous one left,
// changes nothing for the same state, and during the adoption grace only
// adds, whatever the new state lacks.
func TestMPLSAdopt(t *testing.T) {
	k := newFakeKernel("tap1", "tap2")
	o := Options{LocalAddress: addr("192.0.2.1")}
	d, err := newFakeDriver(k, mplsKernelCaps, o, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := dataplane.State{VRFs: []dataplane.VRF{mplsVRF()}}
	applyFake(t, d, s)
	k.take()

	d2, err := newFakeDriver(k, mplsKernelCaps, o, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	applyFake(t, d2, s)
	if got := k.take(); len(got) != 0 {
		t.Errorf("restarted driver, same state, requests:\n%s", strings.Join(got, "\n"))
	}
	applyFake(t, d2, dataplane.State{})
	for _, r := range k.take() {
		if strings.Contains(r, " del ") {
			t.Errorf("deletion during the adoption grace: %s", r)
		}
	}
}

// TestMPLSLeftoversOverVXLAN: a driver that runs IP VPNs over VXLAN on a
// kernel with MPLS removes what an earlier MPLS run left (labels, VRF
// devices, pushing routes), and asks for no VRF device or MPLS route.
func TestMPLSLeftoversOverVXLAN(t *testing.T) {
	k := newFakeKernel("tap1", "tap2")
	d, err := newFakeDriver(k, mplsKernelCaps, Options{LocalAddress: addr("192.0.2.1")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := dataplane.State{VRFs: []dataplane.VRF{mplsVRF()}}
	applyFake(t, d, s)
	k.take()

	dv, err := newFakeDriver(k, mplsKernelCaps, Options{LocalAddress: addr("192.0.2.1"), IPVPNEncap: "vxlan"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := dv.Info().Encaps; !slices.Equal(got, []uint16{encapVXLAN}) {
		t.Errorf("ipvpn_encap = vxlan: Info().Encaps = %v, want VXLAN only", got)
	}
	applyFake(t, dv, s)
	got := k.take()
	for _, w := range []string{"link del bgv-vrf2", "route del mpls 16 oif 6", "route del mpls 17 via 10.1.1.10 oif 3",
		"route del table 20002 10.2.2.0/24", // MPLS only: nothing left to reach it with
		"route replace table 20002 10.3.3.0/24 type 1 scope 0 metric 0 encap ip id 40 dst 192.0.2.4 src 192.0.2.1 via 192.0.2.4 oif 5 onlink"} {
		if !slices.ContainsFunc(got, func(r string) bool { return strings.HasPrefix(r, w) }) {
			t.Errorf("VXLAN driver did not ask %q:\n%s", w, strings.Join(got, "\n"))
		}
	}
	for key, r := range k.routes {
		if key.MPLS || r.Push != 0 || slices.ContainsFunc(r.MultiPath, func(h knexthop) bool { return h.Push != 0 }) {
			t.Errorf("MPLS route left over VXLAN: %s", r.String())
		}
	}
	if k.links["bgv-vrf2"] != nil {
		t.Error("VRF device bgv-vrf2 left over VXLAN")
	}
	if r, ok := k.routes[routeKey{Table: 20002, Dst: pfx("10.4.4.0/24")}]; !ok || r.Encap == nil {
		t.Errorf("VXLAN route 10.4.4.0/24 = %v, %v; want kept", r.String(), ok)
	}
}

// TestMPLSBadInput: what cannot be programmed is an error naming it, and
// the rest is still applied.
func TestMPLSBadInput(t *testing.T) {
	k := newFakeKernel("tap1")
	d, err := newFakeDriver(k, mplsKernelCaps, Options{LocalAddress: addr("192.0.2.1"), MPLSInterface: "eth0"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	v := mplsVRF()
	bad := dataplane.VRF{ID: "huge", Number: 1 << 30, VNI: 99}
	err = d.applyIPVPN(context.Background(), dataplane.State{VRFs: []dataplane.VRF{v, bad}})
	if err == nil || !strings.Contains(err.Error(), "VRF huge: number 1073741824 out of range") || !strings.Contains(err.Error(), "tap2") {
		t.Errorf("Apply error = %v, want ones naming the VRF number out of range and the missing port", err)
	}
	if _, ok := k.routes[routeKey{Table: unixMain, MPLS: true, Label: 16}]; !ok {
		t.Error("the good VRF's label 16 was not programmed")
	}
	if _, err := newFakeDriver(newFakeKernel(), mplsKernelCaps, Options{LocalAddress: addr("192.0.2.1"), MPLSInterface: "mpls0"}, 0); err == nil || !strings.Contains(err.Error(), "mpls_interface mpls0") {
		t.Errorf("missing mpls_interface: error = %v, want one naming it", err)
	}
}
