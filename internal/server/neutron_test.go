package server

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
)

// newNeutronServer is bgpvpn-server in Neutron mode before a stand-in
// Neutron (scripts/it/neutron.sh runs the real one) holding one network.
func newNeutronServer(t *testing.T) (*httptest.Server, *Server) {
	t.Helper()
	neutron := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v2.0/networks":
			io.WriteString(w, `{"networks": [{"id": "4e8e5957-649f-477b-9e5b-f1f75b21c03c", "project_id": "p1", "name": "from-neutron", "admin_state_up": true, "shared": false, "router:external": false, "mtu": 1450, "status": "ACTIVE"}]}`)
		case "/v2.0/subnets", "/v2.0/ports", "/v2.0/routers":
			fmt.Fprintf(w, `{%q: []}`, strings.TrimPrefix(r.URL.Path, "/v2.0/"))
		default:
			w.WriteHeader(http.StatusTeapot)
			io.WriteString(w, "neutron "+r.URL.Path)
		}
	}))
	t.Cleanup(neutron.Close)
	conf := fmt.Sprintf("[DEFAULT]\ndata_dir = %s\n[neutron]\nauth_type = none\nendpoint_override = %s\nresync_interval = 0.05\n", t.TempDir(), neutron.URL)
	v, err := Schema().Parse("test.conf", strings.NewReader(conf))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	return hs, srv
}

func TestNeutronMode(t *testing.T) {
	hs, _ := newNeutronServer(t)
	// Not ours: Neutron's answer.
	res, err := http.Get(hs.URL + "/v2.0/floatingips")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusTeapot || string(b) != "neutron /v2.0/floatingips" {
		t.Errorf("GET /v2.0/floatingips = %d %q, want Neutron's answer", res.StatusCode, b)
	}
	// Ours, on Neutron's network once the mirror has it.
	res, err = http.Post(hs.URL+"/v2.0/bgpvpn/bgpvpns", "application/json", strings.NewReader(`{"bgpvpn": {"route_targets": ["64512:1"], "tenant_id": "p1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var vpn struct{ BGPVPN struct{ ID string } }
	json.NewDecoder(res.Body).Decode(&vpn)
	res.Body.Close()
	deadline := time.Now().Add(10 * time.Second)
	for {
		res, err := http.Post(hs.URL+"/v2.0/bgpvpn/bgpvpns/"+vpn.BGPVPN.ID+"/network_associations", "application/json",
			strings.NewReader(`{"network_association": {"network_id": "4e8e5957-649f-477b-9e5b-f1f75b21c03c", "tenant_id": "p1"}}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("associating Neutron's network: %d %s", res.StatusCode, b)
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not an assertion
	}
}

func TestNeutronModeConfigErrors(t *testing.T) {
	for _, conf := range []string{
		"[neutron]\nauth_type = none\n",
		"[neutron]\nauth_type = token\nendpoint_override = http://127.0.0.1:1\n",
		"[neutron]\nauth_type = none\nendpoint_override = http://127.0.0.1:1\nresync_interval = 0\n",
	} {
		v, err := Schema().Parse("test.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+t.TempDir()+"\n"+conf))
		if err != nil {
			continue // refused by the schema: fine too
		}
		if srv, err := New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil))); err == nil {
			srv.Close()
			t.Errorf("New with %q: no error", conf)
		} else if !strings.Contains(err.Error(), "[neutron]") {
			t.Errorf("New with %q: error %q does not name [neutron]", conf, err)
		}
	}
}
