package linux

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// dualStackVRF: tap1 (dual stack, sends), tap2 (IPv6, sends), tap3
// (IPv6, receives only); a remote VM in tap1's IPv6 subnet, one in
// another subnet, a remote prefix inside the subnet.
func dualStackVRF() dataplane.VRF {
	return dataplane.VRF{ID: "ipvpn_a", Number: 1, VNI: 16, GatewayIP: addr("10.1.1.1"), GatewayIPv6: addr("fd00:1::1"),
		Ports: []dataplane.Port{
			{LinuxIf: "tap1", IPs: []netip.Prefix{pfx("10.1.1.10/24"), pfx("fd00:1::10/64")}, Direction: "both", Label: 17},
			{LinuxIf: "tap2", IPs: []netip.Prefix{pfx("fd00:1::20/64")}, Direction: "from-port", Label: 18},
			{LinuxIf: "tap3", IPs: []netip.Prefix{pfx("fd00:1::30/64")}, Direction: "to-port", Label: 19},
		},
		Routes: []dataplane.IPRoute{
			{Prefix: pfx("fd00:1::40/128"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
			{Prefix: pfx("fd00:2::40/128"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
			{Prefix: pfx("fd00:1:0:0:8000::/65"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
			{Prefix: pfx("fd00:1::50/128"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 0, Encap: encapVXLAN}}}, // unusable: no route, no answer
		},
	}
}

func TestPlanProxies(t *testing.T) {
	ifindex := map[string]int{l3Device: 10, "tap1": 11, "tap2": 12, "tap3": 13}
	p, errs := planL3(dataplane.State{VRFs: []dataplane.VRF{dualStackVRF()}}, testOpts, ifindex, "")
	if len(errs) != 0 {
		t.Fatalf("planL3 errors: %v", errs)
	}
	var got []string
	for _, k := range sortedProxyKeys(p.proxies) {
		got = append(got, p.proxies[k].String())
	}
	// Each port that sends answers for the IPv6 gateway and for the IPv6
	// hosts of its subnet that the VRF routes (local ports that receive,
	// remote /128s), never for itself; tap3 only receives and answers
	// nothing, and nothing answers for tap2, which only sends.
	want := []string{
		"proxy fd00:1::1 dev 11 router", "proxy fd00:1::30 dev 11", "proxy fd00:1::40 dev 11",
		"proxy fd00:1::1 dev 12 router", "proxy fd00:1::10 dev 12", "proxy fd00:1::30 dev 12", "proxy fd00:1::40 dev 12",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("proxy entries (-want +got):\n%s", diff)
	}
	var routes []string
	for _, k := range sortedRouteKeys(p.routes) {
		routes = append(routes, p.routes[k].String())
	}
	if r := strings.Join(routes, "\n"); !strings.Contains(r, "table 20001 10.1.1.1/32 type 1 scope 253 metric 0 oif 10") || strings.Contains(r, "fd00:1::1/128") {
		t.Errorf("routes: want the IPv4 gateway's route for proxy ARP and none for the IPv6 gateway:\n%s", r)
	}
	// IPv6 on for every port (the kernel routes no IPv6 through a port
	// without), forwarding and proxy NDP for those that send.
	wantSysctls := []sysctl{{"ipv6/conf/all/forwarding", "1"},
		{"ipv6/conf/tap1/disable_ipv6", "0"}, {"ipv6/conf/tap2/disable_ipv6", "0"}, {"ipv6/conf/tap3/disable_ipv6", "0"},
		{"ipv6/conf/tap1/forwarding", "1"}, {"ipv6/conf/tap1/proxy_ndp", "1"}, {"ipv6/neigh/tap1/proxy_delay", "0"},
		{"ipv6/conf/tap2/forwarding", "1"}, {"ipv6/conf/tap2/proxy_ndp", "1"}, {"ipv6/neigh/tap2/proxy_delay", "0"}}
	if diff := cmp.Diff(wantSysctls, p.ipv6Ports, cmp.AllowUnexported(sysctl{})); diff != "" {
		t.Errorf("IPv6 settings (-want +got):\n%s", diff)
	}

	// IPv4 only: no proxy NDP, no IPv6 setting.
	v4 := dataplane.VRF{ID: "v", Number: 2, VNI: 16, GatewayIP: addr("10.1.1.1"),
		Ports: []dataplane.Port{{LinuxIf: "tap1", IPs: []netip.Prefix{pfx("10.1.1.10/24")}, Direction: "both", Label: 17}}}
	p, _ = planL3(dataplane.State{VRFs: []dataplane.VRF{v4}}, testOpts, ifindex, "")
	if len(p.proxies) != 0 || len(p.ipv6Ports) != 0 {
		t.Errorf("IPv4-only VRF: proxies %v, IPv6 settings %v; want none", p.proxies, p.ipv6Ports)
	}
}

// TestProxyApplyRequests: the proxy entries are added once, a second
// Apply asks nothing, an entry someone else made is left alone, a port
// leaving the VRF loses its entries and proxy_ndp, and a restarted driver
// adopts the entries (deleting nothing during adopt_grace).
func TestProxyApplyRequests(t *testing.T) {
	k := newFakeKernel("tap1", "tap2", "tap3") // lo 1, eth0 2, tap1 3, tap2 4, tap3 5
	// Not ours: an operator's proxy entry for the gateway on tap2.
	k.proxies[proxyKey{4, addr("fd00:1::1")}] = kproxy{Index: 4, Addr: addr("fd00:1::1")}
	d, err := newFakeDriver(k, capabilities{}, Options{LocalAddress: addr("192.0.2.1")}, 0)
	if err != nil {
		t.Fatal(err)
	}
	s := dataplane.State{VRFs: []dataplane.VRF{dualStackVRF()}}
	applyFake(t, d, s)
	var adds []string
	for _, r := range k.take() {
		if strings.HasPrefix(r, "neigh add proxy") || strings.HasPrefix(r, "sysctl ipv6/") {
			adds = append(adds, r)
		}
	}
	want := []string{
		"sysctl ipv6/conf/bgv-l3/addr_gen_mode=1", "sysctl ipv6/conf/bgv-l3/disable_ipv6=0", // the remote IPv6 routes' gateways
		"sysctl ipv6/conf/all/forwarding=1",
		"sysctl ipv6/conf/tap1/disable_ipv6=0", "sysctl ipv6/conf/tap2/disable_ipv6=0", "sysctl ipv6/conf/tap3/disable_ipv6=0",
		"sysctl ipv6/conf/tap1/forwarding=1", "sysctl ipv6/conf/tap1/proxy_ndp=1", "sysctl ipv6/neigh/tap1/proxy_delay=0",
		"sysctl ipv6/conf/tap2/forwarding=1", "sysctl ipv6/conf/tap2/proxy_ndp=1", "sysctl ipv6/neigh/tap2/proxy_delay=0",
		"neigh add proxy fd00:1::1 dev 3 router", "neigh add proxy fd00:1::30 dev 3", "neigh add proxy fd00:1::40 dev 3",
		"neigh add proxy fd00:1::10 dev 4", "neigh add proxy fd00:1::30 dev 4", "neigh add proxy fd00:1::40 dev 4",
	}
	if diff := cmp.Diff(want, adds); diff != "" {
		t.Errorf("first Apply (-want +got):\n%s", diff)
	}
	applyFake(t, d, s)
	if got := k.take(); len(got) != 0 {
		t.Errorf("second Apply asked %q, want nothing", got)
	}
	// Our gateway entry lost its router flag: put back.
	k.proxies[proxyKey{3, addr("fd00:1::1")}] = kproxy{Index: 3, Addr: addr("fd00:1::1"), Protocol: rtProto}
	applyFake(t, d, s)
	if got := k.take(); !slices.Equal(got, []string{"neigh add proxy fd00:1::1 dev 3 router"}) {
		t.Errorf("Apply after the router flag went: %q, want it set again", got)
	}

	// Restarted with an adoption grace, the driver finds its entries and,
	// given a state without tap1, deletes nothing yet.
	without := dualStackVRF()
	without.Ports = without.Ports[1:]
	d2, err := newFakeDriver(k, capabilities{}, Options{LocalAddress: addr("192.0.2.1")}, 3600e9)
	if err != nil {
		t.Fatal(err)
	}
	applyFake(t, d2, dataplane.State{VRFs: []dataplane.VRF{without}})
	for _, r := range k.take() {
		if strings.Contains(r, "del") {
			t.Errorf("during adopt_grace: %q, want no deletion", r)
		}
	}

	// tap1 leaves: its entries go, proxy_ndp off; tap2's stay, and
	// tap2 no longer answers for tap1's address.
	applyFake(t, d, dataplane.State{VRFs: []dataplane.VRF{without}})
	var gone []string
	for _, r := range k.take() {
		if strings.HasPrefix(r, "neigh del proxy") || strings.HasPrefix(r, "sysctl ipv6/") {
			gone = append(gone, r)
		}
	}
	wantGone := []string{
		"neigh del proxy fd00:1::1 dev 3 router", "neigh del proxy fd00:1::10 dev 4", "neigh del proxy fd00:1::30 dev 3", "neigh del proxy fd00:1::40 dev 3",
		"sysctl ipv6/conf/tap1/proxy_ndp=0",
	}
	if diff := cmp.Diff(wantGone, sorted(gone)); diff != "" {
		t.Errorf("tap1 leaving (-want +got):\n%s", diff)
	}

	// Everything gone: only the operator's entry remains.
	applyFake(t, d, dataplane.State{})
	if len(k.proxies) != 1 || k.proxies[proxyKey{4, addr("fd00:1::1")}].Protocol != 0 {
		t.Errorf("proxy entries after removal = %v, want only the operator's", k.proxies)
	}
}
