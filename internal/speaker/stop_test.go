package speaker

import (
	"net/netip"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
)

// A speaker stopped for a restart leaves its routes at a peer that
// negotiated graceful restart (stale, for the restart time); one stopped
// for good has them withdrawn at once.
func TestGracefulStop(t *testing.T) {
	for _, graceful := range []bool{true, false} {
		t.Run(map[bool]string{true: "StopGraceful", false: "Stop"}[graceful], func(t *testing.T) {
			a, b := pair(t)
			tb := watch(t, b)
			rt := rtrd.MustParse("64512:100")
			if err := b.Advertise(Route{Family: RTC, OriginASN: 64512, MembershipRT: rt, NextHop: b.RouterID()}); err != nil {
				t.Fatal(err)
			}
			r := Route{Family: VPNv4, RD: rtrd.MustParse("64512:1"), Prefix: netip.MustParsePrefix("10.7.0.1/32"), Label: 20,
				NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rt}, LocalPref: 100}
			if err := a.Advertise(r); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 10*time.Second, "the route at b", func() bool { _, ok := tb.get(r.Key()); return ok })
			// b's table holds it. Asking b's server also orders, for the
			// race detector, its watcher's reading of the route before
			// the session ends (GoBGP marks it stale then); the detector
			// cannot see that order through TCP.
			ps, ok, err := b.PeerDetail(t.Context(), a.RouterID())
			if err != nil || !ok || ps.Received[VPNv4] != 1 {
				t.Fatalf("b.PeerDetail(a) = %+v, %v, %v; want 1 VPNv4 route received", ps, ok, err)
			}
			if graceful {
				a.StopGraceful()
			} else {
				a.Stop()
			}
			waitFor(t, 10*time.Second, "b sees the session down", func() bool {
				ps, err := b.Peers(t.Context())
				return err == nil && len(ps) == 1 && ps[0].State != "Established"
			})
			if graceful {
				// b has handled everything a sent before the close (the
				// session's end comes after it on the connection), so its
				// table shows whether a withdrew the route.
				if !hasBest(t, b, r.Key()) {
					t.Errorf("route at b after a graceful stop: withdrawn, want kept (stale)")
				}
				return
			}
			// After a Hard Reset b drops a's routes as the session ends.
			waitFor(t, 10*time.Second, "the route withdrawn at b", func() bool { return !hasBest(t, b, r.Key()) })
		})
	}
}

// hasBest reports whether sp's table has a best path for key.
func hasBest(t *testing.T, sp *Speaker, key string) bool {
	t.Helper()
	found := false
	if err := sp.Best(VPNv4, func(r *Route) { found = found || r.Key() == key }); err != nil {
		t.Fatalf("Best(VPNv4) = %v", err)
	}
	return found
}

// A reflector's dynamic neighbours have no configured address: stopping
// it ends their sessions too (GoBGP's DeletePeer panicked on the address
// its ListPeer gives them).
func TestStopWithDynamicNeighbours(t *testing.T) {
	for _, graceful := range []bool{true, false} {
		t.Run(map[bool]string{true: "StopGraceful", false: "Stop"}[graceful], func(t *testing.T) {
			ctx := t.Context()
			ipRR, ipC := netip.MustParseAddr("127.0.0.15"), netip.MustParseAddr("127.0.0.16")
			port := freePort(t, ipRR.String())
			rr, err := Start(ctx, Config{ASN: 64512, RouterID: ipRR, ListenPort: port, ListenAddresses: []netip.Addr{ipRR},
				GracefulRestart: 30, RouteReflector: true, Logger: testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(rr.Stop)
			if err := rr.AddDynamicNeighbors(ctx, netip.MustParsePrefix("127.0.0.16/32"), 64512); err != nil {
				t.Fatal(err)
			}
			c, err := Start(ctx, Config{ASN: 64512, RouterID: ipC, ListenPort: -1, GracefulRestart: 30, Logger: testLogger(t)})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(c.Stop)
			if err := c.AddPeer(ctx, Peer{Address: ipRR, ASN: 64512, Port: uint16(port), LocalAddress: ipC, ConnectRetry: 1}); err != nil {
				t.Fatal(err)
			}
			up := func() bool {
				ps, err := c.Peers(ctx)
				return err == nil && len(ps) == 1 && ps[0].State == "Established"
			}
			waitFor(t, 15*time.Second, "the client's session", up)
			if graceful {
				rr.StopGraceful()
			} else {
				rr.Stop()
			}
			waitFor(t, 10*time.Second, "the client sees the session down", func() bool { return !up() })
		})
	}
}
