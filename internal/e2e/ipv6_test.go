package e2e

import (
	"net/netip"
	"testing"
)

// IPv6, beyond the original (bagpipe-bgp is IPv4 only): dual-stack
// networks A and B associated to one BGPVPN. Every fixed IP of a port is
// advertised: compute-1 learns VM2's /128 as a VPNv6 route (the port's
// label, the BGPVPN's RT, compute-2 as next hop) next to its /32, and
// compute-2 learns VM1's. The VMs ping each other over both families
// across the compute nodes (each node answers neighbour solicitations for
// the IPv6 gateway and ARP for the IPv4 one: a VRF keeps a gateway per
// family), and deleting an association cuts both.
func TestIPv6Routes(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a := tn.network("A", "10.122.1.0/24", "fd00:122:1::/64")
	b := tn.network("B", "10.122.2.0/24", "fd00:122:2::/64")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	v4 := func(v *vm) netip.Addr {
		for _, f := range tn.do(false, "GET", "/ports/"+v.port, nil)["port"].(obj)["fixed_ips"].([]any) {
			if ip := netip.MustParseAddr(f.(obj)["ip_address"].(string)); ip.Is4() {
				return ip
			}
		}
		return netip.Addr{}
	}
	vm1ip4, vm2ip4 := v4(vm1), v4(vm2)
	if !vm1.ip6.IsValid() || !vm2.ip6.IsValid() || !vm1ip4.IsValid() || !vm2ip4.IsValid() {
		t.Fatalf("VMs without an IPv4 and an IPv6 address: %s %s, %s %s", vm1ip4, vm1.ip6, vm2ip4, vm2.ip6)
	}
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	never(t, vm1, vm2.ip6)
	tn.active(vpn, "network", tn.netAssoc(vpn, a))
	assocB := tn.netAssoc(vpn, b)
	tn.active(vpn, "network", assocB)
	for _, c := range []struct {
		at       node
		instance string
		dst      *vm
		ip4      netip.Addr
	}{{h1, "ipvpn_" + a.id, vm2, vm2ip4}, {h2, "ipvpn_" + b.id, vm1, vm1ip4}} {
		r6 := hasRoute(t, c.at, c.instance, host32(c.dst.ip6), c.dst.host.addr)
		r4 := hasRoute(t, c.at, c.instance, host32(c.ip4), c.dst.host.addr)
		if r6.Label == 0 || r6.Label != r4.Label || len(r6.RouteTargets) != 1 || r6.RouteTargets[0] != r4.RouteTargets[0] {
			t.Errorf("on %s, the VPNv6 route to %s = %+v, want the label and RT of its VPNv4 route %+v", c.at.name, c.dst.ip6, r6, r4)
		}
	}
	reaches(t, vm1, vm2.ip6)
	reaches(t, vm2, vm1.ip6)
	reaches(t, vm1, vm2ip4)
	reaches(t, vm2, vm1ip4)

	tn.delete(false, "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+assocB)
	cut(t, vm1, vm2.ip6)
	cut(t, vm1, vm2ip4)
	never(t, vm2, vm1.ip6)
	never(t, vm2, vm1ip4)
}
