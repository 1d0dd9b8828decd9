package feedsync_test

import (
	"context"
	"log/slog"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/agent/feedsync"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
	"github.com/bgpvpn/bgpvpn/internal/server/servertest"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

const secret = "s3cret"

func logger() *slog.Logger {
	if os.Getenv("AGENT_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.DiscardHandler)
}

// world: network n1 (10.0.0.0/24) with port p1 on h1 and p2 on h2, and an
// l3 BGPVPN with route target 64512:1.
type world struct{ network, p1, p2, vpn string }

func populate(s *servertest.Server) world {
	var w world
	w.network = s.Create("/networks", "network", `{"name": "n1"}`)
	s.Create("/subnets", "subnet", `{"network_id": "`+w.network+`", "ip_version": 4, "cidr": "10.0.0.0/24"}`)
	w.p1 = s.Create("/ports", "port", `{"network_id": "`+w.network+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	w.p2 = s.Create("/ports", "port", `{"network_id": "`+w.network+`", "binding:host_id": "h2", "device_owner": "compute:nova"}`)
	w.vpn = s.Create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:1"]}`)
	return w
}

// recorder is the manager with a count of the calls it got.
type recorder struct {
	m *agent.Manager
	// ipvpn is the manager's IP VPN dataplane driver.
	ipvpn *dummy.Driver

	mu       sync.Mutex
	attaches int
	detaches []string
}

func (r *recorder) Attach(ctx context.Context, a agent.Attachment) error {
	r.mu.Lock()
	r.attaches++
	r.mu.Unlock()
	return r.m.Attach(ctx, a)
}

func (r *recorder) Detach(ctx context.Context, d agent.Detachment) error {
	r.mu.Lock()
	r.detaches = append(r.detaches, d.VPNInstanceID+" "+d.IP.String())
	r.mu.Unlock()
	return r.m.Detach(ctx, d)
}

func (r *recorder) DataplaneError() error { return r.m.DataplaneError() }

func (r *recorder) counts() (int, []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.attaches, slices.Clone(r.detaches)
}

// newManager is an agent's VPN manager on a speaker without peers and the
// dummy dataplane.
func newManager(t *testing.T) *recorder {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	a := netip.MustParseAddr("127.0.0.31")
	sp, err := speaker.Start(ctx, speaker.Config{ASN: 64512, RouterID: a, ListenPort: -1, Logger: logger()})
	if err != nil {
		t.Fatal(err)
	}
	ipvpn := dummy.New()
	m, err := agent.New(agent.Config{ASN: 64512, LocalAddress: a, IPVPNDriver: ipvpn, EVPNDriver: dummy.New(), Logger: logger()}, sp)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; sp.Stop() })
	return &recorder{m: m, ipvpn: ipvpn}
}

// follow runs a syncer for host on m until the test ends (or stop).
func follow(t *testing.T, url, host string, m feedsync.Manager) (stop func()) {
	t.Helper()
	c, err := client.New(client.Config{URL: url, Host: host, Secret: secret, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	s := feedsync.New(feedsync.Config{Feed: c, Manager: m, Logger: logger(), RetryInterval: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// plugged lists the interfaces plugged into instance id, nil when there is
// no such instance.
func plugged(m *agent.Manager, id string) []string {
	ports, ok := m.Ports(id)
	if !ok {
		return nil
	}
	out := []string{}
	for name := range ports {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

func rts(m *agent.Manager, id string) agent.RTsView {
	v, _ := m.Instance(id)
	return v.RouteTargets
}

func tap(port string) string { return "tap" + port[:11] }

func TestAssociationAttachesOnItsHostAndDeleteDetaches(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	h1, h2 := newManager(t), newManager(t)
	follow(t, s.URL, "h1", h1)
	follow(t, s.URL, "h2", h2)
	inst := "ipvpn_" + w.network

	assoc := s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+w.network+`"}`)
	waitFor(t, "p1 plugged on h1 and p2 on h2", func() bool {
		return slices.Equal(plugged(h1.m, inst), []string{tap(w.p1)}) && slices.Equal(plugged(h2.m, inst), []string{tap(w.p2)})
	})
	if diff := cmp.Diff(agent.RTsView{Import: []string{"64512:1"}, Export: []string{"64512:1"}}, rts(h1.m, inst)); diff != "" {
		t.Errorf("h1's instance RTs (-want +got):\n%s", diff)
	}
	path := "/bgpvpn/bgpvpns/" + w.vpn + "/network_associations/" + assoc
	waitFor(t, "the association ACTIVE", func() bool {
		return s.Call("GET", path, "")["network_association"].(map[string]any)["status"] == "ACTIVE"
	})

	s.Call("DELETE", path, "")
	waitFor(t, "both instances gone", func() bool { return plugged(h1.m, inst) == nil && plugged(h2.m, inst) == nil })
}

func TestRouteTargetUpdates(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	h1 := newManager(t)
	follow(t, s.URL, "h1", h1)
	inst := "ipvpn_" + w.network
	s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+w.network+`"}`)
	waitFor(t, "p1 plugged", func() bool { return plugged(h1.m, inst) != nil })

	for _, tc := range []struct {
		name, body string
		want       agent.RTsView
	}{
		{"disjoint", `{"route_targets": [], "import_targets": ["64512:2"], "export_targets": ["64512:3"]}`,
			agent.RTsView{Import: []string{"64512:2"}, Export: []string{"64512:3"}}},
		{"common target", `{"route_targets": ["64512:2"], "import_targets": ["64512:2"], "export_targets": ["64512:3"]}`,
			agent.RTsView{Import: []string{"64512:2"}, Export: []string{"64512:2", "64512:3"}}},
		{"back to RT", `{"route_targets": ["64512:1"], "import_targets": [], "export_targets": []}`,
			agent.RTsView{Import: []string{"64512:1"}, Export: []string{"64512:1"}}},
		{"empty", `{"route_targets": []}`, agent.RTsView{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.Call("PUT", "/bgpvpn/bgpvpns/"+w.vpn, `{"bgpvpn": `+tc.body+`}`)
			waitFor(t, "the new RTs", func() bool {
				got := rts(h1.m, inst)
				return cmp.Equal(tc.want, got, cmp.Comparer(func(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) }))
			})
		})
	}
}

// A restarted agent's first snapshot only re-attaches; a server restart
// changes nothing; what changed while the server was away is applied.
func TestRestartsTearNothingDown(t *testing.T) {
	dir := t.TempDir()
	s := servertest.Start(t, secret, dir, "127.0.0.1:0")
	addr := strings.TrimPrefix(s.URL, "http://")
	w := populate(s)
	inst := "ipvpn_" + w.network
	s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+w.network+`"}`)

	h1 := newManager(t)
	stop := follow(t, s.URL, "h1", h1)
	waitFor(t, "p1 plugged", func() bool { return plugged(h1.m, inst) != nil })
	stop()
	// The syncer of a restarted agent meets a manager that holds the port
	// (as the kernel still does after a restart).
	follow(t, s.URL, "h1", h1)
	waitFor(t, "a re-attachment", func() bool { n, _ := h1.counts(); return n >= 2 })
	if _, d := h1.counts(); len(d) != 0 {
		t.Errorf("detaches after the agent restart: %v, want none", d)
	}

	s.Stop()
	s = servertest.Start(t, secret, dir, addr)
	p3 := s.Create("/ports", "port", `{"network_id": "`+w.network+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	waitFor(t, "p3 plugged after the server restart", func() bool { return len(plugged(h1.m, inst)) == 2 })
	if _, d := h1.counts(); len(d) != 0 {
		t.Errorf("detaches after the server restart: %v, want none", d)
	}
	s.Call("DELETE", "/ports/"+p3, "")
	waitFor(t, "p3 unplugged", func() bool { return slices.Equal(plugged(h1.m, inst), []string{tap(w.p1)}) })
}

func TestStatusError(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	net := s.Create("/networks", "network", `{"name": "n2"}`)
	s.Create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 4, "cidr": "10.9.0.0/24", "gateway_ip": null}`)
	s.Create("/ports", "port", `{"network_id": "`+net+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	vpn := s.Create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:9"]}`)
	h1 := newManager(t)
	follow(t, s.URL, "h1", h1)
	assoc := s.Create("/bgpvpn/bgpvpns/"+vpn+"/network_associations", "network_association", `{"network_id": "`+net+`"}`)
	var got map[string]any
	waitFor(t, "the association in ERROR", func() bool {
		got = s.Call("GET", "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+assoc, "")["network_association"].(map[string]any)
		return got["status"] == "ERROR"
	})
	if r, _ := got["status_reason"].(string); !strings.Contains(r, "no gateway IP") {
		t.Errorf("status_reason = %q, want it to say the subnet has no gateway IP", r)
	}
}

func TestPortName(t *testing.T) {
	for _, tc := range []struct{ prefix, id, want string }{
		{"tap", "8c2a8c3e-7b5e-4ad1-9e53-ad3f3fd21a4b", "tap8c2a8c3e-7b"},
		{"qvo", "8c2a8c3e-7b5e-4ad1-9e53-ad3f3fd21a4b", "qvo8c2a8c3e-7b"},
		{"tap", "short", "tapshort"},
	} {
		if got := feedsync.PortName(tc.prefix, tc.id); got != tc.want {
			t.Errorf("PortName(%q, %q) = %q, want %q", tc.prefix, tc.id, got, tc.want)
		}
	}
}
