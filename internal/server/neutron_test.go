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
	"sync/atomic"
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

// A network created in Neutron and associated at once (what Terraform and
// Heat do) is associated on the first try, long before the next full read
// of Neutron.
func TestNeutronModeAssociatesWhatNeutronJustCreated(t *testing.T) {
	const netID = "7d1c8f0e-3a52-4c1b-9b55-2f0c7c1e9a10"
	var created atomic.Bool
	neutron := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		const net = `{"id": "` + netID + `", "project_id": "p1", "name": "new", "admin_state_up": true, "shared": false, "router:external": false, "mtu": 1450, "status": "ACTIVE"}`
		switch {
		case r.URL.Path == "/v2.0/networks" && created.Load():
			io.WriteString(w, `{"networks": [`+net+`]}`)
		case r.URL.Path == "/v2.0/networks/"+netID && created.Load():
			io.WriteString(w, `{"network": `+net+`}`)
		case r.URL.Path == "/v2.0/networks" || r.URL.Path == "/v2.0/subnets" || r.URL.Path == "/v2.0/ports" || r.URL.Path == "/v2.0/routers":
			fmt.Fprintf(w, `{%q: []}`, strings.TrimPrefix(r.URL.Path, "/v2.0/"))
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"NeutronError": {"type": "NotFound", "message": "not found", "detail": ""}}`)
		}
	}))
	hs := startSynced(t, neutron)

	created.Store(true)
	res, err := http.Post(hs.URL+"/v2.0/bgpvpn/bgpvpns", "application/json", strings.NewReader(`{"bgpvpn": {"route_targets": ["64512:1"], "tenant_id": "p1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var vpn struct{ BGPVPN struct{ ID string } }
	json.NewDecoder(res.Body).Decode(&vpn)
	res.Body.Close()
	res, err = http.Post(hs.URL+"/v2.0/bgpvpn/bgpvpns/"+vpn.BGPVPN.ID+"/network_associations", "application/json",
		strings.NewReader(`{"network_association": {"network_id": "`+netID+`", "tenant_id": "p1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		t.Errorf("associating a network Neutron just created = %d %s, want 201", res.StatusCode, b)
	}
}

func get(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// In Neutron mode the networks are Neutron's, and so is their visibility:
// a tenant associates its own network, while another project's network
// answers exactly as one that does not exist.
func TestNeutronModeForeignNetworkIsMissing(t *testing.T) {
	const (
		own     = "0b6f9a52-0c1e-4f55-8f0e-1d6a3c2b7e01"
		foreign = "9c2d4e61-7a3b-4c8d-9e0f-2a1b3c4d5e02"
		missing = "5e4d3c2b-1a0f-4e9d-8c7b-6a5f4e3d2c03"
	)
	neutron := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		net := func(id, project string) string {
			return `{"id": "` + id + `", "project_id": "` + project + `", "name": "n", "admin_state_up": true, "shared": false, "router:external": false, "mtu": 1450, "status": "ACTIVE"}`
		}
		switch r.URL.Path {
		case "/v2.0/networks":
			io.WriteString(w, `{"networks": [`+net(own, "p1")+`, `+net(foreign, "p2")+`]}`)
		case "/v2.0/subnets", "/v2.0/ports", "/v2.0/routers":
			fmt.Fprintf(w, `{%q: []}`, strings.TrimPrefix(r.URL.Path, "/v2.0/"))
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"NeutronError": {"type": "NetworkNotFound", "message": "not found", "detail": ""}}`)
		}
	}))
	hs := startSynced(t, neutron)
	res, err := http.Post(hs.URL+"/v2.0/bgpvpn/bgpvpns", "application/json", strings.NewReader(`{"bgpvpn": {"route_targets": ["64512:1"], "tenant_id": "p1"}}`))
	if err != nil {
		t.Fatal(err)
	}
	var vpn struct{ BGPVPN struct{ ID string } }
	json.NewDecoder(res.Body).Decode(&vpn)
	res.Body.Close()
	associate := func(netID string) (int, string) {
		req, _ := http.NewRequest("POST", hs.URL+"/v2.0/bgpvpn/bgpvpns/"+vpn.BGPVPN.ID+"/network_associations",
			strings.NewReader(`{"network_association": {"network_id": "`+netID+`"}}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-User-Id", "u1")
		req.Header.Set("X-Project-Id", "p1")
		req.Header.Set("X-Roles", "member")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, strings.ReplaceAll(string(b), netID, "ID")
	}
	fs, fb := associate(foreign)
	ms, mb := associate(missing)
	if fs != http.StatusNotFound || fs != ms || fb != mb {
		t.Errorf("another project's network: %d %s; a missing one: %d %s; want the same 404", fs, fb, ms, mb)
	}
	if s, b := associate(own); s != http.StatusCreated {
		t.Errorf("the tenant's own network: %d %s, want 201", s, b)
	}
}

// startSynced is bgpvpn-server in Neutron mode before neutron, once the
// mirror's first read has ended; the next full read is an hour away, so
// that only the first read and targeted ones count.
func startSynced(t *testing.T, neutron *httptest.Server) *httptest.Server {
	t.Helper()
	t.Cleanup(neutron.Close)
	conf := fmt.Sprintf("[DEFAULT]\ndata_dir = %s\n[neutron]\nauth_type = none\nendpoint_override = %s\nresync_interval = 3600\n", t.TempDir(), neutron.URL)
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
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(get(t, hs.URL+"/metrics"), "bgpvpn_server_neutron_mirror_synced 1") {
		if time.Now().After(deadline) {
			t.Fatal("the mirror's first read did not end")
		}
		time.Sleep(20 * time.Millisecond) // poll interval, not an assertion
	}
	return hs
}
