package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
)

// bagpipeConf configures the bagpipe driver.
const bagpipeConf = "[service_providers]\nservice_provider = BGPVPN:BaGPipe:bagpipe:default\n[agent_feed]\nshared_secret = s\n"

// specified returns the specified attributes of a BGPVPN body.
func specified(t *testing.T, body map[string]any, wrapper string) map[string]any {
	t.Helper()
	v := body[wrapper].(map[string]any)
	out := map[string]any{}
	for _, k := range []string{"admin_state_up", "technique", "auto_aggregate", "shared"} {
		if x, ok := v[k]; ok {
			out[k] = x
		}
	}
	return out
}

// TestSpecifiedAttributes: admin_state_up, technique and auto_aggregate
// default, validate, round-trip, and only an admin writes them; tenants
// see admin_state_up (and shared), not the technique or auto_aggregate.
func TestSpecifiedAttributes(t *testing.T) {
	s := newServer(t)
	t.Run("defaults", func(t *testing.T) {
		r := s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"tenant_id": "project-a"}}`)
		want := map[string]any{"admin_state_up": true, "technique": nil, "auto_aggregate": false, "shared": false}
		if d := cmp.Diff(want, specified(t, r.must(t, 201), "bgpvpn")); d != "" {
			t.Errorf("defaults (-want +got):\n%s", d)
		}
	})
	var l3, l2 string
	t.Run("admin sets every one", func(t *testing.T) {
		r := s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"tenant_id": "project-a", "admin_state_up": false, "technique": "evpn-prefix", "auto_aggregate": "true"}}`)
		body := r.must(t, 201)
		l3 = idOf(t, body, "bgpvpn")
		want := map[string]any{"admin_state_up": false, "technique": "evpn-prefix", "auto_aggregate": true, "shared": false}
		if d := cmp.Diff(want, specified(t, body, "bgpvpn")); d != "" {
			t.Errorf("created (-want +got):\n%s", d)
		}
		l2 = s.createBGPVPN(admin, `{"tenant_id": "project-a", "type": "l2", "technique": "evpn"}`)
		r = s.put(admin, vpnPath(l3), `{"bgpvpn": {"admin_state_up": true, "technique": null, "auto_aggregate": false}}`)
		want = map[string]any{"admin_state_up": true, "technique": nil, "auto_aggregate": false, "shared": false}
		if d := cmp.Diff(want, specified(t, r.must(t, 200), "bgpvpn")); d != "" {
			t.Errorf("updated (-want +got):\n%s", d)
		}
		s.put(admin, vpnPath(l3), `{"bgpvpn": {"technique": "ipvpn"}}`).must(t, 200)
	})
	t.Run("filters", func(t *testing.T) {
		got := ids(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?technique=ipvpn").must(t, 200), "bgpvpns")
		if !cmp.Equal(got, []string{l3}) {
			t.Errorf("technique=ipvpn lists %v, want [%s]", got, l3)
		}
		got = ids(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?technique=evpn&admin_state_up=true").must(t, 200), "bgpvpns")
		if !cmp.Equal(got, []string{l2}) {
			t.Errorf("technique=evpn&admin_state_up=true lists %v, want [%s]", got, l2)
		}
	})
	faults := []struct {
		name, method, path, body string
		who                      identity
		status                   int
		typ, message             string
	}{
		{"unknown technique", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"technique": "mpls"}}`, admin, 400, "HTTPBadRequest",
			"Invalid input for technique. Reason: 'mpls' is not a technique: ipvpn or evpn-prefix (l3), evpn (l2), or null for the driver's default."},
		{"technique of the other type", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"type": "l2", "technique": "ipvpn"}}`, admin, 400, "BadRequest",
			"Bad bgpvpn request: technique ipvpn is a technique of l3 BGPVPNs, this BGPVPN is of type l2."},
		{"technique of the other type on update", "PUT", "", `{"bgpvpn": {"technique": "evpn"}}`, admin, 400, "BadRequest",
			"Bad bgpvpn request: technique evpn is a technique of l2 BGPVPNs, this BGPVPN is of type l3."},
		{"l2 with auto_aggregate", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"type": "l2", "auto_aggregate": true}}`, admin, 400, "BadRequest",
			"Bad bgpvpn request: auto_aggregate applies to l3 BGPVPNs only, this BGPVPN is of type l2."},
		{"admin_state_up not a boolean", "POST", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"admin_state_up": "maybe"}}`, admin, 400, "InvalidInput",
			"Invalid input for operation: 'maybe' cannot be converted to boolean."},
		{"tenant turns its BGPVPN off", "PUT", "", `{"bgpvpn": {"admin_state_up": false}}`, tenantA, 403, "PolicyNotAuthorized",
			"(rule:update_bgpvpn and rule:update_bgpvpn:admin_state_up) is disallowed by policy"},
		{"tenant sets the technique", "PUT", "", `{"bgpvpn": {"technique": "ipvpn"}}`, tenantA, 403, "PolicyNotAuthorized",
			"(rule:update_bgpvpn and rule:update_bgpvpn:technique) is disallowed by policy"},
		{"tenant sets auto_aggregate", "PUT", "", `{"bgpvpn": {"auto_aggregate": true}}`, tenantA, 403, "PolicyNotAuthorized",
			"(rule:update_bgpvpn and rule:update_bgpvpn:auto_aggregate) is disallowed by policy"},
		{"shared is read-only", "PUT", "", `{"bgpvpn": {"shared": true}}`, admin, 400, "HTTPBadRequest",
			"Cannot update read-only attribute shared"},
	}
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			path := f.path
			if path == "" {
				path = vpnPath(l3)
			}
			s.do(f.who, f.method, path, f.body).wantFault(t, f.status, f.typ, f.message)
		})
	}
	t.Run("tenant sees admin_state_up and shared only", func(t *testing.T) {
		s.put(admin, vpnPath(l3), `{"bgpvpn": {"admin_state_up": false, "auto_aggregate": true}}`).must(t, 200)
		got := specified(t, s.get(tenantA, vpnPath(l3)).must(t, 200), "bgpvpn")
		if d := cmp.Diff(map[string]any{"admin_state_up": false, "shared": false}, got); d != "" {
			t.Errorf("tenant's view (-want +got):\n%s", d)
		}
	})
}

