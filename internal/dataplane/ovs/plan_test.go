package ovs

import (
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

func mac(s string) dataplane.MAC {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return dataplane.MAC(m)
}

func testOptions() Options {
	o := Options{LocalAddress: netip.MustParseAddr("192.0.2.1"), ProxyARP: true, ARPResponder: true, InputTable: 0, TableStart: 1}
	o.fillDefaults()
	return o
}

var testPorts = bridgePorts{GRE: 2, VXLANL3: 3, VXLANL2: 4, ByName: map[string]uint32{"vm1": 10, "vm2": 11}}

func TestPlanIPVPN(t *testing.T) {
	s := dataplane.State{VRFs: []dataplane.VRF{{
		ID: "ipvpn_net1", Number: 1, VNI: 100, GatewayIP: netip.MustParseAddr("10.0.0.254"),
		Ports: []dataplane.Port{{LinuxIf: "vm1", MAC: mac("52:54:00:00:00:01"), IPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.1/24")}, Label: 101}},
		Routes: []dataplane.IPRoute{
			{Prefix: netip.MustParsePrefix("10.0.0.2/32"), NextHops: []dataplane.NextHop{{Address: netip.MustParseAddr("192.0.2.2"), Label: 200, Encap: encapMPLS}}},
			{Prefix: netip.MustParsePrefix("10.0.0.3/32"), NextHops: []dataplane.NextHop{{Address: netip.MustParseAddr("192.0.2.3"), Label: 300, Encap: encapVXLAN}}},
		},
	}}}
	p, errs := planState(s, testOptions(), testPorts)
	if len(errs) > 0 {
		t.Fatalf("planState: %v", errs)
	}
	want := []string{
		"table=0,priority=100,in_port=10,dl_type=0x0800 actions=write_metadata:0x100000001,goto_table:1",
		"table=0,priority=100,in_port=10,dl_type=0x0806,arp_op=1 actions=arp_reply:02:b6:c0:00:02:01,in_port",
		"table=0,priority=100,in_port=2,dl_type=0x8847,mpls_label=100 actions=pop_mpls:0x0800,write_metadata:0x100000001,goto_table:1",
		"table=0,priority=100,in_port=2,dl_type=0x8847,mpls_label=101 actions=pop_mpls:0x0800,mod_dl_src:02:b6:c0:00:02:01,mod_dl_dst:52:54:00:00:00:01,output:10",
		"table=0,priority=100,in_port=3,tun_id=100,dl_type=0x0800 actions=write_metadata:0x100000001,goto_table:1",
		"table=0,priority=100,in_port=3,tun_id=101,dl_type=0x0800 actions=mod_dl_src:02:b6:c0:00:02:01,mod_dl_dst:52:54:00:00:00:01,output:10",
		"table=0,priority=110,in_port=10,dl_type=0x0806,arp_op=1,arp_tpa=10.0.0.1 actions=drop",
		"table=1,priority=1,metadata=0x100000001 actions=drop",
		"table=1,priority=132,metadata=0x100000001,dl_type=0x0800,nw_dst=10.0.0.1/32 actions=dec_ttl,mod_dl_src:02:b6:c0:00:02:01,mod_dl_dst:52:54:00:00:00:01,output:10",
		"table=1,priority=132,metadata=0x100000001,dl_type=0x0800,nw_dst=10.0.0.2/32 actions=dec_ttl,push_mpls:0x8847,set_mpls_label:200,set_tun_dst:192.0.2.2,output:2",
		"table=1,priority=132,metadata=0x100000001,dl_type=0x0800,nw_dst=10.0.0.3/32 actions=dec_ttl,mod_dl_src:02:b6:c0:00:02:01,mod_dl_dst:02:b6:c0:00:02:03,set_tunnel:300,set_tun_dst:192.0.2.3,output:3",
	}
	if diff := cmp.Diff(want, p.Flows()); diff != "" {
		t.Errorf("planState flows (-want +got):\n%s", diff)
	}
}

func TestPlanECMP(t *testing.T) {
	s := dataplane.State{VRFs: []dataplane.VRF{{
		ID: "v", Number: 2, VNI: 100,
		Routes: []dataplane.IPRoute{{Prefix: netip.MustParsePrefix("10.9.0.0/16"), NextHops: []dataplane.NextHop{
			{Address: netip.MustParseAddr("192.0.2.2"), Label: 200, Encap: encapMPLS},
			{Address: netip.MustParseAddr("192.0.2.3"), Label: 300, Encap: encapMPLS},
		}}},
	}}}
	p, errs := planState(s, testOptions(), testPorts)
	if len(errs) > 0 {
		t.Fatalf("planState: %v", errs)
	}
	groups := p.Groups()
	if len(groups) != 1 {
		t.Fatalf("groups = %v, want one select group", groups)
	}
	var g SelectGroup
	for _, g = range p.groups {
	}
	wantBuckets := "bucket=push_mpls:0x8847,set_mpls_label:200,set_tun_dst:192.0.2.2,output:2,bucket=push_mpls:0x8847,set_mpls_label:300,set_tun_dst:192.0.2.3,output:2"
	if got := g.String(); got != "group_id="+hex(g.ID)+",type=select,"+wantBuckets {
		t.Errorf("group = %s, want buckets %s", got, wantBuckets)
	}
	route := "table=1,priority=116,metadata=0x100000002,dl_type=0x0800,nw_dst=10.9.0.0/16 actions=dec_ttl,group:" + hex(g.ID)
	if !contains(p.Flows(), route) {
		t.Errorf("flows %v\nlack %s", p.Flows(), route)
	}
}

func TestPlanEVPN(t *testing.T) {
	s := dataplane.State{EVIs: []dataplane.EVI{{
		ID: "evpn_net2", Number: 3, VNI: 5000,
		Ports: []dataplane.Port{{LinuxIf: "vm1", MAC: mac("52:54:00:00:00:01")}, {LinuxIf: "vm2", MAC: mac("52:54:00:00:00:02")}},
		MACs:  []dataplane.FDBEntry{{MAC: mac("52:54:00:00:00:09"), VTEP: netip.MustParseAddr("192.0.2.2")}},
		Flood: []dataplane.FloodEntry{{VTEP: netip.MustParseAddr("192.0.2.2")}, {VTEP: netip.MustParseAddr("192.0.2.3"), VNI: 5001}},
	}}}
	p, errs := planState(s, testOptions(), testPorts)
	if len(errs) > 0 {
		t.Fatalf("planState: %v", errs)
	}
	want := []string{
		"table=0,priority=100,in_port=10 actions=write_metadata:0x200000003,goto_table:2",
		"table=0,priority=100,in_port=11 actions=write_metadata:0x200000003,goto_table:2",
		"table=0,priority=100,in_port=4,tun_id=5000 actions=write_metadata:0x200000003,goto_table:2",
		"table=2,priority=10,metadata=0x200000003 actions=output:10,output:11,set_tunnel:5000,set_tun_dst:192.0.2.2,output:4,set_tunnel:5001,set_tun_dst:192.0.2.3,output:4",
		"table=2,priority=100,metadata=0x200000003,dl_dst=52:54:00:00:00:01 actions=output:10",
		"table=2,priority=100,metadata=0x200000003,dl_dst=52:54:00:00:00:02 actions=output:11",
		"table=2,priority=100,metadata=0x200000003,dl_dst=52:54:00:00:00:09 actions=set_tunnel:5000,set_tun_dst:192.0.2.2,output:4",
		"table=2,priority=20,metadata=0x200000003,in_port=4 actions=output:10,output:11",
	}
	if diff := cmp.Diff(want, p.Flows()); diff != "" {
		t.Errorf("planState flows (-want +got):\n%s", diff)
	}
}

func TestPlanProblems(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    dataplane.State
		want string // the instance that fails
	}{
		{"port not on the bridge", dataplane.State{VRFs: []dataplane.VRF{{ID: "a", Number: 1, Ports: []dataplane.Port{{LinuxIf: "nope"}}}}}, "a"},
		{"one port sending into two VRFs", dataplane.State{VRFs: []dataplane.VRF{
			{ID: "a", Number: 1, Ports: []dataplane.Port{{LinuxIf: "vm1"}}},
			{ID: "b", Number: 2, Ports: []dataplane.Port{{LinuxIf: "vm1"}}},
		}}, "b"},
		{"IPv6 route", dataplane.State{VRFs: []dataplane.VRF{{ID: "a", Number: 1, Routes: []dataplane.IPRoute{
			{Prefix: netip.MustParsePrefix("2001:db8::/64"), NextHops: []dataplane.NextHop{{Address: netip.MustParseAddr("192.0.2.2"), Label: 20, Encap: encapMPLS}}}}}}}, "a"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := planState(tc.s, testOptions(), testPorts)
			if len(errs) != 1 {
				t.Fatalf("planState errors = %v, want one", errs)
			}
			by, other := dataplane.SplitByInstance(errs[0])
			if len(other) != 0 || len(by[tc.want]) != 1 {
				t.Errorf("planState error %v belongs to %v, want instance %s", errs[0], by, tc.want)
			}
		})
	}
}

func TestCookiesAreOursAndNameTheFlow(t *testing.T) {
	a := Flow{Table: 1, Priority: 5, Match: Match{InPort: 3}, Ops: []Op{{Kind: Output, Port: 4}}}
	b := a
	b.Ops = []Op{{Kind: Output, Port: 5}}
	if a.cookie()&cookieMask != cookiePrefix || b.cookie()&cookieMask != cookiePrefix {
		t.Errorf("cookies %#x %#x lack our prefix %#x", a.cookie(), b.cookie(), cookiePrefix)
	}
	if a.cookie() == b.cookie() {
		t.Errorf("flows with other actions share cookie %#x", a.cookie())
	}
	if a.matchKey() != b.matchKey() {
		t.Errorf("matchKey differs for the same match: %s, %s", a.matchKey(), b.matchKey())
	}
}

func hex(id uint32) string { return Op{Kind: Group, Value: uint64(id)}.String()[len("group:"):] }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// A port the OVS agent plugged (local_port.ovs: patch port 4, local VLAN
// 3, toward the VM by port 5): matched and delivered with its VLAN, never
// plugged by name.
func TestPlanOVSPluggedPort(t *testing.T) {
	s := dataplane.State{VRFs: []dataplane.VRF{{
		ID: "v", Number: 1, VNI: 100,
		Ports: []dataplane.Port{{LinuxIf: "patch2tun:3", MAC: mac("fa:16:3e:00:00:01"), IPs: []netip.Prefix{netip.MustParsePrefix("10.0.0.5/24")},
			OVS: &dataplane.OVSPort{Plugged: true, PortNumber: 4, ToVMPortNumber: 5, VLAN: 3}}},
	}}}
	p, errs := planState(s, testOptions(), testPorts)
	if len(errs) > 0 {
		t.Fatalf("planState: %v", errs)
	}
	for _, want := range []string{
		"table=0,priority=100,in_port=4,dl_vlan=3,dl_type=0x0800 actions=pop_vlan,write_metadata:0x100000001,goto_table:1",
		"table=0,priority=100,in_port=4,dl_vlan=3,dl_type=0x0806,arp_op=1 actions=arp_reply:02:b6:c0:00:02:01,in_port",
		"table=1,priority=132,metadata=0x100000001,dl_type=0x0800,nw_dst=10.0.0.5/32 actions=dec_ttl,mod_dl_src:02:b6:c0:00:02:01,mod_dl_dst:fa:16:3e:00:00:01,push_vlan:0x8100,mod_vlan_vid:3,output:5,pop_vlan",
	} {
		if !contains(p.Flows(), want) {
			t.Errorf("flows %v\nlack %s", p.Flows(), want)
		}
	}
	if got := vmPorts(s); len(got) != 0 {
		t.Errorf("vmPorts = %v, want none: the port is plugged already", got)
	}
}

// A VRF with a fallback sends what no route matches toward the router
// instead of dropping it.
func TestPlanFallback(t *testing.T) {
	s := dataplane.State{VRFs: []dataplane.VRF{{ID: "v", Number: 1, VNI: 100,
		Fallback: &dataplane.Fallback{SrcMAC: mac("00:00:5e:2a:10:00"), DstMAC: mac("fa:16:3e:99:99:99"), PortNumber: 7}}}}
	p, errs := planState(s, testOptions(), testPorts)
	if len(errs) > 0 {
		t.Fatalf("planState: %v", errs)
	}
	want := "table=1,priority=1,metadata=0x100000001 actions=mod_dl_src:00:00:5e:2a:10:00,mod_dl_dst:fa:16:3e:99:99:99,output:7"
	if !contains(p.Flows(), want) {
		t.Errorf("flows %v\nlack %s", p.Flows(), want)
	}
}

// In integration_bridge mode, the fallback the feed asks for (the router
// MAC alone) leaves through our patch port toward br-int (9) on the
// ports' local VLAN (3), with the extension's source MAC, as the
// extension's own fallback is planned.
func TestPlanIntegrationFallback(t *testing.T) {
	router := mac("fa:16:3e:99:99:99")
	vrf := func(fb *dataplane.Fallback) dataplane.VRF {
		return dataplane.VRF{ID: "v", Number: 1, VNI: 100, Fallback: fb}
	}
	miss := func(t *testing.T, v dataplane.VRF) string {
		t.Helper()
		p, errs := planState(dataplane.State{VRFs: []dataplane.VRF{v}}, testOptions(), testPorts)
		if len(errs) > 0 {
			t.Fatalf("planState: %v", errs)
		}
		for _, f := range p.Flows() {
			if strings.HasPrefix(f, "table=1,priority=1,") {
				return f
			}
		}
		t.Fatalf("no miss flow in %v", p.Flows())
		return ""
	}
	const drop = "table=1,priority=1,metadata=0x100000001 actions=drop"
	for _, tc := range []struct {
		name  string
		fb    *dataplane.Fallback
		vlans []uint16
		want  string
	}{
		{"router", &dataplane.Fallback{DstMAC: router}, []uint16{3, 3},
			"table=1,priority=1,metadata=0x100000001 actions=mod_dl_src:00:00:5e:2a:10:00,mod_dl_dst:fa:16:3e:99:99:99,push_vlan:0x8100,mod_vlan_vid:3,output:9,pop_vlan"},
		{"no router", &dataplane.Fallback{}, []uint16{3}, drop},
		{"no fallback", nil, []uint16{3}, drop},
		{"no port on br-int", &dataplane.Fallback{DstMAC: router}, nil, drop},
		{"extension's", &dataplane.Fallback{SrcMAC: mac("00:00:5e:2a:10:00"), DstMAC: router, PortNumber: 7}, []uint16{3},
			"table=1,priority=1,metadata=0x100000001 actions=mod_dl_src:00:00:5e:2a:10:00,mod_dl_dst:fa:16:3e:99:99:99,output:7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fb, err := routerFallback(tc.fb, 9, tc.vlans)
			if err != nil {
				t.Fatalf("routerFallback: %v", err)
			}
			if got := miss(t, vrf(fb)); got != tc.want {
				t.Errorf("miss flow = %s\nwant %s", got, tc.want)
			}
		})
	}
	t.Run("several VLANs", func(t *testing.T) {
		fb, err := routerFallback(&dataplane.Fallback{DstMAC: router}, 9, []uint16{3, 4})
		if err == nil || fb != nil {
			t.Errorf("routerFallback(ports on VLANs 3 and 4) = %v, %v, want nil and an error", fb, err)
		}
	})
}
