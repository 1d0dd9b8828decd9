package api_test

import (
	"strings"
	"testing"
)

func TestBGPVPNValidation(t *testing.T) {
	s := newServer(t)
	existing := s.createBGPVPN(admin, `{"name": "target", "route_targets": ["64512:1"]}`)
	long := strings.Repeat("x", 256)
	tests := []struct {
		name    string
		method  string // POST on the collection, PUT on existing
		body    string
		typ     string
		message string
	}{
		{"[41] route target without colon", "POST", `{"bgpvpn": {"route_targets": ["64512"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '64512' is not a valid input."},
		{"[42] route target with letters", "POST", `{"bgpvpn": {"route_targets": ["abc:1"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: 'abc:1' is not a valid input."},
		{"[43] 65536:4294967296 fits no form", "POST", `{"bgpvpn": {"route_targets": ["65536:4294967296"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '65536:4294967296' is not a valid input."},
		{"[44] 4-byte ASN needs a 16-bit value", "POST", `{"bgpvpn": {"route_targets": ["65536:65536"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '65536:65536' is not a valid input."},
		{"[47] IP:NN with NN > 65535", "POST", `{"bgpvpn": {"route_targets": ["1.2.3.4:65536"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '1.2.3.4:65536' is not a valid input."},
		{"[48] IP with octet 256", "POST", `{"bgpvpn": {"route_targets": ["1.2.3.256:1"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '1.2.3.256:1' is not a valid input."},
		{"[49] leading zero in ASN", "POST", `{"bgpvpn": {"route_targets": ["01:1"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '01:1' is not a valid input."},
		{"[50] leading space", "POST", `{"bgpvpn": {"route_targets": [" 64512:1"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: ' 64512:1' is not a valid input."},
		{"[51] duplicate route targets", "POST", `{"bgpvpn": {"route_targets": ["64512:1", "64512:1"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: Duplicate items in the list: '64512:1'."},
		{"[52] route target as a number", "POST", `{"bgpvpn": {"route_targets": [1]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '1' is not a valid input."},
		{"[53] route_targets as an object: its keys are the list", "POST", `{"bgpvpn": {"route_targets": {"a": 1}}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: 'a' is not a valid input."},
		{"[54] bad import target", "POST", `{"bgpvpn": {"import_targets": ["x"]}}`,
			"HTTPBadRequest", "Invalid input for import_targets. Reason: 'x' is not a valid input."},
		{"[55] bad export target", "POST", `{"bgpvpn": {"export_targets": ["1:2:3"]}}`,
			"HTTPBadRequest", "Invalid input for export_targets. Reason: '1:2:3' is not a valid input."},
		{"[56] bad route distinguisher", "POST", `{"bgpvpn": {"route_distinguishers": ["64512"]}}`,
			"HTTPBadRequest", "Invalid input for route_distinguishers. Reason: '64512' is not a valid input."},
		{"empty string route target", "POST", `{"bgpvpn": {"route_targets": [""]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '' is not a valid input."},
		{"[57] bad type", "POST", `{"bgpvpn": {"type": "l4"}}`,
			"HTTPBadRequest", "Invalid input for type. Reason: l4 is not in valid_values."},
		{"[58] type in upper case", "POST", `{"bgpvpn": {"type": "L3"}}`,
			"HTTPBadRequest", "Invalid input for type. Reason: L3 is not in valid_values."},
		{"[59] type null", "POST", `{"bgpvpn": {"type": null}}`,
			"HTTPBadRequest", "Invalid input for type. Reason: None is not in valid_values."},
		{"[60] vni 0", "POST", `{"bgpvpn": {"vni": 0}}`,
			"HTTPBadRequest", "Invalid input for vni. Reason: '0' is too small - must be at least '1'."},
		{"[61] vni 2^24", "POST", `{"bgpvpn": {"vni": 16777216}}`,
			"HTTPBadRequest", "Invalid input for vni. Reason: '16777216' is too large - must be no larger than '16777215'."},
		{"[62] vni -1", "POST", `{"bgpvpn": {"vni": -1}}`,
			"HTTPBadRequest", "Invalid input for vni. Reason: '-1' is too small - must be at least '1'."},
		{"[63] vni not a number", "POST", `{"bgpvpn": {"vni": "abc"}}`,
			"InvalidInput", "Invalid input for operation: 'abc' is not an integer."},
		{"[68] local_pref -1", "POST", `{"bgpvpn": {"local_pref": -1}}`,
			"HTTPBadRequest", "Invalid input for local_pref. Reason: '-1' is too small - must be at least '0'."},
		{"[69] local_pref 2^32", "POST", `{"bgpvpn": {"local_pref": 4294967296}}`,
			"HTTPBadRequest", "Invalid input for local_pref. Reason: '4294967296' is too large - must be no larger than '4294967295'."},
		{"[72] local_pref not a number", "POST", `{"bgpvpn": {"local_pref": "high"}}`,
			"HTTPBadRequest", "Invalid input for local_pref. Reason: 'high' is not an integer."},
		{"[76] unknown attribute", "POST", `{"bgpvpn": {"foo": "bar"}}`,
			"HTTPBadRequest", "Unrecognized attribute(s) 'foo'"},
		{"unknown attributes are listed sorted", "POST", `{"bgpvpn": {"zz": 1, "foo": "bar"}}`,
			"HTTPBadRequest", "Unrecognized attribute(s) 'foo, zz'"},
		// The original had no rbac-bgpvpn: "Unrecognized attribute(s)".
		{"[80] shared is read-only (rbac-bgpvpn)", "POST", `{"bgpvpn": {"shared": true}}`,
			"HTTPBadRequest", "Attribute 'shared' not allowed in POST"},
		{"[81] client-chosen id", "POST", `{"bgpvpn": {"id": "11111111-2222-3333-4444-555555555555"}}`,
			"HTTPBadRequest", "Attribute 'id' not allowed in POST"},
		{"[82] networks on create", "POST", `{"bgpvpn": {"networks": []}}`,
			"HTTPBadRequest", "Attribute 'networks' not allowed in POST"},
		{"routers on create", "POST", `{"bgpvpn": {"routers": []}}`,
			"HTTPBadRequest", "Attribute 'routers' not allowed in POST"},
		{"ports on create", "POST", `{"bgpvpn": {"ports": []}}`,
			"HTTPBadRequest", "Attribute 'ports' not allowed in POST"},
		{"[83] name of 256 characters", "POST", `{"bgpvpn": {"name": "` + long + `"}}`,
			"HTTPBadRequest", "Invalid input for name. Reason: '" + long + "' exceeds maximum length of 255."},
		{"[84] name as a number", "POST", `{"bgpvpn": {"name": 123}}`,
			"HTTPBadRequest", "Invalid input for name. Reason: '123' is not a valid string."},
		{"[85] tenant_id and project_id differ", "POST", `{"bgpvpn": {"tenant_id": "project-a", "project_id": "project-b"}}`,
			"HTTPBadRequest", "'project_id' and 'tenant_id' do not match"},
		{"[15] update vni", "PUT", `{"bgpvpn": {"vni": 2000}}`,
			"HTTPBadRequest", "Cannot update read-only attribute vni"},
		{"[16] update type", "PUT", `{"bgpvpn": {"type": "l2"}}`,
			"HTTPBadRequest", "Cannot update read-only attribute type"},
		{"[17] update tenant_id", "PUT", `{"bgpvpn": {"tenant_id": "project-b"}}`,
			"HTTPBadRequest", "Cannot update read-only attribute tenant_id"},
		{"[18] update networks", "PUT", `{"bgpvpn": {"networks": []}}`,
			"HTTPBadRequest", "Cannot update read-only attribute networks"},
		{"update id", "PUT", `{"bgpvpn": {"id": "` + existing + `"}}`,
			"HTTPBadRequest", "Cannot update read-only attribute id"},
		{"update unknown attribute", "PUT", `{"bgpvpn": {"foo": 1}}`,
			"HTTPBadRequest", "Unrecognized attribute(s) 'foo'"},
		{"[90] update with a bad route target", "PUT", `{"bgpvpn": {"route_targets": ["64512"]}}`,
			"HTTPBadRequest", "Invalid input for route_targets. Reason: '64512' is not a valid input."},
		{"[91] update with local_pref out of range", "PUT", `{"bgpvpn": {"local_pref": 4294967296}}`,
			"HTTPBadRequest", "Invalid input for local_pref. Reason: '4294967296' is too large - must be no larger than '4294967295'."},
		{"update with duplicate RDs", "PUT", `{"bgpvpn": {"route_distinguishers": ["1.2.3.4:1", "1.2.3.4:1"]}}`,
			"HTTPBadRequest", "Invalid input for route_distinguishers. Reason: Duplicate items in the list: '1.2.3.4:1'."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v2.0/bgpvpn/bgpvpns"
			if tt.method == "PUT" {
				path = vpnPath(existing)
			}
			s.do(admin, tt.method, path, tt.body).wantFault(t, 400, tt.typ, tt.message)
		})
	}
	t.Run("refused requests created and changed nothing", func(t *testing.T) {
		s.get(admin, "/v2.0/bgpvpn/bgpvpns?fields=id&fields=name&fields=route_targets&fields=local_pref").
			wantExact(t, 200, `{"bgpvpns": [{"id": "$ID", "name": "target", "route_targets": ["64512:1"], "local_pref": null}]}`, "$ID", existing)
	})
}

func TestBodyProblems(t *testing.T) {
	s := newServer(t)
	existing := s.createBGPVPN(admin, `{"name": "target"}`)
	tests := []struct {
		name, method, body string
		typ, message       string
	}{
		{"[10] bulk create of BGPVPNs", "POST", `{"bgpvpns": [{"name": "bulk-1"}, {"name": "bulk-2", "type": "l2"}]}`,
			"HTTPBadRequest", "Bulk operation not supported"},
		{"[86] body without the wrapper", "POST", `{"name": "no-wrapper"}`,
			"HTTPBadRequest", "Unable to find 'bgpvpn' in request body"},
		{"[87] malformed JSON", "POST", `{"bgpvpn": `,
			"MalformedRequestBody", "Malformed request body: Cannot understand JSON."},
		{"[88] empty body", "POST", "",
			"HTTPBadRequest", "Resource body required"},
		{"whitespace body", "POST", "\n",
			"HTTPBadRequest", "Resource body required"},
		{"[89] wrapper holding a list", "POST", `{"bgpvpn": []}`,
			"HTTPBadRequest", "Object 'bgpvpn' contains invalid data"},
		{"wrapper holding a string", "POST", `{"bgpvpn": "x"}`,
			"HTTPBadRequest", "Object 'bgpvpn' contains invalid data"},
		{"update without a body", "PUT", "",
			"HTTPBadRequest", "Resource body required"},
		{"update without the wrapper", "PUT", `{"name": "x"}`,
			"HTTPBadRequest", "Unable to find 'bgpvpn' in request body"},
		{"update with malformed JSON", "PUT", `{"bgpvpn": {"name": }}`,
			"MalformedRequestBody", "Malformed request body: Cannot understand JSON."},
		{"update with the plural wrapper", "PUT", `{"bgpvpns": [{"name": "x"}]}`,
			"HTTPBadRequest", "Bulk operation not supported"},
		{"a JSON null body", "POST", `null`,
			"HTTPBadRequest", "Resource body required"},
		{"an empty list body", "POST", `[]`,
			"HTTPBadRequest", "Resource body required"},
		{"an empty object body", "POST", `{}`,
			"HTTPBadRequest", "Resource body required"},
		{"a list body", "POST", `[{"bgpvpn": {}}]`,
			"HTTPBadRequest", "Body contains invalid data"},
		{"a string body", "POST", `"bgpvpn"`,
			"HTTPBadRequest", "Body contains invalid data"},
		{"the wrapper holding null", "POST", `{"bgpvpn": null}`,
			"HTTPBadRequest", "Unable to find 'bgpvpn' in request body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/v2.0/bgpvpn/bgpvpns"
			if tt.method == "PUT" {
				path = vpnPath(existing)
			}
			s.do(admin, tt.method, path, tt.body).wantFault(t, 400, tt.typ, tt.message)
		})
	}
	t.Run("nothing was created", func(t *testing.T) {
		if got := ids(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns").must(t, 200), "bgpvpns"); len(got) != 1 {
			t.Errorf("BGPVPNs after refused creates: %v, want only %s", got, existing)
		}
	})
}

func TestOddPaths(t *testing.T) {
	s := newServer(t)
	id := s.createBGPVPN(admin, `{"name": "x", "tenant_id": "project-a"}`)
	notFoundPath := func(r response, t *testing.T) {
		t.Helper()
		r.wantFault(t, 404, "HTTPNotFound", "The resource could not be found.")
	}
	t.Run("[92] PUT on the collection", func(t *testing.T) {
		s.put(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "x"}}`).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN None could not be found")
	})
	t.Run("[93] DELETE on the collection", func(t *testing.T) {
		s.del(admin, "/v2.0/bgpvpn/bgpvpns").wantFault(t, 404, "BGPVPNNotFound", "BGPVPN None could not be found")
	})
	t.Run("[94] POST on a member", func(t *testing.T) {
		s.post(admin, vpnPath(id), `{"bgpvpn": {"name": "x"}}`).wantFault(t, 405, "HTTPMethodNotAllowed",
			"The server could not comply with the request since it is either malformed or otherwise incorrect.")
	})
	t.Run("[224] unknown BGPVPN id", func(t *testing.T) {
		s.get(admin, vpnPath(unknownID)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+unknownID+" could not be found")
	})
	t.Run("[225] malformed BGPVPN id", func(t *testing.T) {
		s.get(admin, vpnPath("not-a-uuid")).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN not-a-uuid could not be found")
	})
	t.Run("[227] delete unknown BGPVPN", func(t *testing.T) {
		s.del(admin, vpnPath(unknownID)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+unknownID+" could not be found")
	})
	t.Run("[226] update unknown BGPVPN", func(t *testing.T) {
		s.put(admin, vpnPath(unknownID), `{"bgpvpn": {"name": "x"}}`).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+unknownID+" could not be found")
	})
	t.Run("[228] list associations of an unknown BGPVPN", func(t *testing.T) {
		for _, kind := range []string{"network", "router", "port"} {
			s.get(admin, vpnPath(unknownID)+"/"+kind+"_associations").wantExact(t, 200, `{"`+kind+`_associations": []}`)
		}
	})
	t.Run("[229] associate with an unknown BGPVPN", func(t *testing.T) {
		net := s.createNetwork(admin, "n")
		s.post(admin, vpnPath(unknownID)+"/network_associations", `{"network_association": {"network_id": "`+net+`"}}`).
			wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+unknownID+" could not be found")
	})
	for _, tt := range []struct{ name, kind, typ, what string }{
		{"[230] unknown network association id", "network", "BGPVPNNetAssocNotFound", "network"},
		{"[231] unknown router association id", "router", "BGPVPNRouterAssocNotFound", "router"},
		{"[232] unknown port association id", "port", "BGPVPNPortAssocNotFound", "port"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := vpnPath(id) + "/" + tt.kind + "_associations/" + unknownID
			msg := "BGPVPN " + tt.what + " association " + unknownID + " could not be found for BGPVPN " + id
			s.get(admin, path).wantFault(t, 404, tt.typ, msg)
			s.del(admin, path).wantFault(t, 404, tt.typ, msg)
			s.put(admin, path, `{"`+tt.kind+`_association": {}}`).wantFault(t, 404, tt.typ, msg)
		})
	}
	t.Run("[233] unknown sub-collection", func(t *testing.T) {
		notFoundPath(s.get(admin, vpnPath(id)+"/bogus_associations"), t)
	})
	t.Run("[234] unknown collection under /bgpvpn", func(t *testing.T) {
		notFoundPath(s.get(admin, "/v2.0/bgpvpn/nothing"), t)
	})
	t.Run("unknown top-level collection", func(t *testing.T) {
		notFoundPath(s.get(admin, "/v2.0/nothing"), t)
	})
	t.Run("[235] bgpvpns without the /bgpvpn prefix", func(t *testing.T) {
		s.get(admin, "/v2.0/bgpvpns?fields=id&fields=name").wantExact(t, 200, `{"bgpvpns": [{"id": "$ID", "name": "x"}]}`, "$ID", id)
		s.get(tenantA, "/v2.0/bgpvpns/"+id+"?fields=name").wantExact(t, 200, `{"bgpvpn": {"name": "x"}}`)
	})
	t.Run("DELETE on an association collection", func(t *testing.T) {
		r := s.del(admin, vpnPath(id)+"/network_associations")
		if r.status != 404 && r.status != 405 {
			t.Errorf("DELETE on network_associations: status %d, want 404 or 405", r.status)
		}
	})
	t.Run("path deeper than a member of an association", func(t *testing.T) {
		notFoundPath(s.get(admin, vpnPath(id)+"/network_associations/"+unknownID+"/x"), t)
	})
}
