package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRBACRouterAndPortAssociations: a project a BGPVPN is shared with
// creates, lists and deletes router and port associations of its own
// routers and ports with it (as network associations, TestRBACPolicies),
// never of another project's; it sees only its own, the owner sees every
// one with who made it; the policy stays while they do.
func TestRBACRouterAndPortAssociations(t *testing.T) {
	s := newServer(t)
	vpn := s.createBGPVPN(admin, `{"name": "shared-vpn", "tenant_id": "project-a", "route_targets": ["64512:1"]}`)
	pol := idOf(t, s.post(tenantA, "/v2.0/rbac-policies", rbacBody(vpn, "project-b", "access_as_shared")).must(t, 201), "rbac_policy")
	netB, netC := s.createNetwork(tenantB, "net-b"), s.createNetwork(tenantC, "net-c")
	s.createSubnet(tenantB, netB, "10.0.2.0/24")
	s.createSubnet(tenantC, netC, "10.0.3.0/24")
	own := map[string]string{"router": s.createRouter(tenantB, "router-b"), "port": s.createPort(tenantB, netB)}
	foreign := map[string]string{"router": s.createRouter(tenantC, "router-c"), "port": s.createPort(tenantC, netC)}
	notFound := map[string][2]string{
		"router": {"RouterNotFound", "Router " + foreign["router"] + " could not be found"},
		"port":   {"PortNotFound", "Port " + foreign["port"] + " could not be found."},
	}
	for _, kind := range []string{"router", "port"} {
		t.Run(kind, func(t *testing.T) {
			list := vpnPath(vpn) + "/" + kind + "_associations"
			wrapper := kind + "_association"
			s.post(tenantB, list, `{"`+wrapper+`": {"`+kind+`_id": "`+foreign[kind]+`"}}`).
				wantFault(t, 404, notFound[kind][0], notFound[kind][1])
			mine := s.associate(tenantB, vpn, kind, own[kind])
			if got := ids(t, s.get(tenantB, list).must(t, 200), wrapper+"s"); !cmp.Equal(got, []string{mine}) {
				t.Errorf("project-b lists %v, want its own [%s]", got, mine)
			}
			if got := object(t, s.get(tenantA, list+"/"+mine).must(t, 200), wrapper)["project_id"]; got != "project-b" {
				t.Errorf("the owner's view of project-b's %s association: project_id %v, want project-b", kind, got)
			}
			s.del(tenantA, "/v2.0/rbac-policies/"+pol).wantFault(t, 409, "RbacPolicyInUse",
				"RBAC policy on object "+vpn+" cannot be removed because other objects depend on it.\nDetails: project_id=project-b")
			if r := s.del(tenantB, list+"/"+mine); r.status != 204 {
				t.Fatalf("project-b deletes its %s association: %d %s", kind, r.status, r.body)
			}
			if got := ids(t, s.get(tenantB, list).must(t, 200), wrapper+"s"); len(got) != 0 {
				t.Errorf("project-b lists %v after deleting its association, want none", got)
			}
		})
	}
	if r := s.del(tenantA, "/v2.0/rbac-policies/"+pol); r.status != 204 {
		t.Errorf("the owner deletes the policy once nothing depends on it: %d %s", r.status, r.body)
	}
}
