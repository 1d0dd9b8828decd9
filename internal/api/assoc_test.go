package api_test

import (
	"slices"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// vpnIDs are the BGPVPN ids of a list answer, sorted.
func vpnIDs(t *testing.T, r response) []string {
	t.Helper()
	got := ids(t, r.must(t, 200), "bgpvpns")
	sort.Strings(got)
	return got
}

func sorted(l ...string) []string {
	l = slices.Clone(l)
	sort.Strings(l)
	return l
}

func TestNetworkAssociations(t *testing.T) {
	s := newServer(t)
	l3A := s.createBGPVPN(admin, `{"name": "vpn-l3-a", "tenant_id": "project-a", "route_targets": ["64512:1"]}`)
	l2A := s.createBGPVPN(admin, `{"name": "vpn-l2-a", "type": "l2", "tenant_id": "project-a"}`)
	l3B := s.createBGPVPN(admin, `{"name": "vpn-l3-b", "tenant_id": "project-b"}`)
	netA1, netA2 := s.createNetwork(tenantA, "net-a1"), s.createNetwork(tenantA, "net-a2")
	netA6, netA7 := s.createNetwork(tenantA, "net-a6"), s.createNetwork(tenantA, "net-a7")
	netB1 := s.createNetwork(tenantB, "net-b1")
	assocs := vpnPath(l3A) + "/network_associations"
	vars := []string{"$L3A", l3A, "$L2A", l2A, "$NETA1", netA1, "$NETA2", netA2}

	var first, second string
	t.Run("[98] tenant A associates its network with its BGPVPN", func(t *testing.T) {
		r := s.post(tenantA, assocs, `{"network_association": {"network_id": "`+netA1+`"}}`)
		first = idOf(t, r.must(t, 201), "network_association")
		r.wantBody(t, 201, `{"network_association": {"id": "$ID", "network_id": "$NETA1"}}`, append(vars, "$ID", first)...)
	})
	t.Run("[99] same network again on the same BGPVPN", func(t *testing.T) {
		s.post(tenantA, assocs, `{"network_association": {"network_id": "`+netA1+`"}}`).wantFault(t, 400,
			"BGPVPNNetAssocAlreadyExists", "network "+netA1+" is already associated to BGPVPN "+l3A)
	})
	t.Run("[100] same network on a second BGPVPN (l2) of the same tenant", func(t *testing.T) {
		r := s.post(tenantA, vpnPath(l2A)+"/network_associations", `{"network_association": {"network_id": "`+netA1+`"}}`)
		r.wantBody(t, 201, `{"network_association": {"id": "$ID", "network_id": "$NETA1"}}`,
			append(vars, "$ID", idOf(t, r.must(t, 201), "network_association"))...)
	})
	faults := []struct {
		name, path, body string
		who              identity
		status           int
		typ, message     string
	}{
		{"[101] tenant A associates tenant B's network", assocs, `{"network_association": {"network_id": "` + netB1 + `"}}`, tenantA,
			404, "NetworkNotFound", "Network " + netB1 + " could not be found."},
		{"[102] admin associates tenant B's network with tenant A's BGPVPN", assocs, `{"network_association": {"network_id": "` + netB1 + `"}}`, admin,
			403, "NotAuthorized", "Not authorized: the network belongs to project project-b, the BGPVPN to project project-a."},
		{"[103] tenant A associates its network with tenant B's BGPVPN", vpnPath(l3B) + "/network_associations", `{"network_association": {"network_id": "` + netA2 + `"}}`, tenantA,
			404, "BGPVPNNotFound", "BGPVPN " + l3B + " could not be found"},
		{"[104] nonexistent network id", assocs, `{"network_association": {"network_id": "` + unknownID + `"}}`, tenantA,
			404, "NetworkNotFound", "Network " + unknownID + " could not be found."},
		{"[105] malformed network id", assocs, `{"network_association": {"network_id": "not-a-uuid"}}`, tenantA,
			400, "HTTPBadRequest", "Invalid input for network_id. Reason: 'not-a-uuid' is not a valid UUID."},
		{"[106] network_id missing", assocs, `{"network_association": {}}`, tenantA,
			400, "HTTPBadRequest", "Failed to parse request. Required attribute 'network_id' not specified"},
		{"[107] unknown attribute", assocs, `{"network_association": {"network_id": "` + netA2 + `", "foo": 1}}`, tenantA,
			400, "HTTPBadRequest", "Unrecognized attribute(s) 'foo'"},
		{"[111] admin without tenant_id: the association would be the admin's", assocs, `{"network_association": {"network_id": "` + netA6 + `"}}`, admin,
			403, "NotAuthorized", "Not authorized: the association would belong to project admin-project, the BGPVPN belongs to project project-a."},
		{"tenant gives another project to its association", assocs, `{"network_association": {"network_id": "` + netA6 + `", "tenant_id": "project-b"}}`, tenantA,
			400, "HTTPBadRequest", "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges"},
		{"id in POST", assocs, `{"network_association": {"network_id": "` + netA6 + `", "id": "` + unknownID + `"}}`, tenantA,
			400, "HTTPBadRequest", "Attribute 'id' not allowed in POST"},
		{"no wrapper", assocs, `{"network_id": "` + netA6 + `"}`, tenantA,
			400, "HTTPBadRequest", "Unable to find 'network_association' in request body"},
		{"tenant B posts under tenant A's BGPVPN", assocs, `{"network_association": {"network_id": "` + netB1 + `"}}`, tenantB,
			404, "BGPVPNNotFound", "BGPVPN " + l3A + " could not be found"},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			s.post(tt.who, tt.path, tt.body).wantFault(t, tt.status, tt.typ, tt.message)
		})
	}
	t.Run("[108] admin creates an association for project-a", func(t *testing.T) {
		r := s.post(admin, assocs, `{"network_association": {"network_id": "`+netA2+`", "tenant_id": "project-a"}}`)
		second = idOf(t, r.must(t, 201), "network_association")
		r.wantBody(t, 201, `{"network_association": {"id": "$ID", "tenant_id": "project-a", "network_id": "$NETA2", "project_id": "project-a"}}`, append(vars, "$ID", second)...)
		if got, want := r.keys(t, "network_association"), []string{"id", "tenant_id", "network_id", "project_id", "description", "created_at", "updated_at", "revision_number"}; !slices.Equal(got, want) {
			t.Errorf("keys = %v, want %v", got, want)
		}
	})
	t.Run("[112] bulk create of network associations", func(t *testing.T) {
		r := s.post(tenantA, vpnPath(l2A)+"/network_associations",
			`{"network_associations": [{"network_id": "`+netA6+`"}, {"network_id": "`+netA7+`"}]}`)
		got := ids(t, r.must(t, 201), "network_associations")
		if len(got) != 2 {
			t.Fatalf("bulk create made %d associations, want 2", len(got))
		}
		// The bulk answer is not filtered: even a tenant gets bgpvpn_id
		// and the project.
		r.wantBody(t, 201, `{"network_associations": [
			{"id": "$ID1", "tenant_id": "project-a", "bgpvpn_id": "$L2A", "network_id": "$NET6", "project_id": "project-a"},
			{"id": "$ID2", "tenant_id": "project-a", "bgpvpn_id": "$L2A", "network_id": "$NET7", "project_id": "project-a"}]}`,
			"$ID1", got[0], "$ID2", got[1], "$L2A", l2A, "$NET6", netA6, "$NET7", netA7)
		wantNets := sorted(netA1, netA6, netA7)
		gotNets := object(t, s.get(tenantA, vpnPath(l2A)).must(t, 200), "bgpvpn")["networks"]
		if d := cmp.Diff(wantNets, sorted(toStrings(gotNets)...)); d != "" {
			t.Errorf("vpn-l2-a networks (-want +got):\n%s", d)
		}
	})
	t.Run("bulk create is all or nothing", func(t *testing.T) {
		net := s.createNetwork(tenantA, "net-bulk")
		s.post(tenantA, vpnPath(l2A)+"/network_associations",
			`{"network_associations": [{"network_id": "`+net+`"}, {"network_id": "`+netA1+`"}]}`).
			wantFault(t, 400, "BGPVPNNetAssocAlreadyExists", "network "+netA1+" is already associated to BGPVPN "+l2A)
		s.get(admin, vpnPath(l2A)+"/network_associations?network_id="+net).wantExact(t, 200, `{"network_associations": []}`)
	})
	t.Run("[115] tenant B lists the associations of tenant A's BGPVPN", func(t *testing.T) {
		s.get(tenantB, assocs).wantExact(t, 200, `{"network_associations": []}`)
	})
	t.Run("[116] list as tenant A", func(t *testing.T) {
		r := s.get(tenantA, assocs)
		got := withoutStd(r.must(t, 200))["network_associations"].([]any)
		want := expand(t, `{"l": [{"id": "$A1", "network_id": "$NETA1"}, {"id": "$A2", "network_id": "$NETA2"}]}`, append(vars, "$A1", first, "$A2", second)...)["l"]
		if d := cmp.Diff(want, got, sortByID); d != "" {
			t.Errorf("tenant A's list (-want +got):\n%s", d)
		}
	})
	t.Run("[117] list as admin", func(t *testing.T) {
		got := withoutStd(s.get(admin, assocs).must(t, 200))["network_associations"].([]any)
		want := expand(t, `{"l": [
			{"id": "$A1", "tenant_id": "project-a", "network_id": "$NETA1", "project_id": "project-a"},
			{"id": "$A2", "tenant_id": "project-a", "network_id": "$NETA2", "project_id": "project-a"}]}`, append(vars, "$A1", first, "$A2", second)...)["l"]
		if d := cmp.Diff(want, got, sortByID); d != "" {
			t.Errorf("admin's list (-want +got):\n%s", d)
		}
	})
	t.Run("[118] show as tenant A", func(t *testing.T) {
		s.get(tenantA, assocs+"/"+first).wantBody(t, 200, `{"network_association": {"id": "$ID", "network_id": "$NETA1"}}`, append(vars, "$ID", first)...)
	})
	t.Run("[119] show as admin", func(t *testing.T) {
		s.get(admin, assocs+"/"+first).wantBody(t, 200, `{"network_association": {"id": "$ID", "tenant_id": "project-a", "network_id": "$NETA1", "project_id": "project-a"}}`, append(vars, "$ID", first)...)
	})
	notFound := "BGPVPN network association " + first + " could not be found for BGPVPN " + l3A
	t.Run("[120] show as tenant B", func(t *testing.T) {
		s.get(tenantB, assocs+"/"+first).wantFault(t, 404, "BGPVPNNetAssocNotFound", notFound)
	})
	t.Run("[121] filter associations by network_id", func(t *testing.T) {
		s.get(admin, assocs+"?network_id="+netA2).wantBody(t, 200, `{"network_associations": [{"id": "$ID", "tenant_id": "project-a", "network_id": "$NETA2", "project_id": "project-a"}]}`, append(vars, "$ID", second)...)
	})
	t.Run("[122] fields on associations", func(t *testing.T) {
		got := s.get(admin, assocs+"?fields=network_id").must(t, 200)["network_associations"].([]any)
		var nets []string
		for _, item := range got {
			m := item.(map[string]any)
			if len(m) != 1 {
				t.Errorf("item %v has more than network_id", m)
			}
			nets = append(nets, m["network_id"].(string))
		}
		if d := cmp.Diff(sorted(netA1, netA2), sorted(nets...)); d != "" {
			t.Errorf("network ids (-want +got):\n%s", d)
		}
	})
	t.Run("[123] update network_id is refused", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+first, `{"network_association": {"network_id": "`+netA2+`"}}`).wantFault(t, 400,
			"HTTPBadRequest", "Cannot update read-only attribute network_id")
	})
	t.Run("[124] update with an empty object (the original answers 500)", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+first, `{"network_association": {}}`).wantBody(t, 200,
			`{"network_association": {"id": "$ID", "network_id": "$NETA1"}}`, append(vars, "$ID", first)...)
	})
	t.Run("[125] the BGPVPN lists its networks", func(t *testing.T) {
		got := object(t, s.get(tenantA, vpnPath(l3A)).must(t, 200), "bgpvpn")["networks"]
		if d := cmp.Diff(sorted(netA1, netA2), sorted(toStrings(got)...)); d != "" {
			t.Errorf("networks (-want +got):\n%s", d)
		}
	})
	t.Run("[126] filter BGPVPNs by network", func(t *testing.T) {
		if got, want := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?networks="+netA1)), sorted(l3A, l2A); !cmp.Equal(got, want) {
			t.Errorf("networks=net-a1 selects %v, want %v", got, want)
		}
	})
	t.Run("[127] filter BGPVPNs by two networks", func(t *testing.T) {
		if got, want := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?networks="+netA2+"&networks="+netA7+"&fields=id&fields=networks")), sorted(l3A, l2A); !cmp.Equal(got, want) {
			t.Errorf("networks=net-a2&networks=net-a7 selects %v, want %v", got, want)
		}
		if got := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?networks="+netA2+"&type=l2")); len(got) != 0 {
			t.Errorf("networks=net-a2&type=l2 selects %v, want none", got)
		}
	})
	t.Run("[128] tenant B deletes tenant A's association", func(t *testing.T) {
		s.del(tenantB, assocs+"/"+first).wantFault(t, 404, "BGPVPNNetAssocNotFound", notFound)
	})
	t.Run("[132] association id used under the wrong BGPVPN", func(t *testing.T) {
		s.get(admin, vpnPath(l3B)+"/network_associations/"+second).wantFault(t, 404, "BGPVPNNetAssocNotFound",
			"BGPVPN network association "+second+" could not be found for BGPVPN "+l3B)
		s.del(admin, vpnPath(l3B)+"/network_associations/"+second).wantFault(t, 404, "BGPVPNNetAssocNotFound",
			"BGPVPN network association "+second+" could not be found for BGPVPN "+l3B)
	})
	t.Run("[129] tenant A deletes its association", func(t *testing.T) {
		s.del(tenantA, assocs+"/"+first).must(t, 204)
	})
	t.Run("[130] show deleted association", func(t *testing.T) {
		s.get(tenantA, assocs+"/"+first).wantFault(t, 404, "BGPVPNNetAssocNotFound", notFound)
	})
	t.Run("[131] delete it again", func(t *testing.T) {
		s.del(tenantA, assocs+"/"+first).wantFault(t, 404, "BGPVPNNetAssocNotFound", notFound)
	})
	t.Run("[133] delete a network that is associated", func(t *testing.T) {
		s.del(tenantA, "/v2.0/networks/"+netA2).must(t, 204)
	})
	t.Run("[134] the BGPVPN no longer lists it", func(t *testing.T) {
		s.get(admin, vpnPath(l3A)+"?fields=networks").wantExact(t, 200, `{"bgpvpn": {"networks": []}}`)
	})
	t.Run("[135] nor do its associations", func(t *testing.T) {
		s.get(admin, assocs).wantExact(t, 200, `{"network_associations": []}`)
		s.get(admin, assocs+"/"+second).wantFault(t, 404, "BGPVPNNetAssocNotFound",
			"BGPVPN network association "+second+" could not be found for BGPVPN "+l3A)
	})
}

