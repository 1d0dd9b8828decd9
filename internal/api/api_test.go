// Tests of the API over real HTTP against the reference transcript
// (../shared/reference/reference-api-transcript.md): numbers in brackets
// name its entries. Every test starts its own server on an empty database.
package api_test

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bgpvpnKeys is the original's key order of a BGPVPN, followed by the
// specified and rbac-bgpvpn attributes and the standard attributes we add.
var bgpvpnKeys = []string{"id", "tenant_id", "networks", "routers", "ports", "name", "type", "route_targets",
	"route_distinguishers", "import_targets", "export_targets", "vni", "local_pref", "project_id",
	"admin_state_up", "technique", "auto_aggregate", "shared",
	"description", "created_at", "updated_at", "revision_number"}

func TestExtensions(t *testing.T) {
	s := newServer(t)
	bgpvpnExt := `{"name": "BGPVPN Extension", "alias": "bgpvpn", "description": "Provides support for BGP VPN interconnections", "updated": "2014-06-10T17:00:00-00:00", "links": []}`
	routesExt := `{"name": "BGPVPN Routes Control Extension", "alias": "bgpvpn-routes-control", "description": "Provides support for controlling routes advertised to a BGPVPN", "updated": "2017-05-20T00:00:00-00:00", "links": []}`
	vniExt := `{"name": "BGPVPN VXLAN VNI extension", "alias": "bgpvpn-vni", "description": "BGPVPN VXLAN VNI extension", "updated": "2017-09-12T10:00:00-00:00", "links": []}`

	t.Run("[1] the list carries the three BGPVPN extensions verbatim", func(t *testing.T) {
		body := s.get(admin, "/v2.0/extensions").must(t, 200)
		byAlias := map[string]any{}
		for _, e := range body["extensions"].([]any) {
			byAlias[e.(map[string]any)["alias"].(string)] = e
		}
		for _, want := range []string{bgpvpnExt, routesExt, vniExt} {
			w := expand(t, want)
			if d := cmp.Diff(w, byAlias[w["alias"].(string)]); d != "" {
				t.Errorf("extension %s (-want +got):\n%s", w["alias"], d)
			}
		}
		// Clients look for these before using the resources they add.
		for _, alias := range []string{"router", "extraroute", "project-id", "pagination", "sorting", "binding", "external-net"} {
			if byAlias[alias] == nil {
				t.Errorf("extension %q not advertised", alias)
			}
		}
	})
	t.Run("[2] one extension by alias", func(t *testing.T) {
		s.get(admin, "/v2.0/extensions/bgpvpn").wantExact(t, 200, `{"extension": `+bgpvpnExt+`}`)
	})
	t.Run("[3] same, as a tenant", func(t *testing.T) {
		s.get(tenantA, "/v2.0/extensions/bgpvpn-vni").wantExact(t, 200, `{"extension": `+vniExt+`}`)
		s.get(tenantA, "/v2.0/extensions/bgpvpn-routes-control").wantExact(t, 200, `{"extension": `+routesExt+`}`)
	})
	t.Run("unknown alias", func(t *testing.T) {
		s.get(admin, "/v2.0/extensions/no-such-extension").wantFault(t, 404, "HTTPNotFound", "The resource could not be found.")
	})
}

