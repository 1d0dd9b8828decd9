package bagpipe_test

import (
	"fmt"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed"
)

// BenchmarkManyAgents watches one server with many simulated agents (one
// port each, on one network) and measures propagation: 1000 agents, or
// BGPVPN_FEED_AGENTS of them, e.g.
//
//	go test -run XXX -bench ManyAgents -benchtime 1x ./internal/driver/bagpipe/
func BenchmarkManyAgents(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("BGPVPN_FEED_AGENTS"))
	if n <= 0 {
		n = 1000
	}
	for b.Loop() {
		manyAgents(b, n)
	}
}

func manyAgents(t testing.TB, n int) {
	// n ports in one project: beyond Neutron's default quota of 500.
	r := newReplicaWith(t, t.TempDir(), "[quotas]\nquota_port = -1\n")
	net := r.create("/networks", "network", `{}`)["id"].(string)
	r.create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 4, "cidr": "10.0.0.0/16"}`)
	ports := make([]string, n)
	for i := range n {
		ports[i] = r.create("/ports", "port", fmt.Sprintf(`{"network_id": "%s", "binding:host_id": "h%d"}`, net, i))["id"].(string)
	}
	vpn := r.create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:1"]}`)["id"].(string)

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	goroutines := runtime.NumGoroutine()
	agents := make([]*agent, n)
	for i := range n {
		agents[i] = newAgent(t, r.url, fmt.Sprint("h", i))
	}
	for _, a := range agents {
		a.until(t, "the first snapshot", count(0))
	}
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	t.Logf("%d agents connected: heap +%.1f MiB, goroutines +%d (client and server sides, one process)",
		n, float64(after.HeapInuse-before.HeapInuse)/(1<<20), runtime.NumGoroutine()-goroutines)

	// One change that touches every host.
	cpu := cpuTime()
	began := time.Now()
	r.create("/bgpvpn/bgpvpns/"+vpn+"/network_associations", "network_association", `{"network_id": "`+net+`"}`)
	lat := waitAll(t, agents, began, count(1))
	t.Logf("association touching all %d hosts: all states delivered after p50 %v, p99 %v, max %v; process CPU %v",
		n, pct(lat, 50), pct(lat, 99), lat[len(lat)-1], cpuTime()-cpu)

	// Changes that touch one host each, with every other agent watching.
	var one []time.Duration
	for i := range 20 {
		a := agents[i*n/20]
		began := time.Now()
		r.do(http.StatusOK, "PUT", "/ports/"+ports[i*n/20], `{"port": {"admin_state_up": false}}`)
		a.until(t, "the port went down", count(0))
		one = append(one, time.Since(began))
	}
	slices.Sort(one)
	t.Logf("port change touching one host among %d watching: p50 %v, max %v", n, pct(one, 50), one[len(one)-1])

	// What liveness writes while the agents only say they are alive.
	idle, _ := time.ParseDuration(os.Getenv("BGPVPN_FEED_IDLE"))
	if idle <= 0 {
		idle = 30 * time.Second
	}
	h := r.srv.Driver.(*bagpipe.Driver).Hub()
	txs0, rows0 := h.LivenessWrites()
	t.Logf("liveness written so far: %d transactions, %d rows", txs0, rows0)
	time.Sleep(idle)
	txs, rows := h.LivenessWrites()
	t.Logf("liveness while %d agents idle for %v (alive every %v): %.2f transactions/s, %.1f rows/s",
		n, idle, h.AliveInterval(), float64(txs-txs0)/idle.Seconds(), float64(rows-rows0)/idle.Seconds())
}

func waitAll(t testing.TB, agents []*agent, began time.Time, ok func(feed.HostState) bool) []time.Duration {
	lat := make([]time.Duration, len(agents))
	var wg sync.WaitGroup
	for i, a := range agents {
		wg.Go(func() {
			a.until(t, "the change", ok)
			lat[i] = time.Since(began)
		})
	}
	wg.Wait()
	slices.Sort(lat)
	return lat
}

func pct(sorted []time.Duration, p int) time.Duration {
	return sorted[(len(sorted)-1)*p/100].Round(time.Millisecond)
}
