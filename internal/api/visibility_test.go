package api_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// tenantWorld is section 3 of the transcript: vpn-l3-a and vpn-l2-a owned
// by project-a, vpn-l3-b by project-b, one admin's own BGPVPN.
type tenantWorld struct {
	s                    *apiServer
	l3A, l2A, l3B, admin string
}

func newTenantWorld(t *testing.T) tenantWorld {
	s := newServer(t)
	return tenantWorld{
		s:     s,
		l3A:   s.createBGPVPN(admin, `{"name": "vpn-l3-a", "type": "l3", "tenant_id": "project-a", "route_targets": ["64512:1", "64512:3"], "route_distinguishers": ["64512:100"], "vni": 1000}`),
		l2A:   s.createBGPVPN(admin, `{"name": "vpn-l2-a", "type": "l2", "project_id": "project-a", "route_targets": ["64512:10"], "vni": 16777215}`),
		l3B:   s.createBGPVPN(admin, `{"name": "vpn-l3-b", "tenant_id": "project-b", "route_targets": ["65000:1"]}`),
		admin: s.createBGPVPN(admin, `{"name": "admin-own"}`),
	}
}

// tenantBGPVPNKeys is what an owner sees of a BGPVPN: no project, RTs,
// RDs, vni, technique or auto_aggregate.
var tenantBGPVPNKeys = []string{"id", "networks", "routers", "ports", "name", "type", "local_pref",
	"admin_state_up", "shared", "description", "created_at", "updated_at", "revision_number"}

