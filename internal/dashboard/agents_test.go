package dashboard_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
	"github.com/bgpvpn/bgpvpn/internal/server"
)

// TestAgentsPage: the agents page tells alive, dead and never-heard-from
// compute nodes apart, as the bagpipe driver's liveness does, and is for
// admins only.
func TestAgentsPage(t *testing.T) {
	conf := "[DEFAULT]\ndata_dir = " + t.TempDir() + "\n[service_providers]\nservice_provider = BGPVPN:BaGPipe:bagpipe:default\n" +
		"[agent_feed]\nshared_secret = s\nheartbeat_interval = 0.2\npoll_interval = 0.05\nagent_down_time = 1\n"
	v, err := server.Schema().Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(context.Background(), v, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler)
	t.Cleanup(func() { s.Close(); hs.CloseClientConnections(); hs.Close() })
	_, m := api(t, hs.URL, "POST", "/networks", `{"network": {"name": "n"}}`)
	net := m["network"].(map[string]any)["id"].(string)
	for _, h := range []string{"h-alive", "h-dead", "h-never"} {
		api(t, hs.URL, "POST", "/ports", `{"port": {"network_id": "`+net+`", "binding:host_id": "`+h+`"}}`)
	}
	run := func(host string) context.CancelFunc {
		c, err := client.New(client.Config{URL: hs.URL, Host: host, Secret: "s", MinBackoff: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { c.Run(ctx, func(feed.HostState) {}); close(done) }()
		stop := func() { cancel(); <-done }
		t.Cleanup(stop)
		return stop
	}
	run("h-alive")
	stopDead := run("h-dead")

	b := newBrowser(t, hs.URL)
	b.signIn("admin-project", "admin-user", "admin")
	row := regexp.MustCompile(`(?s)<td>(h-[a-z]+)</td>\s*<td><span class="status [a-z]+">([^<]+)</span>`)
	states := func() map[string]string {
		_, _, page := b.do("GET", "/dashboard/agents", nil)
		out := map[string]string{}
		for _, m := range row.FindAllStringSubmatch(page, -1) {
			out[m[1]] = m[2]
		}
		return out
	}
	waitFor := func(what string, ok func(map[string]string) bool) {
		t.Helper()
		deadline := time.Now().Add(15 * time.Second)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		var got map[string]string
		for time.Now().Before(deadline) {
			if got = states(); ok(got) {
				return
			}
			<-tick.C
		}
		t.Fatalf("agents page: %s not within 15 s; last %v", what, got)
	}
	waitFor("both agents alive", func(s map[string]string) bool { return s["h-alive"] == "alive" && s["h-dead"] == "alive" })
	stopDead()
	waitFor("h-dead dead, h-never never heard from, h-alive alive", func(s map[string]string) bool {
		return s["h-alive"] == "alive" && s["h-dead"] == "dead" && s["h-never"] == "never heard from"
	})

	tenant := newBrowser(t, hs.URL)
	tenant.signIn("project-a", "user-a", "member")
	if code, _, page := tenant.do("GET", "/dashboard/agents", nil); code != 404 || strings.Contains(page, "h-alive") {
		t.Errorf("a tenant's agents page = %d", code)
	}
}
