package e2e

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
)

// A network in an l2 BGPVPN and an l3 one (issue 5): the port of a VM of
// network N sits in N's EVI bridge, so the agent plugs the EVI into the
// VRF (bagpipe's local_port.evpn.id) and the VRF reaches the VM through
// the bridge. VM1 (N, compute-1) reaches VM3 (network M, only in the l3
// BGPVPN, compute-2) through the VRF, and VM2 (N, compute-2) at layer 2
// through the EVI: VM1 resolves VM2's own MAC, not a gateway's. Removing
// N's l3 association cuts N↔M and loses nothing between VM1 and VM2;
// removing the l2 one (the l3 one back) plugs the ports into the VRF
// again and N↔M keeps working: VM1 learns by a gratuitous ARP that its
// gateway is no longer at the EVI's bridge.
func TestL2AndL3BGPVPNs(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	n, m := tn.network("N", "10.131.1.0/24"), tn.network("M", "10.131.2.0/24")
	vm1, vm2, vm3 := tn.vm(n, h1), tn.vm(n, h2), tn.vm(m, h2)
	l3 := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	l2 := tn.bgpvpn(obj{"type": "l2", "route_targets": []string{newRT()}})
	l2N := tn.netAssoc(l2, n)
	l3N := tn.netAssoc(l3, n)
	l3M := tn.netAssoc(l3, m)
	tn.active(l2, "network", l2N)
	tn.active(l3, "network", l3N)
	tn.active(l3, "network", l3M)

	reaches(t, vm1, vm3.ip)
	reaches(t, vm3, vm1.ip)
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)
	reaches(t, vm2, vm3.ip)
	mac2 := strings.ToLower(tn.do(true, "GET", "/ports/"+vm2.port, nil)["port"].(obj)["mac_address"].(string))
	if got := neighbourMAC(t, vm1, vm2.ip); got != mac2 {
		t.Errorf("VM1 reaches VM2 (same network) through MAC %s, want VM2's own %s (the EVI, not the VRF)", got, mac2)
	}
	var plugged []string
	waitFor(t, converge, "compute-1's VRF of N to plug N's EVI", func() bool {
		var v struct {
			PluggedEVIs []string `json:"plugged_evpn_instances"`
		}
		lgGet(h1, "/vpns/instances/ipvpn_"+n.id, &v)
		plugged = v.PluggedEVIs
		return len(plugged) == 1 && plugged[0] == "evpn_"+n.id
	})

	// The l3 association of N goes: N↔M is cut, VM1↔VM2 loses nothing.
	f12 := startFlood(t, vm1, vm2.ip)
	tn.delete(false, "/bgpvpn/bgpvpns/"+l3+"/network_associations/"+l3N)
	cut(t, vm1, vm3.ip)
	cut(t, vm3, vm1.ip)
	reaches(t, vm2, vm1.ip)
	if sent, lost := f12.stop(t); lost > 0 || sent == 0 {
		t.Errorf("VM1→VM2 flood across the removal of N's l3 association: %d of %d echo requests unanswered, want none", lost, sent)
	}

	// Back, then the l2 association goes: the ports are plugged into the
	// VRF themselves and N↔M keeps working.
	l3N = tn.netAssoc(l3, n)
	tn.active(l3, "network", l3N)
	reaches(t, vm1, vm3.ip)
	tn.delete(false, "/bgpvpn/bgpvpns/"+l2+"/network_associations/"+l2N)
	waitFor(t, converge, "compute-1's VRF of N to plug VM1's port again", func() bool {
		ports := map[string]any{}
		lgGet(h1, "/vpns/instances/ipvpn_"+n.id+"/ports", &ports)
		_, ok := ports[vm1.tap]
		return ok
	})
	reaches(t, vm1, vm3.ip)
	reaches(t, vm3, vm1.ip)
}

// neighbourMAC is the MAC v's neighbour table has for ip, "" if none.
func neighbourMAC(t *testing.T, v *vm, ip netip.Addr) string {
	t.Helper()
	out, err := exec.Command("ip", "-n", v.ns, "neigh", "show", ip.String()).Output()
	if err != nil {
		t.Fatalf("ip neigh in %s: %v", v.ns, err)
	}
	f := strings.Fields(string(out))
	for i := range f {
		if f[i] == "lladdr" && i+1 < len(f) {
			return f[i+1]
		}
	}
	return ""
}
