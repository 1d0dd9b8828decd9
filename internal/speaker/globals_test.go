package speaker

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
)

// Speakers of one process (tests, benchmarks) start while others are in
// use. GoBGP writes package-level state when a server starts; under the
// race detector (go test -race) this test fails if starting a speaker is
// not kept apart from the others' calls.
func TestStartWhileAnotherSpeakerIsUsed(t *testing.T) {
	ctx := context.Background()
	a, err := Start(ctx, Config{ASN: 64512, RouterID: netip.MustParseAddr("127.0.0.13"), ListenPort: -1, Logger: testLogger(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Stop)
	const n = 50
	seen := make(chan struct{}, n)
	wctx, cancel := context.WithCancel(ctx)
	t.Cleanup(cancel)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range n {
			r := Route{Family: VPNv4, RD: rtrd.MustParse("64512:1"), Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, 0, byte(i)}), 32),
				Label: 100, NextHop: netip.MustParseAddr("192.0.2.1"), RTs: []RT{rtrd.MustParse("64512:100")}}
			if err := a.Advertise(r); err != nil {
				t.Error(err)
				return
			}
			// A new watcher reads the best paths when it starts.
			err := a.WatchBest(wctx, func(ups []Update) {
				for _, u := range ups {
					if u.Route.Prefix == r.Prefix && !u.Withdraw {
						seen <- struct{}{}
					}
				}
			})
			if err != nil {
				t.Error(err)
				return
			}
		}
	})
	for i := range 5 {
		b, err := Start(ctx, Config{ASN: 64512, RouterID: netip.AddrFrom4([4]byte{127, 0, 0, byte(14 + i)}), ListenPort: -1, Logger: testLogger(t)})
		if err != nil {
			t.Fatal(err)
		}
		b.Stop()
	}
	wg.Wait()
	timeout := time.After(10 * time.Second)
	for range n {
		select {
		case <-seen:
		case <-timeout:
			t.Fatal("a watcher did not see the route advertised just before it started")
		}
	}
}
