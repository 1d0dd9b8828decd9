package agent

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

func testLogger() *slog.Logger {
	if os.Getenv("AGENT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// node is one agent of a test: speaker, manager and dummy drivers.
type node struct {
	sp         *speaker.Speaker
	m          *Manager
	ipvpn      *dummy.Driver
	evpn       *dummy.Driver
	addr, nhop netip.Addr
}

func freePort(t *testing.T, addr string) int32 {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer l.Close()
	return int32(l.Addr().(*net.TCPAddr).Port)
}

func newNode(t *testing.T, addr string, listen int32, cfg Config) *node {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a := netip.MustParseAddr(addr)
	sp, err := speaker.Start(ctx, speaker.Config{ASN: 64512, RouterID: a, ListenPort: listen, ListenAddresses: []netip.Addr{a}, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	n := &node{sp: sp, ipvpn: dummy.New(), addr: a}
	if d, ok := cfg.IPVPNDriver.(*dummy.Driver); ok {
		n.ipvpn = d // a test's own, e.g. one that forwards VXLAN
	}
	evpn, _ := dataplane.New("dummy", dataplane.Options{Config: map[string]string{dataplane.OptVPNType: "evpn", "record": "true"}})
	n.evpn = evpn.(*dummy.Driver)
	cfg.ASN, cfg.LocalAddress, cfg.IPVPNDriver, cfg.EVPNDriver, cfg.Logger = 64512, a, n.ipvpn, n.evpn, testLogger()
	cfg.EnableRTC = true
	n.m, err = New(cfg, sp)
	if err != nil {
		t.Fatal(err)
	}
	n.nhop = n.m.cfg.NextHop
	done := make(chan struct{})
	go func() { defer close(done); n.m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; sp.Stop() })
	return n
}

// twoNodes peers A (listening) and B (dialing) directly.
func twoNodes(t *testing.T, cfg Config) (a, b *node) {
	t.Helper()
	return twoNodesWith(t, cfg, cfg)
}

// twoNodesWith is twoNodes with a configuration for each.
func twoNodesWith(t *testing.T, cfgA, cfgB Config) (a, b *node) {
	t.Helper()
	port := freePort(t, "127.0.0.21")
	a = newNode(t, "127.0.0.21", port, cfgA)
	b = newNode(t, "127.0.0.22", -1, cfgB)
	ctx := context.Background()
	if err := a.sp.AddPeer(ctx, speaker.Peer{Address: b.addr, ASN: 64512, Passive: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.sp.AddPeer(ctx, speaker.Peer{Address: a.addr, ASN: 64512, Port: uint16(port), LocalAddress: b.addr, ConnectRetry: 1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "session", func() bool {
		ps, _ := b.sp.Peers(ctx)
		return len(ps) == 1 && ps[0].State == "Established"
	})
	return a, b
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func rts(ss ...string) []speaker.RT {
	var out []speaker.RT
	for _, s := range ss {
		out = append(out, rtrd.MustParse(s))
	}
	return out
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

func ipvpnAttach(id, macS, ip, ifname string, imp, exp []speaker.RT) Attachment {
	return Attachment{
		VPNType: IPVPN, VPNInstanceID: id, MAC: mac(macS), IP: netip.MustParsePrefix(ip),
		GatewayIP: netip.MustParsePrefix(ip).Masked().Addr().Next(), LocalPort: LocalPort{LinuxIf: ifname},
		ImportRTs: imp, ExportRTs: exp,
	}
}

// vrfRoutes is the dataplane's view of a VRF's routes.
func vrfRoutes(d *dummy.Driver, id string) map[string][]dataplane.NextHop {
	out := map[string][]dataplane.NextHop{}
	for _, v := range d.State().VRFs {
		if v.ID != id {
			continue
		}
		for _, r := range v.Routes {
			out[r.Prefix.String()] = r.NextHops
		}
	}
	return out
}

var cmpAddr = cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})

func TestIPVPNExchange(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	// A exports 64512:200 and imports 64512:100; B the other way round.
	att := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.100.0.5/24", "tap-a1", rts("64512:100"), rts("64512:200"))
	att.LocalPref = 250
	if err := a.m.Attach(ctx, att); err != nil {
		t.Fatal(err)
	}
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b", "52:54:00:00:00:02", "10.100.0.6/24", "tap-b1", rts("64512:200"), rts("64512:100"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A's route in B's VRF dataplane", func() bool { return len(vrfRoutes(b.ipvpn, "vrf-b")["10.100.0.5/32"]) == 1 })
	waitFor(t, "B's route in A's VRF dataplane", func() bool { return len(vrfRoutes(a.ipvpn, "vrf-a")["10.100.0.6/32"]) == 1 })

	best, _ := b.m.Routes("vrf-b", BestRoutes)
	got := best["10.100.0.5/32"]
	want := []RouteView{{
		AFISAFI: "ipv4/mpls-vpn", NLRI: "127.0.0.21:0:10.100.0.5/32", RD: "127.0.0.21:0", Prefix: "10.100.0.5/32",
		Label: 17, NextHop: "127.0.0.21", RouteTargets: []string{"64512:200"}, LocalPref: 250,
		Encaps: []string{"MPLS"}, Source: "BGP-127.0.0.21",
	}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("B best routes for 10.100.0.5/32 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]dataplane.NextHop{{Address: a.addr, Label: 17, Encap: 10}}, vrfRoutes(b.ipvpn, "vrf-b")["10.100.0.5/32"], cmpAddr); diff != "" {
		t.Errorf("B dataplane next hops (-want +got):\n%s", diff)
	}

	// Changing the export RTs re-advertises; B must never lose the route
	// (bagpipe defect: the update went out as a withdrawal).
	att.ExportRTs = rts("64512:200", "64512:201")
	if err := a.m.Attach(ctx, att); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "new RTs at B", func() bool {
		best, _ := b.m.Routes("vrf-b", BestRoutes)
		rs := best["10.100.0.5/32"]
		return len(rs) == 1 && len(rs[0].RouteTargets) == 2
	})

	// A refused attach changes nothing (bagpipe changed the RTs first).
	bad := ipvpnAttach("vrf-a", "52:54:00:00:00:09", "10.100.0.5/24", "tap-a9", rts("64512:999"), rts("64512:999"))
	var ie *InputError
	if err := a.m.Attach(ctx, bad); !errors.As(err, &ie) || ie.Field != "ip_address" {
		t.Fatalf("Attach(IP of another MAC) = %v, want an ip_address InputError", err)
	}
	v, _ := a.m.Instance("vrf-a")
	if diff := cmp.Diff(RTsView{Import: []string{"64512:100"}, Export: []string{"64512:200", "64512:201"}}, v.RouteTargets); diff != "" {
		t.Errorf("RTs after a refused attach (-want +got):\n%s", diff)
	}

	// Detaching the last endpoint withdraws the route and stops the VRF.
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-a", MAC: mac("52:54:00:00:00:01"), IP: netip.MustParsePrefix("10.100.0.5/32"), LocalPort: LocalPort{LinuxIf: "tap-a1"}}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "withdrawal at B", func() bool { return len(vrfRoutes(b.ipvpn, "vrf-b")["10.100.0.5/32"]) == 0 })
	if _, ok := a.m.Instance("vrf-a"); ok {
		t.Errorf("vrf-a still exists after its last detach")
	}
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-a", MAC: mac("52:54:00:00:00:01"), IP: netip.MustParsePrefix("10.100.0.5/32")}); !errors.Is(err, ErrNotFound) {
		t.Errorf("second Detach = %v, want ErrNotFound", err)
	}
}

func TestFailedAttachLeavesNoInstance(t *testing.T) {
	ctx := context.Background()
	a, _ := twoNodes(t, Config{})
	if err := a.m.Attach(ctx, Attachment{VPNType: EVPN, VPNInstanceID: "evi-1", MAC: mac("52:54:00:00:00:01"), LocalPort: LocalPort{LinuxIf: "t1"}, VNI: 7000, ImportRTs: rts("1:1"), ExportRTs: rts("1:1")}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		a     Attachment
		field string
	}{
		{"duplicate vni", Attachment{VPNType: EVPN, VPNInstanceID: "evi-2", MAC: mac("52:54:00:00:00:02"), LocalPort: LocalPort{LinuxIf: "t2"}, VNI: 7000}, "vni"},
		{"bad direction", Attachment{VPNType: IPVPN, VPNInstanceID: "vrf-3", MAC: mac("52:54:00:00:00:03"), IP: netip.MustParsePrefix("10.0.0.3/24"), GatewayIP: netip.MustParseAddr("10.0.0.1"), LocalPort: LocalPort{LinuxIf: "t3"}, Direction: "sideways"}, "direction"},
		{"type clash", Attachment{VPNType: IPVPN, VPNInstanceID: "evi-1", MAC: mac("52:54:00:00:00:04"), IP: netip.MustParsePrefix("10.0.0.4/24"), GatewayIP: netip.MustParseAddr("10.0.0.1"), LocalPort: LocalPort{LinuxIf: "t4"}}, "vpn_type"},
		{"mac on two ports", Attachment{VPNType: EVPN, VPNInstanceID: "evi-1", MAC: mac("52:54:00:00:00:01"), LocalPort: LocalPort{LinuxIf: "other"}}, "mac_address"},
		{"missing gateway", Attachment{VPNType: IPVPN, VPNInstanceID: "vrf-5", MAC: mac("52:54:00:00:00:05"), IP: netip.MustParsePrefix("10.0.0.5/24"), LocalPort: LocalPort{LinuxIf: "t5"}}, "gateway_ip"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var ie *InputError
			if err := a.m.Attach(ctx, tc.a); !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("Attach = %v, want an InputError on %s", err, tc.field)
			}
		})
	}
	if got := a.m.Instances(); len(got) != 1 || got[0].ID != "evi-1" {
		t.Errorf("Instances() = %+v, want only evi-1", got)
	}
}

func TestEVPNExchange(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	for _, n := range []struct {
		n   *node
		mac string
		ip  string
	}{{a, "52:54:00:00:00:0a", "10.0.0.10/24"}, {b, "52:54:00:00:00:0b", "10.0.0.11/24"}} {
		if err := n.n.m.Attach(ctx, Attachment{VPNType: EVPN, VPNInstanceID: "evi", MAC: mac(n.mac), IP: netip.MustParsePrefix(n.ip), LocalPort: LocalPort{LinuxIf: "tap"}, VNI: 5000, ImportRTs: rts("64512:5000"), ExportRTs: rts("64512:5000")}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "A's MAC and flood entry at B", func() bool {
		for _, e := range b.evpn.State().EVIs {
			if e.ID == "evi" && len(e.MACs) == 1 && len(e.Flood) == 1 {
				return true
			}
		}
		return false
	})
	e := b.evpn.State().EVIs[0]
	wantMACs := []dataplane.FDBEntry{{MAC: dataplane.MAC(mac("52:54:00:00:00:0a")), IP: netip.MustParseAddr("10.0.0.10"), VTEP: a.addr, VNI: 5000}}
	if diff := cmp.Diff(wantMACs, e.MACs, cmpAddr); diff != "" {
		t.Errorf("B's EVI MACs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]dataplane.FloodEntry{{VTEP: a.addr, VNI: 5000}}, e.Flood, cmpAddr); diff != "" {
		t.Errorf("B's EVI flood list (-want +got):\n%s", diff)
	}
}

// An instance created after the routes arrived imports them at once, and
// two VRFs of one agent see each other's routes without BGP.
func TestLateImportAndLocalLeak(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	if err := a.m.Attach(ctx, ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.1.0.5/24", "tap-a1", rts("64512:1"), rts("64512:300"))); err != nil {
		t.Fatal(err)
	}
	// B imports 64512:300 only after a first VRF exists that does not.
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b1", "52:54:00:00:00:02", "10.2.0.5/24", "tap-b1", rts("64512:2"), rts("64512:301"))); err != nil {
		t.Fatal(err)
	}
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b2", "52:54:00:00:00:03", "10.3.0.5/24", "tap-b2", rts("64512:300", "64512:301"), rts("64512:302"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A's route in vrf-b2", func() bool { return len(vrfRoutes(b.ipvpn, "vrf-b2")["10.1.0.5/32"]) == 1 })
	waitFor(t, "vrf-b1's route in vrf-b2 (local)", func() bool { return len(vrfRoutes(b.ipvpn, "vrf-b2")["10.2.0.5/32"]) == 1 })
	if nh := vrfRoutes(b.ipvpn, "vrf-b2")["10.2.0.5/32"][0]; !nh.Local {
		t.Errorf("vrf-b1's route in vrf-b2 = %+v, want a local next hop", nh)
	}
	if got := vrfRoutes(b.ipvpn, "vrf-b1"); len(got) != 0 {
		t.Errorf("vrf-b1 imported %v, want nothing", got)
	}
}

func TestStrictVNIRefusal(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{StrictVNI: true})
	if err := a.m.Attach(ctx, Attachment{VPNType: EVPN, VPNInstanceID: "evi", MAC: mac("52:54:00:00:00:0a"), LocalPort: LocalPort{LinuxIf: "tap"}, VNI: 5000, ImportRTs: rts("64512:5"), ExportRTs: rts("64512:5")}); err != nil {
		t.Fatal(err)
	}
	if err := b.m.Attach(ctx, Attachment{VPNType: EVPN, VPNInstanceID: "evi", MAC: mac("52:54:00:00:00:0b"), LocalPort: LocalPort{LinuxIf: "tap"}, VNI: 6000, ImportRTs: rts("64512:5"), ExportRTs: rts("64512:5")}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "refused routes at B", func() bool {
		rs, _ := b.m.Routes("evi", RefusedRoutes)
		return len(rs) == 2
	})
	rs, _ := b.m.Routes("evi", RefusedRoutes)
	for te, l := range rs {
		if want := "strict VNI check: route VNI 5000 differs from VNI 6000 of instance evi"; l[0].Reason != want {
			t.Errorf("refusal of %s = %q, want %q", te, l[0].Reason, want)
		}
	}
}

// Re-attaching an endpoint with advertise_subnet swaps its host route for
// the subnet with an endpoint RD; detaching one of two endpoints withdraws
// only its route.
func TestEndpointRefresh(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b", "52:54:00:00:00:09", "10.9.0.9/24", "tap-b", rts("64512:7"), rts("64512:8"))); err != nil {
		t.Fatal(err)
	}
	att := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.7.0.5/24", "tap-a1", rts("64512:8"), rts("64512:7"))
	att2 := ipvpnAttach("vrf-a", "52:54:00:00:00:02", "10.7.0.6/24", "tap-a2", rts("64512:8"), rts("64512:7"))
	for _, x := range []Attachment{att, att2} {
		if err := a.m.Attach(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "two host routes at B", func() bool {
		r := vrfRoutes(b.ipvpn, "vrf-b")
		return len(r["10.7.0.5/32"]) == 1 && len(r["10.7.0.6/32"]) == 1
	})
	att.AdvertiseSubnet = true
	if err := a.m.Attach(ctx, att); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "subnet instead of host route", func() bool {
		r := vrfRoutes(b.ipvpn, "vrf-b")
		return len(r["10.7.0.0/24"]) == 1 && len(r["10.7.0.5/32"]) == 0 && len(r["10.7.0.6/32"]) == 1
	})
	best, _ := b.m.Routes("vrf-b", BestRoutes)
	if rd := best["10.7.0.0/24"][0].RD; rd == "127.0.0.21:0" {
		t.Errorf("subnet route RD = %s, want an endpoint RD, not the instance's", rd)
	}
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-a", MAC: att2.MAC, IP: att2.IP}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "only the detached route gone", func() bool {
		r := vrfRoutes(b.ipvpn, "vrf-b")
		return len(r["10.7.0.6/32"]) == 0 && len(r["10.7.0.0/24"]) == 1
	})
}

