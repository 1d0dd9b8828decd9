package agent

import (
	"context"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// received lists what a node's speaker received from its peer, by prefix,
// for one family or, with EVPN, the IP Prefix routes.
func received(n *node, f speaker.Family) map[string]speaker.Route {
	out := map[string]speaker.Route{}
	n.sp.Best(f, func(r *speaker.Route) {
		if r.Peer.IsValid() && (f != speaker.EVPN || r.EVPNType == speaker.EVPNIPPrefix) {
			out[r.Prefix.String()] = *r
		}
	})
	return out
}

func prefixes(m map[string]speaker.Route) []string {
	var out []string
	for p := range m {
		out = append(out, p)
	}
	return out
}

var routeCmp = []cmp.Option{cmpAddr, cmpopts.IgnoreFields(speaker.Route{}, "Peer", "PeerASN", "Age")}

// With the configuration default on, every prefix an IP VPN instance
// advertises has its type 5 mirror (ports, advertise_subnet prefixes,
// readvertised routes), unless an attach turns it off; the mirrors follow
// their VPN routes through RT changes, withdrawals and detaches, and none
// is left behind.
func TestEVPNType5FollowsEveryExport(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodesWith(t, Config{EVPNType5: true}, Config{})
	// B's vrf-dst imports everything A exports (RT constraint).
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-dst", "52:54:00:00:00:06", "10.6.0.6/24", "tap-d", rts("64512:600", "64512:10", "64512:12", "64512:4"), rts("64512:2"))); err != nil {
		t.Fatal(err)
	}
	subnet := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.1.0.5/24", "tap-a1", rts("64512:11"), rts("64512:10"))
	subnet.AdvertiseSubnet = true
	host := ipvpnAttach("vrf-a", "52:54:00:00:00:02", "10.1.0.6/24", "tap-a2", rts("64512:11"), rts("64512:10"))
	leak := ipvpnAttach("vrf-leak", "52:54:00:00:00:07", "10.7.0.7/24", "tap-l", rts("64512:3"), rts("64512:4"))
	leak.Readvertise = &Readvertise{FromRTs: rts("64512:500"), ToRTs: rts("64512:600")}
	off := false
	noT5 := ipvpnAttach("vrf-off", "52:54:00:00:00:09", "10.9.0.9/24", "tap-o", rts("64512:13"), rts("64512:10"))
	noT5.EVPNType5 = &off
	for _, x := range []Attachment{subnet, host, leak, noT5} {
		if err := a.m.Attach(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	// B's source of leaked routes.
	src := ipvpnAttach("vrf-src", "52:54:00:00:00:05", "10.5.0.5/24", "tap-s", rts("64512:1"), rts("64512:500"))
	if err := b.m.Attach(ctx, src); err != nil {
		t.Fatal(err)
	}

	want := []string{"10.1.0.0/24", "10.1.0.6/32", "10.7.0.7/32", "10.5.0.5/32"}
	waitFor(t, "A's type 5 routes at B", func() bool { return len(received(b, speaker.EVPN)) == len(want) })
	t5, vpn := received(b, speaker.EVPN), received(b, speaker.VPNv4)
	if diff := cmp.Diff(want, prefixes(t5), cmpopts.SortSlices(func(x, y string) bool { return x < y })); diff != "" {
		t.Fatalf("type 5 prefixes at B (-want +got):\n%s", diff)
	}
	if _, ok := vpn["10.9.0.9/32"]; !ok {
		t.Errorf("vrf-off's VPNv4 route missing at B: %v", prefixes(vpn))
	}
	// Each mirror has its VPN route's RD, RTs, RT records, next hop and
	// LOCAL_PREF, the instance's label as VNI, VXLAN and the Router's MAC.
	va, _ := a.m.Instance("vrf-a")
	vl, _ := a.m.Instance("vrf-leak")
	for p, vni := range map[string]uint32{"10.1.0.0/24": va.InstanceDataplaneID, "10.1.0.6/32": va.InstanceDataplaneID, "10.5.0.5/32": vl.InstanceDataplaneID} {
		v := vpn[p]
		w := speaker.Route{
			Family: speaker.EVPN, EVPNType: speaker.EVPNIPPrefix, RD: v.RD, Prefix: v.Prefix, Label: vni, NextHop: a.addr,
			RTs: v.RTs, RTRecords: v.RTRecords, LocalPref: v.LocalPref, Encaps: encapVXLAN, RouterMAC: mac("02:b6:7f:00:00:15"),
		}
		if diff := cmp.Diff(w, t5[p], routeCmp...); diff != "" {
			t.Errorf("type 5 route for %s at B (-want +got):\n%s", p, diff)
		}
	}
	if got := t5["10.5.0.5/32"]; !cmp.Equal(got.RTs, rts("64512:600"), cmpAddr) || !cmp.Equal(got.RTRecords, rts("64512:500"), cmpAddr) {
		t.Errorf("leaked type 5 route: RTs %v, RT records %v, want [64512:600], [64512:500]", got.RTs, got.RTRecords)
	}
	if rd := t5["10.1.0.0/24"].RD; rd == rtrd.MustParse("127.0.0.21:0") {
		t.Errorf("subnet type 5 RD = %s, want the endpoint RD of its VPN route", rd)
	}

	// Leaked routes carry the label of the VRF's first port: a detach of
	// that port moves them to the next one's (its label is released).
	leak2 := ipvpnAttach("vrf-leak", "52:54:00:00:00:03", "10.7.0.3/24", "tap-l2", rts("64512:3"), rts("64512:4"))
	leak2.Readvertise = leak.Readvertise
	if err := a.m.Attach(ctx, leak2); err != nil {
		t.Fatal(err)
	}
	portLabel := func(macS string) uint32 {
		ports, _ := a.m.Ports("vrf-leak")
		for _, p := range ports {
			for _, ep := range p.Endpoints {
				if ep.MACAddress == macS {
					return ep.Label
				}
			}
		}
		return 0
	}
	l2 := portLabel("52:54:00:00:00:03")
	waitFor(t, "leaked route with the new first port's label", func() bool { return received(b, speaker.VPNv4)["10.5.0.5/32"].Label == l2 })
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-leak", MAC: leak2.MAC, IP: leak2.IP}); err != nil {
		t.Fatal(err)
	}
	l1 := portLabel("52:54:00:00:00:07")
	waitFor(t, "leaked route back on the remaining port's label", func() bool {
		_, t5 := received(b, speaker.EVPN)["10.7.0.3/32"]
		return received(b, speaker.VPNv4)["10.5.0.5/32"].Label == l1 && !t5
	})

	gone := func(what, prefix string) {
		t.Helper()
		waitFor(t, what, func() bool {
			_, t5 := received(b, speaker.EVPN)[prefix]
			_, v := received(b, speaker.VPNv4)[prefix]
			return !t5 && !v
		})
	}
	// The leak's source goes: both leaked routes go.
	if err := b.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-src", MAC: src.MAC, IP: src.IP}); err != nil {
		t.Fatal(err)
	}
	gone("leaked routes withdrawn", "10.5.0.5/32")

	// An export RT change moves the mirror's RTs along.
	subnet.ExportRTs = rts("64512:10", "64512:12")
	if err := a.m.Attach(ctx, subnet); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "new RTs on the subnet's type 5 route", func() bool {
		return cmp.Equal(received(b, speaker.EVPN)["10.1.0.0/24"].RTs, rts("64512:10", "64512:12"), cmpAddr)
	})

	// Dropping advertise_subnet swaps the subnet mirror for the host one.
	subnet.AdvertiseSubnet = false
	if err := a.m.Attach(ctx, subnet); err != nil {
		t.Fatal(err)
	}
	gone("subnet routes withdrawn", "10.1.0.0/24")
	waitFor(t, "host type 5 route", func() bool { _, ok := received(b, speaker.EVPN)["10.1.0.5/32"]; return ok })

	// A detach that leaves other endpoints withdraws its mirror only.
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-a", MAC: host.MAC, IP: host.IP}); err != nil {
		t.Fatal(err)
	}
	gone("detached endpoint's routes withdrawn", "10.1.0.6/32")

	// Turning it off withdraws the mirrors and keeps the VPN routes.
	leak.EVPNType5 = &off
	if err := a.m.Attach(ctx, leak); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "vrf-leak's type 5 route withdrawn", func() bool { _, ok := received(b, speaker.EVPN)["10.7.0.7/32"]; return !ok })
	if _, ok := received(b, speaker.VPNv4)["10.7.0.7/32"]; !ok {
		t.Errorf("vrf-leak's VPNv4 route went with its type 5 route")
	}
	// The last detach stops the instance: nothing of vrf-a stays.
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-a", MAC: subnet.MAC, IP: subnet.IP}); err != nil {
		t.Fatal(err)
	}
	gone("vrf-a's routes withdrawn", "10.1.0.5/32")
	if got := received(b, speaker.EVPN); len(got) != 0 {
		t.Errorf("type 5 routes left at B: %v", prefixes(got))
	}
}

