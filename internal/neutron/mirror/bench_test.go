package mirror_test

import (
	"context"
	"fmt"
	"runtime"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
)

// bigSnapshot is Neutron with 100 networks of 100 ports each, on 50 hosts.
func bigSnapshot() *mirror.Snapshot {
	var s mirror.Snapshot
	for n := range 100 {
		net := fmt.Sprintf("net%03d", n)
		sn := fmt.Sprintf("sn%03d", n)
		s.Networks = append(s.Networks, network(net))
		s.Subnets = append(s.Subnets, subnet(sn, net, fmt.Sprintf("10.%d.%d.0/24", n/256, n%256), fmt.Sprintf("10.%d.%d.1", n/256, n%256)))
		for p := range 100 {
			s.Ports = append(s.Ports, port(fmt.Sprintf("port%03d-%03d", n, p), net, fmt.Sprintf("host%02d", p%50),
				fmt.Sprintf("fa:16:3e:00:%02x:%02x", n, p), ip(sn, fmt.Sprintf("10.%d.%d.%d", n/256, n%256, p+2))))
		}
	}
	return &s
}

// BenchmarkFullSync10000Ports is the first sync of a Neutron holding
// 10,000 ports into an empty store (SQLite, bagpipe driver: every port's
// event runs its precommit, which touches its host), as at the first start
// in Neutron mode. Reading Neutron is not included (its own speed).
func BenchmarkFullSync10000Ports(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		f := newFixture(b)
		snap := bigSnapshot()
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		b.StartTimer()
		if _, err := f.m.Apply(context.Background(), snap); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.TotalAlloc-before.TotalAlloc)/(1<<20), "MiB-alloc/sync")
		b.ReportMetric(float64(after.HeapSys)/(1<<20), "MiB-heap-sys")
		b.StartTimer()
	}
}

// BenchmarkResyncUnchanged10000Ports is a periodic resync that finds
// nothing changed: what every notification and every resync_interval
// costs on a quiet Neutron of 10,000 ports.
func BenchmarkResyncUnchanged10000Ports(b *testing.B) {
	f := newFixture(b)
	snap := bigSnapshot()
	if _, err := f.m.Apply(context.Background(), snap); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if s, err := f.m.Apply(context.Background(), bigSnapshot()); err != nil || s != (mirror.Stats{}) {
			b.Fatalf("resync = %+v, %v", s, err)
		}
	}
}
