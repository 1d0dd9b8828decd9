package linux

import (
	"errors"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

var testOpts = Options{LocalAddress: addr("192.0.2.1"), TableBase: 20000, RulePriority: 20000}

func TestPlanL3(t *testing.T) {
	ifindex := map[string]int{l3Device: 10, "tap1": 11, "tap2": 12}
	v := dataplane.VRF{ID: "v", Number: 3, VNI: 16, GatewayIP: addr("10.1.1.1"),
		Ports: []dataplane.Port{
			{LinuxIf: "tap1", IPs: []netip.Prefix{pfx("10.1.1.10/24"), pfx("10.9.0.0/16")}, Direction: "both", Label: 17},
			{LinuxIf: "tap2", IPs: []netip.Prefix{pfx("10.1.1.20/24")}, Direction: "to-port", Label: 18},
		},
		Routes: []dataplane.IPRoute{
			{Prefix: pfx("10.2.2.0/24"), NextHops: []dataplane.NextHop{
				{Address: addr("192.0.2.3"), Label: 30, Encap: encapVXLAN},
				{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN},
				{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}, // duplicate
			}},
			{Prefix: pfx("10.3.3.3/32"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 21, Encap: 10}}}, // MPLS: skipped
		},
	}
	p, got := plannedRoutes(t, dataplane.State{VRFs: []dataplane.VRF{v}}, ifindex)
	want := []string{
		"table 20003 10.1.1.1/32 type 1 scope 253 metric 0 oif 10",
		"table 20003 10.1.1.10/32 type 1 scope 253 metric 0 oif 11",
		"table 20003 10.1.1.20/32 type 1 scope 253 metric 0 oif 12",
		"table 20003 10.2.2.0/24 type 1 scope 0 metric 0 nexthop encap ip id 20 dst 192.0.2.2 src 192.0.2.1 via 192.0.2.2 oif 10 onlink nexthop encap ip id 30 dst 192.0.2.3 src 192.0.2.1 via 192.0.2.3 oif 10 onlink",
		"table 20003 10.9.0.0/16 type 1 scope 0 metric 0 via 10.1.1.10 oif 11",
		"table 20003 0.0.0.0/0 type 7 scope 0 metric 4278198272 oif 0",
		// The ports' labels: a table each (20000+2^24+label), to the port
		// whatever the destination.
		"table 16797233 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.10 oif 11 onlink",
		"table 16797234 0.0.0.0/0 type 1 scope 0 metric 0 via 10.1.1.20 oif 12 onlink",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("routes (-want +got):\n%s", diff)
	}
	var rules []string
	for r := range p.rules {
		rules = append(rules, r.String())
	}
	slices.Sort(rules)
	wantRules := []string{
		"pref 20000 iif bgv-l3 tun_id 16 lookup 20003 (family 2)",
		"pref 20000 iif bgv-l3 tun_id 18 lookup 16797234 (family 2)", // tap2 receives
		"pref 20000 iif bgv-l3 tun_id 17 lookup 16797233 (family 2)",
		"pref 20000 iif tap1 lookup 20003 (family 2)", // only tap1 sends
	}
	slices.Sort(wantRules)
	if diff := cmp.Diff(wantRules, rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
	if len(p.neigh) != 2 || p.neigh[addr("192.0.2.2")].String() != "02:b6:c0:00:02:02" {
		t.Errorf("neighbours = %v, want 192.0.2.2 and .3 at 02:b6:<VTEP>", p.neigh)
	}
	if !p.fromPorts["tap1"] || p.fromPorts["tap2"] {
		t.Errorf("ports with proxy ARP = %v, want tap1 only", p.fromPorts)
	}
}

func TestPlanL3MissingPort(t *testing.T) {
	v := dataplane.VRF{ID: "v", Number: 1, VNI: 16, Ports: []dataplane.Port{{LinuxIf: "gone"}}}
	_, errs := planL3(dataplane.State{VRFs: []dataplane.VRF{v}}, testOpts, map[string]int{l3Device: 3}, "")
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), "gone") {
		t.Errorf("planL3 errors = %v, want one naming the missing port", errs)
	}
	// The agent tells which VRF's associations failed.
	if by, other := dataplane.SplitByInstance(errors.Join(errs...)); len(by["v"]) != 1 || len(other) != 0 {
		t.Errorf("SplitByInstance(planL3 errors) = %v, %v; want the error on VRF v", by, other)
	}
}

