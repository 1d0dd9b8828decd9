package front_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/neutron/front"
)

// seen is what the stand-in Neutron received.
type seen struct {
	mu   sync.Mutex
	reqs []string // "METHOD path?query token body"
}

func (s *seen) add(r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r.Method+" "+r.URL.RequestURI()+" "+r.Header.Get("X-Auth-Token")+" "+string(b))
}

func (s *seen) list() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// setup is a front before a stand-in Neutron (one layer's unit test; the
// real neutron-server is in scripts/it/neutron.sh) and a stand-in of our
// own API that answers "ours".
func setup(t *testing.T, neutron http.HandlerFunc) (*front.Front, *httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	n := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/stream" {
			s.add(r)
		}
		neutron(w, r)
	}))
	t.Cleanup(n.Close)
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v2.0/extensions" {
			io.WriteString(w, `{"extensions": [{"alias": "bgpvpn", "name": "BGPVPN Extension"}, {"alias": "bgpvpn-vni"}, {"alias": "router"}, {"alias": "quotas"}]}`)
			return
		}
		io.WriteString(w, "ours "+r.URL.Path)
	})
	u, _ := url.Parse(n.URL)
	f := front.New(api, u, n.Client(), slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv, s
}

func do(t *testing.T, method, u, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, u, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestProxyPassesRequestsUnchanged(t *testing.T) {
	_, srv, s := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Openstack-Request-Id", "req-1")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusConflict)
		io.WriteString(w, `{"NeutronError": {"type": "NetworkInUse"}}`)
	})
	res, body := do(t, "DELETE", srv.URL+"/v2.0/networks/n1?x=1&y=2", "b", map[string]string{"X-Auth-Token": "tok"})
	if res.StatusCode != http.StatusConflict || res.Header.Get("X-Openstack-Request-Id") != "req-1" || body != `{"NeutronError": {"type": "NetworkInUse"}}` {
		t.Errorf("answer = %d %v %q, want Neutron's 409, header and body", res.StatusCode, res.Header, body)
	}
	if diff := cmp.Diff([]string{"DELETE /v2.0/networks/n1?x=1&y=2 tok b"}, s.list()); diff != "" {
		t.Errorf("what Neutron received (-want +got):\n%s", diff)
	}
}

func TestBGPVPNIsOurs(t *testing.T) {
	_, srv, s := setup(t, func(http.ResponseWriter, *http.Request) {})
	for _, p := range []string{"/v2.0/bgpvpn/bgpvpns", "/v2.0/bgpvpn/bgpvpns/x/network_associations", "/v2.0/extensions/bgpvpn"} {
		if _, body := do(t, "GET", srv.URL+p, "", nil); body != "ours "+p {
			t.Errorf("GET %s = %q, want our API's answer", p, body)
		}
	}
	do(t, "GET", srv.URL+"/v2.0/extensions/router", "", nil)
	if diff := cmp.Diff([]string{"GET /v2.0/extensions/router  "}, s.list()); diff != "" {
		t.Errorf("what Neutron received (-want +got):\n%s", diff)
	}
}

func TestProxyStreams(t *testing.T) {
	release := make(chan struct{})
	_, srv, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "first\n")
		w.(http.Flusher).Flush()
		<-release
		io.WriteString(w, "second\n")
	})
	res, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	rd := bufio.NewReader(res.Body)
	// The first line arrives while Neutron still holds the rest back.
	if line, err := rd.ReadString('\n'); err != nil || line != "first\n" {
		t.Fatalf("first line = %q, %v", line, err)
	}
	close(release)
	if line, _ := rd.ReadString('\n'); line != "second\n" {
		t.Errorf("second line = %q", line)
	}
}

func TestExtensionsMerged(t *testing.T) {
	_, srv, s := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"extensions": [{"alias": "router", "name": "Neutron L3 Router"}, {"alias": "bgpvpn-vni", "name": "Neutron's"}]}`)
	})
	_, body := do(t, "GET", srv.URL+"/v2.0/extensions", "", map[string]string{"X-Auth-Token": "tok"})
	var got struct {
		Extensions []struct{ Alias, Name string }
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("extensions: %v: %s", err, body)
	}
	var aliases []string
	for _, e := range got.Extensions {
		aliases = append(aliases, e.Alias+"="+e.Name)
	}
	want := []string{"router=Neutron L3 Router", "bgpvpn-vni=Neutron's", "bgpvpn=BGPVPN Extension"}
	if diff := cmp.Diff(want, aliases); diff != "" {
		t.Errorf("merged extensions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"GET /v2.0/extensions tok "}, s.list()); diff != "" {
		t.Errorf("what Neutron received (-want +got):\n%s", diff)
	}
}

func TestExtensionsNeutronFailurePassedThrough(t *testing.T) {
	_, srv, _ := setup(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"error": "401"}`)
	})
	res, body := do(t, "GET", srv.URL+"/v2.0/extensions", "", nil)
	if res.StatusCode != http.StatusUnauthorized || body != `{"error": "401"}` {
		t.Errorf("extensions with Neutron refusing = %d %q, want Neutron's 401", res.StatusCode, body)
	}
}

