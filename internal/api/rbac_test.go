package api_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var tenantC = identity{"tenant C", map[string]string{"X-User-Id": "user-c", "X-Project-Id": "project-c", "X-Roles": "member"}}

func rbacBody(object, target, action string) string {
	return `{"rbac_policy": {"object_type": "bgpvpn", "object_id": "` + object + `", "target_tenant": "` + target + `", "action": "` + action + `"}}`
}

// TestRBACPolicies: sharing a BGPVPN with Neutron's rbac-policies API and
// its semantics (who manages, what the target project sees and does,
// what stays refused, policies in use).
func TestRBACPolicies(t *testing.T) {
	s := newServer(t)
	vpn := s.createBGPVPN(admin, `{"name": "shared-vpn", "tenant_id": "project-a", "route_targets": ["64512:1"]}`)
	other := s.createBGPVPN(admin, `{"name": "b-vpn", "tenant_id": "project-b"}`)
	netA, netB, netC := s.createNetwork(tenantA, "net-a"), s.createNetwork(tenantB, "net-b"), s.createNetwork(tenantC, "net-c")
	assocs := vpnPath(vpn) + "/network_associations"

	var toB string
	t.Run("the owner shares with project-b", func(t *testing.T) {
		r := s.post(tenantA, "/v2.0/rbac-policies", rbacBody(vpn, "project-b", "access_as_shared"))
		toB = idOf(t, r.must(t, 201), "rbac_policy")
		r.wantExact(t, 201, `{"rbac_policy": {"id": "$ID", "project_id": "project-a", "tenant_id": "project-a", "action": "access_as_shared",
			"object_id": "$VPN", "target_tenant": "project-b", "object_type": "bgpvpn"}}`, "$ID", toB, "$VPN", vpn)
	})
	faults := []struct {
		name, method, path, body string
		who                      identity
		status                   int
		typ, message             string
	}{
		{"a tenant shares with everyone", "POST", "/v2.0/rbac-policies", rbacBody(vpn, "*", "access_as_shared"), tenantA, 403, "PolicyNotAuthorized",
			"(((((rule:create_rbac_policy and rule:create_rbac_policy:object_type) and rule:create_rbac_policy:object_id) and rule:create_rbac_policy:target_tenant) and rule:create_rbac_policy:tenant_id) and rule:create_rbac_policy:action) is disallowed by policy"},
		{"a project shares a BGPVPN it only has access to", "POST", "/v2.0/rbac-policies", rbacBody(vpn, "project-c", "access_as_shared"), tenantB, 400, "InvalidInput",
			"Invalid input for operation: Only admins can manipulate policies on objects they do not own."},
		{"a tenant shares another project's BGPVPN", "POST", "/v2.0/rbac-policies", rbacBody(other, "project-a", "access_as_shared"), tenantA, 400, "InvalidInput",
			"Invalid input for operation: Only admins can manipulate policies on objects they do not own."},
		{"a tenant shares a missing BGPVPN: same answer", "POST", "/v2.0/rbac-policies", rbacBody(unknownID, "project-b", "access_as_shared"), tenantA, 400, "InvalidInput",
			"Invalid input for operation: Only admins can manipulate policies on objects they do not own."},
		{"an admin shares a missing BGPVPN", "POST", "/v2.0/rbac-policies", rbacBody(unknownID, "project-b", "access_as_shared"), admin, 404, "BGPVPNNotFound",
			"BGPVPN " + unknownID + " could not be found"},
		{"an action other than access_as_shared", "POST", "/v2.0/rbac-policies", rbacBody(vpn, "project-c", "access_as_external"), tenantA, 400, "InvalidActionForType",
			"Invalid action 'access_as_external' for object type 'bgpvpn'. Valid actions: ('access_as_shared',)"},
		{"an object type not served", "POST", "/v2.0/rbac-policies", `{"rbac_policy": {"object_type": "network", "object_id": "` + netA + `", "target_tenant": "project-b", "action": "access_as_shared"}}`, tenantA, 400, "InvalidInput",
			"Invalid input for operation: 'network' is not a valid RBAC object type."},
		{"without target_tenant", "POST", "/v2.0/rbac-policies", `{"rbac_policy": {"object_type": "bgpvpn", "object_id": "` + vpn + `", "action": "access_as_shared"}}`, tenantA, 400, "HTTPBadRequest",
			"Failed to parse request. Required attribute 'target_tenant' not specified"},
		{"the same policy twice", "POST", "/v2.0/rbac-policies", rbacBody(vpn, "project-b", "access_as_shared"), tenantA, 409, "DuplicateRbacPolicy",
			"An RBAC policy already exists with those values."},
		{"the target project reads the policy", "GET", "/v2.0/rbac-policies/$B", "", tenantB, 404, "RbacPolicyNotFound",
			"RBAC policy of type unknown with ID $B not found"},
		{"the target project deletes the policy", "DELETE", "/v2.0/rbac-policies/$B", "", tenantB, 404, "RbacPolicyNotFound",
			"RBAC policy of type unknown with ID $B not found"},
		{"the target project renames the BGPVPN", "PUT", vpnPath(vpn), `{"bgpvpn": {"name": "mine"}}`, tenantB, 403, "PolicyNotAuthorized",
			"(rule:update_bgpvpn and rule:update_bgpvpn:name) is disallowed by policy"},
		{"the target project deletes the BGPVPN", "DELETE", vpnPath(vpn), "", tenantB, 403, "PolicyNotAuthorized",
			"rule:delete_bgpvpn is disallowed by policy"},
		{"another project does not see it", "GET", vpnPath(vpn), "", tenantC, 404, "BGPVPNNotFound", "BGPVPN " + vpn + " could not be found"},
		{"another project cannot associate with it", "POST", assocs, `{"network_association": {"network_id": "` + netC + `"}}`, tenantC, 404, "BGPVPNNotFound",
			"BGPVPN " + vpn + " could not be found"},
		{"the target project associates another project's network", "POST", assocs, `{"network_association": {"network_id": "` + netC + `"}}`, tenantB, 404, "NetworkNotFound",
			"Network " + netC + " could not be found."},
		{"an admin associates a network of a project it is not shared with", "POST", assocs, `{"network_association": {"network_id": "` + netC + `", "tenant_id": "project-c"}}`, admin, 403, "NotAuthorized",
			"Not authorized: the network belongs to project project-c, the BGPVPN to project project-a."},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			path := strings.ReplaceAll(f.path, "$B", toB)
			s.do(f.who, f.method, path, f.body).wantFault(t, f.status, f.typ, strings.ReplaceAll(f.message, "$B", toB))
		})
	}
	t.Run("the target project sees the BGPVPN without admin-only attributes, shared for it", func(t *testing.T) {
		r := s.get(tenantB, vpnPath(vpn))
		r.wantBody(t, 200, `{"bgpvpn": {"id": "$VPN", "name": "shared-vpn", "type": "l3", "networks": [], "routers": [], "ports": [], "local_pref": null}}`, "$VPN", vpn)
		if d := cmp.Diff(map[string]any{"admin_state_up": true, "shared": true}, specified(t, r.json(t), "bgpvpn")); d != "" {
			t.Errorf("specified attributes (-want +got):\n%s", d)
		}
		if got := ids(t, s.get(tenantB, "/v2.0/bgpvpn/bgpvpns").must(t, 200), "bgpvpns"); !cmp.Equal(sorted(got...), sorted(vpn, other)) {
			t.Errorf("project-b lists %v, want its own and the shared one", got)
		}
		if got := specified(t, s.get(tenantA, vpnPath(vpn)).must(t, 200), "bgpvpn")["shared"]; got != false {
			t.Errorf("the owner sees shared %v, want false (not shared with everyone)", got)
		}
		for _, tc := range []struct {
			who   identity
			query string
			want  []string
		}{
			{tenantB, "?shared=true", []string{vpn}},
			{tenantB, "?shared=false", []string{other}},
			{tenantB, "?shared=true&shared=false", sorted(vpn, other)},
			{tenantA, "?shared=true", nil},
			{admin, "?shared=true", nil},
			{tenantB, "?shared=maybe", nil},
		} {
			got := ids(t, s.get(tc.who, "/v2.0/bgpvpn/bgpvpns"+tc.query).must(t, 200), "bgpvpns")
			if !cmp.Equal(sorted(got...), sorted(tc.want...), cmpopts.EquateEmpty()) {
				t.Errorf("GET /v2.0/bgpvpn/bgpvpns%s as %s = %v, want %v", tc.query, tc.who.name, got, tc.want)
			}
		}
		s.get(admin, "/v2.0/bgpvpn/bgpvpns?sort_key=shared&sort_dir=asc").wantFault(t, 400, "HTTPBadRequest", "['shared'] is invalid attribute for sort_keys")
	})
	var assocB, assocA string
	t.Run("the target project associates its network; each sees what it should", func(t *testing.T) {
		assocB = idOf(t, s.post(tenantB, assocs, `{"network_association": {"network_id": "`+netB+`"}}`).must(t, 201), "network_association")
		assocA = s.associate(tenantA, vpn, "network", netA)
		if got := ids(t, s.get(tenantB, assocs).must(t, 200), "network_associations"); !cmp.Equal(got, []string{assocB}) {
			t.Errorf("project-b lists %v, want only its own [%s]", got, assocB)
		}
		s.get(tenantB, assocs+"/"+assocA).wantFault(t, 404, "BGPVPNNetAssocNotFound",
			"BGPVPN network association "+assocA+" could not be found for BGPVPN "+vpn)
		if got := s.get(tenantB, vpnPath(vpn)).must(t, 200)["bgpvpn"].(map[string]any)["networks"]; !cmp.Equal(got, []any{netB}) {
			t.Errorf("project-b sees networks %v of the BGPVPN, want only its own", got)
		}
		owner := map[string]map[string]any{}
		for _, a := range s.get(tenantA, assocs).must(t, 200)["network_associations"].([]any) {
			m := a.(map[string]any)
			owner[m["id"].(string)] = m
		}
		if p := owner[assocB]["project_id"]; p != "project-b" || owner[assocB]["tenant_id"] != "project-b" {
			t.Errorf("the owner's view of project-b's association: %v, want it with project_id project-b", owner[assocB])
		}
		if _, shown := owner[assocA]["project_id"]; shown || owner[assocA] == nil {
			t.Errorf("the owner's view of its own association: %v, want it without project_id (as the original)", owner[assocA])
		}
		got := s.get(admin, assocs+"/"+assocB).must(t, 200)["network_association"].(map[string]any)["project_id"]
		if got != "project-b" {
			t.Errorf("the admin sees project_id %v, want project-b", got)
		}
	})
	t.Run("a policy in use stays", func(t *testing.T) {
		inUse := "RBAC policy on object " + vpn + " cannot be removed because other objects depend on it.\nDetails: project_id=project-b"
		s.del(tenantA, "/v2.0/rbac-policies/"+toB).wantFault(t, 409, "RbacPolicyInUse", inUse)
		s.put(tenantA, "/v2.0/rbac-policies/"+toB, `{"rbac_policy": {"target_tenant": "project-c"}}`).wantFault(t, 409, "RbacPolicyInUse", inUse)
		all := idOf(t, s.post(admin, "/v2.0/rbac-policies", rbacBody(vpn, "*", "access_as_shared")).must(t, 201), "rbac_policy")
		if got := specified(t, s.get(tenantC, vpnPath(vpn)).must(t, 200), "bgpvpn")["shared"]; got != true {
			t.Errorf("shared with everyone: project-c sees shared %v, want true", got)
		}
		// With everyone covered, project-b's own policy may go, then the
		// wildcard may not: project-b still has its association.
		s.del(tenantA, "/v2.0/rbac-policies/"+toB).must(t, 204)
		s.del(admin, "/v2.0/rbac-policies/"+all).wantFault(t, 409, "RbacPolicyInUse",
			"RBAC policy on object "+vpn+" cannot be removed because other objects depend on it.\nDetails: project_id=*")
		s.del(tenantB, assocs+"/"+assocB).must(t, 204)
		s.del(admin, "/v2.0/rbac-policies/"+all).must(t, 204)
		s.get(tenantB, vpnPath(vpn)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+vpn+" could not be found")
	})
	t.Run("list with filters, show, update", func(t *testing.T) {
		p1 := idOf(t, s.post(tenantA, "/v2.0/rbac-policies", rbacBody(vpn, "project-b", "access_as_shared")).must(t, 201), "rbac_policy")
		p2 := idOf(t, s.post(admin, "/v2.0/rbac-policies", rbacBody(other, "project-a", "access_as_shared")).must(t, 201), "rbac_policy")
		for _, tc := range []struct {
			who   identity
			query string
			want  []string
		}{
			{admin, "", sorted(p1, p2)},
			{tenantA, "", []string{p1}},
			{tenantB, "", nil},
			{admin, "?object_id=" + other, []string{p2}},
			{admin, "?target_tenant=project-b&object_type=bgpvpn&action=access_as_shared", []string{p1}},
			{admin, "?object_type=network", nil},
		} {
			got := ids(t, s.get(tc.who, "/v2.0/rbac-policies"+tc.query).must(t, 200), "rbac_policies")
			if !cmp.Equal(sorted(got...), sorted(tc.want...), cmpopts.EquateEmpty()) {
				t.Errorf("GET /v2.0/rbac-policies%s as %s = %v, want %v", tc.query, tc.who.name, got, tc.want)
			}
		}
		s.put(tenantA, "/v2.0/rbac-policies/"+p1, `{"rbac_policy": {"target_tenant": "project-c"}}`).must(t, 200)
		got := s.get(tenantA, "/v2.0/rbac-policies/"+p1).must(t, 200)["rbac_policy"].(map[string]any)["target_tenant"]
		if got != "project-c" {
			t.Errorf("after the update the target is %v, want project-c", got)
		}
		s.get(tenantC, vpnPath(vpn)).must(t, 200)
		s.get(tenantB, vpnPath(vpn)).wantFault(t, 404, "BGPVPNNotFound", "BGPVPN "+vpn+" could not be found")
		s.put(tenantA, "/v2.0/rbac-policies/"+p1, `{"rbac_policy": {"action": "x"}}`).wantFault(t, 400, "HTTPBadRequest",
			"Cannot update read-only attribute action")
		// Deleting the BGPVPN takes its policies with it.
		s.del(admin, vpnPath(vpn)).must(t, 204)
		s.get(admin, "/v2.0/rbac-policies/"+p1).wantFault(t, 404, "RbacPolicyNotFound", "RBAC policy of type unknown with ID "+p1+" not found")
	})
}