// Received type 5 routes reach the VRF and its dataplane with their next
// hop, the label field as VNI, VXLAN and the Router's MAC; gateway IP
// routes, VNI 0 routes, and VXLAN routes on an MPLS-only dataplane are
// refused with their reason; readvertise leaks them as VPN routes.
func TestEVPNType5Receive(t *testing.T) {
	ctx := context.Background()
	vxlan, _ := dataplane.New("dummy", dataplane.Options{Config: map[string]string{dataplane.OptVPNType: "evpn", "record": "true"}})
	a, b := twoNodesWith(t, Config{}, Config{IPVPNDriver: vxlan})
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b", "52:54:00:00:00:02", "10.100.0.6/24", "tap-b", rts("64512:50"), rts("64512:51"))); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Attach(ctx, ipvpnAttach("vrf-mpls", "52:54:00:00:00:01", "10.100.0.5/24", "tap-a", rts("64512:50"), rts("64512:52"))); err != nil {
		t.Fatal(err)
	}
	rmac := mac("aa:bb:cc:00:00:01")
	t5 := func(prefix string, label uint32) speaker.Route {
		return speaker.Route{
			Family: speaker.EVPN, EVPNType: speaker.EVPNIPPrefix, RD: rtrd.MustParse("64512:7"), Prefix: netip.MustParsePrefix(prefix),
			Label: label, NextHop: netip.MustParseAddr("192.0.2.50"), RTs: rts("64512:50"), LocalPref: 100,
			Encaps: encapVXLAN, RouterMAC: rmac,
		}
	}
	good, noEncap, gw, vni0 := t5("10.50.0.0/24", 7000), t5("10.54.0.0/24", 7001), t5("10.51.0.0/24", 7000), t5("10.52.0.0/24", 0)
	noEncap.Encaps, noEncap.RouterMAC = nil, nil
	gw.GatewayIP = netip.MustParseAddr("10.50.0.1")
	if err := a.sp.Advertise(good, noEncap, gw, vni0); err != nil {
		t.Fatal(err)
	}

	waitFor(t, "type 5 routes in B's VRF dataplane", func() bool { return len(vrfRoutes(b.ipvpn, "vrf-b")) == 2 })
	nh := netip.MustParseAddr("192.0.2.50")
	wantDP := map[string][]dataplane.NextHop{
		"10.50.0.0/24": {{Address: nh, Label: 7000, Encap: uint16(speaker.EncapVXLAN), RouterMAC: dataplane.MAC(rmac)}},
		"10.54.0.0/24": {{Address: nh, Label: 7001, Encap: uint16(speaker.EncapVXLAN)}},
	}
	if diff := cmp.Diff(wantDP, vrfRoutes(b.ipvpn, "vrf-b"), cmpAddr); diff != "" {
		t.Errorf("B's VRF dataplane (-want +got):\n%s", diff)
	}
	best, _ := b.m.Routes("vrf-b", BestRoutes)
	wantView := []RouteView{{
		AFISAFI: "l2vpn/evpn", NLRI: "[type:prefix][rd:64512:7][etag:0][prefix:10.50.0.0/24]", RD: "64512:7", Prefix: "10.50.0.0/24",
		Label: 7000, NextHop: "192.0.2.50", RouteTargets: []string{"64512:50"}, LocalPref: 100, Encaps: []string{"VXLAN"},
		RouterMAC: "aa:bb:cc:00:00:01", Source: "BGP-127.0.0.21",
	}}
	if diff := cmp.Diff(wantView, best["10.50.0.0/24"]); diff != "" {
		t.Errorf("B's best route for 10.50.0.0/24 (-want +got):\n%s", diff)
	}

	refusedFor := func(n *node, id, prefix string) RouteView {
		rf, _ := n.m.Routes(id, RefusedRoutes)
		if len(rf[prefix]) != 1 {
			return RouteView{}
		}
		return rf[prefix][0]
	}
	for _, tc := range []struct {
		n            *node
		id, prefix   string
		reason, gwIP string
	}{
		{b, "vrf-b", "10.51.0.0/24", "gateway IP overlay index 10.50.0.1", "10.50.0.1"},
		{b, "vrf-b", "10.52.0.0/24", "VNI 0", ""},
		{a, "vrf-mpls", "10.50.0.0/24", "no encapsulation of the route ([VXLAN])", ""},
	} {
		got := refusedFor(tc.n, tc.id, tc.prefix)
		if !strings.Contains(got.Reason, tc.reason) || got.GatewayIP != tc.gwIP {
			t.Errorf("%s refused %s: reason %q, gateway IP %q; want a reason with %q, gateway IP %q", tc.id, tc.prefix, got.Reason, got.GatewayIP, tc.reason, tc.gwIP)
		}
	}
	if got := vrfRoutes(a.ipvpn, "vrf-mpls"); len(got) != 0 {
		t.Errorf("MPLS-only dataplane got type 5 routes: %v", got)
	}

	// A VRF of B leaking the type 5 route readvertises it as a VPNv4
	// route (not as a route of no EVPN type).
	leak := ipvpnAttach("vrf-leak", "52:54:00:00:00:07", "10.70.0.7/24", "tap-l", rts("64512:71"), rts("64512:72"))
	leak.Readvertise = &Readvertise{FromRTs: rts("64512:50"), ToRTs: rts("64512:70")}
	if err := b.m.Attach(ctx, leak); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Attach(ctx, ipvpnAttach("vrf-70", "52:54:00:00:00:08", "10.71.0.8/24", "tap-70", rts("64512:70"), rts("64512:73"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the leaked route at A", func() bool { _, ok := received(a, speaker.VPNv4)["10.50.0.0/24"]; return ok })
	if got := received(a, speaker.VPNv4)["10.50.0.0/24"]; got.NextHop != b.addr || !cmp.Equal(got.RTs, rts("64512:70"), cmpAddr) {
		t.Errorf("leaked route at A: next hop %s, RTs %v; want %s, [64512:70]", got.NextHop, got.RTs, b.addr)
	}

	if err := a.sp.Withdraw(good); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "withdrawal in B's VRF dataplane", func() bool { return len(vrfRoutes(b.ipvpn, "vrf-b")["10.50.0.0/24"]) == 0 })
	waitFor(t, "withdrawal of the leaked route at A", func() bool { _, ok := received(a, speaker.VPNv4)["10.50.0.0/24"]; return !ok })
}