func TestBGPVPNCreate(t *testing.T) {
	s := newServer(t)
	tests := []struct {
		name string
		body string
		want string // with $ID for the new id
	}{
		{
			name: "[4] empty body: all defaults",
			body: `{"bgpvpn": {}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "", "type": "l3", "route_targets": [], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": null, "local_pref": null, "project_id": "admin-project"}}`,
		},
		{
			name: "[5] l3 with every attribute, owned by project-a",
			body: `{"bgpvpn": {"name": "vpn-l3-a", "type": "l3", "tenant_id": "project-a", "route_targets": ["64512:1"], "import_targets": ["64512:2", "1.2.3.4:5"], "export_targets": ["4294967295:65535"], "route_distinguishers": ["64512:100"], "vni": 1000, "local_pref": 100}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "project-a", "networks": [], "routers": [], "ports": [], "name": "vpn-l3-a", "type": "l3", "route_targets": ["64512:1"], "route_distinguishers": ["64512:100"], "import_targets": ["64512:2", "1.2.3.4:5"], "export_targets": ["4294967295:65535"], "vni": 1000, "local_pref": 100, "project_id": "project-a"}}`,
		},
		{
			name: "[6] l2 owned by project-a given as project_id, vni 2^24-1",
			body: `{"bgpvpn": {"name": "vpn-l2-a", "type": "l2", "project_id": "project-a", "route_targets": ["64512:10"], "vni": 16777215}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "project-a", "networks": [], "routers": [], "ports": [], "name": "vpn-l2-a", "type": "l2", "route_targets": ["64512:10"], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": 16777215, "local_pref": null, "project_id": "project-a"}}`,
		},
		{
			name: "[7] l3 owned by project-b",
			body: `{"bgpvpn": {"name": "vpn-l3-b", "tenant_id": "project-b", "route_targets": ["65000:1"]}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "project-b", "networks": [], "routers": [], "ports": [], "name": "vpn-l3-b", "type": "l3", "route_targets": ["65000:1"], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": null, "local_pref": null, "project_id": "project-b"}}`,
		},
		{
			name: "[8] route_targets as a plain string becomes a list",
			body: `{"bgpvpn": {"route_targets": "64512:7", "name": "rt-as-string"}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "rt-as-string", "type": "l3", "route_targets": ["64512:7"], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": null, "local_pref": null, "project_id": "admin-project"}}`,
		},
		{
			name: "[9] explicit nulls",
			body: `{"bgpvpn": {"route_targets": null, "vni": null, "local_pref": null, "name": "explicit-nulls"}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "explicit-nulls", "type": "l3", "route_targets": [], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": null, "local_pref": null, "project_id": "admin-project"}}`,
		},
		{
			name: "[45] valid edge forms of route targets",
			body: `{"bgpvpn": {"route_targets": ["65536:65535", "4294967295:0", "0:0", "1.2.3.4:5", "255.255.255.255:65535", "65535:4294967295"], "name": "edge-valid-rts"}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "edge-valid-rts", "type": "l3", "route_targets": ["65536:65535", "4294967295:0", "0:0", "1.2.3.4:5", "255.255.255.255:65535", "65535:4294967295"], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": null, "local_pref": null, "project_id": "admin-project"}}`,
		},
		{
			name: "[64] vni as a numeric string",
			body: `{"bgpvpn": {"vni": "42", "name": "vni-as-string"}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "vni-as-string", "type": "l3", "route_targets": [], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": 42, "local_pref": null, "project_id": "admin-project"}}`,
		},
		{
			name: "[66] vni as a float is truncated",
			body: `{"bgpvpn": {"vni": 1.5}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "", "type": "l3", "route_targets": [], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": 1, "local_pref": null, "project_id": "admin-project"}}`,
		},
		{
			name: "[70] local_pref 2^32-1 and vni 1",
			body: `{"bgpvpn": {"local_pref": 4294967295, "vni": 1, "name": "edges"}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "admin-project", "networks": [], "routers": [], "ports": [], "name": "edges", "type": "l3", "route_targets": [], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": 1, "local_pref": 4294967295, "project_id": "admin-project"}}`,
		},
		{
			name: "tenant_id and project_id both given and equal",
			body: `{"bgpvpn": {"tenant_id": "project-a", "project_id": "project-a"}}`,
			want: `{"bgpvpn": {"id": "$ID", "tenant_id": "project-a", "networks": [], "routers": [], "ports": [], "name": "", "type": "l3", "route_targets": [], "route_distinguishers": [], "import_targets": [], "export_targets": [], "vni": null, "local_pref": null, "project_id": "project-a"}}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.post(admin, "/v2.0/bgpvpn/bgpvpns", tt.body)
			id := idOf(t, r.must(t, 201), "bgpvpn")
			r.wantBody(t, 201, tt.want, "$ID", id)
			if got := r.keys(t, "bgpvpn"); !slices.Equal(got, bgpvpnKeys) {
				t.Errorf("POST keys = %v, want %v", got, bgpvpnKeys)
			}
			// What was stored reads back the same.
			s.get(admin, vpnPath(id)).wantBody(t, 200, tt.want, "$ID", id)
		})
	}
	t.Run("[8] answer without identity headers is the admin's", func(t *testing.T) {
		r := s.post(anonymous, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "anon"}}`)
		if got := object(t, r.must(t, 201), "bgpvpn")["tenant_id"]; got != "admin-project" {
			t.Errorf("tenant_id = %v, want admin-project", got)
		}
	})
	t.Run("response carries a request id", func(t *testing.T) {
		r := s.get(admin, "/v2.0/bgpvpn/bgpvpns")
		if id := r.header.Get("X-Openstack-Request-Id"); len(id) != len("req-")+36 || id[:4] != "req-" {
			t.Errorf("X-Openstack-Request-Id = %q, want req-<uuid>", id)
		}
	})
}

