package linux

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// Two ports of a network in an EVI plugged into a VRF, and a third port
// of another network plugged itself: the EVI's bridge is the VRF's port
// for the first two (rules, host routes, label tables), the ports' subnet
// goes to the bridge, and a remote port of the same subnet (reached by
// the EVI) gets no route while a remote one of another subnet does.
func TestPlanL3StitchedEVI(t *testing.T) {
	ifindex := map[string]int{l3Device: 10, "bgv-eb5000": 20, "tap9": 11}
	s := dataplane.State{
		EVIs: []dataplane.EVI{{ID: "evi", Number: 1, VNI: 5000, Ports: []dataplane.Port{{LinuxIf: "tap1"}, {LinuxIf: "tap2"}}}},
		VRFs: []dataplane.VRF{{ID: "v", Number: 3, VNI: 16, GatewayIP: addr("10.1.1.1"),
			Ports: []dataplane.Port{
				{LinuxIf: "evpn:evi", EVI: "evi", IPs: []netip.Prefix{pfx("10.1.1.10/24")}, Direction: "both", Label: 17},
				{LinuxIf: "evpn:evi", EVI: "evi", IPs: []netip.Prefix{pfx("10.1.1.11/24")}, Direction: "both", Label: 18},
				{LinuxIf: "tap9", IPs: []netip.Prefix{pfx("10.9.9.9/24")}, Direction: "both", Label: 19},
			},
			Routes: []dataplane.IPRoute{
				{Prefix: pfx("10.1.1.12/32"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
				{Prefix: pfx("10.2.2.2/32"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 21, Encap: encapVXLAN}}},
			}}},
	}
	st, errs := stitchEVIs(s)
	if len(errs) != 0 {
		t.Fatalf("stitchEVIs errors: %v", errs)
	}
	if s.VRFs[0].Ports[0].LinuxIf != "evpn:evi" {
		t.Errorf("stitchEVIs changed the caller's state: port 0 is %s", s.VRFs[0].Ports[0].LinuxIf)
	}
	p, errs := planL3(st, testOpts, ifindex, "")
	if len(errs) != 0 {
		t.Fatalf("planL3 errors: %v", errs)
	}
	var got []string
	for _, k := range sortedRouteKeys(p.routes) {
		got = append(got, p.routes[k].String())
	}
	want := []string{
		"table 20003 10.1.1.1/32 type 1 scope 253 metric 0 oif 10",
		"table 20003 10.1.1.10/32 type 1 scope 253 metric 0 oif 20",
		"table 20003 10.1.1.11/32 type 1 scope 253 metric 0 oif 20",
		"table 20003 10.2.2.2/32 type 1 scope 0 metric 0 encap ip id 21 dst 192.0.2.2 src 192.0.2.1 via 192.0.2.2 oif 10 onlink",
		"table 20003 10.9.9.9/32 type 1 scope 253 metric 0 oif 11",
		"table 20003 10.1.1.0/24 type 1 scope 253 metric 0 oif 20",
		"table 20003 0.0.0.0/0 type 7 scope 0 metric 4278198272 oif 0",
		"table 16797233 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.10 oif 20 onlink",
		"table 16797234 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.11 oif 20 onlink",
		"table 16797235 0.0.0.0/0 type 1 scope 0 metric 0 via 10.9.9.9 oif 11 onlink",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	var rules []string
	for r := range p.rules {
		if r.TunID == 0 {
			rules = append(rules, r.String())
		}
	}
	slices.Sort(rules)
	if diff := cmp.Diff([]string{"pref 20000 iif bgv-eb5000 lookup 20003 (family 2)", "pref 20000 iif tap9 lookup 20003 (family 2)"}, rules); diff != "" {
		t.Errorf("rules of the ports (-want +got):\n%s", diff)
	}
	if !p.fromPorts["bgv-eb5000"] || p.fromPorts["evpn:evi"] {
		t.Errorf("ports with proxy ARP = %v, want the EVI's bridge", p.fromPorts)
	}
}

// A port that goes through an EVI the driver does not have is reported,
// and the VRF's other ports are still planned.
func TestStitchUnknownEVI(t *testing.T) {
	s := dataplane.State{VRFs: []dataplane.VRF{{ID: "v", Number: 3, VNI: 16, Ports: []dataplane.Port{
		{LinuxIf: "evpn:gone", EVI: "gone", MAC: dataplane.MAC{0x52, 0x54, 0, 0, 0, 1}, IPs: []netip.Prefix{pfx("10.1.1.10/24")}, Direction: "both"},
	}}}}
	_, errs := stitchEVIs(s)
	if len(errs) != 1 || errs[0].Error() != "VRF v: port 52:54:00:00:00:01 goes through EVI gone, which this driver does not serve" {
		t.Errorf("stitchEVIs errors = %v, want one naming the EVI", errs)
	}
}
