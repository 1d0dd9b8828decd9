package e2e

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The attributes of the specification and sharing (issue 13), end to end.

// peHas waits until the PE's answer to cmd contains every want and none
// of the unwanted, and returns it.
func peHas(t testing.TB, what, cmd string, want, unwanted []string) string {
	t.Helper()
	var out string
	waitFor(t, converge, what, func() bool {
		var err error
		if out, err = vtysh(cmd); err != nil {
			return false
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				return false
			}
		}
		for _, u := range unwanted {
			if strings.Contains(out, u) {
				return false
			}
		}
		return true
	})
	return out
}

// admin_state_up false: the agents withdraw the BGPVPN's routes (the PE
// loses them, the VMs stop pinging each other, the site behind the site
// gateway stops pinging them), the associations stay, DOWN, saying why;
// true again restores everything.
func TestAdminStateDown(t *testing.T) {
	enabled(t)
	startPE(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.131")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	rt := newRT()
	vpn := tn.bgpvpn(obj{"route_targets": []string{rt, siteRT}})
	s := newSite(t, rt)
	na := tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)
	s.reaches(t, vm1.ip)
	tn.active(vpn, "network", na)
	peHas(t, "the VMs' routes at the PE", "show bgp ipv4 vpn", []string{host32(vm1.ip), host32(vm2.ip)}, nil)

	tn.updateBGPVPN(vpn, obj{"admin_state_up": false})
	cut(t, vm1, vm2.ip)
	s.cut(t, vm1.ip)
	s.cut(t, vm2.ip)
	peHas(t, "the VMs' routes withdrawn from the PE", "show bgp ipv4 vpn", nil, []string{host32(vm1.ip), host32(vm2.ip)})
	path := "/bgpvpn/bgpvpns/" + vpn + "/network_associations/" + na
	var st, reason string
	waitFor(t, converge, "the association DOWN, saying the admin turned the BGPVPN off", func() bool {
		st, reason = tn.status(path)
		return st == "DOWN" && strings.Contains(reason, "administratively down")
	})
	waitFor(t, converge, "network A's instance gone from compute-1", func() bool {
		var inst map[string]any
		return !lgGet(h1, "/vpns/instances/ipvpn_"+a.id, &inst)
	})

	tn.updateBGPVPN(vpn, obj{"admin_state_up": true})
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)
	s.reaches(t, vm1.ip)
	s.reaches(t, vm2.ip)
	tn.active(vpn, "network", na)
	peHas(t, "the VMs' routes back at the PE", "show bgp ipv4 vpn", []string{host32(vm1.ip), host32(vm2.ip)}, nil)
}

// A BGPVPN shared with a second project: each project associates its own
// network, and the agents join both to the same VPN: the two projects'
// VMs ping each other, both reach the FRR PE's prefix, which learns both
// VMs, and an external site behind the site gateway (a VRF importing and
// exporting the BGPVPN's RT) pings both VMs and is pinged by them.
func TestSharedBGPVPN(t *testing.T) {
	enabled(t)
	startPE(t)
	owner := newTenant(t)
	guest := &tenant{t: t, project: owner.project + "-guest"}
	a := owner.network("A", "10.132.1.0/24")
	b := guest.network("B", "10.132.2.0/24")
	vm1, vm2 := owner.vm(a, h1), guest.vm(b, h2)
	rt := newRT()
	vpn := owner.bgpvpn(obj{"route_targets": []string{rt, siteRT}})
	s := newSite(t, rt)
	owner.create(false, "/rbac-policies", "rbac_policy", obj{"object_type": "bgpvpn", "object_id": vpn,
		"target_tenant": guest.project, "action": "access_as_shared"})
	na := owner.netAssoc(vpn, a)
	nb := guest.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)
	owner.active(vpn, "network", na)
	guest.active(vpn, "network", nb)
	hasRoute(t, h1, "ipvpn_"+a.id, sitePfx, peNode.addr)
	hasRoute(t, h2, "ipvpn_"+b.id, sitePfx, peNode.addr)
	peHas(t, "both projects' VMs at the PE", "show bgp ipv4 vpn", []string{host32(vm1.ip), host32(vm2.ip)}, nil)
	for _, v := range []*vm{vm1, vm2} {
		s.reaches(t, v.ip)
		reaches(t, v, s.addrs[0])
	}

	// The owner sees who made the guest's association.
	m := owner.do(false, "GET", "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+nb, nil)["network_association"].(obj)
	if m["project_id"] != guest.project {
		t.Errorf("the owner's view of the guest's association: %v, want project_id %s", m, guest.project)
	}
	// The guest's association goes: the guest's VM is cut off, the owner's
	// keeps the site.
	guest.delete(false, "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+nb)
	cut(t, vm1, vm2.ip)
	s.cut(t, vm2.ip)
	hasRoute(t, h1, "ipvpn_"+a.id, sitePfx, peNode.addr)
	s.reaches(t, vm1.ip)
}

// technique evpn-prefix: the agents advertise EVPN type 5 routes instead
// of VPNv4 ones; the PE (FRR) receives the VMs' prefixes as type 5 routes
// and no VPNv4 route of them; the VMs ping each other through the type 5
// routes the agents import.
func TestEVPNPrefixTechnique(t *testing.T) {
	enabled(t)
	startPE(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.133")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}, "technique": "evpn-prefix"})
	na := tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, b)
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)
	tn.active(vpn, "network", na)
	t5 := func(v *vm) string { return fmt.Sprintf("[32]:[%s]", v.ip) }
	out := peHas(t, "the VMs' type 5 routes at the PE", "show bgp l2vpn evpn route type prefix", []string{t5(vm1), t5(vm2)}, nil)
	t.Logf("the PE's type 5 routes:\n%s", out)
	if vpn4, err := vtysh("show bgp ipv4 vpn"); err != nil || strings.Contains(vpn4, host32(vm1.ip)) || strings.Contains(vpn4, host32(vm2.ip)) {
		t.Errorf("evpn-prefix, yet the PE has VPNv4 routes of the VMs (or no answer: %v):\n%s", err, vpn4)
	}
	// Back to the driver's default: VPNv4 routes, no type 5.
	tn.updateBGPVPN(vpn, obj{"technique": nil})
	peHas(t, "the VMs' VPNv4 routes at the PE", "show bgp ipv4 vpn", []string{host32(vm1.ip), host32(vm2.ip)}, nil)
	peHas(t, "the VMs' type 5 routes withdrawn", "show bgp l2vpn evpn route type prefix", nil, []string{t5(vm1), t5(vm2)})
	reaches(t, vm1, vm2.ip)
}

