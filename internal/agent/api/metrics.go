package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// metrics writes Prometheus' text exposition format by hand: a dozen
// gauges do not need a client library.
func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	var b strings.Builder
	gauge := func(name, help string) { fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name) }
	counter := func(name, help string) { fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s counter\n", name, help, name) }

	peers, _ := s.BGP.Peers(r.Context())
	gauge("bgpvpn_agent_bgp_peer_up", "1 when the BGP session with the peer is established.")
	for _, p := range peers {
		up := 0
		if p.State == "Established" {
			up = 1
		}
		fmt.Fprintf(&b, "bgpvpn_agent_bgp_peer_up{peer=%s} %d\n", strconv.Quote(p.Address.String()), up)
	}
	ue := s.BGP.UpdateErrors()
	counter("bgpvpn_agent_bgp_update_errors_total", "Malformed UPDATEs received and handled as RFC 7606 says, without a session reset: treat-as-withdraw (their routes withdrawn) or attribute-discard (an optional attribute dropped).")
	fmt.Fprintf(&b, "bgpvpn_agent_bgp_update_errors_total{handling=\"treat-as-withdraw\"} %d\n", ue.TreatAsWithdraw)
	fmt.Fprintf(&b, "bgpvpn_agent_bgp_update_errors_total{handling=\"attribute-discard\"} %d\n", ue.AttributeDiscard)
	stats := s.Manager.Stats()
	gauge("bgpvpn_agent_vpn_instances", "VPN instances (VRFs and EVIs).")
	fmt.Fprintf(&b, "bgpvpn_agent_vpn_instances %d\n", len(stats))
	for _, m := range []struct {
		name, help string
		get        func(i int) int
	}{
		{"bgpvpn_agent_instance_routes_received", "Routes imported into the instance.", func(i int) int { return stats[i].Received }},
		{"bgpvpn_agent_instance_routes_best_entries", "Prefixes (or MACs) with a best route in the instance.", func(i int) int { return stats[i].BestEntries }},
		{"bgpvpn_agent_instance_routes_advertised", "Routes the instance advertises.", func(i int) int { return stats[i].Advertised }},
		{"bgpvpn_agent_instance_routes_refused", "Received routes the instance refused (see the looking glass for reasons).", func(i int) int { return stats[i].Refused }},
	} {
		gauge(m.name, m.help)
		for i, st := range stats {
			fmt.Fprintf(&b, "%s{vpn_id=%s,vpn_type=%s} %d\n", m.name, strconv.Quote(st.ID), strconv.Quote(st.Type), m.get(i))
		}
	}
	counter("bgpvpn_agent_route_updates_total", "Best path changes processed.")
	fmt.Fprintf(&b, "bgpvpn_agent_route_updates_total %d\n", s.Manager.Churn())
	counter("bgpvpn_agent_log_warnings_total", "Log records at WARNING and above.")
	fmt.Fprintf(&b, "bgpvpn_agent_log_warnings_total %d\n", s.Logs.Count())
	w.Header().Set("Content-Type", "text/plain; version=0.0.4")
	w.Write([]byte(b.String()))
}
