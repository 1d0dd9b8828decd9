package linux

import (
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

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
	p, got := plannedRoutes(t, st, ifindex)
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

// In a kernel: a VM whose port is in an EVI's bridge plugged into a VRF
// finds its gateway at the bridge (proxy ARP) but no proxy for a remote
// address of its own subnet (the EVI's business); once its port is
// plugged into the VRF by itself, the gratuitous ARP of the Apply moves
// its gateway to the port's MAC at once, without waiting for its ARP
// entry to expire.
func TestStitchedEVIInKernel(t *testing.T) {
	needNetNS(t)
	node, vmNS := newNS(t, "node"), newNS(t, "vm")
	run(t, "ip", "-n", node, "addr", "add", "192.0.2.1/32", "dev", "lo")
	veth(t, node, "tapg", vmNS, "eth0")
	// A bridge takes the lowest MAC of its ports: with the highest one
	// the tap never lends the bridge its MAC, which would hide the move.
	run(t, "ip", "-n", node, "link", "set", "tapg", "address", "fe:ff:ff:ff:ff:fe")
	run(t, "ip", "-n", vmNS, "link", "set", "eth0", "address", "52:54:00:00:00:0a")
	run(t, "ip", "-n", vmNS, "addr", "add", "10.1.1.10/24", "dev", "eth0")
	run(t, "ip", "-n", vmNS, "route", "add", "default", "via", "10.1.1.1")
	d := newDriver(t, node, "192.0.2.1")

	vmMAC := mustMAC("52:54:00:00:00:0a")
	vrf := func(port dataplane.Port) dataplane.VRF {
		return dataplane.VRF{ID: "v", Number: 1, VNI: 16, GatewayIP: addr("10.1.1.1"), Ports: []dataplane.Port{port},
			Routes: []dataplane.IPRoute{
				{Prefix: pfx("10.1.1.12/32"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
				{Prefix: pfx("10.2.2.0/24"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 21, Encap: encapVXLAN}}},
			}}
	}
	apply(t, d, dataplane.State{
		EVIs: []dataplane.EVI{{ID: "evi", Number: 2, VNI: 5000, Ports: []dataplane.Port{{LinuxIf: "tapg", MAC: vmMAC}}}},
		VRFs: []dataplane.VRF{vrf(dataplane.Port{LinuxIf: "evpn:evi", EVI: "evi", MAC: vmMAC, IPs: []netip.Prefix{pfx("10.1.1.10/24")}, Direction: "both", Label: 17})},
	})
	neighbour := func(ip string) string {
		out := run(t, "ip", "-n", vmNS, "neigh", "show", ip)
		f := strings.Fields(out)
		for i := range f {
			if f[i] == "lladdr" && i+1 < len(f) {
				return f[i+1]
			}
		}
		return ""
	}
	linkMAC := func(name string) string {
		out := run(t, "ip", "-n", node, "-br", "link", "show", name)
		return strings.Fields(out)[2]
	}
	// What is sent to them goes nowhere (no remote node): only the ARP
	// answers count.
	_, _ = tryRun("ip", "netns", "exec", vmNS, "ping", "-c", "1", "-W", "1", "10.1.1.1")
	_, _ = tryRun("ip", "netns", "exec", vmNS, "ping", "-c", "1", "-W", "1", "10.1.1.12")
	if got, want := neighbour("10.1.1.1"), linkMAC("bgv-eb5000"); got != want {
		t.Errorf("VM's gateway through the EVI is at %q, want the bridge's MAC %s", got, want)
	}
	if got := neighbour("10.1.1.12"); got != "" {
		t.Errorf("VM's neighbour 10.1.1.12 (same subnet, remote) is at %s, want no proxy answer", got)
	}

	apply(t, d, dataplane.State{VRFs: []dataplane.VRF{vrf(dataplane.Port{LinuxIf: "tapg", MAC: vmMAC, IPs: []netip.Prefix{pfx("10.1.1.10/24")}, Direction: "both", Label: 17})}})
	want := linkMAC("tapg")
	deadline := time.Now().Add(2 * time.Second)
	for neighbour("10.1.1.1") != want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if got := neighbour("10.1.1.1"); got != want {
		t.Errorf("VM's gateway once its port is in the VRF itself is at %s, want the port's MAC %s", got, want)
	}
}
