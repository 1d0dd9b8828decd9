package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/slowbody/slowbodytest"
)

// TestTrickledBodyIsCutOff: a client that sends its body a byte at a
// time (as tenant A, on every kind of write) gets an answer once
// [DEFAULT] client_body_timeout has passed, instead of holding the
// request forever; the server keeps serving others meanwhile.
func TestTrickledBodyIsCutOff(t *testing.T) {
	s := newServerConf(t, "client_body_timeout = 0.3\n")
	net := s.createNetwork(tenantA, "net-a")
	router := s.createRouter(tenantA, "r-a")
	for _, req := range []struct{ method, path string }{
		{"POST", "/v2.0/networks"},
		{"PUT", "/v2.0/networks/" + net},
		{"PUT", "/v2.0/routers/" + router + "/add_router_interface"},
		{"POST", "/v2.0/bgpvpn/bgpvpns"},
	} {
		t.Run(req.method+" "+req.path, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			line, err := trickle(ctx, t, s.url, req.method, req.path, tenantA)
			if err != nil {
				t.Fatalf("no answer to a trickled body before the client gave up: %v", err)
			}
			if !strings.Contains(line, " 408 ") {
				t.Errorf("answer to a trickled body: %q, want 408", line)
			}
			s.get(tenantB, "/v2.0/networks").must(t, 200)
		})
	}
}

// trickle sends a request whose body comes one byte every 20ms and never
// ends before ctx does; it returns the status line of the answer.
func trickle(ctx context.Context, t *testing.T, base, method, path string, who identity) (string, error) {
	t.Helper()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	var h strings.Builder
	for k, v := range who.headers {
		fmt.Fprintf(&h, "%s: %s\r\n", k, v)
	}
	head := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\n%sContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n", method, path, u.Host, h.String())
	return slowbodytest.Trickle(ctx, u.Host, head)
}
