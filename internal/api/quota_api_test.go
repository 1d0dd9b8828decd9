package api_test

import (
	"strings"
	"testing"
)

const allDefaults = `{"network": 100, "subnet": 100, "port": 500, "router": 10, "bgpvpn": -1,
	"bgpvpn_network_association": -1, "bgpvpn_router_association": -1, "bgpvpn_port_association": -1}`

// TestQuotaAPI: set, show, list, details, default and delete, as
// Neutron's quotas and quota_details extensions answer them.
func TestQuotaAPI(t *testing.T) {
	s := newServer(t)
	for _, alias := range []string{"quotas", "quota_details", "quota-check-limit"} {
		s.get(anonymous, "/v2.0/extensions/"+alias).must(t, 200)
	}
	s.get(admin, "/v2.0/quotas").wantExact(t, 200, `{"quotas": []}`)

	// A PUT changes the limits given, keeps the others, answers them all.
	s.put(admin, quotaURL("project-a"), `{"quota": {"network": 5, "bgpvpn": "3"}}`).wantExact(t, 200,
		`{"quota": {"network": 5, "subnet": 100, "port": 500, "router": 10, "bgpvpn": 3,
		"bgpvpn_network_association": -1, "bgpvpn_router_association": -1, "bgpvpn_port_association": -1}}`)
	s.put(admin, quotaURL("project-a")+".json", `{"quota": {"router": -1}}`).must(t, 200)
	want := `{"network": 5, "subnet": 100, "port": 500, "router": -1, "bgpvpn": 3,
		"bgpvpn_network_association": -1, "bgpvpn_router_association": -1, "bgpvpn_port_association": -1}`
	s.get(tenantA, quotaURL("project-a")).wantExact(t, 200, `{"quota": `+want+`}`)
	s.get(admin, quotaURL("project-a")+".json").wantExact(t, 200, `{"quota": `+want+`}`)
	// The defaults stay the defaults.
	s.get(tenantA, quotaURL("project-a")+"/default").wantExact(t, 200, `{"quota": `+allDefaults+`}`)

	// The list has the projects with limits of their own, defaults filled in.
	s.put(admin, quotaURL("project-b"), `{"quota": {"subnet": 0}}`).must(t, 200)
	s.get(admin, "/v2.0/quotas").wantExact(t, 200, `{"quotas": [
		{"network": 5, "subnet": 100, "port": 500, "router": -1, "bgpvpn": 3, "bgpvpn_network_association": -1,
		 "bgpvpn_router_association": -1, "bgpvpn_port_association": -1, "project_id": "project-a", "tenant_id": "project-a"},
		{"network": 100, "subnet": 0, "port": 500, "router": 10, "bgpvpn": -1, "bgpvpn_network_association": -1,
		 "bgpvpn_router_association": -1, "bgpvpn_port_association": -1, "project_id": "project-b", "tenant_id": "project-b"}]}`)

	// Details count what the project owns.
	vpn := s.createBGPVPN(admin, `{"name": "a", "route_targets": ["64512:1"], "tenant_id": "project-a"}`)
	net := s.createNetwork(tenantA, "a1")
	s.createNetwork(tenantA, "a2")
	s.createNetwork(tenantB, "b1")
	s.createSubnet(tenantA, net, "10.0.0.0/24")
	s.createPort(tenantA, net)
	s.associate(tenantA, vpn, "network", net)
	s.get(tenantA, quotaURL("project-a")+"/details").wantExact(t, 200, `{"quota": {
		"network": {"limit": 5, "used": 2, "reserved": 0}, "subnet": {"limit": 100, "used": 1, "reserved": 0},
		"port": {"limit": 500, "used": 1, "reserved": 0}, "router": {"limit": -1, "used": 0, "reserved": 0},
		"bgpvpn": {"limit": 3, "used": 1, "reserved": 0},
		"bgpvpn_network_association": {"limit": -1, "used": 1, "reserved": 0},
		"bgpvpn_router_association": {"limit": -1, "used": 0, "reserved": 0},
		"bgpvpn_port_association": {"limit": -1, "used": 0, "reserved": 0}}}`)

	// A limit below what is used is refused with check_limit, accepted
	// without it or with force, and then only stops new creates.
	s.put(admin, quotaURL("project-a"), `{"quota": {"network": 1, "subnet": 7, "check_limit": true}}`).wantFault(t, 400, "HTTPBadRequest",
		"Quota limit 1 for network must be greater than or equal to already used 2")
	s.put(admin, quotaURL("project-a"), `{"quota": {"network": 2, "router": -1, "check_limit": "yes"}}`).must(t, 200)
	s.put(admin, quotaURL("project-a"), `{"quota": {"network": 1, "force": true}}`).must(t, 200)
	s.get(admin, quotaURL("project-a")+"/details").must(t, 200)
	s.post(tenantA, "/v2.0/networks", `{"network": {"name": "a3"}}`).wantFault(t, 409, "OverQuota", overQuotaNetwork)
	if got := object(t, s.get(admin, quotaURL("project-a")).must(t, 200), "quota")["subnet"]; got != float64(100) {
		t.Errorf("subnet limit after the refused check_limit PUT = %v, want 100 (unchanged)", got)
	}

	// DELETE returns the project to the defaults; a second one finds none.
	s.del(admin, quotaURL("project-a")).must(t, 204)
	s.get(admin, quotaURL("project-a")).wantExact(t, 200, `{"quota": `+allDefaults+`}`)
	s.del(admin, quotaURL("project-a")).wantFault(t, 404, "TenantQuotaNotFound", "Quota for tenant project-a could not be found.")
	s.createNetwork(tenantA, "a3")

	// python-neutronclient's whoami.
	s.get(tenantA, "/v2.0/quotas/tenant").wantExact(t, 200, `{"tenant": {"tenant_id": "project-a"}}`)
	s.get(tenantA, "/v2.0/quotas/project").wantExact(t, 200, `{"project": {"project_id": "project-a"}}`)
	s.post(admin, "/v2.0/quotas", `{"quota": {"network": 1}}`).wantFault(t, 501, "HTTPNotImplemented",
		"POST requests are not supported on this resource.")
	// Neutron answers a POST on a project's quotas as a GET.
	s.post(admin, quotaURL("project-a"), `{"quota": {"network": 1}}`).wantExact(t, 200, `{"quota": `+allDefaults+`}`)
	s.put(admin, "/v2.0/quotas", `{"quota": {"network": 1}}`).wantFault(t, 405, "HTTPMethodNotAllowed",
		"The server could not comply with the request since it is either malformed or otherwise incorrect.")
	s.get(admin, quotaURL("project-a")+"/nothing").wantFault(t, 404, "HTTPNotFound", "The resource could not be found.")
}

