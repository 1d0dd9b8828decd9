package daemon

import (
	"context"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// The agent's memory is mostly its routes, and a burst of route updates (a
// table dump, a mass withdrawal) allocates several times what it keeps:
// GoBGP v4.8.0 copies its whole neighbour configuration (4.5 KB with our
// four families) for every UPDATE received, a reflector sends one UPDATE
// per VPN route, and the garbage of each UPDATE lies in the same spans as
// the route it leaves behind. manageMemory paces the collector by an
// amount of garbage rather than by GOGC's proportion of the live heap:
//
//   - the heap may grow by gcHeadroom over its live size between
//     collections, and no more: with GOGC's doubling, the last
//     collections of a 100,000-route dump let 145 MB of garbage
//     interleave with the routes, and what a span holds of it after the
//     dump stays resident, the span being kept for its routes (lab, 100k
//     routes: settled 1.9 KB per route with GOGC=100, 1.56 with GOGC=25);
//   - during a burst it may grow by gcHeadroom even when that is more than
//     GOGC allows, so that a dump's first seconds, with a small live heap,
//     are not spent collecting it again and again;
//   - once updates have been quiet for a while, it collects and gives the
//     free memory back to the system, which the runtime would otherwise
//     keep for minutes.
//
// So a 100,000-route dump collects about as much in total as with GOGC=100
// (fewer collections of a small heap, more of the large one) and peaks
// lower. gcMinPercent bounds the collector's work for tables so large that
// gcHeadroom is a small part of them. GOGC=off disables all of it.
const (
	memoryTick     = 100 * time.Millisecond
	burstUpdates   = 1000 // per memoryTick: 10,000 updates/s
	burstEnd       = 500 * time.Millisecond
	gcHeadroom     = 96 << 20
	gcMinPercent   = 25
	trimEvery      = 2 * time.Second
	trimAfterChurn = 1000
)

// memoryGovernor is manageMemory's state; the runtime calls are fields so
// that tests can watch them.
type memoryGovernor struct {
	churn        func() uint64 // route updates processed so far
	setGCPercent func(int) int
	heap         func() heapStats
	collect      func() // collect and give memory back

	base    int // GOGC; below 0: off, left alone
	percent int // GC percent set, 0 before the first tick
	burst   bool

	last     uint64 // churn at the previous tick
	lastBusy time.Time

	nextTrim  time.Time
	trimLast  uint64 // churn at the previous trim check
	trimmedAt uint64 // churn at the last collection
}

func manageMemory(ctx context.Context, churn func() uint64) {
	g := newMemoryGovernor(churn)
	t := time.NewTicker(memoryTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			g.restore()
			return
		case now := <-t.C:
			g.step(now)
		}
	}
}

func newMemoryGovernor(churn func() uint64) *memoryGovernor {
	base := debug.SetGCPercent(100) // read GOGC as the runtime parsed it
	debug.SetGCPercent(base)
	return &memoryGovernor{
		churn: churn, setGCPercent: debug.SetGCPercent, heap: readHeap, base: base,
		collect: func() {
			// Twice: what sync.Pools hold (encoding/json keeps the buffer
			// of the largest looking glass answer, 30 MB at 100k routes)
			// goes only at the second collection.
			runtime.GC()
			debug.FreeOSMemory()
		},
	}
}

func (g *memoryGovernor) step(now time.Time) {
	c := g.churn()
	if c-g.last >= burstUpdates {
		g.burst, g.lastBusy = true, now
	} else if g.burst && now.Sub(g.lastBusy) >= burstEnd {
		g.burst = false
	}
	g.last = c
	if g.base > 0 {
		g.pace()
	}
	if now.Before(g.nextTrim) {
		return
	}
	g.nextTrim = now.Add(trimEvery)
	quiet := c == g.trimLast
	g.trimLast = c
	if quiet && !g.burst {
		g.trim(c)
	}
}

// pace sets the GC percent for the live heap of the last collection.
func (g *memoryGovernor) pace() {
	p := gcPercent(g.heap().live, g.base, g.burst)
	// Each change is cheap, but the live heap moves a little at every
	// collection: follow it only when the pace changes by a tenth.
	if g.percent == 0 || p > g.percent*11/10 || p < g.percent*9/10 {
		g.setGCPercent(p)
		g.percent = p
	}
}

func (g *memoryGovernor) restore() {
	if g.percent != 0 {
		g.setGCPercent(g.base)
		g.percent = 0
	}
}

// gcPercent is the GC percent that lets a heap of live bytes grow by
// gcHeadroom: at most base outside a burst, at least gcMinPercent.
func gcPercent(live uint64, base int, burst bool) int {
	live = max(live, 4<<20)
	p := int(gcHeadroom * 100 / live)
	if !burst {
		p = min(p, base)
	}
	return max(p, min(gcMinPercent, base))
}

// trim collects after much churn, or when the heap holds much garbage or
// free memory not yet returned. A few updates leave little garbage: a full
// collection for them every few seconds would cost more than it gives
// back. A large looking glass answer leaves much, without any churn.
func (g *memoryGovernor) trim(c uint64) {
	h := g.heap()
	free, objects, live := h.free, h.objects, h.live
	garbage := objects - min(objects, live)
	if c-g.trimmedAt >= trimAfterChurn || (free > 32<<20 && free > objects/4) || (garbage > 32<<20 && garbage > live/4) {
		g.trimmedAt = c
		g.collect()
	}
}

// heapStats are the runtime's figures the governor works from.
type heapStats struct {
	live    uint64 // marked live by the last collection
	objects uint64 // live and not yet collected
	free    uint64 // free, not returned to the system
}

func readHeap() heapStats {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/free:bytes"}}
	metrics.Read(s)
	return heapStats{live: s[0].Value.Uint64(), objects: s[1].Value.Uint64(), free: s[2].Value.Uint64()}
}
