package agent

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// An instance with aggregate RTs advertises one route per subnet of its
// endpoints with them (the VRF's label), its host routes with its export
// RTs only; the aggregate goes with the last endpoint of its subnet.
func TestSubnetAggregates(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodesWith(t, Config{}, Config{})
	// B stands for the PE: it imports the BGPVPN's RT (64512:1) only.
	if err := b.m.Attach(ctx, ipvpnAttach("pe", "52:54:00:00:00:06", "10.6.0.6/24", "tap-b", rts("64512:1"), rts("64512:2"))); err != nil {
		t.Fatal(err)
	}
	var atts []Attachment
	for _, x := range []struct{ mac, ip string }{{"52:54:00:00:00:01", "10.1.0.5/24"}, {"52:54:00:00:00:02", "10.1.0.6/24"}, {"52:54:00:00:00:03", "10.3.0.7/24"}} {
		at := ipvpnAttach("net", x.mac, x.ip, "tap-"+x.mac[15:], rts("64512:1", "65534:7"), rts("65534:7"))
		at.AggregateRTs = rts("64512:1")
		atts = append(atts, at)
		if err := a.m.Attach(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	got := func() map[string]speaker.Route { return received(b, speaker.VPNv4) }
	waitFor(t, "the aggregates at B", func() bool { return len(got()) == 2 })
	if d := cmp.Diff([]string{"10.1.0.0/24", "10.3.0.0/24"}, prefixes(got()), cmpopts.SortSlices(func(x, y string) bool { return x < y })); d != "" {
		t.Errorf("what the PE side imports (-want +got):\n%s", d)
	}
	agg := got()["10.1.0.0/24"]
	a.m.mu.Lock()
	label := a.m.instances["net"].dataplaneID()
	a.m.mu.Unlock()
	if agg.Label != label || !cmp.Equal(agg.RTs, rts("64512:1"), cmpAddr) {
		t.Errorf("aggregate: label %d RTs %v, want the VRF's label %d and [64512:1]", agg.Label, agg.RTs, label)
	}
	// The host routes are out with the host RT only.
	hosts := 0
	a.sp.Best(speaker.VPNv4, func(r *speaker.Route) {
		if !r.Peer.IsValid() && r.Prefix.Bits() == 32 {
			hosts++
			if !cmp.Equal(r.RTs, rts("65534:7"), cmpAddr) {
				t.Errorf("host route %s with RTs %v, want [65534:7]", r.Prefix, r.RTs)
			}
		}
	})
	if hosts != 3 {
		t.Errorf("%d host routes advertised, want 3", hosts)
	}
	if err := a.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "net", MAC: atts[2].MAC, IP: netip.MustParsePrefix("10.3.0.7/24"), LocalPort: atts[2].LocalPort}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "10.3.0.0/24 withdrawn", func() bool { _, ok := got()["10.3.0.0/24"]; return !ok })
	if _, ok := got()["10.1.0.0/24"]; !ok {
		t.Errorf("10.1.0.0/24 went too")
	}
}

// Two agents aggregating the same subnet do not import each other's
// aggregate (it would bounce packets for unknown addresses between them).
func TestOwnAggregateRefused(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodesWith(t, Config{}, Config{})
	for i, n := range []*node{a, b} {
		at := ipvpnAttach("net", fmt.Sprintf("52:54:00:00:00:0%d", i+1), fmt.Sprintf("10.1.0.%d/24", i+5), "tap-x", rts("64512:1", "65534:7"), rts("65534:7"))
		at.AggregateRTs = rts("64512:1")
		if err := n.m.Attach(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "B's host route at A", func() bool { _, ok := received(a, speaker.VPNv4)["10.1.0.6/32"]; return ok })
	waitFor(t, "B's aggregate at A", func() bool { _, ok := received(a, speaker.VPNv4)["10.1.0.0/24"]; return ok })
	waitFor(t, "B's aggregate refused in A's VRF", func() bool {
		a.m.mu.Lock()
		defer a.m.mu.Unlock()
		for _, rf := range a.m.instances["net"].refused {
			if rf.reason != "" && rf.route.route().Prefix.String() == "10.1.0.0/24" {
				return true
			}
		}
		return false
	})
}

// The forwarding state auto_aggregate relies on, with the dummy dataplane:
// a VRF that imports only the BGPVPN's RT (network C on B, as a PE would)
// routes A's subnet to A's aggregate with the label of A's VRF (looked up
// there), and that VRF on A routes to B's port of the same network by its
// host route: the PE side reaches a port on B through A.
func TestAggregateForwardingState(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodes(t, Config{})
	attach := func(n *node, inst, mac, ip, host string) {
		at := ipvpnAttach(inst, mac, ip, "tap-"+mac[15:], rts("64512:1", host), rts(host))
		at.AggregateRTs = rts("64512:1")
		if err := n.m.Attach(ctx, at); err != nil {
			t.Fatal(err)
		}
	}
	attach(a, "netA", "52:54:00:00:00:01", "10.1.0.5/24", "65534:7")
	attach(b, "netA", "52:54:00:00:00:02", "10.1.0.6/24", "65534:7")
	attach(b, "netC", "52:54:00:00:00:03", "10.3.0.7/24", "65534:8")
	a.m.mu.Lock()
	labelA := a.m.instances["netA"].dataplaneID()
	a.m.mu.Unlock()
	waitFor(t, "C's VRF on B to route A's subnet to A's VRF", func() bool {
		for _, nh := range vrfRoutes(b.ipvpn, "netC")["10.1.0.0/24"] {
			if nh.Address == a.nhop && nh.Label == labelA {
				return true
			}
		}
		return false
	})
	// Of A's host routes, C's VRF has only B's own port (a local port):
	// the one on A it reaches through A's aggregate.
	if r := vrfRoutes(b.ipvpn, "netC"); len(r["10.1.0.5/32"]) > 0 || len(r["10.1.0.6/32"]) != 1 || !r["10.1.0.6/32"][0].Local {
		t.Errorf("C's VRF on B: %v, want A's subnet via A and only B's own port of A as a local port", r)
	}
	waitFor(t, "A's VRF on A to route to B's port of A by its host route", func() bool {
		for _, nh := range vrfRoutes(a.ipvpn, "netA")["10.1.0.6/32"] {
			if nh.Address == b.nhop {
				return true
			}
		}
		return false
	})
	waitFor(t, "A's VRF on A to route C's subnet to B", func() bool { return len(vrfRoutes(a.ipvpn, "netA")["10.3.0.0/24"]) > 0 })
	if r := vrfRoutes(a.ipvpn, "netA")["10.1.0.0/24"]; len(r) != 0 {
		t.Errorf("A's VRF on A routes its own subnet to another agent: %v", r)
	}
	// On B, A's VRF reaches C's port on B (C only has ports on B) as a
	// local port, not through C's aggregate: the linux driver routes local
	// next hops to ports.
	waitFor(t, "A's VRF on B to reach C's port as a local port", func() bool {
		nhs := vrfRoutes(b.ipvpn, "netA")["10.3.0.7/32"]
		return len(nhs) == 1 && nhs[0].Local
	})
	if r := vrfRoutes(b.ipvpn, "netA")["10.3.0.0/24"]; len(r) != 0 {
		t.Errorf("A's VRF on B routes C's subnet to C's local aggregate: %v", r)
	}
}
