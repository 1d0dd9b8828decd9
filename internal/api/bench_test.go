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
	v, err := server.Schema().Parse("bench.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+b.TempDir()+"\n"))
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