func TestBGPVPNShowUpdateDelete(t *testing.T) {
	s := newServer(t)
	id := s.createBGPVPN(admin, `{"name": "vpn-l3-a", "type": "l3", "tenant_id": "project-a", "route_targets": ["64512:1"], "import_targets": ["64512:2", "1.2.3.4:5"], "export_targets": ["4294967295:65535"], "route_distinguishers": ["64512:100"], "vni": 1000, "local_pref": 100}`)
	path := vpnPath(id)

	t.Run("[12] show as admin", func(t *testing.T) {
		s.get(admin, path).wantBody(t, 200, `{"bgpvpn": {"id": "$ID", "tenant_id": "project-a", "networks": [], "routers": [], "ports": [], "name": "vpn-l3-a", "type": "l3", "route_targets": ["64512:1"], "route_distinguishers": ["64512:100"], "import_targets": ["64512:2", "1.2.3.4:5"], "export_targets": ["4294967295:65535"], "vni": 1000, "local_pref": 100, "project_id": "project-a"}}`, "$ID", id)
	})
	updated := `{"bgpvpn": {"id": "$ID", "tenant_id": "project-a", "networks": [], "routers": [], "ports": [], "name": "vpn-l3-a-renamed", "type": "l3", "route_targets": ["64512:1", "64512:3"], "route_distinguishers": ["1.2.3.4:100", "64512:101"], "import_targets": [], "export_targets": ["64512:4"], "vni": 1000, "local_pref": $LP, "project_id": "project-a"}}`
	t.Run("[13] update name, targets, RDs, local_pref", func(t *testing.T) {
		r := s.put(admin, path, `{"bgpvpn": {"name": "vpn-l3-a-renamed", "route_targets": ["64512:1", "64512:3"], "import_targets": [], "export_targets": ["64512:4"], "route_distinguishers": ["1.2.3.4:100", "64512:101"], "local_pref": 200}}`)
		r.wantBody(t, 200, updated, "$ID", id, "$LP", "200")
		if got := r.keys(t, "bgpvpn"); !slices.Equal(got, bgpvpnKeys) {
			t.Errorf("PUT keys = %v, want %v", got, bgpvpnKeys)
		}
	})
	t.Run("[14] local_pref back to null", func(t *testing.T) {
		s.put(admin, path, `{"bgpvpn": {"local_pref": null}}`).wantBody(t, 200, updated, "$ID", id, "$LP", "null")
	})
	t.Run("[19] update with an empty object changes nothing", func(t *testing.T) {
		s.put(admin, path, `{"bgpvpn": {}}`).wantBody(t, 200, updated, "$ID", id, "$LP", "null")
		s.get(admin, path).wantBody(t, 200, updated, "$ID", id, "$LP", "null")
	})
	t.Run("name null is refused (type:string)", func(t *testing.T) {
		s.put(admin, path, `{"bgpvpn": {"name": null}}`).wantFault(t, 400, "HTTPBadRequest",
			"Invalid input for name. Reason: 'None' is not a valid string.")
	})
	t.Run("[20] delete", func(t *testing.T) {
		r := s.del(admin, path)
		r.must(t, 204)
		if len(r.body) != 0 {
			t.Errorf("DELETE body = %q, want empty", r.body)
		}
	})
	notFound := "BGPVPN " + id + " could not be found"
	t.Run("[21] show after delete", func(t *testing.T) {
		s.get(admin, path).wantFault(t, 404, "BGPVPNNotFound", notFound)
	})
	t.Run("[22] delete again", func(t *testing.T) {
		s.del(admin, path).wantFault(t, 404, "BGPVPNNotFound", notFound)
	})
	t.Run("[226] update after delete", func(t *testing.T) {
		s.put(admin, path, `{"bgpvpn": {"name": "x"}}`).wantFault(t, 404, "BGPVPNNotFound", notFound)
	})
}
