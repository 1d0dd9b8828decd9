package interop

import (
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// t5NS is the network namespace the linux driver programs in
// TestGoBGPType5: one VRF port and an underlay address.
const t5NS = "bvt-t5"

func type5NS(t *testing.T) {
	t.Helper()
	down := func() { exec.Command("ip", "netns", "del", t5NS).Run() }
	down()
	t.Cleanup(down)
	sh(t, "ip netns add "+t5NS+" && ip -n "+t5NS+" link set lo up")
	// veth pairs inside the namespace: this kernel has no dummy devices.
	sh(t, "ip -n "+t5NS+" link add bvt-t5u type veth peer name bvt-t5v && ip -n "+t5NS+" addr add 192.0.2.45/24 dev bvt-t5u && ip -n "+t5NS+" link set bvt-t5u up && ip -n "+t5NS+" link set bvt-t5v up")
	sh(t, "ip -n "+t5NS+" link add tap-t5 type veth peer name bvt-t5vm && ip -n "+t5NS+" link set tap-t5 up && ip -n "+t5NS+" link set bvt-t5vm up")
}

// kernelRoute is the line of the VRF tables of t5NS for a prefix, "" when
// there is none.
func kernelRoute(prefix string) string {
	out, err := exec.Command("ip", "-n", t5NS, "-4", "route", "show", "table", "all").Output()
	if err != nil {
		return ""
	}
	for _, l := range strings.Split(string(out), "\n") {
		if strings.HasPrefix(l, prefix+" ") {
			return l
		}
	}
	return ""
}

// A gobgpd reflector originates EVPN type 5 routes: the one with an RT our
// VRF imports reaches its best routes and the linux driver's kernel routes
// (VXLAN to its next hop with its VNI), carrying its Router's MAC to the
// dataplane state; one with another RT does not; one with a gateway IP
// overlay index is refused with its reason; withdrawal propagates.
func TestGoBGPType5(t *testing.T) {
	need(t, "BGPVPN_IT_GOBGPD", "gobgpd", "gobgp", "ip")
	type5NS(t)
	rr := startGoBGPd(t, "127.0.0.45")
	conf := strings.Replace(agentConf("127.0.0.45", "127.0.0.1", rr.bgpPort, ""), "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = dummy\n",
		"[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = linux\ndataplane_local_address = 192.0.2.45\nnetwork_namespace = "+t5NS+"\nadopt_grace = 0\n", 1)
	// adopt_grace 0: the driver removes a withdrawn route at once, not
	// after the grace period a restarting agent gets.
	a := startAgent(t, conf)
	waitFor(t, 20*time.Second, "agent established", func() bool {
		out, _ := rr.try("neighbor")
		return strings.Count(out, "Establ") == 1
	})
	a.post(t, "/attach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-t5","mac_address":"52:54:00:00:00:45","ip_address":"10.160.0.5/24","gateway_ip":"10.160.0.1","local_port":"tap-t5","import_rt":["64512:5060"],"export_rt":["64512:5061"],"vni":5060}`)

	t5 := func(op, prefix, rt string, extra ...string) {
		args := append([]string{"global", "rib", "-a", "evpn", op, "prefix", prefix}, extra...)
		rr.cli(append(args, "etag", "0", "label", "5060", "rd", "64512:60", "rt", rt, "encap", "vxlan", "router-mac", "aa:bb:cc:00:00:60", "nexthop", "192.0.2.50")...)
	}
	t5("add", "10.60.5.0/24", "64512:5060")
	t5("add", "10.60.6.0/24", "64512:999")
	t5("add", "10.60.7.0/24", "64512:5060", "gw", "10.60.5.1")

	waitFor(t, 10*time.Second, "the type 5 route in our VRF", func() bool { return len(a.best("vrf-t5")["10.60.5.0/24"]) == 1 })
	want := lgRoute{RD: "64512:60", Prefix: "10.60.5.0/24", Label: 5060, NextHop: "192.0.2.50", RouteTargets: []string{"64512:5060"},
		LocalPref: 100, Encaps: []string{"VXLAN"}, RouterMAC: "aa:bb:cc:00:00:60", Source: "BGP-127.0.0.1"}
	if got := a.best("vrf-t5")["10.60.5.0/24"][0]; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("best route for 10.60.5.0/24 = %+v, want %+v", got, want)
	}
	var dp struct {
		Routes []struct {
			Prefix   string `json:"prefix"`
			NextHops []struct {
				Address   string `json:"address"`
				Label     uint32 `json:"label"`
				Encap     uint16 `json:"encap"`
				RouterMAC string `json:"router_mac"`
			} `json:"next_hops"`
		} `json:"routes"`
	}
	if !a.get("/looking-glass/vpns/instances/vrf-t5/dataplane", &dp) {
		t.Fatal("no dataplane state for vrf-t5")
	}
	const wantDP = "[{10.60.5.0/24 [{192.0.2.50 5060 8 aa:bb:cc:00:00:60}]}]"
	if fmt.Sprint(dp.Routes) != wantDP {
		t.Errorf("dataplane routes of vrf-t5 = %v, want %s", dp.Routes, wantDP)
	}
	// The looking glass says what the kernel has and what was chosen:
	// this kernel has no MPLS, so IP VPNs go over VXLAN.
	var drivers map[string]struct {
		Encaps  []string          `json:"supported_encaps"`
		Details map[string]string `json:"details"`
	}
	if !a.get("/looking-glass/vpns/dataplane/drivers", &drivers) {
		t.Fatal("no looking glass dataplane drivers")
	}
	if d := drivers["ipvpn"]; d.Details["ipvpn_encap"] != "vxlan" || fmt.Sprint(d.Encaps) != "[VXLAN]" {
		t.Errorf("looking glass ipvpn driver = %+v, want ipvpn_encap vxlan in its details and encaps [VXLAN]", d)
	}
	// The kernel route: VXLAN with the route's VNI to its next hop, through
	// the gateway that stands for (next hop, Router's MAC), whose
	// neighbour entry gives the inner destination MAC gobgpd advertised.
	const rmacGW = "fe80:b6:c000:232:0:aabb:cc00:60"
	var kr string
	waitFor(t, 10*time.Second, "the kernel route of 10.60.5.0/24", func() bool { kr = kernelRoute("10.60.5.0/24"); return kr != "" })
	for _, w := range []string{"encap ip id 5060", "dst 192.0.2.50", "via inet6 " + rmacGW + " dev bgv-l3"} {
		if !strings.Contains(kr, w) {
			t.Errorf("kernel route %q lacks %q", kr, w)
		}
	}
	if n := neighbours(); !strings.Contains(n, rmacGW+" lladdr aa:bb:cc:00:00:60 PERMANENT") {
		t.Errorf("bgv-l3 neighbours lack %s at the Router's MAC aa:bb:cc:00:00:60:\n%s", rmacGW, n)
	}

	// The other RT is not imported; the gateway IP route is refused and
	// says why; neither reaches the kernel.
	if rs := a.best("vrf-t5")["10.60.6.0/24"]; len(rs) != 0 {
		t.Errorf("route with RT 64512:999 imported: %+v", rs)
	}
	var refused map[string][]lgRoute
	waitFor(t, 10*time.Second, "the gateway IP route refused", func() bool {
		return a.get("/looking-glass/vpns/instances/vrf-t5/refused_routes", &refused) && len(refused["10.60.7.0/24"]) == 1
	})
	if r := refused["10.60.7.0/24"][0]; r.GatewayIP != "10.60.5.1" || !strings.Contains(r.Reason, "gateway IP overlay index") {
		t.Errorf("refused route = %+v, want gateway IP 10.60.5.1 and a reason about the overlay index", r)
	}
	for _, p := range []string{"10.60.6.0/24", "10.60.7.0/24"} {
		if kr := kernelRoute(p); kr != "" {
			t.Errorf("kernel route for %s: %q, want none", p, kr)
		}
	}

	// Withdrawal reaches the VRF and the kernel.
	t5("del", "10.60.5.0/24", "64512:5060")
	waitFor(t, 10*time.Second, "withdrawal in the VRF and the kernel", func() bool {
		return len(a.best("vrf-t5")["10.60.5.0/24"]) == 0 && kernelRoute("10.60.5.0/24") == "" && !strings.Contains(neighbours(), rmacGW)
	})
}

// neighbours lists the neighbour entries of bgv-l3 in t5NS.
func neighbours() string {
	out, _ := exec.Command("ip", "-n", t5NS, "neigh", "show", "dev", "bgv-l3").Output()
	return string(out)
}
