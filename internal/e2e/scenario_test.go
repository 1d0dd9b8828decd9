package e2e

import (
	"testing"
)

// The scenarios of neutron-tempest-plugin's TestBGPVPNBasic, with VMs as
// namespaces: VM1 on network A behind compute-1, VM2 on network B behind
// compute-2, unless a scenario says otherwise.

var h1, h2 = computes[0], computes[1]

func twoNets(t *testing.T, tn *tenant, base string) (a, b network) {
	return tn.network("A", base+".1.0/24"), tn.network("B", base+".2.0/24")
}

// Basic: VMs first, then both networks associated to one BGPVPN.
func TestBasic(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.101")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	never(t, vm1, vm2.ip)
	assocA := tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)
	r := hasRoute(t, h1, "ipvpn_"+a.id, host32(vm2.ip), h2.addr)
	if r.Label == 0 || len(r.RouteTargets) != 1 {
		t.Errorf("route to VM2 on compute-1 = %+v, want a label and the BGPVPN's RT", r)
	}
	tn.active(vpn, "network", assocA)
}

// Variant 1: associations before the VMs boot.
func TestAssociationsBeforePorts(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.102")
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	reaches(t, vm1, vm2.ip)
}

// A router association for B's router instead of B's network association;
// deleting it cuts connectivity (negative_delete_router_association).
func TestRouterAssociation(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.103")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	router := tn.router(b)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	ra := tn.routerAssoc(vpn, router)
	reaches(t, vm1, vm2.ip)
	hasRoute(t, h2, "ipvpn_"+b.id, host32(vm1.ip), h1.addr)
	tn.delete(false, "/bgpvpn/bgpvpns/"+vpn+"/router_associations/"+ra)
	cut(t, vm1, vm2.ip)
}

// RT updates on a BGPVPN both networks are associated with: disjoint
// import/export breaks it, a common target keeps it, back to the RT
// restores it, an empty RT list breaks it.
func TestRouteTargetUpdates(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.104")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	rt, imp, exp := newRT(), newRT(), newRT()
	vpn := tn.bgpvpn(obj{"route_targets": []string{rt}})
	tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)

	tn.updateBGPVPN(vpn, obj{"route_targets": []string{}, "import_targets": []string{imp}, "export_targets": []string{exp}})
	cut(t, vm1, vm2.ip)

	tn.updateBGPVPN(vpn, obj{"route_targets": []string{imp}, "import_targets": []string{imp}, "export_targets": []string{exp}})
	reaches(t, vm1, vm2.ip)

	tn.updateBGPVPN(vpn, obj{"route_targets": []string{rt}, "import_targets": []string{}, "export_targets": []string{}})
	reaches(t, vm1, vm2.ip)
	hasRoute(t, h1, "ipvpn_"+a.id, host32(vm2.ip), h2.addr)

	tn.updateBGPVPN(vpn, obj{"route_targets": []string{}})
	cut(t, vm1, vm2.ip)
}

// Disjoint import/export from the start, B associated later: no
// connectivity until the RT alone is used (update_route_targets_and_unassociated_net).
func TestDisjointThenRT(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.105")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	imp, exp := newRT(), newRT()
	vpn := tn.bgpvpn(obj{"import_targets": []string{imp}, "export_targets": []string{exp}})
	tn.active(vpn, "network", tn.netAssoc(vpn, a))
	never(t, vm1, vm2.ip)
	tn.active(vpn, "network", tn.netAssoc(vpn, b))
	never(t, vm1, vm2.ip)
	tn.updateBGPVPN(vpn, obj{"route_targets": []string{newRT()}, "import_targets": []string{}, "export_targets": []string{}})
	reaches(t, vm1, vm2.ip)
}