// peRoutesWithRT counts the paths of exactly prefix at the FRR PE that
// carry rt (-1: no answer). The lab's PE has no VRF and keeps every VPN
// route it is sent (the host routes too, with the network's own RT); what
// a PE VRF importing rt holds is the paths carrying it.
func peRoutesWithRT(prefix, rt string) int {
	out, err := vtysh("show bgp ipv4 vpn " + prefix) // every RD's paths of exactly prefix
	if strings.Contains(out, "Network not in table") {
		return 0
	}
	if err != nil {
		return -1
	}
	n := 0
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, "Extended Community:") && strings.Contains(l, "RT:"+rt) {
			n++
		}
	}
	return n
}

// peCounts waits until the FRR PE holds, for each prefix of want, that
// many paths carrying rt.
func peCounts(t testing.TB, what, rt string, want map[string]int) {
	t.Helper()
	got := map[string]int{}
	waitFor(t, converge, what, func() bool {
		for p := range want {
			got[p] = peRoutesWithRT(p, rt)
		}
		return fmt.Sprint(got) == fmt.Sprint(want)
	})
	total, _ := vtysh("show bgp ipv4 vpn")
	t.Logf("paths with RT %s at the FRR PE, by prefix: %v; its whole VPNv4 table:\n%s", rt, got, total)
}

// siteTable waits until the site's VRF on the gateway holds (received,
// what a PE VRF importing the site's RTs holds), for each prefix of want,
// one path through each of those compute nodes, and nothing else of the
// tenant (no prefix starting with tenantPrefix but those of want).
func siteTable(t testing.TB, s *site, tenantPrefix string, want map[string][]node) {
	t.Helper()
	var rs map[string][]lgRoute
	matches := func() error {
		for p, nodes := range want {
			var hops, wantHops []string
			for _, r := range rs[p] {
				hops = append(hops, r.NextHop)
			}
			for _, n := range nodes {
				wantHops = append(wantHops, n.addr)
			}
			slices.Sort(hops)
			slices.Sort(wantHops)
			if !slices.Equal(hops, wantHops) {
				return fmt.Errorf("the site VRF's paths to %s go through %v, want one through each of %v", p, hops, wantHops)
			}
		}
		for p := range rs {
			if _, ok := want[p]; !ok && strings.HasPrefix(p, tenantPrefix) {
				return fmt.Errorf("the site VRF holds %s, want only %v of the tenant", p, slices.Sorted(maps.Keys(want)))
			}
		}
		return nil
	}
	err := poll(converge, "the site VRF's table", func() bool {
		rs = nil
		lgGet(gwNode, "/vpns/instances/"+s.vrf+"/received_routes", &rs)
		return matches() == nil
	})
	t.Logf("the site VRF %s on the gateway:\n%s", s.vrf, lgRouteStrings(rs))
	if err != nil {
		t.Fatalf("%v: %v", err, matches())
	}
}