// TestQuotaOfAnotherProject: a member reads its own quotas and nobody
// else's, and changes none, with the reference's answers. Every project id
// has quotas (the defaults), so the answer is the same whether the other
// project exists, has limits of its own, or not.
func TestQuotaOfAnotherProject(t *testing.T) {
	s := newServer(t)
	s.setQuota("project-a", `"network": 7`)
	s.createNetwork(tenantA, "a1")
	for _, project := range []string{"project-a", "project-without-limits", unknownID} {
		for _, r := range []response{
			s.get(tenantB, quotaURL(project)),
			s.get(tenantB, quotaURL(project)+".json"),
			s.get(tenantB, quotaURL(project)+"/default"),
		} {
			r.wantFault(t, 403, "PolicyNotAuthorized", "rule:get_quota is disallowed by policy")
		}
		s.get(tenantB, quotaURL(project)+"/details").wantFault(t, 403, "AdminRequired",
			"User does not have admin privileges: Only admin is authorized to access quotas for another project.")
		s.put(tenantB, quotaURL(project), `{"quota": {"network": 1000}}`).wantFault(t, 403, "PolicyNotAuthorized",
			"rule:update_quota is disallowed by policy")
		s.del(tenantB, quotaURL(project)).wantFault(t, 403, "PolicyNotAuthorized", "rule:delete_quota is disallowed by policy")
	}
	// Its own: read, not changed.
	s.get(tenantB, quotaURL("project-b")).must(t, 200)
	s.get(tenantB, quotaURL("project-b")+"/details").must(t, 200)
	s.put(tenantB, quotaURL("project-b"), `{"quota": {"network": 1000}}`).wantFault(t, 403, "PolicyNotAuthorized",
		"rule:update_quota is disallowed by policy")
	s.del(tenantB, quotaURL("project-b")).wantFault(t, 403, "PolicyNotAuthorized", "rule:delete_quota is disallowed by policy")
	s.get(tenantB, "/v2.0/quotas").wantFault(t, 403, "PolicyNotAuthorized", "rule:get_quota is disallowed by policy")
	// Nothing changed.
	s.get(admin, quotaURL("project-a")).wantExact(t, 200, `{"quota": {"network": 7, "subnet": 100, "port": 500, "router": 10,
		"bgpvpn": -1, "bgpvpn_network_association": -1, "bgpvpn_router_association": -1, "bgpvpn_port_association": -1}}`)
	s.get(admin, quotaURL("project-b")).wantExact(t, 200, `{"quota": `+allDefaults+`}`)
}

