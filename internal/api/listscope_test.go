package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestForeignMarkers: a pagination marker naming another project's object
// behaves exactly as one that does not exist, so a page never tells where
// another project's name, CIDR or VNI sorts, nor that its id exists.
func TestForeignMarkers(t *testing.T) { testForeignMarkers(t, newServer(t)) }

func TestForeignMarkersPostgres(t *testing.T) { testForeignMarkers(t, newServerPostgres(t)) }

func testForeignMarkers(t *testing.T, s *apiServer) {
	for _, name := range []string{"a1", "a3", "a5"} {
		net := s.createNetwork(tenantA, name)
		s.createSubnet(tenantA, net, map[string]string{"a1": "10.1.0.0/24", "a3": "10.3.0.0/24", "a5": "10.5.0.0/24"}[name])
		s.createRouter(tenantA, name)
		s.createBGPVPN(admin, `{"name": "`+name+`", "tenant_id": "project-a"}`)
	}
	foreign := map[string]string{}
	netB := s.createNetwork(tenantB, "a4")
	foreign["networks"] = netB
	foreign["subnets"] = s.createSubnet(tenantB, netB, "10.4.0.0/24")
	foreign["routers"] = s.createRouter(tenantB, "a4")
	foreign["ports"] = s.createPort(tenantB, netB)
	foreign["bgpvpn/bgpvpns"] = s.createBGPVPN(admin, `{"name": "a4", "tenant_id": "project-b"}`)
	for _, tt := range []struct{ collection, key string }{
		{"networks", "name"}, {"subnets", "cidr"}, {"routers", "name"}, {"bgpvpn/bgpvpns", "name"}, {"ports", "name"},
	} {
		for _, dir := range []string{"asc", "desc"} {
			for _, reverse := range []string{"", "&page_reverse=True"} {
				t.Run(tt.collection+" "+dir+reverse, func(t *testing.T) {
					plural := tt.collection
					if plural == "bgpvpn/bgpvpns" {
						plural = "bgpvpns"
					}
					q := "/v2.0/" + tt.collection + "?sort_key=" + tt.key + "&sort_dir=" + dir + "&limit=2" + reverse + "&fields=id&marker="
					got := s.get(tenantA, q+foreign[tt.collection]).must(t, 200)
					want := s.get(tenantA, q+unknownID).must(t, 200)
					if d := cmp.Diff(ids(t, want, plural), ids(t, got, plural)); d != "" {
						t.Errorf("page after another project's marker differs from one after an unknown marker (-unknown +foreign):\n%s", d)
					}
				})
			}
		}
	}
}

// TestHiddenFiltersAndSortKeys: a list may not filter or sort on what
// policy hides from the caller (it would tell the values); an admin may.
func TestHiddenFiltersAndSortKeys(t *testing.T) {
	s := newServer(t)
	net := s.createNetwork(tenantA, "net-a")
	s.createBGPVPN(admin, `{"name": "v", "tenant_id": "project-a", "route_targets": ["64512:1"], "vni": 100}`)
	s.post(admin, "/v2.0/ports", `{"port": {"network_id": "`+net+`", "tenant_id": "project-a", "binding:host_id": "compute-1"}}`).must(t, 201)
	for _, tt := range []struct{ path, attr, what string }{
		{"/v2.0/bgpvpn/bgpvpns?route_targets=64512:1", "route_targets", "filter"},
		{"/v2.0/bgpvpn/bgpvpns?import_targets=", "import_targets", "filter"},
		{"/v2.0/bgpvpn/bgpvpns?route_distinguishers=64512:1", "route_distinguishers", "filter"},
		{"/v2.0/bgpvpn/bgpvpns?vni=100", "vni", "filter"},
		{"/v2.0/bgpvpn/bgpvpns?sort_key=vni&sort_dir=asc", "vni", "sort key"},
		{"/v2.0/ports?binding:host_id=compute-1", "binding:host_id", "filter"},
		{"/v2.0/ports?sort_key=binding:host_id&sort_dir=desc", "binding:host_id", "sort key"},
		{"/v2.0/networks?provider:segmentation_id=1", "provider:segmentation_id", "filter"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			s.get(tenantA, tt.path).wantFault(t, 400, "HTTPBadRequest",
				"Attribute '"+tt.attr+"' is hidden by policy and cannot be a "+tt.what)
			s.get(admin, tt.path).must(t, 200)
		})
	}
	t.Run("project filters stay", func(t *testing.T) {
		if got := ids(t, s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?tenant_id=project-a").must(t, 200), "bgpvpns"); len(got) != 1 {
			t.Errorf("tenant A filtering on its project lists %v, want its BGPVPN", got)
		}
		s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?project_id=project-b").wantExact(t, 200, `{"bgpvpns": []}`)
	})
	t.Run("visible attributes filter and sort", func(t *testing.T) {
		if got := ids(t, s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?name=v&sort_key=name&sort_dir=asc").must(t, 200), "bgpvpns"); len(got) != 1 {
			t.Errorf("tenant A's list by name: %v, want its BGPVPN", got)
		}
	})
}

// TestVisibleFiltersStay: what clients send as tenants keeps working
// (openstack network list --external, port list --device-owner, …).
func TestVisibleFiltersStay(t *testing.T) {
	s := newServer(t)
	ext := idOf(t, s.post(admin, "/v2.0/networks", `{"network": {"name": "public", "router:external": true}}`).must(t, 201), "network")
	net := s.createNetwork(tenantA, "net-a")
	for _, path := range []string{
		"/v2.0/networks?router:external=True", "/v2.0/networks?shared=False&sort_key=name&sort_dir=asc",
		"/v2.0/ports?device_owner=compute:nova&network_id=" + net, "/v2.0/ports?device_id=x&mac_address=fa:16:3e:00:00:01",
		"/v2.0/subnets?cidr=10.0.0.0/24&sort_key=cidr&sort_dir=desc", "/v2.0/routers?name=r&sort_key=status&sort_dir=asc",
		"/v2.0/bgpvpn/bgpvpns?type=l3&local_pref=5&sort_key=local_pref&sort_dir=asc",
	} {
		t.Run(path, func(t *testing.T) { s.get(tenantA, path).must(t, 200) })
	}
	if got := ids(t, s.get(tenantA, "/v2.0/networks?router:external=True").must(t, 200), "networks"); len(got) != 1 || got[0] != ext {
		t.Errorf("tenant A's external networks: %v, want [%s]", got, ext)
	}
}