// TestTechniques: GET /bgpvpn/techniques answers as the specification's
// examples, with what the configured driver implements.
func TestTechniques(t *testing.T) {
	for _, tc := range []struct {
		name, conf string
	}{{"dummy", ""}, {"BaGPipe", bagpipeConf}} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServerConf(t, tc.conf)
			s.get(tenantA, "/v2.0/bgpvpn/techniques").wantExact(t, 200, `{"techniques": {"l3": ["ipvpn", "evpn-prefix"], "l2": ["evpn"]}}`)
			s.get(tenantA, "/v2.0/bgpvpn/techniques/l3").wantExact(t, 200, `{"l3": ["ipvpn", "evpn-prefix"]}`)
			s.get(admin, "/v2.0/bgpvpn/techniques/l2").wantExact(t, 200, `{"l2": ["evpn"]}`)
			s.get(admin, "/v2.0/bgpvpn/techniques/l4").wantFault(t, 404, "HTTPNotFound", "The resource could not be found.")
			s.post(admin, "/v2.0/bgpvpn/techniques", `{}`).wantFault(t, 405, "HTTPMethodNotAllowed", "The server could not comply with the request since it is either malformed or otherwise incorrect.")
		})
	}
}

// TestSpecifiedExtensions: each attribute and RBAC sharing is announced.
func TestSpecifiedExtensions(t *testing.T) {
	s := newServer(t)
	for _, alias := range []string{"bgpvpn-admin-state", "bgpvpn-technique", "bgpvpn-auto-aggregate", "rbac-policies", "rbac-bgpvpn"} {
		got := s.get(tenantA, "/v2.0/extensions/"+alias).must(t, 200)["extension"].(map[string]any)
		if got["alias"] != alias || got["name"] == "" || got["description"] == "" {
			t.Errorf("extension %s: %v", alias, got)
		}
	}
}

// TestAdminStateDownStatus: with the bagpipe driver, the associations of a
// BGPVPN turned off say DOWN and why, and come back when it is on again.
func TestAdminStateDownStatus(t *testing.T) {
	s := newServerConf(t, bagpipeConf)
	vpn := s.createBGPVPN(admin, `{"tenant_id": "project-a", "route_targets": ["64512:1"]}`)
	net := s.createNetwork(tenantA, "net")
	s.createSubnet(tenantA, net, "10.0.0.0/24")
	s.post(admin, "/v2.0/ports", `{"port": {"network_id": "`+net+`", "tenant_id": "project-a", "binding:host_id": "h1"}}`).must(t, 201)
	assoc := s.associate(tenantA, vpn, "network", net)
	path := vpnPath(vpn) + "/network_associations/" + assoc
	status := func() (any, any) {
		a := s.get(tenantA, path).must(t, 200)["network_association"].(map[string]any)
		return a["status"], a["status_reason"]
	}
	if st, reason := status(); st == "DOWN" || reason == adminDownReason {
		t.Fatalf("before: status %v (%v), want it waiting for the agent", st, reason)
	}
	s.put(admin, vpnPath(vpn), `{"bgpvpn": {"admin_state_up": false}}`).must(t, 200)
	if st, reason := status(); st != "DOWN" || reason != adminDownReason {
		t.Errorf("admin_state_up false: status %v (%v), want DOWN (%s)", st, reason, adminDownReason)
	}
	s.put(admin, vpnPath(vpn), `{"bgpvpn": {"admin_state_up": true}}`).must(t, 200)
	if _, reason := status(); reason == adminDownReason {
		t.Errorf("admin_state_up true again: still %v", reason)
	}
}

const adminDownReason = "the BGPVPN is administratively down: an admin set its admin_state_up to false"
