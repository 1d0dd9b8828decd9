package api_test

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPolicyFileOverrides runs the server with an operator's policy file in
// the style of Terraform's CI: tenants may create BGPVPNs, per-attribute
// create rules still apply, and a get rule can reveal a hidden attribute.
func TestPolicyFileOverrides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "policy.yaml")
	policy := `"create_bgpvpn": "rule:admin_or_owner"
"create_bgpvpn:route_targets": "rule:admin_only"
"create_bgpvpn:import_targets": "rule:admin_or_owner"
"get_bgpvpn:import_targets": "rule:admin_or_owner"
`
	if err := os.WriteFile(path, []byte(policy), 0o600); err != nil {
		t.Fatal(err)
	}
	s := newServerConf(t, "[oslo_policy]\npolicy_file = "+path+"\n")

	s.post(tenantA, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "t", "route_targets": ["64512:1"]}}`).
		wantFault(t, 403, "PolicyNotAuthorized",
			"(((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name) and rule:create_bgpvpn:route_targets) is disallowed by policy")

	body := s.post(tenantA, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "t", "import_targets": ["64512:2"]}}`).must(t, 201)
	vpn := object(t, body, "bgpvpn")
	if got, ok := vpn["import_targets"]; !ok || len(got.([]any)) != 1 {
		t.Errorf("tenant's create answer import_targets = %v (present %v), want [64512:2] made visible by get_bgpvpn:import_targets", got, ok)
	}
	if _, ok := vpn["route_targets"]; ok {
		t.Errorf("tenant sees route_targets %v; the default get rule still hides them", vpn["route_targets"])
	}
	if vpn["tenant_id"] != nil {
		t.Errorf("tenant sees tenant_id %v, want it hidden", vpn["tenant_id"])
	}
}
