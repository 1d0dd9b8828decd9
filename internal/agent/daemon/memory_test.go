package daemon

import (
	"testing"
	"time"
)

func TestGCPercent(t *testing.T) {
	for _, tc := range []struct {
		name  string
		live  uint64
		base  int
		burst bool
		want  int
	}{
		{"small heap, quiet: GOGC", 10 << 20, 100, false, 100},
		{"small heap, burst: the headroom", 16 << 20, 100, true, 600},
		{"no collection yet, burst", 0, 100, true, 2400},
		{"large heap: headroom only", 192 << 20, 100, false, 50},
		{"large heap, burst: headroom only", 192 << 20, 100, true, 50},
		{"huge heap: the floor", 4 << 30, 100, true, gcMinPercent},
		{"GOGC below the floor", 4 << 30, 10, false, 10},
		{"GOGC above the headroom", 16 << 20, 1000, false, 600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := gcPercent(tc.live, tc.base, tc.burst); got != tc.want {
				t.Errorf("gcPercent(%d, %d, %v) = %d, want %d", tc.live, tc.base, tc.burst, got, tc.want)
			}
		})
	}
}

// fakeRuntime is what the governor sees of the runtime and the manager.
type fakeRuntime struct {
	churn    uint64
	live     uint64
	percent  int
	collects int
}

func (f *fakeRuntime) governor(base int) *memoryGovernor {
	return &memoryGovernor{
		churn:        func() uint64 { return f.churn },
		setGCPercent: func(p int) int { old := f.percent; f.percent = p; return old },
		heap:         func() heapStats { return heapStats{live: f.live, objects: f.live} },
		collect:      func() { f.collects++ },
		base:         base,
	}
}

func TestGovernorBurstThenTrim(t *testing.T) {
	f := &fakeRuntime{percent: 100, live: 16 << 20}
	g := f.governor(100)
	now := time.Unix(0, 0)
	tick := func(updates uint64) {
		f.churn += updates
		now = now.Add(memoryTick)
		g.step(now)
	}
	tick(0)
	if f.percent != 100 {
		t.Errorf("quiet, small heap: GC percent %d, want GOGC's 100", f.percent)
	}
	for range 10 {
		tick(2000) // 20,000 updates/s
	}
	if !g.burst || f.percent <= 100 {
		t.Errorf("during a burst: burst=%v, GC percent %d, want more than 100", g.burst, f.percent)
	}
	if f.collects != 0 {
		t.Errorf("collected %d times during the burst, want none", f.collects)
	}
	for range 40 {
		tick(0)
	}
	if g.burst || f.percent != 100 {
		t.Errorf("after the burst: burst=%v, GC percent %d, want 100", g.burst, f.percent)
	}
	if f.collects != 1 {
		t.Errorf("collected %d times once quiet, want 1", f.collects)
	}
	for range 40 {
		tick(0)
	}
	if f.collects != 1 {
		t.Errorf("collected %d times with nothing new, want still 1", f.collects)
	}
}

func TestGovernorLeavesGOGCOffAlone(t *testing.T) {
	f := &fakeRuntime{percent: -1}
	g := f.governor(-1)
	now := time.Unix(0, 0)
	for range 20 {
		f.churn += 5000
		now = now.Add(memoryTick)
		g.step(now)
	}
	if f.percent != -1 {
		t.Errorf("GOGC=off: GC percent set to %d", f.percent)
	}
}
