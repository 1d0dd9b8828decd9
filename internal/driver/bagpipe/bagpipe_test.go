package bagpipe_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
	"github.com/bgpvpn/bgpvpn/internal/server"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore/pgtest"
)

// replica is one bgpvpn-server with the bagpipe driver on a database
// directory; several may share one.
type replica struct {
	t   testing.TB
	url string
	srv *server.Server
}

func newReplica(t testing.TB, dir string) *replica { return newReplicaWith(t, dir, "") }

// newReplicaWith adds feedOpts to the [agent_feed] section.
func newReplicaWith(t testing.TB, dir, feedOpts string) *replica {
	t.Helper()
	conf := fmt.Sprintf("[DEFAULT]\ndata_dir = %s\n[service_providers]\nservice_provider = BGPVPN:BaGPipe:"+
		"networking_bgpvpn.neutron.services.service_drivers.bagpipe.bagpipe_v2.BaGPipeBGPVPNDriver:default\n"+
		"[agent_feed]\nshared_secret = s\nheartbeat_interval = 0.2\npoll_interval = 0.05\n%s", dir, feedOpts)
	v, err := server.Schema().Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() { srv.Close(); hs.CloseClientConnections(); hs.Close() })
	return &replica{t: t, url: hs.URL, srv: srv}
}

