package source_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
	"github.com/bgpvpn/bgpvpn/internal/neutron/source"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// oneObject is a stand-in for Neutron's show and filtered list: port p1
// (of router r1) exists, everything else is a 404; it records the queries.
func oneObject(t *testing.T) (*source.Source, *[]string) {
	var queries []string
	p1 := map[string]any{"id": "p1", "project_id": "p1", "network_id": "net1", "mac_address": "fa:16:3e:00:00:01",
		"admin_state_up": true, "status": "ACTIVE", "device_owner": "network:router_interface", "device_id": "r1",
		"binding:host_id": "h1", "fixed_ips": []map[string]string{{"subnet_id": "sn1", "ip_address": "10.0.0.1"}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.Path+"?"+r.URL.RawQuery)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/v2.0/ports/p1":
			json.NewEncoder(w).Encode(map[string]any{"port": p1})
		case r.URL.Path == "/v2.0/ports" && r.URL.Query().Get("device_id") == "r1":
			json.NewEncoder(w).Encode(map[string]any{"ports": []any{p1}})
		case r.URL.Path == "/v2.0/ports":
			json.NewEncoder(w).Encode(map[string]any{"ports": []any{}})
		default:
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`{"NeutronError": {"type": "PortNotFound", "message": "not found", "detail": ""}}`))
		}
	}))
	t.Cleanup(srv.Close)
	sc, err := source.Client(context.Background(), source.Auth{AuthType: "none", EndpointOverride: srv.URL}, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	return &source.Source{Client: sc}, &queries
}

func TestObjects(t *testing.T) {
	s, queries := oneObject(t)
	ctx := context.Background()
	want := &store.Port{ID: "p1", ProjectID: "p1", NetworkID: "net1", MACAddress: "fa:16:3e:00:00:01", AdminStateUp: true,
		Status: "ACTIVE", DeviceOwner: "network:router_interface", DeviceID: "r1", HostID: "h1",
		FixedIPs: []store.FixedIP{{SubnetID: "sn1", IPAddress: "10.0.0.1"}}}
	got, err := s.Port(ctx, "p1")
	if err != nil {
		t.Fatalf("Port(p1): %v", err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Port(p1) (-want +got):\n%s", diff)
	}
	if !strings.Contains((*queries)[0], "fields=binding%3Ahost_id") {
		t.Errorf("Port(p1) asked %s, want only the mirror's fields", (*queries)[0])
	}
	for name, read := range map[string]func() error{
		"Port":    func() error { _, err := s.Port(ctx, "gone"); return err },
		"Network": func() error { _, err := s.Network(ctx, "gone"); return err },
		"Subnet":  func() error { _, err := s.Subnet(ctx, "gone"); return err },
		"Router":  func() error { _, err := s.Router(ctx, "gone"); return err },
	} {
		if err := read(); !errors.Is(err, mirror.ErrGone) {
			t.Errorf("%s(gone) = %v, want mirror.ErrGone", name, err)
		}
	}
	ports, err := s.DevicePorts(ctx, "r1")
	if err != nil || len(ports) != 1 || ports[0].ID != "p1" {
		t.Errorf("DevicePorts(r1) = %v, %v; want p1", ports, err)
	}
	if ports, err := s.DevicePorts(ctx, "r2"); err != nil || len(ports) != 0 {
		t.Errorf("DevicePorts(r2) = %v, %v; want none", ports, err)
	}
}
