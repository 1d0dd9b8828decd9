package ovs

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// benchNode is one node with a driver, for benchmarks (b.Cleanup removes
// it).
func benchNode(b *testing.B) (*node, *Driver) {
	b.Helper()
	if os.Getenv(ovslab.Env) != "1" || os.Geteuid() != 0 {
		b.Skipf("Open vSwitch benchmark: set %s=1 and run as root", ovslab.Env)
	}
	tb := testing.TB(b)
	l := newLab(tb)
	nd := l.Node(tb, 1)
	return nd, newDriver(tb, nd)
}

// routesState is one VRF importing n /32 routes from 100 remote PEs over
// MPLS over GRE.
func routesState(n int) dataplane.State {
	v := dataplane.VRF{ID: "bench", Number: 1, VNI: 100}
	for i := 0; i < n; i++ {
		v.Routes = append(v.Routes, dataplane.IPRoute{
			Prefix:   netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 32),
			NextHops: []dataplane.NextHop{{Address: netip.AddrFrom4([4]byte{192, 0, 2, byte(10 + i%100)}), Label: uint32(1000 + i%5000), Encap: encapMPLS}},
		})
	}
	return dataplane.State{VRFs: []dataplane.VRF{v}}
}

// BenchmarkImportRoutes: time to install 100,000 imported routes into
// OVS (one flow each) from an empty bridge, reported as flows per second,
// with the heap the driver holds.
func BenchmarkImportRoutes(b *testing.B) {
	nd, d := benchNode(b)
	s := routesState(100000)
	for i := 0; i < b.N; i++ {
		applyWithin(b, d, dataplane.State{}, 10*time.Minute)
		start := time.Now()
		applyWithin(b, d, s, 10*time.Minute)
		b.ReportMetric(float64(len(s.VRFs[0].Routes))/time.Since(start).Seconds(), "flows/s")
	}
	b.StopTimer()
	if n := strings.Count(nd.Ofctl(b, "dump-flows", "--no-stats", "br-mpls"), "\n"); n < 100000 {
		b.Fatalf("bridge has %d flows, want 100,000 and more", n)
	}
	b.ReportMetric(nd.RSS("ovs-vswitchd"), "vswitchd-RSS-MiB")
	reportHeap(b)
}

// benchPorts makes n interfaces p0… in nd's namespace and returns a VRF
// with them as ports.
func benchPorts(b *testing.B, nd *node, n int) dataplane.VRF {
	var batch strings.Builder
	v := dataplane.VRF{ID: "bench", Number: 1, VNI: 100}
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("p%d", i)
		fmt.Fprintf(&batch, "link add %s type veth peer name q%d\nlink set %s up\n", name, i, name)
		v.Ports = append(v.Ports, dataplane.Port{LinuxIf: name, MAC: dataplane.MAC{0x52, 0x54, 0, 0, byte(i >> 8), byte(i)},
			IPs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 16)}, Label: uint32(2000 + i)})
	}
	cmd := exec.Command("ip", "-n", nd.NS, "-batch", "-")
	cmd.Stdin = strings.NewReader(batch.String())
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("creating ports: %v\n%s", err, out)
	}
	return v
}

// reportHeap reports the heap in use (the driver's, in this process).
func reportHeap(b *testing.B) {
	var m runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m)
	b.ReportMetric(float64(m.HeapInuse)/(1<<20), "heap-MiB")
}

// BenchmarkPlugPorts: time to plug 1,000 ports (VM interfaces, one VRF)
// into the bridge and program their flows.
func BenchmarkPlugPorts(b *testing.B) {
	nd, d := benchNode(b)
	s := dataplane.State{VRFs: []dataplane.VRF{benchPorts(b, nd, 1000)}}
	for i := 0; i < b.N; i++ {
		applyWithin(b, d, dataplane.State{}, 10*time.Minute)
		start := time.Now()
		applyWithin(b, d, s, 10*time.Minute)
		b.ReportMetric(1000/time.Since(start).Seconds(), "ports/s")
	}
	b.StopTimer()
	reportHeap(b)
}

// BenchmarkAttachPort: one attach as the driver sees it, 40 times: the
// state gains one port (plugged in OVSDB, its OpenFlow port awaited, its
// flows added, the whole state re-planned and diffed against the bridge's
// cookies), on a bridge that also holds 0 or 10,000 imported routes.
// Reports the p50 and p99 of one Apply.
func BenchmarkAttachPort(b *testing.B) {
	nd, d := benchNode(b)
	all := benchPorts(b, nd, 40)
	for _, n := range []int{0, 10000} {
		b.Run(fmt.Sprintf("%d routes", n), func(b *testing.B) {
			routes := routesState(n).VRFs[0].Routes
			var took []time.Duration
			for i := 0; i < b.N; i++ {
				v := all
				v.Ports, v.Routes = nil, routes
				apply(b, d, dataplane.State{VRFs: []dataplane.VRF{v}})
				for _, p := range all.Ports {
					v.Ports = append(v.Ports, p)
					start := time.Now()
					apply(b, d, dataplane.State{VRFs: []dataplane.VRF{v}})
					took = append(took, time.Since(start))
				}
				apply(b, d, dataplane.State{})
			}
			slices.Sort(took)
			b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
