package e2e

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkAssociationToPE measures, for BGPVPN_E2E_FIGURES associations
// (100 by default) made one after the other (scripts/bench-e2e), the time
// from the association POST returning to the port's route present in the
// PE's table: server transaction, feed, agent, reflector, PE. It reports
// figures and asserts nothing about them.
func BenchmarkAssociationToPE(b *testing.B) {
	n, _ := strconv.Atoi(os.Getenv("BGPVPN_E2E_FIGURES"))
	if n <= 0 {
		n = 100
	}
	for b.Loop() {
		associationToPE(b, n)
	}
}

func associationToPE(t testing.TB, n int) {
	enabled(t)
	startPE(t)
	tn := newTenant(t)
	vpn := tn.bgpvpn(obj{"route_targets": []string{siteRT}})
	type item struct {
		net  network
		host node
		ip   string
	}
	items := make([]item, n)
	for i := range items {
		host := computes[i%len(computes)]
		net := tn.network(fmt.Sprintf("f%d", i), fmt.Sprintf("10.%d.%d.0/24", 140+i/250, i%250))
		p := tn.create(true, "/ports", "port", obj{"network_id": net.id, "project_id": tn.project, "binding:host_id": host.name, "device_owner": "compute:nova"})
		// A device for the dataplane to find (no VM behind it; veth, as
		// not every kernel has dummy devices).
		id := p["id"].(string)[:11]
		mustSh(t, "ip -n "+host.ns+" link add tap"+id+" type veth peer name vm"+id+" && ip -n "+host.ns+" link set tap"+id+" up")
		items[i] = item{net: net, host: host, ip: p["fixed_ips"].([]any)[0].(obj)["ip_address"].(string) + "/32"}
	}

	// What one look at the PE costs: the resolution of the figures.
	began := time.Now()
	for range 10 {
		vtysh("show bgp ipv4 vpn " + items[0].ip)
	}
	resolution := time.Since(began) / 10

	lat := make([]time.Duration, 0, n)
	for _, it := range items {
		tn.netAssoc(vpn, it.net)
		t0 := time.Now()
		waitFor(t, converge, it.ip+" at the PE", func() bool {
			out, err := vtysh("show bgp ipv4 vpn " + it.ip)
			return err == nil && strings.Contains(out, "RT:"+siteRT)
		})
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	t.Logf("association POST returned → route at the PE, over %d associations: p50 %v, p90 %v, p99 %v, max %v (one PE poll costs %v)",
		n, pct(0.50).Round(time.Millisecond), pct(0.90).Round(time.Millisecond), pct(0.99).Round(time.Millisecond),
		lat[len(lat)-1].Round(time.Millisecond), resolution.Round(time.Millisecond))
}