func TestTenantViews(t *testing.T) {
	w := newTenantWorld(t)
	s := w.s
	tenantL3A := `{"id": "$L3A", "networks": [], "routers": [], "ports": [], "name": "vpn-l3-a", "type": "l3", "local_pref": null}`
	tenantL2A := `{"id": "$L2A", "networks": [], "routers": [], "ports": [], "name": "vpn-l2-a", "type": "l2", "local_pref": null}`
	vars := []string{"$L3A", w.l3A, "$L2A", w.l2A}

	t.Run("[23] list as tenant A: own BGPVPNs without hidden attributes", func(t *testing.T) {
		r := s.get(tenantA, "/v2.0/bgpvpn/bgpvpns")
		body := withoutStd(r.must(t, 200))
		// Order follows ids, which are random here: compare as a set.
		got := map[string]any{}
		for _, item := range body["bgpvpns"].([]any) {
			got[item.(map[string]any)["id"].(string)] = item
		}
		want := map[string]any{w.l3A: expand(t, `{"x": `+tenantL3A+`}`, vars...)["x"], w.l2A: expand(t, `{"x": `+tenantL2A+`}`, vars...)["x"]}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("tenant A's list (-want +got):\n%s", d)
		}
	})
	t.Run("[24] show own as tenant A", func(t *testing.T) {
		r := s.get(tenantA, vpnPath(w.l3A))
		r.wantBody(t, 200, `{"bgpvpn": `+tenantL3A+`}`, vars...)
		if d := cmp.Diff(tenantBGPVPNKeys, r.keys(t, "bgpvpn")); d != "" {
			t.Errorf("owner's keys (-want +got):\n%s", d)
		}
	})
	t.Run("[25] another tenant's BGPVPN is not found", func(t *testing.T) {
		s.get(tenantA, vpnPath(w.l3B)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+w.l3B+" could not be found")
		s.get(tenantB, vpnPath(w.l3A)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+w.l3A+" could not be found")
		s.get(tenantA, vpnPath(w.admin)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+w.admin+" could not be found")
	})
	t.Run("tenant B lists only its own", func(t *testing.T) {
		if got := ids(t, s.get(tenantB, "/v2.0/bgpvpn/bgpvpns").must(t, 200), "bgpvpns"); !cmp.Equal(got, []string{w.l3B}) {
			t.Errorf("tenant B lists %v, want [%s]", got, w.l3B)
		}
	})
	t.Run("[26] fields= naming a hidden attribute leaves it out", func(t *testing.T) {
		r := s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?fields=route_targets&fields=name&name=vpn-l3-a")
		r.wantExact(t, 200, `{"bgpvpns": [{"name": "vpn-l3-a"}]}`)
		s.get(tenantA, vpnPath(w.l3A)+"?fields=vni&fields=tenant_id&fields=project_id").wantExact(t, 200, `{"bgpvpn": {}}`)
	})
	// [27] and [215]: the original filters on hidden attributes (and so
	// tells a tenant its route targets); we refuse (README's table).
	t.Run("[27] filter on a hidden attribute is refused", func(t *testing.T) {
		s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?route_targets=64512:1").wantFault(t, 400, "HTTPBadRequest",
			"Attribute 'route_targets' is hidden by policy and cannot be a filter")
	})
	t.Run("[215] filter on a hidden attribute with its exact value is refused", func(t *testing.T) {
		s.get(tenantA, "/v2.0/bgpvpn/bgpvpns?route_targets=64512:10&fields=id&fields=name").wantFault(t, 400, "HTTPBadRequest",
			"Attribute 'route_targets' is hidden by policy and cannot be a filter")
	})
	t.Run("an admin filters on route targets", func(t *testing.T) {
		s.get(admin, "/v2.0/bgpvpn/bgpvpns?route_targets=64512:10&fields=id&fields=name").
			wantExact(t, 200, `{"bgpvpns": [{"id": "$L2A", "name": "vpn-l2-a"}]}`, vars...)
	})
	t.Run("[30] tenant renames its own BGPVPN", func(t *testing.T) {
		r := s.put(tenantA, vpnPath(w.l3A), `{"bgpvpn": {"name": "renamed-by-tenant"}}`)
		r.wantBody(t, 200, `{"bgpvpn": {"id": "$L3A", "networks": [], "routers": [], "ports": [], "name": "renamed-by-tenant", "type": "l3", "local_pref": null}}`, vars...)
	})
	t.Run("[32] tenant updates local_pref of its own BGPVPN", func(t *testing.T) {
		r := s.put(tenantA, vpnPath(w.l3A), `{"bgpvpn": {"local_pref": 5}}`)
		r.wantBody(t, 200, `{"bgpvpn": {"id": "$L3A", "networks": [], "routers": [], "ports": [], "name": "renamed-by-tenant", "type": "l3", "local_pref": 5}}`, vars...)
	})
	t.Run("[38] without X-Roles the caller is an ordinary user", func(t *testing.T) {
		noRoles := identity{"user u of project-a without roles", map[string]string{"X-User-Id": "u", "X-Project-Id": "project-a"}}
		r := s.get(noRoles, "/v2.0/bgpvpn/bgpvpns?fields=id&fields=tenant_id&fields=route_targets")
		body := r.must(t, 200)
		if got := len(body["bgpvpns"].([]any)); got != 2 {
			t.Errorf("sees %d BGPVPNs, want 2 (project-a's)", got)
		}
		for _, item := range body["bgpvpns"].([]any) {
			if len(item.(map[string]any)) != 1 {
				t.Errorf("item %v shows hidden attributes", item)
			}
		}
		s.post(noRoles, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {}}`).wantFault(t, 403, "PolicyNotAuthorized",
			"(rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) is disallowed by policy")
	})
	t.Run("[40] X-Tenant-Id in place of X-Project-Id", func(t *testing.T) {
		legacy := identity{"X-Tenant-Id project-a", map[string]string{"X-User-Id": "u", "X-Tenant-Id": "project-a", "X-Roles": "member"}}
		got := ids(t, s.get(legacy, "/v2.0/bgpvpn/bgpvpns?sort_key=name&sort_dir=asc").must(t, 200), "bgpvpns")
		if want := []string{w.l3A, w.l2A}; !cmp.Equal(got, want) { // renamed-by-tenant, vpn-l2-a
			t.Errorf("X-Tenant-Id caller lists %v, want %v", got, want)
		}
	})
	t.Run("roles are a comma-separated list", func(t *testing.T) {
		adminToo := identity{"member,admin", map[string]string{"X-User-Id": "u", "X-Project-Id": "project-a", "X-Roles": "member, admin"}}
		if got := len(s.get(adminToo, "/v2.0/bgpvpn/bgpvpns").must(t, 200)["bgpvpns"].([]any)); got != 4 {
			t.Errorf("an admin among other roles sees %d BGPVPNs, want 4", got)
		}
	})
}

func TestUnauthenticated(t *testing.T) {
	s := newServer(t)
	// [39] keystonecontext refuses X-Project-Id without X-User-Id.
	for _, h := range []map[string]string{
		{"X-Project-Id": "project-a", "X-Roles": "member"},
		{"X-Tenant-Id": "project-a"},
		{"X-Roles": "admin"},
	} {
		r := s.get(identity{"headers without X-User-Id", h}, "/v2.0/bgpvpn/bgpvpns")
		if r.status != 401 {
			t.Errorf("GET with %v: status = %d, want 401", h, r.status)
		}
		if got := r.header.Get("Content-Type"); got != "text/plain; charset=UTF-8" {
			t.Errorf("GET with %v: Content-Type = %q, want text/plain; charset=UTF-8", h, got)
		}
		if want := "401 Unauthorized\n\nThis server could not verify that you are authorized to access the document you requested."; !strings.HasPrefix(string(r.body), want) {
			t.Errorf("GET with %v: body = %q, want it to start with %q", h, r.body, want)
		}
	}
}

func TestPolicyRefusals(t *testing.T) {
	w := newTenantWorld(t)
	s := w.s
	tests := []struct {
		name, method, path, body string
		who                      identity
		status                   int
		typ, message             string
	}{
		{"[28] tenant create", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "mine"}}`, tenantA,
			403, "PolicyNotAuthorized", "((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name) is disallowed by policy"},
		{"[29] tenant create with route_targets", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "mine", "route_targets": ["64512:9"]}}`, tenantA,
			403, "PolicyNotAuthorized", "(((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name) and rule:create_bgpvpn:route_targets) is disallowed by policy"},
		{"tenant create with attributes at their defaults names only tenant_id", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "", "type": "l3", "route_targets": []}}`, tenantA,
			403, "PolicyNotAuthorized", "(rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) is disallowed by policy"},
		{"tenant create names attributes in attribute-map order", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"vni": 5, "local_pref": 1, "type": "l2", "name": "n"}}`, tenantA,
			403, "PolicyNotAuthorized", "(((((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name) and rule:create_bgpvpn:type) and rule:create_bgpvpn:local_pref) and rule:create_bgpvpn:vni) is disallowed by policy"},
		{"tenant create for another project", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"tenant_id": "project-b"}}`, tenantA,
			400, "HTTPBadRequest", "Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges"},
		{"[31] tenant updates route_targets of its own BGPVPN", "PUT", vpnPath(w.l3A), `{"bgpvpn": {"route_targets": ["64512:99"]}}`, tenantA,
			403, "PolicyNotAuthorized", "(rule:update_bgpvpn and rule:update_bgpvpn:route_targets) is disallowed by policy"},
		{"[33] tenant updates route_distinguishers", "PUT", vpnPath(w.l3A), `{"bgpvpn": {"route_distinguishers": ["64512:1"]}}`, tenantA,
			403, "PolicyNotAuthorized", "(rule:update_bgpvpn and rule:update_bgpvpn:route_distinguishers) is disallowed by policy"},
		{"tenant updates import_targets", "PUT", vpnPath(w.l3A), `{"bgpvpn": {"import_targets": []}}`, tenantA,
			403, "PolicyNotAuthorized", "(rule:update_bgpvpn and rule:update_bgpvpn:import_targets) is disallowed by policy"},
		{"tenant updates export_targets with name", "PUT", vpnPath(w.l3A), `{"bgpvpn": {"export_targets": [], "name": "x"}}`, tenantA,
			403, "PolicyNotAuthorized", "((rule:update_bgpvpn and rule:update_bgpvpn:name) and rule:update_bgpvpn:export_targets) is disallowed by policy"},
		{"[34] tenant updates vni (not updatable for anyone)", "PUT", vpnPath(w.l3A), `{"bgpvpn": {"vni": 5}}`, tenantA,
			400, "HTTPBadRequest", "Cannot update read-only attribute vni"},
		{"[35] tenant A renames tenant B's BGPVPN", "PUT", vpnPath(w.l3B), `{"bgpvpn": {"name": "x"}}`, tenantA,
			404, "BGPVPNNotFound", "BGPVPN " + w.l3B + " could not be found"},
		{"[36] tenant deletes its own BGPVPN", "DELETE", vpnPath(w.l3A), "", tenantA,
			403, "PolicyNotAuthorized", "rule:delete_bgpvpn is disallowed by policy"},
		{"[37] tenant A deletes tenant B's BGPVPN", "DELETE", vpnPath(w.l3B), "", tenantA,
			404, "BGPVPNNotFound", "BGPVPN " + w.l3B + " could not be found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s.do(tt.who, tt.method, tt.path, tt.body).wantFault(t, tt.status, tt.typ, tt.message)
		})
	}
	t.Run("refusals changed nothing", func(t *testing.T) {
		s.get(admin, vpnPath(w.l3A)+"?fields=name&fields=route_targets&fields=route_distinguishers").
			wantExact(t, 200, `{"bgpvpn": {"name": "vpn-l3-a", "route_targets": ["64512:1", "64512:3"], "route_distinguishers": ["64512:100"]}}`)
		s.get(admin, vpnPath(w.l3B)+"?fields=name").wantExact(t, 200, `{"bgpvpn": {"name": "vpn-l3-b"}}`)
	})
}
