package ovs

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// The flows' text as the fmt-based code of the first release wrote it:
// cookies hash that text, so a driver that wrote it another way would see
// every flow left by an earlier release as stale (re-adding and deleting
// them all on upgrade).
func fmtMatch(m Match) string {
	var b []string
	add := func(f string, a ...any) { b = append(b, fmt.Sprintf(f, a...)) }
	if m.Metadata != 0 {
		add("metadata=%#x", m.Metadata)
	}
	if m.InPort != 0 {
		add("in_port=%d", m.InPort)
	}
	if m.VLAN != 0 {
		add("dl_vlan=%d", m.VLAN)
	}
	if m.TunID != 0 {
		add("tun_id=%d", m.TunID)
	}
	if m.EthDst != "" {
		add("dl_dst=%s", m.EthDst)
	}
	if m.EthType != 0 {
		add("dl_type=0x%04x", m.EthType)
	}
	if m.ArpOp != 0 {
		add("arp_op=%d", m.ArpOp)
	}
	if m.ArpTPA.IsValid() {
		add("arp_tpa=%s", m.ArpTPA)
	}
	if m.MPLS != 0 {
		add("mpls_label=%d", m.MPLS)
	}
	if m.IPDst.IsValid() {
		add("nw_dst=%s", m.IPDst)
	}
	return strings.Join(b, ",")
}

func fmtOp(o Op) string {
	switch o.Kind {
	case Output:
		return fmt.Sprintf("output:%d", o.Port)
	case OutputInPort:
		return "in_port"
	case SetEthSrc:
		return "mod_dl_src:" + o.MAC
	case SetEthDst:
		return "mod_dl_dst:" + o.MAC
	case DecTTL:
		return "dec_ttl"
	case PushMPLS:
		return "push_mpls:0x8847"
	case PopMPLS:
		return "pop_mpls:0x0800"
	case SetMPLSLabel:
		return fmt.Sprintf("set_mpls_label:%d", o.Value)
	case SetTunDst:
		return "set_tun_dst:" + o.Addr.String()
	case SetTunID:
		return fmt.Sprintf("set_tunnel:%d", o.Value)
	case Group:
		return fmt.Sprintf("group:%#x", o.Value)
	case ARPReply:
		return "arp_reply:" + o.MAC
	case PushVLAN:
		return "push_vlan:0x8100"
	case PopVLAN:
		return "pop_vlan"
	case SetVLAN:
		return fmt.Sprintf("mod_vlan_vid:%d", o.Value)
	case WriteMetadata:
		return fmt.Sprintf("write_metadata:%#x", o.Value)
	case GotoTable:
		return fmt.Sprintf("goto_table:%d", o.Value)
	case Drop:
		return "drop"
	}
	return fmt.Sprintf("op%d", o.Kind)
}

func fmtFlow(f Flow) string {
	ops := make([]string, len(f.Ops))
	for i, o := range f.Ops {
		ops[i] = fmtOp(o)
	}
	return fmt.Sprintf("table=%d,priority=%d,%s actions=%s", f.Table, f.Priority, fmtMatch(f.Match), strings.Join(ops, ","))
}

// TestFlowTextUnchanged: every field and op, and every flow of planned
// states, read and hash as the first release's did.
func TestFlowTextUnchanged(t *testing.T) {
	flows := []Flow{{Table: 7, Priority: 65535, Match: Match{Metadata: 0x100000001, InPort: 3, VLAN: 12, TunID: 5000, EthDst: "52:54:00:00:00:01",
		EthType: 0x806, ArpOp: 1, ArpTPA: netip.MustParseAddr("10.0.0.1"), MPLS: 1048575, IPDst: netip.MustParsePrefix("10.1.0.0/16")}}}
	var all []Op
	for _, k := range []OpKind{Output, OutputInPort, SetEthSrc, SetEthDst, DecTTL, PushMPLS, PopMPLS, SetMPLSLabel, SetTunDst,
		SetTunID, Group, ARPReply, PushVLAN, PopVLAN, SetVLAN, WriteMetadata, GotoTable, Drop, 99} {
		all = append(all, Op{Kind: k, Port: 4294967295, MAC: "02:b6:c0:00:02:01", Addr: netip.MustParseAddr("192.0.2.9"), Value: 0})
		all = append(all, Op{Kind: k, Port: 1, MAC: "aa:bb:cc:dd:ee:ff", Addr: netip.MustParseAddr("10.0.0.1"), Value: 0xdeadbeef})
	}
	flows = append(flows, Flow{Ops: all}, Flow{Match: Match{EthType: 0x8847}}, Flow{})
	ports := bridgePorts{GRE: 2, VXLANL3: 3, VXLANL2: 4, ByName: map[string]uint32{"vm": 10, "evm": 11}}
	s := routesState(300)
	s.VRFs[0].GatewayIP = netip.MustParseAddr("10.1.0.254")
	s.VRFs[0].Ports = []dataplane.Port{{LinuxIf: "vm", MAC: dataplane.MAC{0x52, 0x54, 0, 0, 0, 1}, IPs: []netip.Prefix{netip.MustParsePrefix("10.1.0.1/24")}, Label: 77}}
	s.EVIs = []dataplane.EVI{{ID: "e", Number: 2, VNI: 5000, Ports: []dataplane.Port{{LinuxIf: "evm", MAC: dataplane.MAC{0x52, 0x54, 0, 0, 0, 2}}},
		MACs:  []dataplane.FDBEntry{{MAC: dataplane.MAC{0x52, 0x54, 0, 0, 0, 3}, VTEP: netip.MustParseAddr("192.0.2.3"), VNI: 5000}},
		Flood: []dataplane.FloodEntry{{VTEP: netip.MustParseAddr("192.0.2.3"), VNI: 5000}}}}
	p, errs := planState(s, testOptions(), ports)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	for _, f := range p.flows {
		flows = append(flows, f)
	}
	for _, f := range flows {
		want := fmtFlow(f)
		if got := f.String(); got != want {
			t.Errorf("flow text\n got %s\nwant %s", got, want)
		}
		h := fnv.New64a()
		h.Write([]byte(want))
		if got, want := f.cookie(), cookiePrefix|h.Sum64()&^cookieMask; got != want {
			t.Errorf("cookie of %s: %#x, want %#x", f, got, want)
		}
		if got, want := f.matchKey(), strings.SplitN(fmtFlow(f), " actions=", 2)[0]; got != want {
			t.Errorf("match key %q, want %q", got, want)
		}
	}
}
