package speaker

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
)

func testLogger(t *testing.T) *slog.Logger {
	if os.Getenv("SPEAKER_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// freePort finds a free TCP port on addr.
func freePort(t *testing.T, addr string) int32 {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	defer l.Close()
	return int32(l.Addr().(*net.TCPAddr).Port)
}

// pair starts a passive speaker on 127.0.0.11 and an active one on
// 127.0.0.12 that dials it, and waits for the session.
func pair(t *testing.T) (a, b *Speaker) {
	t.Helper()
	ctx := context.Background()
	ipA, ipB := netip.MustParseAddr("127.0.0.11"), netip.MustParseAddr("127.0.0.12")
	port := freePort(t, ipA.String())
	var err error
	a, err = Start(ctx, Config{ASN: 64512, RouterID: ipA, ListenPort: port, ListenAddresses: []netip.Addr{ipA}, GracefulRestart: 30, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Start(a) = %v", err)
	}
	t.Cleanup(a.Stop)
	b, err = Start(ctx, Config{ASN: 64512, RouterID: ipB, ListenPort: -1, GracefulRestart: 30, Logger: testLogger(t)})
	if err != nil {
		t.Fatalf("Start(b) = %v", err)
	}
	t.Cleanup(b.Stop)
	if err := a.AddPeer(ctx, Peer{Address: ipB, ASN: 64512, Passive: true}); err != nil {
		t.Fatal(err)
	}
	if err := b.AddPeer(ctx, Peer{Address: ipA, ASN: 64512, Port: uint16(port), LocalAddress: ipB, ConnectRetry: 1}); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "session established", func() bool {
		ps, err := b.Peers(ctx)
		return err == nil && len(ps) == 1 && ps[0].State == "Established"
	})
	return a, b
}

func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// table collects what WatchBest reports.
type table struct {
	mu sync.Mutex
	m  map[string]Route
}

func watch(t *testing.T, s *Speaker) *table {
	tb := &table{m: map[string]Route{}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	err := s.WatchBest(ctx, func(ups []Update) {
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, u := range ups {
			if !u.Route.Peer.IsValid() {
				continue // our own
			}
			if u.Withdraw {
				delete(tb.m, u.Route.Key())
			} else {
				tb.m[u.Route.Key()] = u.Route
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *table) get(key string) (Route, bool) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	r, ok := tb.m[key]
	return r, ok
}

func (tb *table) len() int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	return len(tb.m)
}

var ignoreMeta = cmp.Options{cmpopts.IgnoreFields(Route{}, "Peer", "PeerASN", "Age"), cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})}

func TestExchange(t *testing.T) {
	ctx := context.Background()
	a, b := pair(t)
	tb := watch(t, b)
	rt100 := rtrd.MustParse("64512:100")
	// b asks for RT 64512:100 only (RT constraint); a must then send only
	// routes that carry it.
	if err := b.Advertise(Route{Family: RTC, OriginASN: 64512, MembershipRT: rt100, NextHop: b.RouterID()}); err != nil {
		t.Fatal(err)
	}
	mac, _ := net.ParseMAC("52:54:00:00:00:01")
	routes := []Route{
		{Family: VPNv4, RD: RD{Kind: rtrd.IPv4Address, IP: a.RouterID(), Number: 0}, Prefix: netip.MustParsePrefix("10.0.0.5/32"), Label: 17,
			NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rt100}, LocalPref: 250, Encaps: []Encap{EncapMPLS}},
		{Family: VPNv6, RD: rtrd.MustParse("4200000000:7"), Prefix: netip.MustParsePrefix("2001:db8::5/128"), Label: 18,
			NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rt100}, LocalPref: 100},
		{Family: EVPN, EVPNType: EVPNMACIP, RD: RD{Kind: rtrd.IPv4Address, IP: a.RouterID(), Number: 1}, MAC: mac, IP: netip.MustParseAddr("10.0.0.5"), Label: 5000,
			NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rt100}, LocalPref: 100, Encaps: []Encap{EncapVXLAN}},
		{Family: EVPN, EVPNType: EVPNMulticast, RD: RD{Kind: rtrd.IPv4Address, IP: a.RouterID(), Number: 1}, IP: a.RouterID(),
			NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rt100}, LocalPref: 100, Encaps: []Encap{EncapVXLAN},
			PMSI: &PMSITunnel{Label: 5000, Endpoint: netip.MustParseAddr("192.0.2.11")}},
		{Family: EVPN, EVPNType: EVPNIPPrefix, RD: RD{Kind: rtrd.IPv4Address, IP: a.RouterID(), Number: 1}, Prefix: netip.MustParsePrefix("10.9.0.0/16"), Label: 5001,
			NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rt100}, LocalPref: 100, Encaps: []Encap{EncapVXLAN}, RouterMAC: mac},
	}
	filtered := Route{Family: VPNv4, RD: RD{Kind: rtrd.IPv4Address, IP: a.RouterID(), Number: 0}, Prefix: netip.MustParsePrefix("10.0.0.6/32"), Label: 19,
		NextHop: netip.MustParseAddr("192.0.2.11"), RTs: []RT{rtrd.MustParse("64512:999")}, LocalPref: 100}
	if err := a.Advertise(append(routes, filtered)...); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "routes at b", func() bool { return tb.len() >= len(routes) })
	for _, want := range routes {
		got, ok := tb.get(want.Key())
		if !ok {
			t.Errorf("route %s not received", &want)
			continue
		}
		if diff := cmp.Diff(want, got, ignoreMeta); diff != "" {
			t.Errorf("route %s (-sent +received):\n%s", &want, diff)
		}
		if got.Peer != a.RouterID() {
			t.Errorf("route %s from %s, want %s", &want, got.Peer, a.RouterID())
		}
	}
	// A route advertised after the filtered one reaches b after it would
	// have: once it is there, the filtered one would be too.
	sentinel := routes[0]
	sentinel.Prefix = netip.MustParsePrefix("10.0.0.7/32")
	if err := a.Advertise(sentinel); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "a route advertised after the filtered one", func() bool { _, ok := tb.get(sentinel.Key()); return ok })
	if _, ok := tb.get(filtered.Key()); ok {
		t.Errorf("route %s with an RT b did not ask for was received", &filtered)
	}

	// Withdraw propagates.
	if err := a.Withdraw(routes[0]); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "withdrawal at b", func() bool { _, ok := tb.get(routes[0].Key()); return !ok })

	ps, err := a.Peers(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || !ps[0].RTCActive() || ps[0].State != "Established" {
		t.Errorf("a.Peers() = %+v, want one established peer with RTC", ps)
	}
}

func TestStartErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{
		{"no router id", Config{ASN: 1, ListenPort: -1}},
		{"ipv6 router id", Config{ASN: 1, RouterID: netip.MustParseAddr("::1"), ListenPort: -1}},
		{"asn 0", Config{RouterID: netip.MustParseAddr("1.2.3.4"), ListenPort: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Start(context.Background(), tc.cfg)
			if err == nil {
				s.Stop()
				t.Fatalf("Start(%+v) = nil error, want one", tc.cfg)
			}
		})
	}
}