// do sends an API request as the admin; it fails the test unless the
// status is want.
func (r *replica) do(want int, method, path, body string) map[string]any {
	r.t.Helper()
	req, _ := http.NewRequest(method, r.url+"/v2.0"+path, strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		r.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode != want {
		r.t.Fatalf("%s %s: status %d, want %d: %s", method, path, res.StatusCode, want, raw)
	}
	var m map[string]any
	json.Unmarshal(raw, &m)
	return m
}

func (r *replica) create(path, kind, body string) map[string]any {
	r.t.Helper()
	return r.do(http.StatusCreated, "POST", path, `{"`+kind+`": `+body+`}`)[kind].(map[string]any)
}

// agent watches one host.
type agent struct {
	host   string
	states chan feed.HostState
}

func newAgent(t testing.TB, url, host string) *agent {
	c, err := client.New(client.Config{URL: url, Host: host, Secret: "s", MinBackoff: 20 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	a := &agent{host: host, states: make(chan feed.HostState, 100)}
	done := make(chan struct{})
	go func() { c.Run(ctx, func(st feed.HostState) { a.states <- st }); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return a
}

// until waits for a state that satisfies ok.
func (a *agent) until(t testing.TB, what string, ok func(feed.HostState) bool) feed.HostState {
	t.Helper()
	deadline := time.After(5 * time.Second)
	for {
		select {
		case st := <-a.states:
			if ok(st) {
				return st
			}
		case <-deadline:
			t.Fatalf("%s: no state where %s within 5s", a.host, what)
		}
	}
}

func count(n int) func(feed.HostState) bool {
	return func(st feed.HostState) bool { return len(st.Attachments) == n }
}

// TestCoreChangesReachAgents: changes of the network model, not only of
// associations, reach the hosts they touch.
func TestCoreChangesReachAgents(t *testing.T) {
	r := newReplica(t, t.TempDir())
	h1, h2 := newAgent(t, r.url, "h1"), newAgent(t, r.url, "h2")
	h1.until(t, "the first snapshot", count(0))
	h2.until(t, "the first snapshot", count(0))

	net := r.create("/networks", "network", `{"name": "n"}`)["id"].(string)
	sub := r.create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 4, "cidr": "10.0.0.0/24"}`)["id"].(string)
	port := r.create("/ports", "port", `{"network_id": "`+net+`", "binding:host_id": "h1"}`)["id"].(string)
	vpn := r.create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:1"], "route_distinguishers": ["64512:7"]}`)["id"].(string)
	router := r.create("/routers", "router", `{"name": "r"}`)["id"].(string)
	r.do(http.StatusOK, "PUT", "/routers/"+router+"/add_router_interface", `{"subnet_id": "`+sub+`"}`)
	r.create("/bgpvpn/bgpvpns/"+vpn+"/router_associations", "router_association", `{"router_id": "`+router+`"}`)
	st := h1.until(t, "the router association applies", count(1))
	a := st.Attachments[0]
	if a.IPs[0].GatewayMAC == "" || strings.Join(a.RouteDistinguishers, ",") != "64512:7" {
		t.Errorf("attachment through the router: gateway MAC %q, RDs %v; want the router interface's MAC, [64512:7]", a.IPs[0].GatewayMAC, a.RouteDistinguishers)
	}

	// The router's extra routes, advertised through the next hop's port.
	r.do(http.StatusOK, "PUT", "/routers/"+router, `{"router": {"routes": [{"destination": "192.168.0.0/16", "nexthop": "`+a.IPs[0].Address.Addr().String()+`"}]}}`)
	h1.until(t, "the extra route is advertised", count(2))

	// A BGPVPN's route targets change.
	r.do(http.StatusOK, "PUT", "/bgpvpn/bgpvpns/"+vpn, `{"bgpvpn": {"route_targets": ["64512:2"]}}`)
	h1.until(t, "the new route target", func(st feed.HostState) bool {
		return len(st.Attachments) == 2 && strings.Join(st.Attachments[0].ImportRTs, ",") == "64512:2"
	})

	// The port moves to another host.
	r.do(http.StatusOK, "PUT", "/ports/"+port, `{"port": {"binding:host_id": "h2"}}`)
	h1.until(t, "the port left", count(0))
	h2.until(t, "the port arrived", count(2))
}

func TestExternalNetworkRefused(t *testing.T) {
	r := newReplica(t, t.TempDir())
	net := r.create("/networks", "network", `{"router:external": true}`)["id"].(string)
	vpn := r.create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:1"]}`)["id"].(string)
	body := r.do(http.StatusBadRequest, "POST", "/bgpvpn/bgpvpns/"+vpn+"/network_associations", `{"network_association": {"network_id": "`+net+`"}}`)
	if typ := body["NeutronError"].(map[string]any)["type"]; typ != "BGPVPNExternalNetAssociation" {
		t.Errorf("associating an external network: NeutronError type %v, want BGPVPNExternalNetAssociation", typ)
	}
}

// TestAnyReplicaServesAnyAgent: a change committed through one replica
// reaches an agent watching another, through the shared database.
func TestAnyReplicaServesAnyAgent(t *testing.T) {
	dir := t.TempDir()
	testAnyReplicaServesAnyAgent(t, newReplica(t, dir), newReplica(t, dir))
}

// TestAnyReplicaServesAnyAgentPostgres is the same with both replicas on
// one PostgreSQL database.
func TestAnyReplicaServesAnyAgentPostgres(t *testing.T) {
	db := "[database]\nconnection = " + pgtest.DSN(t) + "\n"
	testAnyReplicaServesAnyAgent(t, newReplicaWith(t, t.TempDir(), db), newReplicaWith(t, t.TempDir(), db))
}

func testAnyReplicaServesAnyAgent(t *testing.T, a, b *replica) {
	h1 := newAgent(t, b.url, "h1")
	h1.until(t, "the first snapshot", count(0))
	net := a.create("/networks", "network", `{}`)["id"].(string)
	a.create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 6, "cidr": "2001:db8::/64"}`)
	a.create("/ports", "port", `{"network_id": "`+net+`", "binding:host_id": "h1"}`)
	vpn := a.create("/bgpvpn/bgpvpns", "bgpvpn", `{"type": "l2", "route_targets": ["64512:1"]}`)["id"].(string)
	began := time.Now()
	a.create("/bgpvpn/bgpvpns/"+vpn+"/network_associations", "network_association", `{"network_id": "`+net+`"}`)
	st := h1.until(t, "the association made through the other replica", count(1))
	t.Logf("replica A's commit to replica B's agent: %v", time.Since(began))
	if at := st.Attachments[0]; at.VPNType != feed.EVPN || at.VNI == 0 || !at.IPs[0].Address.Addr().Is6() {
		t.Errorf("attachment = %+v, want an EVPN one with the network's VNI and the port's IPv6 address", at)
	}
}
