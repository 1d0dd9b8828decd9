package e2e

import (
	"fmt"
	"strings"
	"testing"
)

// lgEVPNRoute is an EVPN route in the agent's looking glass.
type lgEVPNRoute struct {
	NLRI    string   `json:"nlri"`
	MAC     string   `json:"mac"`
	IP      string   `json:"ip"`
	Label   uint32   `json:"label"`
	NextHop string   `json:"next_hop"`
	Encaps  []string `json:"encapsulations"`
	RTs     []string `json:"route_targets"`
}

// evpnRoutes lists the routes of an EVI on n, whatever they are keyed by.
func evpnRoutes(n node, instance string) []lgEVPNRoute {
	var m map[string][]lgEVPNRoute
	lgGet(n, "/vpns/instances/"+instance+"/best_routes", &m)
	var out []lgEVPNRoute
	for _, rs := range m {
		out = append(out, rs...)
	}
	return out
}

// An l2 BGPVPN (an EVI per network, as the original's bagpipe driver maps
// l2 BGPVPNs to evpn instances): VM1 and VM2 on ONE network, on the two
// compute nodes, reach each other over VXLAN once the network is
// associated; compute-1 learns VM2's MAC/IP route (type 2, VXLAN, the
// network's VNI) from compute-2; deleting the association cuts it.
func TestL2BGPVPN(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a := tn.network("A", "10.121.1.0/24")
	vm1, vm2 := tn.vm(a, h1), tn.vm(a, h2)
	vpn := tn.bgpvpn(obj{"type": "l2", "route_targets": []string{newRT()}})
	never(t, vm1, vm2.ip)
	na := tn.netAssoc(vpn, a)
	tn.active(vpn, "network", na)
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)

	inst := "evpn_" + a.id
	mac2 := strings.ToLower(tn.do(true, "GET", "/ports/"+vm2.port, nil)["port"].(obj)["mac_address"].(string))
	net := tn.do(true, "GET", "/networks/"+a.id, nil)["network"].(obj)
	vni := uint32(net["provider:segmentation_id"].(float64))
	var got []lgEVPNRoute
	waitFor(t, converge, fmt.Sprintf("compute-1's %s to have VM2's MAC/IP route", inst), func() bool {
		got = evpnRoutes(h1, inst)
		for _, r := range got {
			if r.MAC == mac2 && r.IP == vm2.ip.String() && r.NextHop == h2.addr {
				return true
			}
		}
		return false
	})
	for _, r := range got {
		if r.MAC == mac2 && r.IP == vm2.ip.String() && (r.Label != vni || !contains(r.Encaps, "VXLAN")) {
			t.Errorf("VM2's MAC/IP route on compute-1 = %+v, want label %d (the network's VNI) and VXLAN", r, vni)
		}
	}

	tn.delete(false, "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+na)
	cut(t, vm1, vm2.ip)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if strings.Contains(strings.ToUpper(x), s) {
			return true
		}
	}
	return false
}
