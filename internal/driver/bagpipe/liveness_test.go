package bagpipe_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
)

// reportingAgent watches host and reports every association of each state
// ACTIVE, as a healthy agent does; stop ends it as a crash would.
func reportingAgent(t *testing.T, url, host string) (stop func()) {
	t.Helper()
	c, err := client.New(client.Config{URL: url, Host: host, Secret: "s", MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx, func(st feed.HostState) {
			rep := feed.StatusReport{Epoch: st.Epoch, Revision: st.Revision}
			for _, a := range st.Attachments {
				for _, id := range a.Associations {
					rep.Associations = append(rep.Associations, feed.AssociationStatus{ID: id, Status: feed.Active})
				}
			}
			if err := c.ReportStatus(ctx, rep); err != nil && ctx.Err() == nil {
				t.Errorf("%s: reporting status: %v", host, err)
			}
		})
	}()
	stopped := false
	stop = func() {
		if !stopped {
			stopped = true
			cancel()
			<-done
		}
	}
	t.Cleanup(stop)
	return stop
}

// TestDeadAgentTurnsAssociationDown: with agent_down_time 0.6s, an
// association turns DOWN through the API once one of its hosts' agents has
// been gone that long, without naming the host, and ACTIVE again when the
// agent comes back; a host where no agent ever ran makes it DOWN too.
func TestDeadAgentTurnsAssociationDown(t *testing.T) {
	r := newReplicaWith(t, t.TempDir(), "agent_down_time = 0.6\n")
	net := r.create("/networks", "network", `{}`)["id"].(string)
	r.create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 4, "cidr": "10.0.0.0/24"}`)
	r.create("/ports", "port", `{"network_id": "`+net+`", "binding:host_id": "compute-1"}`)
	r.create("/ports", "port", `{"network_id": "`+net+`", "binding:host_id": "compute-2"}`)
	vpn := r.create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:1"]}`)["id"].(string)
	assoc := r.create("/bgpvpn/bgpvpns/"+vpn+"/network_associations", "network_association", `{"network_id": "`+net+`"}`)["id"].(string)
	path := "/bgpvpn/bgpvpns/" + vpn + "/network_associations/" + assoc
	status := func() (string, string) {
		na := r.do(http.StatusOK, "GET", path, "")["network_association"].(map[string]any)
		reason, _ := na["status_reason"].(string)
		return na["status"].(string), reason
	}
	until := func(what string, ok func(status, reason string) bool) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			st, reason := status()
			if ok(st, reason) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("status %s (%q), want %s within 10s", st, reason, what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	active := func(st, _ string) bool { return st == "ACTIVE" }

	reportingAgent(t, r.url, "compute-1")
	stop2 := reportingAgent(t, r.url, "compute-2")
	until("ACTIVE", active)
	// Agents that keep saying they are alive stay alive past the down
	// time: ACTIVE all along while the server records both hosts seen
	// eight more times each (alive every third of the down time: 2.7
	// down times).
	h := r.srv.Driver.(*bagpipe.Driver).Hub()
	_, rows0 := h.LivenessWrites()
	deadline := time.Now().Add(30 * time.Second)
	for _, rows := h.LivenessWrites(); rows-rows0 < 2*8; _, rows = h.LivenessWrites() {
		if st, reason := status(); st != "ACTIVE" {
			t.Fatalf("status with both agents running = %s (%q) after %d liveness rows, want ACTIVE", st, reason, rows-rows0)
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d liveness rows in 30s, want 16", rows-rows0)
		}
		time.Sleep(20 * time.Millisecond) // polling
	}

	stop2()
	until("DOWN because an agent is not reporting", func(st, reason string) bool {
		return st == "DOWN" && reason == "the agent of 1 of 2 hosts is not reporting"
	})

	reportingAgent(t, r.url, "compute-2")
	until("ACTIVE once the agent is back", active)

	// A port bound to a host where no agent ever ran.
	r.create("/ports", "port", `{"network_id": "`+net+`", "binding:host_id": "compute-3"}`)
	until("DOWN because a host never had an agent", func(st, reason string) bool {
		return st == "DOWN" && strings.Contains(reason, "no agent has ever reported from 1 of 3 hosts")
	})
	if _, reason := status(); strings.Contains(reason, "compute-") {
		t.Errorf("status_reason %q names a host; tenants must not see host names", reason)
	}
}