func TestAddRouterInterfaceChecked(t *testing.T) {
	f, srv, s := setup(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") })
	var asked []string
	f.InterfaceAllowed = func(_ context.Context, routerID, subnetID, portID string) error {
		asked = append(asked, routerID+" "+subnetID+" "+portID)
		if subnetID == "bound" {
			return fault.Conflict("RouterInterfaceAttachmentConflict", "refused")
		}
		return nil
	}
	res, body := do(t, "PUT", srv.URL+"/v2.0/routers/r1/add_router_interface", `{"subnet_id": "bound"}`, nil)
	if res.StatusCode != http.StatusConflict || !strings.Contains(body, `"type":"RouterInterfaceAttachmentConflict"`) {
		t.Errorf("refused interface = %d %s, want 409 RouterInterfaceAttachmentConflict", res.StatusCode, body)
	}
	if res, _ := do(t, "PUT", srv.URL+"/v2.0/routers/r1/add_router_interface", `{"port_id": "p1"}`, nil); res.StatusCode != http.StatusOK {
		t.Errorf("allowed interface: status %d", res.StatusCode)
	}
	if diff := cmp.Diff([]string{"r1 bound ", "r1  p1"}, asked); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{`PUT /v2.0/routers/r1/add_router_interface  {"port_id": "p1"}`}, s.list()); diff != "" {
		t.Errorf("what Neutron received (-want +got):\n%s", diff)
	}
}

func TestNeutronDown(t *testing.T) {
	_, srv, _ := setup(t, func(http.ResponseWriter, *http.Request) {})
	// A front on a closed port.
	dead, _ := url.Parse("http://127.0.0.1:1")
	f := front.New(http.NotFoundHandler(), dead, http.DefaultClient, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv2 := httptest.NewServer(f)
	defer srv2.Close()
	_ = srv
	res, body := do(t, "GET", srv2.URL+"/v2.0/networks", "", nil)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(body, `"NeutronError"`) {
		t.Errorf("Neutron down = %d %s, want a 503 NeutronError", res.StatusCode, body)
	}
}

func TestAddRouterInterfaceBodyTooLarge(t *testing.T) {
	f, srv, s := setup(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "{}") })
	f.InterfaceAllowed = func(context.Context, string, string, string) error { return nil }
	big := `{"subnet_id": "` + strings.Repeat("x", 2<<20) + `"}`
	if res, _ := do(t, "PUT", srv.URL+"/v2.0/routers/r1/add_router_interface", big, nil); res.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("2 MiB interface body: status %d, want 413", res.StatusCode)
	}
	if got := s.list(); len(got) != 0 {
		t.Errorf("Neutron received %d requests, want none", len(got))
	}
}

// A client that creates a network in Neutron and associates it at once
// (Terraform, Heat) gets the mirror to read it first.
func TestAssociationWaitsForTheMirror(t *testing.T) {
	f, srv, _ := setup(t, func(http.ResponseWriter, *http.Request) {})
	var asked []string
	f.AwaitMirrored = func(_ context.Context, kind, id string) { asked = append(asked, kind+" "+id) }
	for _, c := range []struct{ path, body string }{
		{"/v2.0/bgpvpn/bgpvpns/v1/network_associations", `{"network_association": {"network_id": "n1"}}`},
		{"/v2.0/bgpvpn/bgpvpns/v1/router_associations.json", `{"router_association": {"router_id": "r1"}}`},
		{"/v2.0/bgpvpn/bgpvpns/v1/port_associations", `{"port_association": {"port_id": "p1", "routes": []}}`},
		{"/v2.0/bgpvpn/bgpvpns/v1/network_associations", `{"network_association": {}}`},
		{"/v2.0/bgpvpn/bgpvpns/v1/network_associations", `not json`},
		{"/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"network_id": "n2"}}`},
	} {
		res, body := do(t, "POST", srv.URL+c.path, c.body, nil)
		if res.StatusCode != http.StatusOK || body != "ours "+c.path {
			t.Errorf("POST %s = %d %q, want our API's answer", c.path, res.StatusCode, body)
		}
	}
	if diff := cmp.Diff([]string{"network n1", "router r1", "port p1"}, asked); diff != "" {
		t.Errorf("objects awaited (-want +got):\n%s", diff)
	}
}

func TestAssociationBodyReachesTheAPI(t *testing.T) {
	s := &seen{}
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { s.add(r) })
	u, _ := url.Parse("http://127.0.0.1:1")
	f := front.New(api, u, http.DefaultClient, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.AwaitMirrored = func(context.Context, string, string) {}
	srv := httptest.NewServer(f)
	defer srv.Close()
	body := `{"network_association": {"network_id": "n1"}}`
	do(t, "POST", srv.URL+"/v2.0/bgpvpn/bgpvpns/v1/network_associations", body, map[string]string{"X-Auth-Token": "tok"})
	if diff := cmp.Diff([]string{"POST /v2.0/bgpvpn/bgpvpns/v1/network_associations tok " + body}, s.list()); diff != "" {
		t.Errorf("what our API received (-want +got):\n%s", diff)
	}
}