// sortByID orders lists of objects by their "id" so that answers whose
// order is not promised compare as sets.
var sortByID = cmp.Transformer("sortByID", func(l []any) []any {
	out := slices.Clone(l)
	sort.SliceStable(out, func(i, j int) bool {
		a, _ := out[i].(map[string]any)
		b, _ := out[j].(map[string]any)
		x, _ := a["id"].(string)
		y, _ := b["id"].(string)
		return x < y
	})
	return out
})

func toStrings(v any) []string {
	out := []string{}
	l, _ := v.([]any)
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

func TestRouterAssociations(t *testing.T) {
	s := newServer(t)
	l3A := s.createBGPVPN(admin, `{"name": "vpn-l3-a", "tenant_id": "project-a"}`)
	l2A := s.createBGPVPN(admin, `{"name": "vpn-l2-a", "type": "l2", "tenant_id": "project-a"}`)
	r1, r2 := s.createRouter(tenantA, "router-a1"), s.createRouter(tenantA, "router-a2")
	rB := s.createRouter(tenantB, "router-b1")
	assocs := vpnPath(l3A) + "/router_associations"
	vars := []string{"$R1", r1, "$R2", r2}
	var a1, a2 string

	t.Run("[139] associate a router: advertise_extra_routes defaults to true", func(t *testing.T) {
		r := s.post(tenantA, assocs, `{"router_association": {"router_id": "`+r1+`"}}`)
		a1 = idOf(t, r.must(t, 201), "router_association")
		r.wantBody(t, 201, `{"router_association": {"id": "$ID", "router_id": "$R1", "advertise_extra_routes": true}}`, append(vars, "$ID", a1)...)
	})
	t.Run("[140] advertise_extra_routes false on create is stored (the original stores true)", func(t *testing.T) {
		r := s.post(tenantA, assocs, `{"router_association": {"router_id": "`+r2+`", "advertise_extra_routes": false}}`)
		a2 = idOf(t, r.must(t, 201), "router_association")
		r.wantBody(t, 201, `{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": false}}`, append(vars, "$ID", a2)...)
	})
	t.Run("[141] show it: what was stored", func(t *testing.T) {
		s.get(tenantA, assocs+"/"+a2).wantBody(t, 200, `{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": false}}`, append(vars, "$ID", a2)...)
	})
	t.Run("[142] update advertise_extra_routes", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+a2, `{"router_association": {"advertise_extra_routes": true}}`).wantBody(t, 200,
			`{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": true}}`, append(vars, "$ID", a2)...)
		s.put(tenantA, assocs+"/"+a2, `{"router_association": {"advertise_extra_routes": false}}`).wantBody(t, 200,
			`{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": false}}`, append(vars, "$ID", a2)...)
	})
	t.Run("[143] update with the string \"True\"", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+a2, `{"router_association": {"advertise_extra_routes": "True"}}`).wantBody(t, 200,
			`{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": true}}`, append(vars, "$ID", a2)...)
	})
	t.Run("update with the string \"false\"", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+a2, `{"router_association": {"advertise_extra_routes": "false"}}`).wantBody(t, 200,
			`{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": false}}`, append(vars, "$ID", a2)...)
	})
	t.Run("update with an empty object changes nothing", func(t *testing.T) {
		s.put(tenantA, assocs+"/"+a2, `{"router_association": {}}`).wantBody(t, 200,
			`{"router_association": {"id": "$ID", "router_id": "$R2", "advertise_extra_routes": false}}`, append(vars, "$ID", a2)...)
	})
	faults := []struct {
		name, method, path, body string
		who                      identity
		status                   int
		typ, message             string
	}{
		{"[144] update with a non-boolean", "PUT", assocs + "/" + a2, `{"router_association": {"advertise_extra_routes": "maybe"}}`, tenantA,
			400, "InvalidInput", "Invalid input for operation: 'maybe' cannot be converted to boolean."},
		{"[145] update router_id", "PUT", assocs + "/" + a2, `{"router_association": {"router_id": "` + r1 + `"}}`, tenantA,
			400, "HTTPBadRequest", "Cannot update read-only attribute router_id"},
		{"[146] same router again on the same BGPVPN", "POST", assocs, `{"router_association": {"router_id": "` + r1 + `"}}`, tenantA,
			400, "BGPVPNRouterAssocAlreadyExists", "router " + r1 + " is already associated to BGPVPN " + l3A},
		{"[147] router association on an l2 BGPVPN", "POST", vpnPath(l2A) + "/router_associations", `{"router_association": {"router_id": "` + r1 + `"}}`, tenantA,
			400, "BadRequest", "Bad bgpvpn request: Router associations require the bgpvpn to be of type l3."},
		{"[148] tenant A associates tenant B's router", "POST", assocs, `{"router_association": {"router_id": "` + rB + `"}}`, tenantA,
			404, "RouterNotFound", "Router " + rB + " could not be found"},
		{"[149] nonexistent router id", "POST", assocs, `{"router_association": {"router_id": "` + unknownID + `"}}`, tenantA,
			404, "RouterNotFound", "Router " + unknownID + " could not be found"},
		{"admin associates tenant B's router with tenant A's BGPVPN", "POST", assocs, `{"router_association": {"router_id": "` + rB + `", "tenant_id": "project-a"}}`, admin,
			403, "NotAuthorized", "Not authorized: the router belongs to project project-b, the BGPVPN to project project-a."},
		{"router_id missing", "POST", assocs, `{"router_association": {"advertise_extra_routes": true}}`, tenantA,
			400, "HTTPBadRequest", "Failed to parse request. Required attribute 'router_id' not specified"},
		{"advertise_extra_routes not a boolean on create", "POST", assocs, `{"router_association": {"router_id": "` + r1 + `", "advertise_extra_routes": 2}}`, tenantA,
			400, "InvalidInput", "Invalid input for operation: '2' cannot be converted to boolean."},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			s.do(tt.who, tt.method, tt.path, tt.body).wantFault(t, tt.status, tt.typ, tt.message)
		})
	}
	t.Run("[150] list router associations", func(t *testing.T) {
		got := withoutStd(s.get(tenantA, assocs).must(t, 200))["router_associations"]
		want := expand(t, `{"l": [{"id": "$A1", "router_id": "$R1", "advertise_extra_routes": true}, {"id": "$A2", "router_id": "$R2", "advertise_extra_routes": false}]}`,
			append(vars, "$A1", a1, "$A2", a2)...)["l"]
		if d := cmp.Diff(want, got, sortByID); d != "" {
			t.Errorf("list (-want +got):\n%s", d)
		}
	})
	t.Run("[151] filter router associations on advertise_extra_routes", func(t *testing.T) {
		s.get(tenantA, assocs+"?advertise_extra_routes=false&fields=id").wantExact(t, 200, `{"router_associations": [{"id": "$A2"}]}`, "$A2", a2)
		s.get(tenantA, assocs+"?advertise_extra_routes=True&fields=id").wantExact(t, 200, `{"router_associations": [{"id": "$A1"}]}`, "$A1", a1)
		s.get(tenantA, assocs+"?advertise_extra_routes=maybe").wantExact(t, 200, `{"router_associations": []}`)
	})
	t.Run("[152] the BGPVPN lists its routers", func(t *testing.T) {
		got := object(t, s.get(tenantA, vpnPath(l3A)).must(t, 200), "bgpvpn")["routers"]
		if d := cmp.Diff(sorted(r1, r2), sorted(toStrings(got)...)); d != "" {
			t.Errorf("routers (-want +got):\n%s", d)
		}
	})
	t.Run("[153] filter BGPVPNs by router", func(t *testing.T) {
		if got := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?routers="+r1+"&fields=id&fields=routers")); !cmp.Equal(got, []string{l3A}) {
			t.Errorf("routers=router-a1 selects %v, want [%s]", got, l3A)
		}
	})
	t.Run("tenant B sees none of them", func(t *testing.T) {
		s.get(tenantB, assocs).wantExact(t, 200, `{"router_associations": []}`)
		s.get(tenantB, assocs+"/"+a1).wantFault(t, 404, "BGPVPNRouterAssocNotFound", "BGPVPN router association "+a1+" could not be found for BGPVPN "+l3A)
		s.put(tenantB, assocs+"/"+a1, `{"router_association": {"advertise_extra_routes": false}}`).wantFault(t, 404, "BGPVPNRouterAssocNotFound",
			"BGPVPN router association "+a1+" could not be found for BGPVPN "+l3A)
	})
	t.Run("[154] delete a router association", func(t *testing.T) {
		s.del(tenantA, assocs+"/"+a1).must(t, 204)
	})
	t.Run("[155] show the deleted router association", func(t *testing.T) {
		s.get(tenantA, assocs+"/"+a1).wantFault(t, 404, "BGPVPNRouterAssocNotFound", "BGPVPN router association "+a1+" could not be found for BGPVPN "+l3A)
	})
	t.Run("[156] delete a router that is associated", func(t *testing.T) {
		s.del(tenantA, "/v2.0/routers/"+r2).must(t, 204)
	})
	t.Run("[157] router associations after the router was deleted", func(t *testing.T) {
		s.get(tenantA, assocs).wantExact(t, 200, `{"router_associations": []}`)
		s.get(tenantA, vpnPath(l3A)+"?fields=routers").wantExact(t, 200, `{"bgpvpn": {"routers": []}}`)
	})
}