// Routes received with a readvertise from_rt are leaked toward to_rt with
// this agent as next hop, the port's label and an RT record.
func TestReadvertise(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	// B: a source VRF exporting 64512:500, and a VRF importing 64512:600.
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-src", "52:54:00:00:00:05", "10.5.0.5/24", "tap-s", rts("64512:1"), rts("64512:500"))); err != nil {
		t.Fatal(err)
	}
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-dst", "52:54:00:00:00:06", "10.6.0.6/24", "tap-d", rts("64512:600"), rts("64512:2"))); err != nil {
		t.Fatal(err)
	}
	leak := ipvpnAttach("vrf-leak", "52:54:00:00:00:07", "10.7.0.7/24", "tap-l", rts("64512:3"), rts("64512:4"))
	leak.Readvertise = &Readvertise{FromRTs: rts("64512:500"), ToRTs: rts("64512:600")}
	if err := a.m.Attach(ctx, leak); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "leaked route in vrf-dst", func() bool {
		best, _ := b.m.Routes("vrf-dst", BestRoutes)
		rs := best["10.5.0.5/32"]
		return len(rs) == 1 && rs[0].NextHop == a.addr.String()
	})
	best, _ := b.m.Routes("vrf-dst", BestRoutes)
	r := best["10.5.0.5/32"][0]
	if diff := cmp.Diff([]string{"64512:600"}, r.RouteTargets); diff != "" {
		t.Errorf("leaked route RTs (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"64512:500"}, r.RTRecords); diff != "" {
		t.Errorf("leaked route RT records (-want +got):\n%s", diff)
	}
	if rv, _ := a.m.Routes("vrf-leak", Readvertised); len(rv["10.5.0.5/32"]) != 1 {
		t.Errorf("vrf-leak readvertised = %v, want the leaked route", rv)
	}
}

