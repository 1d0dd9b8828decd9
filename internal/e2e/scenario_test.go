package e2e

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"
)

// The scenarios of neutron-tempest-plugin's TestBGPVPNBasic, with VMs as
// namespaces: VM1 on network A behind compute-1, VM2 on network B behind
// compute-2, unless a scenario says otherwise.

var h1, h2 = computes[0], computes[1]

func twoNets(t testing.TB, tn *tenant, base string) (a, b network) {
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

// Negatives: only A associated; then the BGPVPN deleted; then a network
// association deleted.
func TestNegativeUnassociatedNetwork(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.106")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.active(vpn, "network", tn.netAssoc(vpn, a))
	never(t, vm1, vm2.ip)
}

func TestNegativeDeleteBGPVPN(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.107")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)
	tn.delete(true, "/bgpvpn/bgpvpns/"+vpn)
	cut(t, vm1, vm2.ip)
	waitFor(t, converge, "compute-1's instance gone", func() bool {
		var v map[string]any
		return !lgGet(h1, "/vpns/instances/ipvpn_"+a.id, &v)
	})
}

func TestNegativeDeleteNetworkAssociation(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.108")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	na := tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)
	tn.delete(false, "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+na)
	cut(t, vm1, vm2.ip)
}

// Two port associations advertise the same prefix (an address on the
// loopback of VM2 and of VM3) with different local_pref: VM1 reaches the
// preferred one; swapping the local_prefs flips the choice; removing the
// routes cuts it (port_association_local_pref, port_association_create_and_update).
func TestPortAssociationLocalPref(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.109")
	vm1, vm2, vm3 := tn.vm(a, h1), tn.vm(b, h2), tn.vm(b, h2)
	const prefix = "10.209.0.0/24"
	alt := netip.MustParseAddr("10.209.0.10")
	for _, v := range []*vm{vm2, vm3} {
		mustSh(t, "ip -n "+v.ns+" addr add "+alt.String()+"/32 dev lo")
	}
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	route := func(lp int) obj { return obj{"type": "prefix", "prefix": prefix, "local_pref": lp} }
	pa2 := tn.portAssoc(vpn, vm2.port, route(100))
	pa3 := tn.portAssoc(vpn, vm3.port, route(200))
	inst := "ipvpn_" + a.id

	// answers says which of VM2 and VM3 answer VM1's pings to alt.
	answers := func(want *vm, lp uint32) {
		t.Helper()
		waitFor(t, converge, fmt.Sprintf("local_pref %d best for %s on compute-1", lp, prefix), func() bool {
			rs := best(h1, inst)[prefix]
			return len(rs) == 1 && rs[0].LocalPref == lp
		})
		reaches(t, vm1, alt)
		e2, e3 := vm2.echoes(), vm3.echoes()
		for range 3 {
			vm1.pings(alt)
		}
		d2, d3 := vm2.echoes()-e2, vm3.echoes()-e3
		if got := map[bool]*vm{true: vm2, false: vm3}[d2 > d3]; got != want || d2+d3 < 3 {
			t.Fatalf("echo requests: VM2 got %d, VM3 %d; want %s to answer them all", d2, d3, want.ns)
		}
	}
	answers(vm3, 200)

	path := "/bgpvpn/bgpvpns/" + vpn + "/port_associations/"
	tn.do(true, "PUT", path+pa2, obj{"port_association": obj{"routes": []obj{route(300)}}})
	answers(vm2, 300)

	for _, pa := range []string{pa2, pa3} {
		tn.do(true, "PUT", path+pa, obj{"port_association": obj{"routes": []obj{}}})
	}
	cut(t, vm1, alt)
	reaches(t, vm1, vm2.ip) // the fixed IPs stay advertised
}

// Port association deleted: its prefix is no longer reachable
// (port_association_create_and_delete).
func TestPortAssociationDelete(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.110")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	alt := netip.MustParseAddr("10.210.0.10")
	mustSh(t, "ip -n "+vm2.ns+" addr add "+alt.String()+"/32 dev lo")
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	pa := tn.portAssoc(vpn, vm2.port, obj{"type": "prefix", "prefix": "10.210.0.0/24"})
	reaches(t, vm1, alt)
	hasRoute(t, h1, "ipvpn_"+a.id, "10.210.0.0/24", h2.addr)
	tn.delete(true, "/bgpvpn/bgpvpns/"+vpn+"/port_associations/"+pa)
	cut(t, vm1, alt)
}

// Many prefix routes in one port association (many_bgpvpn_routes,
// unstable upstream, bug 1780205): 90 addresses on VM2's loopback, each
// a /32 route of the association; VM1 reaches a sample of them, and none
// of the first and last once an update empties the routes.
func TestPortAssociationManyRoutes(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.127")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	var alts []netip.Addr
	var routes []obj
	var script strings.Builder
	for i := range 90 {
		alt := netip.AddrFrom4([4]byte{10, 227, 0, byte(31 + i)})
		alts = append(alts, alt)
		routes = append(routes, obj{"type": "prefix", "prefix": host32(alt)})
		fmt.Fprintf(&script, "address add %s/32 dev lo\n", alt)
	}
	mustSh(t, "printf '"+script.String()+"' | ip -n "+vm2.ns+" -batch -")
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	never(t, vm1, alts[0])
	pa := tn.portAssoc(vpn, vm2.port, routes...)
	tn.active(vpn, "port", pa)
	waitFor(t, converge, "the 90 routes in compute-1's VRF", func() bool {
		rs := best(h1, "ipvpn_"+a.id)
		for _, alt := range alts {
			if len(rs[host32(alt)]) == 0 {
				return false
			}
		}
		return true
	})
	for i := 0; i < len(alts); i += 9 {
		reaches(t, vm1, alts[i])
	}
	tn.do(true, "PUT", "/bgpvpn/bgpvpns/"+vpn+"/port_associations/"+pa, obj{"port_association": obj{"routes": []obj{}}})
	cut(t, vm1, alts[0])
	never(t, vm1, alts[len(alts)-1])
}

// Route leaking: VM2's port is associated with BGPVPN 1 (network A) with
// a bgpvpn route leaking BGPVPN 2's routes, and with BGPVPN 2 (network C)
// with one leaking BGPVPN 1's: VM1 reaches VM3 through VM2, which must
// forward (port_association_bgpvpn_route).
func TestRouteLeaking(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.111")
	c := tn.network("C", "10.111.3.0/24")
	vm1, vm2, vm3 := tn.vm(a, h1), tn.vm(b, h2), tn.vm(c, h1)
	mustSh(t, "ip netns exec "+vm2.ns+" sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.eth0.send_redirects=0")
	vpn1 := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	vpn2 := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn1, a)
	tn.netAssoc(vpn2, c)
	never(t, vm1, vm3.ip)
	tn.portAssoc(vpn1, vm2.port, obj{"type": "bgpvpn", "bgpvpn_id": vpn2})
	tn.portAssoc(vpn2, vm2.port, obj{"type": "bgpvpn", "bgpvpn_id": vpn1})
	reaches(t, vm1, vm3.ip)
	hasRoute(t, h1, "ipvpn_"+a.id, host32(vm3.ip), h2.addr)

	// VM2 must really forward: compute-2 hands traffic that arrives with
	// VM2's port label to VM2 (the label's own table), whatever the
	// destination, instead of routing it itself with the imported routes.
	mustSh(t, "ip netns exec "+vm2.ns+" sysctl -qw net.ipv4.ip_forward=0")
	cut(t, vm1, vm3.ip)
	mustSh(t, "ip netns exec "+vm2.ns+" sysctl -qw net.ipv4.ip_forward=1")
	reaches(t, vm1, vm3.ip)
}

// Project separation: two projects with the same subnets and the same
// IPs, each with its own BGPVPN: each VM1 reaches its own VM2 only.
func TestProjectSeparation(t *testing.T) {
	enabled(t)
	var vm1s, vm2s []*vm
	for _, p := range []string{"x", "y"} {
		tn := newTenant(t)
		tn.project += "-" + p
		a, b := twoNets(t, tn, "10.112")
		vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
		vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
		tn.netAssoc(vpn, a)
		tn.netAssoc(vpn, b)
		vm1s, vm2s = append(vm1s, vm1), append(vm2s, vm2)
	}
	if vm1s[0].ip != vm1s[1].ip || vm2s[0].ip != vm2s[1].ip {
		t.Fatalf("the projects' VMs have different IPs (%s, %s and %s, %s): the test needs overlapping ones", vm1s[0].ip, vm1s[1].ip, vm2s[0].ip, vm2s[1].ip)
	}
	for i := range vm1s {
		reaches(t, vm1s[i], vm2s[i].ip)
	}
	for i := range vm1s {
		other := vm2s[1-i]
		mine, theirs := vm2s[i].echoes(), other.echoes()
		for range 3 {
			if !vm1s[i].pings(vm2s[i].ip) {
				t.Errorf("%s lost a ping to %s", vm1s[i].ns, vm2s[i].ip)
			}
		}
		if d, o := vm2s[i].echoes()-mine, other.echoes()-theirs; d != 3 || o != 0 {
			t.Errorf("project %d's pings: %d reached its VM2, %d the other project's; want 3 and 0", i, d, o)
		}
	}
}
