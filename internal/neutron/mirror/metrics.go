package mirror

import (
	"fmt"
	"net/http"
	"strings"
)

// Metrics serves the mirror's state in Prometheus' text exposition format
// (by hand, as the agent's /metrics: three series need no client
// library). The age is what an operator alerts on: it grows while Neutron
// or the bus cannot be read, and falls back when a read succeeds.
func (m *Mirror) Metrics() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		var b strings.Builder
		m.stateMu.Lock()
		failures, reads := m.failures, m.reads
		m.stateMu.Unlock()
		age, synced := m.Age()
		fmt.Fprintf(&b, "# HELP bgpvpn_server_neutron_mirror_synced 1 once the mirror has read Neutron at least once.\n")
		fmt.Fprintf(&b, "# TYPE bgpvpn_server_neutron_mirror_synced gauge\n")
		fmt.Fprintf(&b, "bgpvpn_server_neutron_mirror_synced %d\n", boolInt(synced))
		fmt.Fprintf(&b, "# HELP bgpvpn_server_neutron_mirror_age_seconds Seconds since the mirror last matched Neutron (its last successful full read, or the last notification it applied); absent before the first.\n")
		fmt.Fprintf(&b, "# TYPE bgpvpn_server_neutron_mirror_age_seconds gauge\n")
		if synced {
			fmt.Fprintf(&b, "bgpvpn_server_neutron_mirror_age_seconds %.3f\n", age.Seconds())
		}
		fmt.Fprintf(&b, "# HELP bgpvpn_server_neutron_mirror_reads_total Reads of Neutron written into the mirror, by kind (full: every object; targeted: the objects one notification names).\n")
		fmt.Fprintf(&b, "# TYPE bgpvpn_server_neutron_mirror_reads_total counter\n")
		fmt.Fprintf(&b, "bgpvpn_server_neutron_mirror_reads_total{kind=\"full\"} %d\n", reads.full)
		fmt.Fprintf(&b, "bgpvpn_server_neutron_mirror_reads_total{kind=\"targeted\"} %d\n", reads.targeted)
		fmt.Fprintf(&b, "# HELP bgpvpn_server_neutron_mirror_failures_total Reads of Neutron that failed (Neutron unreachable, or its answer not written).\n")
		fmt.Fprintf(&b, "# TYPE bgpvpn_server_neutron_mirror_failures_total counter\n")
		fmt.Fprintf(&b, "bgpvpn_server_neutron_mirror_failures_total %d\n", failures)
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		w.Write([]byte(b.String()))
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