func TestAssociationListsAndBulk(t *testing.T) {
	s := newServer(t)
	vpn := s.createBGPVPN(admin, `{"tenant_id": "project-a"}`)
	r1, r2, r3 := s.createRouter(tenantA, "r1"), s.createRouter(tenantA, "r2"), s.createRouter(tenantA, "r3")
	net := s.createNetwork(tenantA, "n")
	s.createSubnet(tenantA, net, "10.0.0.0/24")
	p1, p2 := s.createPort(tenantA, net), s.createPort(tenantA, net)

	t.Run("bulk router associations", func(t *testing.T) {
		r := s.post(tenantA, vpnPath(vpn)+"/router_associations",
			`{"router_associations": [{"router_id": "`+r1+`"}, {"router_id": "`+r2+`", "advertise_extra_routes": false}, {"router_id": "`+r3+`"}]}`)
		got := withoutStd(r.must(t, 201))["router_associations"].([]any)
		if len(got) != 3 {
			t.Fatalf("bulk create made %d associations, want 3", len(got))
		}
		for i, want := range []struct {
			router string
			extra  bool
		}{{r1, true}, {r2, false}, {r3, true}} {
			m := got[i].(map[string]any)
			if m["router_id"] != want.router || m["advertise_extra_routes"] != want.extra || m["bgpvpn_id"] != vpn || m["tenant_id"] != "project-a" {
				t.Errorf("item %d = %v, want router %s, advertise_extra_routes %v, bgpvpn_id %s", i, m, want.router, want.extra, vpn)
			}
		}
	})
	t.Run("bulk port associations", func(t *testing.T) {
		r := s.post(tenantA, vpnPath(vpn)+"/port_associations",
			`{"port_associations": [{"port_id": "`+p1+`", "routes": [{"type": "prefix", "prefix": "20.0.0.0/8"}]}, {"port_id": "`+p2+`"}]}`)
		if got := ids(t, r.must(t, 201), "port_associations"); len(got) != 2 {
			t.Fatalf("bulk create made %v, want 2 associations", got)
		}
	})
	for _, tt := range []struct{ name, body, message string }{
		{"an empty bulk list", `{"router_associations": []}`, "Resources required"},
		{"a bulk item that is a number", `{"router_associations": [1]}`, "Body contains invalid data"},
		{"a bulk item that is a string", `{"router_associations": ["x"]}`, "Object 'router_association' contains invalid data"},
		{"a wrapped bulk item that is not an object", `{"router_associations": [{"router_association": []}]}`, "Object 'router_association' contains invalid data"},
		{"a wrapped bulk item that is null", `{"router_associations": [{"router_association": null}]}`, "Unable to find 'router_association' in request body"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.post(tenantA, vpnPath(vpn)+"/router_associations", tt.body).wantFault(t, 400, "HTTPBadRequest", tt.message)
		})
	}
	t.Run("filter router associations by router_id", func(t *testing.T) {
		got := s.get(tenantA, vpnPath(vpn)+"/router_associations?router_id="+r2+"&fields=router_id&fields=advertise_extra_routes").must(t, 200)
		if d := cmp.Diff(expand(t, `{"router_associations": [{"router_id": "$R", "advertise_extra_routes": false}]}`, "$R", r2), got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("filter port associations by port_id and advertise_fixed_ips", func(t *testing.T) {
		got := s.get(tenantA, vpnPath(vpn)+"/port_associations?port_id="+p1+"&advertise_fixed_ips=true&fields=port_id").must(t, 200)
		if d := cmp.Diff(expand(t, `{"port_associations": [{"port_id": "$P"}]}`, "$P", p1), got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
	t.Run("association lists paginate with links", func(t *testing.T) {
		all := ids(t, s.get(tenantA, vpnPath(vpn)+"/router_associations").must(t, 200), "router_associations")
		sort.Strings(all)
		path := vpnPath(vpn) + "/router_associations"
		body := s.get(tenantA, path+"?limit=2").must(t, 200)
		if got := ids(t, body, "router_associations"); !cmp.Equal(got, all[:2]) {
			t.Errorf("first page = %v, want %v", got, all[:2])
		}
		links, _ := body["router_associations_links"].([]any)
		if len(links) != 2 || links[0].(map[string]any)["href"] != s.url+path+"?limit=2&marker="+all[1] {
			t.Errorf("links = %v, want next with marker %s", links, all[1])
		}
		if got := ids(t, s.get(tenantA, path+"?limit=2&marker="+all[1]).must(t, 200), "router_associations"); !cmp.Equal(got, all[2:]) {
			t.Errorf("second page = %v, want %v", got, all[2:])
		}
	})
	t.Run("the owner does not see the project of its associations", func(t *testing.T) {
		got := s.get(tenantA, vpnPath(vpn)+"/router_associations?fields=tenant_id&fields=project_id&fields=router_id&router_id="+r1).must(t, 200)
		if d := cmp.Diff(expand(t, `{"router_associations": [{"router_id": "$R"}]}`, "$R", r1), got); d != "" {
			t.Errorf("(-want +got):\n%s", d)
		}
	})
}
