package api_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/driver/dummy"
	"github.com/bgpvpn/bgpvpn/internal/server"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// failingDriver is the dummy driver with a precommit that fails on BGPVPN
// creation with an error not meant for users.
type failingDriver struct{ dummy.Driver }

var errOnFire = errors.New("precommit cause: the feed database is on fire")

func (failingDriver) Precommit(_ context.Context, _ store.Tx, ev driver.Event) error {
	if ev.Kind == driver.BGPVPN && ev.Op == driver.Create {
		return errOnFire
	}
	return nil
}

func init() {
	driver.Register("failing-test", func(driver.Options) (driver.Driver, error) { return failingDriver{}, nil })
}

// lockedBuffer is a log destination the server's goroutines share.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// A driver error that is not for users answers a 500 whose message gives
// the request's ID (the X-Openstack-Request-Id of the answer, req-<uuid>),
// and the server logs its cause with that ID, once.
func TestInternalErrorCarriesRequestID(t *testing.T) {
	conf := "[DEFAULT]\ndata_dir = " + t.TempDir() + "\n[service_providers]\nservice_provider = BGPVPN:Failing:failing-test:default\n"
	v, err := server.Schema().Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	var logs lockedBuffer
	srv, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	s := &apiServer{t: t, url: hs.URL}

	res := s.post(tenantA, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "v"}}`)
	if res.status != 403 {
		// A tenant may not create BGPVPNs: answered before the driver.
		t.Fatalf("%s: status %d, want 403", res.req, res.status)
	}
	res = s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "v", "route_targets": ["64512:1"]}}`)
	body := res.must(t, 500)
	id := res.header.Get("X-Openstack-Request-Id")
	if !regexp.MustCompile(`^req-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`).MatchString(id) {
		t.Fatalf("X-Openstack-Request-Id = %q, want req-<uuid4>", id)
	}
	e := body["NeutronError"].(map[string]any)
	msg, _ := e["message"].(string)
	if e["type"] != "BGPVPNDriverError" || !strings.HasPrefix(msg, "create_bgpvpn_precommit failed.") || !strings.Contains(msg, id) {
		t.Errorf("500 body %s, want a BGPVPNDriverError whose message gives %s", res.body, id)
	}
	if strings.Contains(msg, "on fire") {
		t.Errorf("500 message %q shows the cause, meant for the log only", msg)
	}
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, id) && strings.Contains(l, errOnFire.Error()) {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Errorf("log lines with the request ID and the cause: %d, want 1; the log:\n%s", len(lines), logs.String())
	}
	// Another request, another ID.
	if res2 := s.get(admin, "/v2.0/bgpvpn/bgpvpns"); res2.header.Get("X-Openstack-Request-Id") == id {
		t.Errorf("two requests answered the same request ID %s", id)
	}
}

// postcommitFailing is the dummy driver with a postcommit that fails on
// network creation (the change is committed; only the log can tell).
type postcommitFailing struct{ dummy.Driver }

func (postcommitFailing) Postcommit(_ context.Context, ev driver.Event) error {
	if ev.Kind == driver.Network && ev.Op == driver.Create {
		return errOnFire
	}
	return nil
}

func init() {
	driver.Register("postcommit-failing-test", func(driver.Options) (driver.Driver, error) { return postcommitFailing{}, nil })
}

// A postcommit failure of a core model change, which the service layer
// emits, is logged with the request's ID.
func TestPostcommitFailureCarriesRequestID(t *testing.T) {
	conf := "[DEFAULT]\ndata_dir = " + t.TempDir() + "\n[service_providers]\nservice_provider = BGPVPN:Failing:postcommit-failing-test:default\n"
	v, err := server.Schema().Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatalf("parsing config: %v", err)
	}
	var logs lockedBuffer
	srv, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("server.New: %v", err)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	s := &apiServer{t: t, url: hs.URL}

	res := s.post(tenantA, "/v2.0/networks", `{"network": {"name": "n"}}`)
	res.must(t, 201)
	id := res.header.Get("X-Openstack-Request-Id")
	var lines []string
	for _, l := range strings.Split(logs.String(), "\n") {
		if strings.Contains(l, "driver postcommit failed") && strings.Contains(l, "request_id="+id) && strings.Contains(l, "kind=network") {
			lines = append(lines, l)
		}
	}
	if id == "" || len(lines) != 1 {
		t.Errorf("postcommit failure log lines with request ID %q: %d, want 1; the log:\n%s", id, len(lines), logs.String())
	}
}
