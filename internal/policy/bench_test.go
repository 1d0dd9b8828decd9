package policy

import (
	"testing"
)

// BenchmarkListVisibility is the hot path of listing BGPVPNs as a tenant:
// the object rule plus one Visible per attribute, per object.
func BenchmarkListVisibility(b *testing.B) {
	e := defaultEnforcer(b)
	getBGPVPN := Rule("get_bgpvpn")
	attrRules := []string{"get_bgpvpn:id", "get_bgpvpn:tenant_id", "get_bgpvpn:project_id", "get_bgpvpn:name",
		"get_bgpvpn:type", "get_bgpvpn:route_targets", "get_bgpvpn:import_targets", "get_bgpvpn:export_targets",
		"get_bgpvpn:route_distinguishers", "get_bgpvpn:networks", "get_bgpvpn:routers", "get_bgpvpn:ports",
		"get_bgpvpn:local_pref", "get_bgpvpn:vni"}
	target := Target{"tenant_id": "project-a", "project_id": "project-a", "name": "x", "type": "l3"}
	b.ReportAllocs()
	for b.Loop() {
		if !e.Enforce(getBGPVPN, target, tenantA) {
			b.Fatal("owner denied")
		}
		for _, r := range attrRules {
			e.Visible(r, target, tenantA)
		}
	}
}

func BenchmarkEnforceGetNetwork(b *testing.B) {
	e := defaultEnforcer(b)
	c := Rule("get_network")
	target := Target{"tenant_id": "project-a", "shared": false, "router:external": false}
	b.ReportAllocs()
	for b.Loop() {
		if e.Enforce(c, target, tenantB) {
			b.Fatal("other tenant allowed")
		}
	}
}

func TestHotPathDoesNotAllocate(t *testing.T) {
	e := defaultEnforcer(t)
	c := Rule("get_network")
	target := Target{"tenant_id": "project-a", "shared": false, "router:external": false}
	allocs := testing.AllocsPerRun(100, func() {
		e.Enforce(c, target, tenantB)
		e.Visible("get_bgpvpn:route_targets", target, tenantA)
		e.Visible("get_bgpvpn:name", target, tenantA)
	})
	if allocs != 0 {
		t.Errorf("Enforce/Visible allocate %v times per call, want 0", allocs)
	}
}