// Stopping the last instance importing an RT drops it from the import
// index and the RT constraint memberships, readvertise ones included.
func TestStopReleasesSubscriptions(t *testing.T) {
	ctx := context.Background()
	a, _ := twoNodes(t, Config{})
	leak := ipvpnAttach("vrf-leak", "52:54:00:00:00:07", "10.7.0.7/24", "tap-l", rts("64512:3"), rts("64512:4"))
	leak.Readvertise = &Readvertise{FromRTs: rts("64512:500"), ToRTs: rts("64512:600")}
	if err := a.m.Attach(ctx, leak); err != nil {
		t.Fatal(err)
	}
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf-leak", MAC: leak.MAC, IP: leak.IP}); err != nil {
		t.Fatal(err)
	}
	a.m.mu.Lock()
	defer a.m.mu.Unlock()
	if len(a.m.importIdx) != 0 || len(a.m.rtcRefs) != 0 {
		t.Errorf("after the last detach: import index %v, RTC refs %v, want both empty", a.m.importIdx, a.m.rtcRefs)
	}
}

// Every address of a port is advertised, IPv6 ones as VPNv6 routes.
func TestIPv6Endpoint(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b", "52:54:00:00:00:02", "10.6.0.2/24", "tap-b", rts("64512:66"), rts("64512:67"))); err != nil {
		t.Fatal(err)
	}
	v4 := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.6.0.1/24", "tap-a", rts("64512:67"), rts("64512:66"))
	v6 := v4
	v6.IP, v6.GatewayIP = netip.MustParsePrefix("2001:db8:6::1/64"), netip.MustParseAddr("2001:db8:6::ffff")
	for _, x := range []Attachment{v4, v6} {
		if err := a.m.Attach(ctx, x); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "both addresses at B", func() bool {
		best, _ := b.m.Routes("vrf-b", BestRoutes)
		return len(best["10.6.0.1/32"]) == 1 && len(best["2001:db8:6::1/128"]) == 1
	})
	best, _ := b.m.Routes("vrf-b", BestRoutes)
	r := best["2001:db8:6::1/128"][0]
	if r.AFISAFI != "ipv6/mpls-vpn" || r.NextHop != a.addr.String() || r.Label != best["10.6.0.1/32"][0].Label {
		t.Errorf("IPv6 route = %+v, want a VPNv6 route with our IPv4 next hop and the MAC's label", r)
	}
}

