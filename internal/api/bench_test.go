package api_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/config"
	_ "github.com/bgpvpn/bgpvpn/internal/driver/dummy"
	"github.com/bgpvpn/bgpvpn/internal/server"
)

func benchServer(b *testing.B) http.Handler {
	v, err := server.Schema().Parse("bench.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+b.TempDir()+"\n[quotas]\nquota_network = -1\n"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	return s.Handler
}

// BenchmarkCreateBGPVPN measures the create path in process (handler,
// policy, SQLite commit), without the network.
func BenchmarkCreateBGPVPN(b *testing.B) {
	h := benchServer(b)
	body := `{"bgpvpn": {"name": "bench", "type": "l3", "route_targets": ["64512:10042"], "import_targets": ["64512:20042"], "export_targets": ["64512:30042"]}}`
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest("POST", "/v2.0/bgpvpn/bgpvpns", strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
}

var _ = config.String

// BenchmarkList10k lists 10,000 BGPVPNs, each with a network association.
func BenchmarkList10k(b *testing.B) {
	h := benchServer(b)
	do := func(method, path, body string) string {
		r := httptest.NewRequest(method, path, strings.NewReader(body))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code >= 300 {
			b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	idOf := func(s string) string {
		i := strings.Index(s, `"id": "`)
		return s[i+7 : i+43]
	}
	for i := range 10000 {
		v := idOf(do("POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "vpn`+strings.Repeat("x", i%7)+`", "route_targets": ["64512:1"], "import_targets": ["64512:2"], "export_targets": ["64512:3"]}}`))
		n := idOf(do("POST", "/v2.0/networks", `{"network": {"name": "n"}}`))
		do("POST", "/v2.0/bgpvpn/bgpvpns/"+v+"/network_associations", `{"network_association": {"network_id": "`+n+`"}}`)
	}
	b.ResetTimer()
	for b.Loop() {
		do("GET", "/v2.0/bgpvpn/bgpvpns", "")
	}
}

// BenchmarkCreatePort measures the core model's write path in process
// (handler, policy, IPAM, driver event, SQLite commit): a port with an
// address on a network's subnet.
func BenchmarkCreatePort(b *testing.B) {
	v, err := server.Schema().Parse("bench.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+b.TempDir()+"\n[quotas]\nquota_port = -1\n"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	do := func(path, body string) string {
		r := httptest.NewRequest("POST", path, strings.NewReader(body))
		w := httptest.NewRecorder()
		s.Handler.ServeHTTP(w, r)
		if w.Code != http.StatusCreated {
			b.Fatalf("POST %s: %d %s", path, w.Code, w.Body)
		}
		return w.Body.String()
	}
	net := do("/v2.0/networks", `{"network": {"name": "n"}}`)
	id := net[strings.Index(net, `"id": "`)+7:][:36]
	do("/v2.0/subnets", `{"subnet": {"network_id": "`+id+`", "ip_version": 4, "cidr": "10.0.0.0/8"}}`)
	body := `{"port": {"network_id": "` + id + `", "binding:host_id": "compute-1"}}`
	b.ReportAllocs()
	for b.Loop() {
		do("/v2.0/ports", body)
	}
}