// auto_aggregate, from the operator's side: network A has a port on each
// compute node, network C one on compute-2. The FRR PE holds, with the
// BGPVPN's RT, one route per subnet and compute node and no host route;
// the site gateway's VRF (a PE with a data plane, importing the BGPVPN's
// RT) holds the two subnets, A's through both nodes (ECMP), and no host
// route; the site pings every port, and some pings enter the cloud at the
// compute node that does not host their port (the gateway's kernel says
// which node each flow takes; the transit node's VXLAN counters confirm
// it), which reaches the port through the host routes only the
// network's VRFs import. A VM of network C, which sees A as the PE does,
// reaches A's ports on both nodes.
func TestAutoAggregate(t *testing.T) {
	enabled(t)
	startPE(t)
	tn := newTenant(t)
	a, c := tn.network("A", "10.134.1.0/24"), tn.network("C", "10.134.3.0/24")
	vmA1, vmA2, vmC := tn.vm(a, h1), tn.vm(a, h2), tn.vm(c, h2)
	rt := newRT()
	vpn := tn.bgpvpn(obj{"route_targets": []string{rt, siteRT}, "auto_aggregate": true})
	na := tn.netAssoc(vpn, a)
	tn.netAssoc(vpn, c)
	tn.active(vpn, "network", na)
	s := newSite(t, rt)

	peCounts(t, "the FRR PE's routes with the BGPVPN's RT: one per subnet and compute node, no host route", siteRT,
		map[string]int{"10.134.1.0/24": 2, "10.134.3.0/24": 1, host32(vmA1.ip): 0, host32(vmA2.ip): 0, host32(vmC.ip): 0})
	siteTable(t, s, "10.134.", map[string][]node{"10.134.1.0/24": {h1, h2}, "10.134.3.0/24": {h2}})
	if r := best(h2, "ipvpn_"+c.id); len(r[host32(vmA1.ip)])+len(r[host32(vmA2.ip)]) > 0 || len(r["10.134.1.0/24"]) == 0 {
		t.Errorf("network C's VRF on compute-2 should see A as the PE does (the subnet, no host route): %v", r)
	}

	for _, v := range []*vm{vmA1, vmA2, vmC} {
		s.reaches(t, v.ip)
		reaches(t, v, s.addrs[0])
	}
	// Each port the gateway can send through another node than its own
	// (both with ECMP, the one off the best path otherwise) is reached
	// through that node.
	picked := s.picked("10.134.1.0/24")
	t.Logf("the gateway forwards 10.134.1.0/24 through %v", picked)
	crossed := 0
	for _, v := range []*vm{vmA1, vmA2} {
		if slices.Equal(picked, []node{v.host}) {
			continue
		}
		src, via := s.crossingSource(t, v, picked)
		s.transits(t, src, v, via, 5)
		crossed++
	}
	if crossed == 0 {
		t.Fatalf("the gateway forwards A's subnet through %v: no port reached through another node", picked)
	}

	reaches(t, vmC, vmA1.ip)
	reaches(t, vmC, vmA2.ip)
	reaches(t, vmA1, vmC.ip)
	reaches(t, vmA1, vmA2.ip)
	for range 5 {
		if !vmC.pings(vmA1.ip) || !vmC.pings(vmA2.ip) {
			t.Fatalf("a ping from network C to a port of A on either node was lost")
		}
	}
}

// The same network and site without auto_aggregate: the FRR PE and the
// site's VRF hold the ports' host routes, each through the port's own
// node, and no subnet route; the site reaches each port through its node.
func TestNoAutoAggregate(t *testing.T) {
	enabled(t)
	startPE(t)
	tn := newTenant(t)
	a := tn.network("A", "10.135.1.0/24")
	vmA1, vmA2 := tn.vm(a, h1), tn.vm(a, h2)
	rt := newRT()
	vpn := tn.bgpvpn(obj{"route_targets": []string{rt, siteRT}})
	tn.active(vpn, "network", tn.netAssoc(vpn, a))
	s := newSite(t, rt)

	peCounts(t, "the FRR PE's routes with the BGPVPN's RT: the host routes, no subnet", siteRT,
		map[string]int{"10.135.1.0/24": 0, host32(vmA1.ip): 1, host32(vmA2.ip): 1})
	siteTable(t, s, "10.135.", map[string][]node{host32(vmA1.ip): {h1}, host32(vmA2.ip): {h2}})
	for _, v := range []*vm{vmA1, vmA2} {
		s.reaches(t, v.ip)
		reaches(t, v, s.addrs[0])
		if p := s.picked(host32(v.ip)); !slices.Equal(p, []node{v.host}) {
			t.Errorf("the gateway forwards %s through %v, want its node %s", v.ip, p, v.host.name)
		}
		if via, err := s.via(s.addrs[0], v.ip); err != nil || via != v.host {
			t.Errorf("the gateway's kernel sends the site's pings to %s (%s) through %s (%v)", v.ip, v.host.name, via.name, err)
		}
	}
}
