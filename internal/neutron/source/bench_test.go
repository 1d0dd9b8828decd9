package source_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/neutron/source"
)

// BenchmarkSnapshot10000Ports reads a Neutron of 10,000 ports (pages of
// 1000, as the server does) from a stand-in that answers at once: our
// share of a full read (HTTP, JSON, conversion), not Neutron's.
func BenchmarkSnapshot10000Ports(b *testing.B) {
	ports := make([]map[string]any, 10000)
	for i := range ports {
		ports[i] = map[string]any{"id": fmt.Sprintf("port%05d", i), "project_id": "p1", "network_id": "net1", "name": "",
			"mac_address": fmt.Sprintf("fa:16:3e:00:%02x:%02x", i/256, i%256), "admin_state_up": true, "status": "ACTIVE",
			"device_owner": "compute:nova", "device_id": "vm", "binding:host_id": fmt.Sprintf("host%02d", i%50),
			"fixed_ips": []map[string]string{{"subnet_id": "sn1", "ip_address": fmt.Sprintf("10.0.%d.%d", i/256, i%256)}}}
	}
	srv, _ := neutron(b, map[string][]map[string]any{"networks": nil, "subnets": nil, "routers": nil, "ports": ports})
	sc, err := source.Client(context.Background(), source.Auth{AuthType: "none", EndpointOverride: srv.URL}, http.DefaultClient)
	if err != nil {
		b.Fatal(err)
	}
	s := &source.Source{Client: sc}
	for b.Loop() {
		snap, err := s.Snapshot(context.Background())
		if err != nil || len(snap.Ports) != 10000 {
			b.Fatalf("Snapshot: %d ports, %v", len(snap.Ports), err)
		}
	}
}
