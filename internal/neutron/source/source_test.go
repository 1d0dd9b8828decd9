package source_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/neutron/source"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// neutron is a stand-in for Neutron's list API (one layer's unit test;
// scripts/it/neutron.sh runs the real one): it pages by limit and marker
// as Neutron does and records the fields each request asked for.
func neutron(t testing.TB, collections map[string][]map[string]any) (*httptest.Server, map[string][]string) {
	fields := map[string][]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plural := r.URL.Path[len("/v2.0/"):]
		items, ok := collections[plural]
		if !ok {
			http.NotFound(w, r)
			return
		}
		fields[plural] = r.URL.Query()["fields"]
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		start := 0
		if m := r.URL.Query().Get("marker"); m != "" {
			start = slices.IndexFunc(items, func(o map[string]any) bool { return o["id"] == m }) + 1
		}
		end := min(start+limit, len(items))
		body := map[string]any{plural: items[start:end]}
		if end < len(items) {
			body[plural+"_links"] = []map[string]string{{"rel": "next",
				"href": fmt.Sprintf("http://%s/v2.0/%s?limit=%d&marker=%s", r.Host, plural, limit, items[end-1]["id"])}}
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(body)
	}))
	t.Cleanup(srv.Close)
	return srv, fields
}

func TestSnapshot(t *testing.T) {
	var ports []map[string]any
	var want []*store.Port
	for i := range 5 {
		id := fmt.Sprintf("port%d", i)
		ports = append(ports, map[string]any{"id": id, "tenant_id": "p1", "network_id": "net1", "name": nil,
			"mac_address": "FA:16:3E:00:00:0" + strconv.Itoa(i), "admin_state_up": true, "status": "DOWN",
			"device_owner": "network:router_interface_distributed", "device_id": "r1", "binding:host_id": "h1",
			"fixed_ips": []map[string]string{{"subnet_id": "sn1", "ip_address": "10.0.0." + strconv.Itoa(i+2)}}})
		want = append(want, &store.Port{ID: id, ProjectID: "p1", NetworkID: "net1", MACAddress: "fa:16:3e:00:00:0" + strconv.Itoa(i),
			AdminStateUp: true, Status: "DOWN", DeviceOwner: "network:router_interface", DeviceID: "r1", HostID: "h1",
			FixedIPs: []store.FixedIP{{SubnetID: "sn1", IPAddress: "10.0.0." + strconv.Itoa(i+2)}}})
	}
	srv, fields := neutron(t, map[string][]map[string]any{
		"networks": {{"id": "net1", "project_id": "p1", "name": "n", "admin_state_up": true, "shared": true, "router:external": true,
			"mtu": 1450, "status": "ACTIVE", "description": ""}},
		"subnets": {{"id": "sn1", "project_id": "p1", "network_id": "net1", "ip_version": 4, "cidr": "10.0.0.0/24",
			"gateway_ip": nil, "enable_dhcp": true, "allocation_pools": []map[string]string{{"start": "10.0.0.2", "end": "10.0.0.254"}},
			"ipv6_ra_mode": nil}},
		"routers": {{"id": "r1", "project_id": "p1", "external_gateway_info": map[string]any{"network_id": "net1"},
			"routes": []map[string]string{{"destination": "10.9.0.0/16", "nexthop": "10.0.0.9"}, {"destination": "10.8.0.0/16", "nexthop": "10.0.0.8"}}}},
		"ports": ports,
	})
	sc, err := source.Client(context.Background(), source.Auth{AuthType: "none", EndpointOverride: srv.URL + "/v2.0/"}, http.DefaultClient)
	if err != nil {
		t.Fatal(err)
	}
	snap, err := (&source.Source{Client: sc, PageSize: 2}).Snapshot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, snap.Ports); diff != "" {
		t.Errorf("ports, read in pages of 2 (-want +got):\n%s", diff)
	}
	wantNet := []*store.Network{{ID: "net1", ProjectID: "p1", Name: "n", AdminStateUp: true, Shared: true, External: true, MTU: 1450, Status: "ACTIVE"}}
	if diff := cmp.Diff(wantNet, snap.Networks); diff != "" {
		t.Errorf("networks (-want +got):\n%s", diff)
	}
	wantSubnet := []*store.Subnet{{ID: "sn1", ProjectID: "p1", NetworkID: "net1", IPVersion: 4, CIDR: "10.0.0.0/24", EnableDHCP: true,
		AllocationPools: []store.IPRange{{Start: "10.0.0.2", End: "10.0.0.254"}}, DNSNameservers: []string{}, HostRoutes: []store.Route{}}}
	if diff := cmp.Diff(wantSubnet, snap.Subnets); diff != "" {
		t.Errorf("subnets (-want +got):\n%s", diff)
	}
	wantRouter := []*store.Router{{ID: "r1", ProjectID: "p1", GatewayNetworkID: "net1",
		Routes: []store.Route{{Destination: "10.8.0.0/16", NextHop: "10.0.0.8"}, {Destination: "10.9.0.0/16", NextHop: "10.0.0.9"}}}}
	if diff := cmp.Diff(wantRouter, snap.Routers); diff != "" {
		t.Errorf("routers (-want +got):\n%s", diff)
	}
	for _, f := range []string{"binding:host_id", "fixed_ips", "mac_address", "device_owner"} {
		if !slices.Contains(fields["ports"], f) {
			t.Errorf("ports listed with fields %v, missing %s", fields["ports"], f)
		}
	}
}

func TestClientConfigErrors(t *testing.T) {
	for _, a := range []source.Auth{
		{AuthType: "none"},
		{AuthType: "password"},
		{AuthType: "token"},
	} {
		if _, err := source.Client(context.Background(), a, http.DefaultClient); err == nil {
			t.Errorf("Client(%+v) = nil error, want one", a)
		}
	}
}
