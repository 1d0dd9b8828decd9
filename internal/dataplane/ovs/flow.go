package ovs

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// cookiePrefix marks our flows: the top 16 bits of every cookie we set.
// The other 48 bits hash the flow (flow.cookie), so that the cookies of
// a bridge say which of our flows it has, without parsing them back.
const (
	cookiePrefix = uint64(0xb6b0) << 48
	cookieMask   = uint64(0xffff) << 48
)

// groupPrefix marks our groups: IDs 0xb6000000-0xb6ffffff, the low 24 bits
// a hash of the buckets.
const (
	groupPrefix = uint32(0xb6) << 24
	groupMask   = uint32(0xff) << 24
)

// Ethernet types.
const (
	ethIPv4 = 0x0800
	ethARP  = 0x0806
	ethMPLS = 0x8847
)

// Match is what a flow matches; zero fields match anything (no field we
// use has a meaningful zero: OpenFlow ports start at 1, labels at 16,
// VNIs at 1, and our metadata is never 0).
type Match struct {
	InPort   uint32
	VLAN     uint16 // VLAN ID of a tagged packet
	EthType  uint16
	EthDst   string // aa:bb:…
	ArpOp    uint16
	ArpTPA   netip.Addr
	IPDst    netip.Prefix
	MPLS     uint32 // label
	TunID    uint64
	Metadata uint64
}

func (m Match) String() string {
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

// Op is an action or an instruction of a flow.
type Op struct {
	Kind  OpKind
	Port  uint32
	MAC   string
	Addr  netip.Addr
	Value uint64
}

// OpKind says what an Op does.
type OpKind int

// The ops the pipeline uses. GotoTable and WriteMetadata are
// instructions; the others actions applied in order.
const (
	Output OpKind = iota + 1
	OutputInPort
	SetEthSrc
	SetEthDst
	DecTTL
	PushMPLS
	PopMPLS
	SetMPLSLabel
	SetTunDst
	SetTunID
	Group
	ARPReply // answer an ARP request in place with MAC as the target's
	PushVLAN
	PopVLAN
	SetVLAN
	WriteMetadata
	GotoTable
	Drop
)

func (o Op) String() string {
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

// Flow is one OpenFlow entry of ours.
type Flow struct {
	Table    uint8
	Priority uint16
	Match    Match
	Ops      []Op
}

// String reads like ovs-ofctl's flow syntax, for tests, logs and the
// cookie.
func (f Flow) String() string {
	return fmt.Sprintf("table=%d,priority=%d,%s actions=%s", f.Table, f.Priority, f.Match, opsString(f.Ops))
}

func opsString(ops []Op) string {
	s := make([]string, len(ops))
	for i, o := range ops {
		s[i] = o.String()
	}
	return strings.Join(s, ",")
}

// cookie is ours and names the flow's content: two flows with the same
// cookie are the same flow.
func (f Flow) cookie() uint64 {
	h := fnv.New64a()
	h.Write([]byte(f.String()))
	return cookiePrefix | h.Sum64()&^cookieMask
}

// matchKey is what OpenFlow identifies a flow by: a flow with the same
// table, priority and match replaces it.
func (f Flow) matchKey() string {
	return fmt.Sprintf("table=%d,priority=%d,%s", f.Table, f.Priority, f.Match)
}

// SelectGroup spreads packets over its buckets (ECMP).
type SelectGroup struct {
	ID      uint32
	Buckets [][]Op
}

func (g SelectGroup) String() string {
	s := make([]string, len(g.Buckets))
	for i, b := range g.Buckets {
		s[i] = "bucket=" + opsString(b)
	}
	return fmt.Sprintf("group_id=%#x,type=select,%s", g.ID, strings.Join(s, ","))
}

// groupID names a group by its buckets, in our range.
func groupID(buckets [][]Op) uint32 {
	h := fnv.New32a()
	for _, b := range buckets {
		h.Write([]byte(opsString(b) + ";"))
	}
	return groupPrefix | h.Sum32()&^groupMask
}

// routerMAC is the MAC remote VTEPs send our IP VPN VXLAN traffic to, and
// the gateway MAC our ports see: 02:b6 and the IPv4 address, as the linux
// driver derives its own.
func routerMAC(a netip.Addr) dataplane.MAC {
	b := a.As4()
	return dataplane.MAC{0x02, 0xb6, b[0], b[1], b[2], b[3]}
}
