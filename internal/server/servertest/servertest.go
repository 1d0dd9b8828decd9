// Package servertest runs a real bgpvpn-server, with the bagpipe driver and
// the agent feed, over HTTP on loopback, for the tests of the feed's
// client side (internal/feed/client, internal/agent/feedsync).
//
// It must never be imported by code other than tests.
package servertest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe" // the driver the server runs
	"github.com/bgpvpn/bgpvpn/internal/server"
)

// Server is a bgpvpn-server with the bagpipe driver and a fast feed
// (heartbeats every 0.2 s, polling every 0.05 s).
type Server struct {
	// URL is the server's base URL.
	URL string
	t   testing.TB
	srv *server.Server
	hs  *httptest.Server
}

// Start runs a server on the database in dir, listening on addr
// ("127.0.0.1:0" for any port), with the feed's shared secret; it stops
// when the test ends.
func Start(t testing.TB, secret, dir, addr string) *Server {
	t.Helper()
	conf := fmt.Sprintf("[DEFAULT]\ndata_dir = %s\n[service_providers]\nservice_provider = BGPVPN:BaGPipe:bagpipe:default\n"+
		"[agent_feed]\nshared_secret = %s\nheartbeat_interval = 0.2\npoll_interval = 0.05\n", dir, secret)
	return StartConf(t, conf, addr)
}

// StartConf runs a server configured by the INI text conf (which names
// its own data_dir), listening on addr; it stops when the test ends.
// Call and Create need an auth_strategy that trusts them (noauth).
func StartConf(t testing.TB, conf, addr string) *Server {
	t.Helper()
	v, err := server.Schema().Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(context.Background(), v, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	var ln net.Listener
	for range 50 { // the port of a stopped server may take a moment to free
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler)
	hs.Listener = ln
	hs.Start()
	s := &Server{URL: hs.URL, t: t, srv: srv, hs: hs}
	t.Cleanup(s.Stop)
	return s
}

// Addr is the address the server listens on.
func (s *Server) Addr() string { return s.hs.Listener.Addr().String() }

// Stop stops the server, ending the feed's streams first; it may be
// called more than once.
func (s *Server) Stop() {
	if s.srv == nil {
		return
	}
	s.srv.Close()
	s.hs.CloseClientConnections()
	s.hs.Close()
	s.srv = nil
}

// Call sends an API request as the configured admin and returns the
// decoded body; any status but 2xx fails the test.
func (s *Server) Call(method, path, body string) map[string]any {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.URL+"/v2.0"+path, strings.NewReader(body))
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	if res.StatusCode/100 != 2 {
		s.t.Fatalf("%s %s: %s %s", method, path, res.Status, raw)
	}
	var m map[string]any
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &m); err != nil {
			s.t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return m
}

// Create posts {kind: body} to path and returns the new object's id.
func (s *Server) Create(path, kind, body string) string {
	s.t.Helper()
	return s.Call("POST", path, `{"`+kind+`": `+body+`}`)[kind].(map[string]any)["id"].(string)
}
