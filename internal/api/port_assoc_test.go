package api_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sortRoutes orders the routes of port associations, whose order the
// original does not keep, by their text.
var sortRoutes = cmp.Transformer("sortRoutes", func(m map[string]any) map[string]any {
	routes, ok := m["routes"].([]any)
	if !ok {
		return m
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	rs := slices.Clone(routes)
	key := func(r any) string {
		x, _ := r.(map[string]any)
		p, _ := x["prefix"].(string)
		b, _ := x["bgpvpn_id"].(string)
		return p + b
	}
	sort.Slice(rs, func(i, j int) bool { return key(rs[i]) < key(rs[j]) })
	out["routes"] = rs
	return out
})

func TestPortAssociations(t *testing.T) {
	s := newServer(t)
	l3A := s.createBGPVPN(admin, `{"name": "vpn-l3-a", "tenant_id": "project-a"}`)
	second := s.createBGPVPN(admin, `{"name": "vpn-l3-a-second", "tenant_id": "project-a", "route_targets": ["64512:50"]}`)
	l2A := s.createBGPVPN(admin, `{"name": "vpn-l2-a", "type": "l2", "tenant_id": "project-a"}`)
	l3B := s.createBGPVPN(admin, `{"name": "vpn-l3-b", "tenant_id": "project-b"}`)
	netA1 := s.createNetwork(tenantA, "net-a1")
	s.createSubnet(tenantA, netA1, "10.0.0.0/24")
	p1, p2 := s.createPort(tenantA, netA1), s.createPort(tenantA, netA1)
	netB1 := s.createNetwork(tenantB, "net-b1")
	pB := s.createPort(tenantB, netB1)
	assocs := vpnPath(l3A) + "/port_associations"
	vars := []string{"$P1", p1, "$P2", p2, "$SECOND", second}
	var a1, a2 string

	fullRoutes := `[{"type": "bgpvpn", "local_pref": 50, "bgpvpn_id": "$SECOND"}, {"type": "prefix", "local_pref": null, "prefix": "2001:db8::/64"}, {"type": "prefix", "local_pref": 100, "prefix": "20.0.0.0/24"}]`
	t.Run("[163] port association with prefix and bgpvpn routes", func(t *testing.T) {
		r := s.post(tenantA, assocs, `{"port_association": {"port_id": "`+p1+`", "advertise_fixed_ips": false, "routes": [{"type": "prefix", "prefix": "20.0.0.0/24", "local_pref": 100}, {"type": "prefix", "prefix": "2001:db8::/64"}, {"type": "bgpvpn", "bgpvpn_id": "`+second+`", "local_pref": 50}]}}`)
		a1 = idOf(t, r.must(t, 201), "port_association")
		want := expand(t, `{"port_association": {"id": "$ID", "port_id": "$P1", "advertise_fixed_ips": false, "routes": `+fullRoutes+`}}`, append(vars, "$ID", a1)...)
		if d := cmp.Diff(want, withoutStd(r.json(t)), sortRoutes); d != "" {
			t.Errorf("body (-want +got):\n%s", d)
		}
		wantKeys := []string{"id", "port_id", "advertise_fixed_ips", "routes", "description", "created_at", "updated_at", "revision_number"}
		if d := cmp.Diff(wantKeys, r.keys(t, "port_association")); d != "" {
			t.Errorf("owner's keys (-want +got):\n%s", d)
		}
	})
	t.Run("[164] port association with defaults", func(t *testing.T) {
		r := s.post(tenantA, assocs, `{"port_association": {"port_id": "`+p2+`"}}`)
		a2 = idOf(t, r.must(t, 201), "port_association")
		r.wantBody(t, 201, `{"port_association": {"id": "$ID", "port_id": "$P2", "advertise_fixed_ips": true, "routes": []}}`, append(vars, "$ID", a2)...)
	})
	noMatch := "Invalid input for operation: No valid key specs matched for: "
	faults := []struct {
		name, method, path, body string
		who                      identity
		status                   int
		typ, message             string
	}{
		{"[165] same port again", "POST", assocs, `{"port_association": {"port_id": "` + p1 + `"}}`, tenantA,
			400, "BGPVPNPortAssocAlreadyExists", "port " + p1 + " is already associated to BGPVPN " + l3A},
		{"[166] tenant B's port", "POST", assocs, `{"port_association": {"port_id": "` + pB + `"}}`, tenantA,
			404, "PortNotFound", "Port " + pB + " could not be found."},
		{"nonexistent port", "POST", assocs, `{"port_association": {"port_id": "` + unknownID + `"}}`, tenantA,
			404, "PortNotFound", "Port " + unknownID + " could not be found."},
		{"admin associates tenant B's port with tenant A's BGPVPN", "POST", assocs, `{"port_association": {"port_id": "` + pB + `", "tenant_id": "project-a"}}`, admin,
			403, "NotAuthorized", "Not authorized: the port belongs to project project-b, the BGPVPN to project project-a."},
		{"port_id missing", "POST", assocs, `{"port_association": {"routes": []}}`, tenantA,
			400, "HTTPBadRequest", "Failed to parse request. Required attribute 'port_id' not specified"},
		{"[167] prefix route without prefix", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "prefix"}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'prefix'}."},
		{"[168] prefix route with a bad prefix", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "prefix", "prefix": "20.0.0.1/33"}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'prefix', 'prefix': '20.0.0.1/33'}."},
		{"[169] prefix route with a host address without length", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "prefix", "prefix": "20.0.0.1"}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'prefix', 'prefix': '20.0.0.1'}."},
		{"[170] route of unknown type", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "other", "prefix": "20.0.0.0/24"}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'other', 'prefix': '20.0.0.0/24'}."},
		{"[171] route local_pref 2^32", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "prefix", "prefix": "20.0.0.0/24", "local_pref": 4294967296}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'prefix', 'prefix': '20.0.0.0/24', 'local_pref': 4294967296}."},
		{"[172] prefix route carrying an extra bgpvpn_id key", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "prefix", "prefix": "20.0.0.0/24", "bgpvpn_id": "` + second + `"}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'prefix', 'prefix': '20.0.0.0/24', 'bgpvpn_id': '" + second + "'}."},
		{"bgpvpn route with a malformed id", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "bgpvpn", "bgpvpn_id": "x", "local_pref": null}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'bgpvpn', 'bgpvpn_id': 'x', 'local_pref': None}."},
		{"route that is not an object", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": ["20.0.0.0/24"]}}`, tenantA,
			400, "InvalidInput", noMatch + "20.0.0.0/24."},
		{"[173] bgpvpn route to a nonexistent BGPVPN", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "bgpvpn", "bgpvpn_id": "` + unknownID + `"}]}}`, tenantA,
			400, "BGPVPNPortAssocRouteNoSuchBGPVPN", "bgpvpn specified in route does not exist (" + unknownID + ")"},
		{"[174] bgpvpn route to a BGPVPN of another type", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "bgpvpn", "bgpvpn_id": "` + l2A + `"}]}}`, tenantA,
			400, "BGPVPNPortAssocRouteBGPVPNTypeDiffer", "bgpvpn specified in route is of type l2, differing from type of associated BGPVPN l3)"},
		{"[175] bgpvpn route to another tenant's BGPVPN (as admin)", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "tenant_id": "project-a", "routes": [{"type": "bgpvpn", "bgpvpn_id": "` + l3B + `"}]}}`, admin,
			400, "BGPVPNPortAssocRouteWrongBGPVPNTenant", "bgpvpn specified in route does not belong to the tenant (" + l3B + ")"},
		{"bgpvpn route to a BGPVPN the tenant cannot see does not exist for it", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "bgpvpn", "bgpvpn_id": "` + l3B + `"}]}}`, tenantA,
			400, "BGPVPNPortAssocRouteNoSuchBGPVPN", "bgpvpn specified in route does not exist (" + l3B + ")"},
		{"[176] advertise_fixed_ips not a boolean", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "advertise_fixed_ips": "nope"}}`, tenantA,
			400, "InvalidInput", "Invalid input for operation: 'nope' cannot be converted to boolean."},
		{"[177] duplicate routes", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": [{"type": "prefix", "prefix": "20.0.0.0/24"}, {"type": "prefix", "prefix": "20.0.0.0/24"}]}}`, tenantA,
			400, "InvalidInput", "Invalid input for operation: Duplicate items in the list: '{'type': 'prefix', 'prefix': '20.0.0.0/24'}'."},
		{"routes not a list", "POST", assocs, `{"port_association": {"port_id": "` + p2 + `", "routes": "20.0.0.0/24"}}`, tenantA,
			400, "InvalidInput", "Invalid input for operation: '20.0.0.0/24' is not a list."},
		{"[183] update port_id", "PUT", assocs + "/" + a2, `{"port_association": {"port_id": "` + p1 + `"}}`, tenantA,
			400, "HTTPBadRequest", "Cannot update read-only attribute port_id"},
		{"update with a route to a nonexistent BGPVPN", "PUT", assocs + "/" + a2, `{"port_association": {"routes": [{"type": "bgpvpn", "bgpvpn_id": "` + unknownID + `"}]}}`, tenantA,
			400, "BGPVPNPortAssocRouteNoSuchBGPVPN", "bgpvpn specified in route does not exist (" + unknownID + ")"},
		{"update with a route to another tenant's BGPVPN (as admin)", "PUT", assocs + "/" + a2, `{"port_association": {"routes": [{"type": "bgpvpn", "bgpvpn_id": "` + l3B + `"}]}}`, admin,
			400, "BGPVPNPortAssocRouteWrongBGPVPNTenant", "bgpvpn specified in route does not belong to the tenant (" + l3B + ")"},
		{"update with a route to an l2 BGPVPN", "PUT", assocs + "/" + a2, `{"port_association": {"routes": [{"type": "bgpvpn", "bgpvpn_id": "` + l2A + `"}]}}`, tenantA,
			400, "BGPVPNPortAssocRouteBGPVPNTypeDiffer", "bgpvpn specified in route is of type l2, differing from type of associated BGPVPN l3)"},
		{"update with a bad prefix", "PUT", assocs + "/" + a2, `{"port_association": {"routes": [{"type": "prefix", "prefix": "300.0.0.0/8"}]}}`, tenantA,
			400, "InvalidInput", noMatch + "{'type': 'prefix', 'prefix': '300.0.0.0/8'}."},
		{"tenant B updates tenant A's association", "PUT", assocs + "/" + a2, `{"port_association": {"routes": []}}`, tenantB,
			404, "BGPVPNPortAssocNotFound", "BGPVPN port association " + a2 + " could not be found for BGPVPN " + l3A},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			// a2 is only known once the subtests above ran.
			path := tt.path
			if tt.method == "PUT" {
				path = assocs + "/" + a2
			}
			s.do(tt.who, tt.method, path, tt.body).wantFault(t, tt.status, tt.typ, tt.message)
		})
	}
	t.Run("[178] list port associations", func(t *testing.T) {
		got := withoutStd(s.get(tenantA, assocs).must(t, 200))["port_associations"]
		want := expand(t, `{"l": [{"id": "$A1", "port_id": "$P1", "advertise_fixed_ips": false, "routes": `+fullRoutes+`},
			{"id": "$A2", "port_id": "$P2", "advertise_fixed_ips": true, "routes": []}]}`, append(vars, "$A1", a1, "$A2", a2)...)["l"]
		if d := cmp.Diff(want, got, sortByID, sortRoutes); d != "" {
			t.Errorf("list (-want +got):\n%s", d)
		}
	})
	t.Run("[179] show a port association", func(t *testing.T) {
		want := expand(t, `{"port_association": {"id": "$ID", "port_id": "$P1", "advertise_fixed_ips": false, "routes": `+fullRoutes+`}}`, append(vars, "$ID", a1)...)
		if d := cmp.Diff(want, withoutStd(s.get(tenantA, assocs+"/"+a1).must(t, 200)), sortRoutes); d != "" {
			t.Errorf("show (-want +got):\n%s", d)
		}
	})
	t.Run("[180] show a port association as admin", func(t *testing.T) {
		r := s.get(admin, assocs+"/"+a1)
		want := expand(t, `{"port_association": {"id": "$ID", "tenant_id": "project-a", "port_id": "$P1", "advertise_fixed_ips": false, "routes": `+fullRoutes+`, "project_id": "project-a"}}`, append(vars, "$ID", a1)...)
		if d := cmp.Diff(want, withoutStd(r.must(t, 200)), sortRoutes); d != "" {
			t.Errorf("show (-want +got):\n%s", d)
		}
		wantKeys := []string{"id", "tenant_id", "port_id", "advertise_fixed_ips", "routes", "project_id", "description", "created_at", "updated_at", "revision_number"}
		if d := cmp.Diff(wantKeys, r.keys(t, "port_association")); d != "" {
			t.Errorf("admin's keys (-want +got):\n%s", d)
		}
	})
	t.Run("[181] update: replace routes, advertise_fixed_ips true", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+a1, `{"port_association": {"advertise_fixed_ips": true, "routes": [{"type": "prefix", "prefix": "30.0.0.0/16", "local_pref": 7}]}}`).wantBody(t, 200,
			`{"port_association": {"id": "$ID", "port_id": "$P1", "advertise_fixed_ips": true, "routes": [{"type": "prefix", "local_pref": 7, "prefix": "30.0.0.0/16"}]}}`, append(vars, "$ID", a1)...)
	})
	t.Run("[182] update only advertise_fixed_ips keeps the routes (the original drops them)", func(t *testing.T) {
		want := `{"port_association": {"id": "$ID", "port_id": "$P1", "advertise_fixed_ips": false, "routes": [{"type": "prefix", "local_pref": 7, "prefix": "30.0.0.0/16"}]}}`
		s.put(tenantA, assocs+"/"+a1, `{"port_association": {"advertise_fixed_ips": false}}`).wantBody(t, 200, want, append(vars, "$ID", a1)...)
		s.get(tenantA, assocs+"/"+a1).wantBody(t, 200, want, append(vars, "$ID", a1)...)
	})
	t.Run("update with routes null clears them", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+a2, `{"port_association": {"routes": [{"type": "bgpvpn", "bgpvpn_id": "`+second+`"}]}}`).wantBody(t, 200,
			`{"port_association": {"id": "$ID", "port_id": "$P2", "advertise_fixed_ips": true, "routes": [{"type": "bgpvpn", "local_pref": null, "bgpvpn_id": "$SECOND"}]}}`, append(vars, "$ID", a2)...)
		s.put(tenantA, assocs+"/"+a2, `{"port_association": {"routes": null}}`).wantBody(t, 200,
			`{"port_association": {"id": "$ID", "port_id": "$P2", "advertise_fixed_ips": true, "routes": []}}`, append(vars, "$ID", a2)...)
	})
	t.Run("[184] the BGPVPN lists its ports", func(t *testing.T) {
		got := object(t, s.get(tenantA, vpnPath(l3A)).must(t, 200), "bgpvpn")["ports"]
		if d := cmp.Diff(sorted(p1, p2), sorted(toStrings(got)...)); d != "" {
			t.Errorf("ports (-want +got):\n%s", d)
		}
	})
	t.Run("[185] filter BGPVPNs by port (the original always answers [])", func(t *testing.T) {
		if got := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?ports="+p1)); !cmp.Equal(got, []string{l3A}) {
			t.Errorf("ports=port-a1 selects %v, want [%s]", got, l3A)
		}
		if got := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?ports="+unknownID)); len(got) != 0 {
			t.Errorf("ports=<unknown> selects %v, want none", got)
		}
	})
	t.Run("[186] delete a port association", func(t *testing.T) {
		s.del(tenantA, assocs+"/"+a2).must(t, 204)
		s.get(tenantA, assocs+"/"+a2).wantFault(t, 404, "BGPVPNPortAssocNotFound", "BGPVPN port association "+a2+" could not be found for BGPVPN "+l3A)
	})
	t.Run("[187] delete a port that is associated", func(t *testing.T) {
		s.del(tenantA, "/v2.0/ports/"+p1).must(t, 204)
	})
	t.Run("[188] port associations after the port was deleted", func(t *testing.T) {
		s.get(tenantA, assocs).wantExact(t, 200, `{"port_associations": []}`)
		s.get(tenantA, vpnPath(l3A)+"?fields=ports").wantExact(t, 200, `{"bgpvpn": {"ports": []}}`)
	})
}

func TestDeleteBGPVPNReferencedByRoute(t *testing.T) {
	s := newServer(t)
	vpn := s.createBGPVPN(admin, `{"tenant_id": "project-a"}`)
	target := s.createBGPVPN(admin, `{"tenant_id": "project-a"}`)
	net := s.createNetwork(tenantA, "n")
	s.createSubnet(tenantA, net, "10.0.0.0/24")
	port := s.createPort(tenantA, net)
	r := s.post(tenantA, vpnPath(vpn)+"/port_associations", `{"port_association": {"port_id": "`+port+`", "routes": [{"type": "bgpvpn", "bgpvpn_id": "`+target+`"}, {"type": "prefix", "prefix": "20.0.0.0/8"}]}}`)
	assoc := idOf(t, r.must(t, 201), "port_association")

	// [189] deleting the BGPVPN a route points at succeeds and removes the route.
	s.del(admin, vpnPath(target)).must(t, 204)
	s.get(tenantA, vpnPath(vpn)+"/port_associations/"+assoc+"?fields=routes").wantExact(t, 200,
		`{"port_association": {"routes": [{"type": "prefix", "local_pref": null, "prefix": "20.0.0.0/8"}]}}`)
}