// TestQuotaBadProjectID: a project id that cannot be stored (NUL, not
// UTF-8, control characters, longer than 255) is a 400, never a 500, on
// every quota path.
func TestQuotaBadProjectID(t *testing.T) {
	s := newServer(t)
	const msg = "Invalid project id in the quota path: at most 255 characters of UTF-8 text without control characters."
	// NUL and invalid UTF-8 are refused at the edge, for every path alike.
	const edge = "The request path is not valid UTF-8 text"
	for _, id := range []string{"%00", "a%00b", "%ff%fe", "%1b%5B2J", strings.Repeat("p", 256)} {
		want := msg
		if id != "%1b%5B2J" && !strings.HasPrefix(id, "p") {
			want = edge
		}
		for _, r := range []response{
			s.get(admin, quotaURL(id)),
			s.get(admin, quotaURL(id)+"/details"),
			s.get(admin, quotaURL(id)+"/default"),
			s.put(admin, quotaURL(id), `{"quota": {"network": 1}}`),
			s.del(admin, quotaURL(id)),
		} {
			r.wantFault(t, 400, "HTTPBadRequest", want)
		}
	}
	s.get(admin, quotaURL(strings.Repeat("p", 255))).must(t, 200)
	s.get(admin, "/v2.0/quotas").wantExact(t, 200, `{"quotas": []}`)
}

// TestQuotaBadValues: a PUT of a value that is not a limit is a 400 with
// Neutron's message and changes nothing, not even the valid limits beside
// it.
func TestQuotaBadValues(t *testing.T) {
	s := newServer(t)
	for _, tc := range []struct {
		name, body, typ, msg string
	}{
		{"not an integer", `{"quota": {"network": "abc"}}`, "InvalidInput", "Invalid input for operation: 'abc' is not an integer."},
		{"null", `{"quota": {"network": null}}`, "InvalidInput", "Invalid input for operation: 'None' is not an integer."},
		{"a list", `{"quota": {"network": [1]}}`, "InvalidInput", "Invalid input for operation: '[1]' is not an integer."},
		{"below -1", `{"quota": {"network": -2}}`, "HTTPBadRequest", "Invalid input for network. Reason: '-2' is too small - must be at least '-1'."},
		{"above the database's integers", `{"quota": {"network": 2147483648}}`, "HTTPBadRequest",
			"Invalid input for network. Reason: '2147483648' is too large - must be no larger than '2147483647'."},
		{"one bad among good ones", `{"quota": {"network": 1, "subnet": 1, "port": "x"}}`, "InvalidInput", "Invalid input for operation: 'x' is not an integer."},
		{"unknown resource", `{"quota": {"network": 1, "floatingip": 1}}`, "HTTPBadRequest", "Unrecognized attribute(s) 'floatingip'"},
		{"project in the body", `{"quota": {"tenant_id": "project-b"}}`, "HTTPBadRequest", "Unrecognized attribute(s) 'project_id, tenant_id'"},
		{"not an object", `{"quota": 5}`, "HTTPBadRequest", "Object 'quota' contains invalid data"},
		{"no quota", `{"limits": {"network": 1}}`, "HTTPBadRequest", "Unable to find 'quota' in request body"},
		{"the plural", `{"quotas": {"network": 1}}`, "HTTPBadRequest", "Bulk operation not supported"},
		{"not JSON", `{"quota": {"network": 1`, "MalformedRequestBody", "Malformed request body: Cannot understand JSON."},
		{"empty", ``, "HTTPBadRequest", "Resource body required"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.put(admin, quotaURL("project-a"), tc.body).wantFault(t, 400, tc.typ, tc.msg)
			s.get(admin, "/v2.0/quotas").wantExact(t, 200, `{"quotas": []}`)
		})
	}
}