// An ipvpn instance asked for EVPN type 5 advertises each prefix twice:
// VPNv4 and an RFC 9136 IP Prefix route with VXLAN and the Router's MAC.
func TestEVPNType5Origination(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	on, off := true, false
	att := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.100.0.5/24", "tap-a1", rts("64512:100"), rts("64512:300"))
	att.VNI, att.LocalPref, att.EVPNType5 = 5001, 150, &on
	if err := a.m.Attach(ctx, att); err != nil {
		t.Fatal(err)
	}
	// B asks for the RT, or A's routes would stay behind RT constraint.
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b", "52:54:00:00:00:02", "10.100.0.6/24", "tap-b1", rts("64512:300"), rts("64512:100"))); err != nil {
		t.Fatal(err)
	}
	type5At := func(n *node) []speaker.Route {
		var out []speaker.Route
		n.sp.Best(speaker.EVPN, func(r *speaker.Route) {
			if r.EVPNType == speaker.EVPNIPPrefix && r.Peer.IsValid() {
				out = append(out, *r)
			}
		})
		return out
	}
	waitFor(t, "A's type 5 route at B", func() bool { return len(type5At(b)) == 1 })
	got := type5At(b)[0]
	want := speaker.Route{
		Family: speaker.EVPN, EVPNType: speaker.EVPNIPPrefix, RD: rtrd.MustParse("127.0.0.21:0"),
		Prefix: netip.MustParsePrefix("10.100.0.5/32"), Label: 5001,
		NextHop: a.addr, RTs: rts("64512:300"), LocalPref: 150,
		Encaps: []speaker.Encap{speaker.EncapVXLAN}, RouterMAC: mac("02:b6:7f:00:00:15"),
	}
	opts := []cmp.Option{cmpAddr, cmpopts.IgnoreFields(speaker.Route{}, "Peer", "PeerASN", "Age")}
	if diff := cmp.Diff(want, got, opts...); diff != "" {
		t.Errorf("type 5 route at B (-want +got):\n%s", diff)
	}
	if v, _ := a.m.Instance("vrf-a"); !v.AdvertiseEVPNType5 || v.Counts["advertised"] != 2 {
		t.Errorf("vrf-a view: advertise_evpn_type5 %v, %d routes advertised, want true, 2", v.AdvertiseEVPNType5, v.Counts["advertised"])
	}

	// A second port follows the setting without repeating it.
	if err := a.m.Attach(ctx, ipvpnAttach("vrf-a", "52:54:00:00:00:03", "10.100.0.7/24", "tap-a3", rts("64512:100"), rts("64512:300"))); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "second type 5 route at B", func() bool { return len(type5At(b)) == 2 })

	// Turning it off withdraws the type 5 routes and keeps the VPNv4 ones.
	att.EVPNType5 = &off
	if err := a.m.Attach(ctx, att); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "type 5 withdrawal at B", func() bool { return len(type5At(b)) == 0 })
	if got := len(vrfRoutes(b.ipvpn, "vrf-b")); got != 2 {
		t.Errorf("B's VRF holds %d prefixes after type 5 went off, want 2", got)
	}

	// An EVI cannot originate type 5.
	var ie *InputError
	if err := a.m.Attach(ctx, Attachment{VPNType: EVPN, VPNInstanceID: "evi", MAC: mac("52:54:00:00:00:09"), LocalPort: LocalPort{LinuxIf: "t9"}, EVPNType5: &on}); !errors.As(err, &ie) || ie.Field != "advertise_evpn_type5" {
		t.Errorf("EVPN Attach with type 5 = %v, want an advertise_evpn_type5 InputError", err)
	}
}
