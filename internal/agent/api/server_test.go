package api

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

func newServer(t *testing.T) *httptest.Server {
	t.Helper()
	return newServerBodyTimeout(t, 0)
}

// newServerBodyTimeout is newServer with Server.BodyTimeout set.
func newServerBodyTimeout(t *testing.T, bodyTimeout time.Duration) *httptest.Server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sp, err := speaker.Start(ctx, speaker.Config{ASN: 64512, RouterID: netip.MustParseAddr("127.0.0.2"), ListenPort: -1})
	if err != nil {
		t.Fatal(err)
	}
	ring := NewLogRing(100)
	log := slog.New(ring.Handler(slog.DiscardHandler))
	m, err := agent.New(agent.Config{ASN: 64512, LocalAddress: netip.MustParseAddr("127.0.0.2"), IPVPNDriver: dummy.New(), EVPNDriver: dummy.New(), EnableRTC: true, Logger: log}, sp)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); m.Run(ctx) }()
	s := &Server{Manager: m, BGP: sp, Logs: ring, Config: map[string]map[string]string{"BGP": {"my_as": "64512"}}, Version: "test", Log: log, BodyTimeout: bodyTimeout}
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(func() { ts.Close(); cancel(); <-done; sp.Stop() })
	return ts
}

func do(t *testing.T, method, url, body string) (int, map[string]any, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(b, &m)
	return resp.StatusCode, m, string(b)
}

func TestAPI(t *testing.T) {
	ts := newServer(t)
	if code, _, body := do(t, "POST", ts.URL+"/attach_localport", anchorBody); code != 200 || strings.TrimSpace(body) != "null" {
		t.Fatalf("attach = %d %s, want 200 null", code, body)
	}
	for _, tc := range []struct {
		method, path, body string
		code               int
		field              string
	}{
		{"POST", "/attach_localport", "not json", 400, ""},
		{"POST", "/attach_localport", strings.Replace(anchorBody, `"10.100.0.1"`, `"10.100.0.999"`, 1), 400, "gateway_ip"},
		{"POST", "/attach_localport", strings.Replace(anchorBody, `52:54:00:00:00:01`, `52:54:00:00:00:02`, 1), 400, "ip_address"},
		{"POST", "/detach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"nope","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","local_port":"t"}`, 400, "vpn_instance_id"},
		{"PUT", "/attach_localport", "", 405, ""},
		{"DELETE", "/ping", "", 405, ""},
		{"GET", "/nope", "", 404, ""},
		{"GET", "/looking-glass/vpns/instances/nope", "", 404, ""},
	} {
		code, m, body := do(t, tc.method, ts.URL+tc.path, tc.body)
		if code != tc.code {
			t.Errorf("%s %s = %d %s, want %d", tc.method, tc.path, code, body, tc.code)
			continue
		}
		e, _ := m["error"].(map[string]any)
		if e == nil {
			t.Errorf("%s %s body %s has no JSON error", tc.method, tc.path, body)
			continue
		}
		if f, _ := e["field"].(string); f != tc.field {
			t.Errorf("%s %s error field = %q, want %q (%s)", tc.method, tc.path, f, tc.field, body)
		}
	}
	for _, p := range []string{"", "/", "/summary", "/config", "/logs", "/bgp", "/bgp/peers", "/bgp/routes", "/bgp/route_counts",
		"/vpns", "/vpns/instances", "/vpns/instances/vrf-demo", "/vpns/instances/vrf-demo/ports", "/vpns/instances/vrf-demo/best_routes",
		"/vpns/instances/vrf-demo/received_routes", "/vpns/instances/vrf-demo/adv_routes", "/vpns/instances/vrf-demo/refused_routes",
		"/vpns/instances/vrf-demo/readvertised", "/vpns/instances/vrf-demo/dataplane", "/vpns/instances/vrf-demo/logs",
		"/vpns/dataplane", "/vpns/dataplane/drivers", "/vpns/dataplane/drivers/ipvpn", "/vpns/dataplane/ids", "/vpns/instances_per_vni"} {
		if code, _, body := do(t, "GET", ts.URL+"/looking-glass"+p, ""); code != 200 {
			t.Errorf("GET /looking-glass%s = %d %s", p, code, body)
		}
	}
	if code, _, body := do(t, "GET", ts.URL+"/metrics", ""); code != 200 || !strings.Contains(body, `bgpvpn_agent_instance_routes_advertised{vpn_id="vrf-demo",vpn_type="ipvpn"} 1`) || !strings.Contains(body, `bgpvpn_agent_bgp_update_errors_total{handling="treat-as-withdraw"} 0`) {
		t.Errorf("GET /metrics = %d\n%s", code, body)
	}
	_, m, _ := do(t, "GET", ts.URL+"/looking-glass/vpns/instances/vrf-demo/ports", "")
	want := `{"tap-demo1":{"endpoints":[{"description":"demo port 1","direction":"both","ip_address":"10.100.0.5/24","label":17,"local_pref":250,"mac_address":"52:54:00:00:00:01","rd":"127.0.0.2:0"}],"local_port":{"linuxif":"tap-demo1"}}}`
	if got, _ := json.Marshal(m); string(got) != want {
		t.Errorf("ports = %s\nwant    %s", got, want)
	}
}

// The looking glass answers while ports come and go (bagpipe's gave 500).
func TestLookingGlassUnderChurn(t *testing.T) {
	ts := newServer(t)
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for _, p := range []string{"/summary", "/vpns/instances/vrf-c/ports", "/vpns/instances/vrf-c/adv_routes", "/bgp/routes"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				resp, err := http.Get(ts.URL + "/looking-glass" + p)
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 && resp.StatusCode != 404 {
					t.Errorf("GET %s = %d during churn", p, resp.StatusCode)
					return
				}
			}
		}()
	}
	for i := range 200 {
		body := fmt.Sprintf(`{"vpn_type":"ipvpn","vpn_instance_id":"vrf-c","mac_address":"52:54:00:00:%02x:%02x","ip_address":"10.1.%d.%d/16","gateway_ip":"10.1.0.1","local_port":"tap%d","import_rt":["64512:1"],"export_rt":["64512:2"]}`, i/256, i%256, i/256, i%256+1, i)
		if code, _, b := do(t, "POST", ts.URL+"/attach_localport", body); code != 200 {
			t.Fatalf("attach %d = %d %s", i, code, b)
		}
		if i%3 == 0 {
			det := strings.Replace(body, `"import_rt":["64512:1"],"export_rt":["64512:2"]`, `"x":0`, 1)
			if code, _, b := do(t, "POST", ts.URL+"/detach_localport", det); code != 200 {
				t.Fatalf("detach %d = %d %s", i, code, b)
			}
		}
	}
	close(stop)
	wg.Wait()
}