func TestIPVPNApply(t *testing.T) {
	needNetNS(t)
	node, vm := newNS(t, "n"), newNS(t, "vm")
	veth(t, node, "tap1", vm, "eth0")
	veth(t, node, "tap2", vm, "eth1")
	run(t, "ip", "netns", "exec", node, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=0")
	// Not ours: a route in "our" table range with another protocol, a
	// rule, a route in main. All must survive.
	run(t, "ip", "-n", node, "route", "add", "198.51.100.0/24", "dev", "tap2", "table", "20001")
	run(t, "ip", "-n", node, "rule", "add", "iif", "tap2", "lookup", "20001", "pref", "20000")
	run(t, "ip", "-n", node, "route", "add", "203.0.113.0/24", "dev", "tap2")

	d := newDriver(t, node, "192.0.2.1")
	vrf := dataplane.VRF{ID: "ipvpn_a", Number: 1, VNI: 16, GatewayIP: addr("10.1.1.1"),
		Ports: []dataplane.Port{{LinuxIf: "tap1", IPs: []netip.Prefix{pfx("10.1.1.10/24"), pfx("2001:db8:1::10/64")}, Direction: "both", Label: 17}},
		Routes: []dataplane.IPRoute{
			{Prefix: pfx("10.2.2.0/24"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
			{Prefix: pfx("10.3.3.0/24"), NextHops: []dataplane.NextHop{
				{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}, {Address: addr("192.0.2.3"), Label: 30, Encap: encapVXLAN}}},
			{Prefix: pfx("2001:db8:2::/64"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.2"), Label: 20, Encap: encapVXLAN}}},
		},
	}
	s := dataplane.State{VRFs: []dataplane.VRF{vrf}}
	if c := changes(t, node, func() { apply(t, d, s) }); c == "" {
		t.Fatal("first Apply: ip monitor saw no change")
	}
	noTentative(t, node) // IPv6 link-local addresses settle (DAD)
	t.Run("kernel state", func(t *testing.T) {
		routes := run(t, "ip", "-n", node, "-d", "route", "show", "table", "20001")
		for _, w := range []string{
			"unicast 10.1.1.1 dev bgv-l3 proto 220 scope link",
			"unicast 10.1.1.10 dev tap1 proto 220 scope link",
			"unicast 10.2.2.0/24  encap ip id 20 src 192.0.2.1 dst 192.0.2.2 ttl 0 tos 0 via 192.0.2.2 dev bgv-l3 proto 220 scope global onlink",
			"unicast 10.3.3.0/24 proto 220 scope global",
			"nexthop  encap ip id 20 src 192.0.2.1 dst 192.0.2.2 ttl 0 tos 0 via 192.0.2.2 dev bgv-l3 weight 1 onlink",
			"nexthop  encap ip id 30 src 192.0.2.1 dst 192.0.2.3 ttl 0 tos 0 via 192.0.2.3 dev bgv-l3 weight 1 onlink",
			"unreachable default proto 220 scope global metric 4278198272",
			"198.51.100.0/24 dev tap2", // not ours, kept
		} {
			if !strings.Contains(routes, w) {
				t.Errorf("table 20001 lacks %q:\n%s", w, routes)
			}
		}
		routes6 := run(t, "ip", "-n", node, "-6", "route", "show", "table", "20001")
		for _, w := range []string{"2001:db8:1::10 dev tap1 proto 220", "2001:db8:2::/64  encap ip id 20 src 192.0.2.1 dst 192.0.2.2 ttl 0 tos 0 via fe80::b6:c000:202 dev bgv-l3 proto 220 metric 1024 onlink"} {
			if !strings.Contains(routes6, w) {
				t.Errorf("IPv6 table 20001 lacks %q:\n%s", w, routes6)
			}
		}
		rules := run(t, "ip", "-n", node, "rule", "show")
		for _, w := range []string{"20000:	from all iif tap1 lookup 20001 proto 220", "20000:	from all iif bgv-l3 tun_id 16 lookup 20001 proto 220", "20000:	from all iif bgv-l3 tun_id 17 lookup 16797233 proto 220"} {
			if !strings.Contains(rules, w) {
				t.Errorf("rules lack %q:\n%s", w, rules)
			}
		}
		// tap1's label 17: table 20000+2^24+17, to tap1 whatever the
		// destination.
		if lt := run(t, "ip", "-n", node, "route", "show", "table", "16797233"); strings.TrimSpace(lt) != "default via 10.1.1.10 dev tap1 proto 220 onlink" {
			t.Errorf("label table 16797233 = %q, want only the default route via 10.1.1.10 dev tap1 onlink", lt)
		}
		if lt := run(t, "ip", "-n", node, "-6", "route", "show", "table", "16797233"); !strings.Contains(lt, "default via 2001:db8:1::10 dev tap1 proto 220 metric 1024 onlink") {
			t.Errorf("IPv6 label table 16797233 = %q, want the default route via 2001:db8:1::10 dev tap1 onlink", lt)
		}
		for _, w := range []string{"tun_id 17 lookup 20001"} {
			if strings.Contains(rules, w) {
				t.Errorf("rules still send label 17 to the VRF table (%q):\n%s", w, rules)
			}
		}
		neigh := run(t, "ip", "-n", node, "neigh", "show", "dev", "bgv-l3")
		for _, w := range []string{"192.0.2.2 lladdr 02:b6:c0:00:02:02 PERMANENT", "192.0.2.3 lladdr 02:b6:c0:00:02:03 PERMANENT"} {
			if !strings.Contains(neigh, w) {
				t.Errorf("bgv-l3 neighbours lack %q:\n%s", w, neigh)
			}
		}
		link := run(t, "ip", "-n", node, "-d", "link", "show", "bgv-l3")
		if !strings.Contains(link, "02:b6:c0:00:02:01") || !strings.Contains(link, "vxlan external") || !strings.Contains(link, "dstport 4790") {
			t.Errorf("bgv-l3 = %s, want flow-based VXLAN on 4790 with MAC 02:b6:c0:00:02:01", link)
		}
		if v := d.readSysctl("ipv4/conf/tap1/proxy_arp"); v != "1" {
			t.Errorf("tap1 proxy_arp = %s, want 1", v)
		}
	})
	idempotentAndAdopted(t, node, "192.0.2.1", &d, s)
	t.Run("changed next hop is replaced, stale ones removed", func(t *testing.T) {
		v := vrf
		v.Routes = []dataplane.IPRoute{{Prefix: pfx("10.3.3.0/24"), NextHops: []dataplane.NextHop{{Address: addr("192.0.2.3"), Label: 31, Encap: encapVXLAN}}}}
		apply(t, d, dataplane.State{VRFs: []dataplane.VRF{v}})
		routes := run(t, "ip", "-n", node, "route", "show", "table", "20001")
		if strings.Contains(routes, "10.2.2.0") || !strings.Contains(routes, "10.3.3.0/24  encap ip id 31 src 192.0.2.1 dst 192.0.2.3") {
			t.Errorf("table 20001 after update:\n%s", routes)
		}
		if neigh := run(t, "ip", "-n", node, "neigh", "show", "dev", "bgv-l3"); strings.Contains(neigh, "192.0.2.2 ") {
			t.Errorf("stale neighbour 192.0.2.2 kept:\n%s", neigh)
		}
	})
	t.Run("relabelled port: stale label table removed", func(t *testing.T) {
		v := vrf
		v.Ports = []dataplane.Port{vrf.Ports[0]}
		v.Ports[0].Label = 19
		apply(t, d, dataplane.State{VRFs: []dataplane.VRF{v}})
		if r := run(t, "ip", "-n", node, "route", "show", "table", "16797233") + run(t, "ip", "-n", node, "-6", "route", "show", "table", "16797233"); strings.Contains(r, "proto 220") {
			t.Errorf("stale label table 16797233 kept:\n%s", r)
		}
		if r := run(t, "ip", "-n", node, "route", "show", "table", "16797235"); !strings.Contains(r, "default via 10.1.1.10 dev tap1 proto 220 onlink") {
			t.Errorf("label table 16797235 = %q", r)
		}
		rules := run(t, "ip", "-n", node, "rule", "show")
		if strings.Contains(rules, "tun_id 17 ") || !strings.Contains(rules, "iif bgv-l3 tun_id 19 lookup 16797235 proto 220") {
			t.Errorf("rules after relabelling:\n%s", rules)
		}
	})
	t.Run("renumbered VRF moves to its new table", func(t *testing.T) {
		v := vrf
		v.Number = 2
		apply(t, d, dataplane.State{VRFs: []dataplane.VRF{v}})
		rules := run(t, "ip", "-n", node, "rule", "show")
		if strings.Contains(rules, "lookup 20001 proto 220") || !strings.Contains(rules, "iif tap1 lookup 20002 proto 220") {
			t.Errorf("rules after renumbering:\n%s", rules)
		}
		if r := run(t, "ip", "-n", node, "route", "show", "table", "20001"); strings.Contains(r, "proto 220") {
			t.Errorf("our routes left in table 20001:\n%s", r)
		}
	})
	t.Run("removal cleans up only ours", func(t *testing.T) {
		apply(t, d, dataplane.State{})
		all := run(t, "ip", "-n", node, "route", "show", "table", "all") + run(t, "ip", "-n", node, "-6", "route", "show", "table", "all") +
			run(t, "ip", "-n", node, "rule", "show") + run(t, "ip", "-n", node, "-o", "link", "show")
		if strings.Contains(all, "proto 220") || strings.Contains(all, "bgv-") {
			t.Errorf("ours remains:\n%s", all)
		}
		for _, w := range []string{"198.51.100.0/24 dev tap2 table 20001", "iif tap2 lookup 20001", "203.0.113.0/24 dev tap2"} {
			if !strings.Contains(all, w) {
				t.Errorf("%q (not ours) was removed:\n%s", w, all)
			}
		}
		if v := d.readSysctl("ipv4/conf/tap1/proxy_arp"); v != "0" {
			t.Errorf("tap1 proxy_arp = %s after detach, want 0", v)
		}
	})
}

// TestIPVPNTunIDRoundTrip pins the raw rule encoding: the kernel wants
// tun_id as a big-endian 64-bit value (the netlink library gets it wrong).
func TestIPVPNTunIDRoundTrip(t *testing.T) {
	needNetNS(t)
	node := newNS(t, "n")
	d := newDriver(t, node, "192.0.2.1")
	r := krule{Family: unix.AF_INET, Priority: 100, IIF: "lo", TunID: 0x123456, Table: 30000, Protocol: rtProto}
	if err := d.raw.ruleAdd(r); err != nil {
		t.Fatal(err)
	}
	if out := run(t, "ip", "-n", node, "rule", "show"); !strings.Contains(out, "tun_id 1193046 lookup 30000") {
		t.Errorf("ip rule shows:\n%s", out)
	}
	got, err := d.raw.rules(unix.AF_INET, rtProto)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]krule{r}, got); diff != "" {
		t.Errorf("rules read back (-want +got):\n%s", diff)
	}
}

// plannedRoutes plans s's L3 state with testOpts and returns the plan and
// its routes as strings, in the plan's order.
func plannedRoutes(t *testing.T, s dataplane.State, ifindex map[string]int) (*l3Plan, []string) {
	t.Helper()
	p, errs := planL3(s, testOpts, ifindex, "")
	if len(errs) != 0 {
		t.Fatalf("planL3 errors: %v", errs)
	}
	var got []string
	for _, k := range sortedRouteKeys(p.routes) {
		got = append(got, p.routes[k].String())
	}
	return p, got
}
