package ovs

import (
	"fmt"
	"hash/fnv"
	"net/netip"
	"strconv"
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

func (m Match) String() string { return string(m.appendTo(nil)) }

// appendTo appends the match in ovs-ofctl's syntax (fields in a fixed
// order, comma-separated): the text cookies hash, so it must not change.
func (m Match) appendTo(b []byte) []byte {
	n := len(b)
	field := func(name string) {
		if len(b) > n {
			b = append(b, ',')
		}
		b = append(b, name...)
	}
	if m.Metadata != 0 {
		field("metadata=")
		b = appendHex(b, m.Metadata)
	}
	if m.InPort != 0 {
		field("in_port=")
		b = strconv.AppendUint(b, uint64(m.InPort), 10)
	}
	if m.VLAN != 0 {
		field("dl_vlan=")
		b = strconv.AppendUint(b, uint64(m.VLAN), 10)
	}
	if m.TunID != 0 {
		field("tun_id=")
		b = strconv.AppendUint(b, m.TunID, 10)
	}
	if m.EthDst != "" {
		field("dl_dst=")
		b = append(b, m.EthDst...)
	}
	if m.EthType != 0 {
		field("dl_type=0x")
		for shift := 12; shift >= 0; shift -= 4 {
			b = append(b, "0123456789abcdef"[m.EthType>>shift&0xf])
		}
	}
	if m.ArpOp != 0 {
		field("arp_op=")
		b = strconv.AppendUint(b, uint64(m.ArpOp), 10)
	}
	if m.ArpTPA.IsValid() {
		field("arp_tpa=")
		b = m.ArpTPA.AppendTo(b)
	}
	if m.MPLS != 0 {
		field("mpls_label=")
		b = strconv.AppendUint(b, uint64(m.MPLS), 10)
	}
	if m.IPDst.IsValid() {
		field("nw_dst=")
		b = m.IPDst.AppendTo(b)
	}
	return b
}

// appendHex appends v as %#x does.
func appendHex(b []byte, v uint64) []byte {
	return strconv.AppendUint(append(b, "0x"...), v, 16)
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
	// SetReg0 loads Addr (IPv4) into register 0: the PE an MPLS over
	// Ethernet packet goes to, for the PE MAC table.
	SetReg0
	// Resubmit runs the flows of table Value, then the rest.
	Resubmit
	// LearnPEMAC learns, in table Value, "register 0 = the ARP sender's
	// address: set the Ethernet destination to its MAC, out of the port
	// the ARP came in by".
	LearnPEMAC
)

func (o Op) String() string { return string(o.appendTo(nil)) }

// appendTo appends the op in ovs-ofctl's syntax (hashed into cookies and
// group IDs: it must not change).
func (o Op) appendTo(b []byte) []byte {
	switch o.Kind {
	case Output:
		return strconv.AppendUint(append(b, "output:"...), uint64(o.Port), 10)
	case OutputInPort:
		return append(b, "in_port"...)
	case SetEthSrc:
		return append(append(b, "mod_dl_src:"...), o.MAC...)
	case SetEthDst:
		return append(append(b, "mod_dl_dst:"...), o.MAC...)
	case DecTTL:
		return append(b, "dec_ttl"...)
	case PushMPLS:
		return append(b, "push_mpls:0x8847"...)
	case PopMPLS:
		return append(b, "pop_mpls:0x0800"...)
	case SetMPLSLabel:
		return strconv.AppendUint(append(b, "set_mpls_label:"...), o.Value, 10)
	case SetTunDst:
		return o.Addr.AppendTo(append(b, "set_tun_dst:"...))
	case SetTunID:
		return strconv.AppendUint(append(b, "set_tunnel:"...), o.Value, 10)
	case Group:
		return appendHex(append(b, "group:"...), o.Value)
	case ARPReply:
		return append(append(b, "arp_reply:"...), o.MAC...)
	case PushVLAN:
		return append(b, "push_vlan:0x8100"...)
	case PopVLAN:
		return append(b, "pop_vlan"...)
	case SetVLAN:
		return strconv.AppendUint(append(b, "mod_vlan_vid:"...), o.Value, 10)
	case WriteMetadata:
		return appendHex(append(b, "write_metadata:"...), o.Value)
	case GotoTable:
		return strconv.AppendUint(append(b, "goto_table:"...), o.Value, 10)
	case Drop:
		return append(b, "drop"...)
	case SetReg0:
		return o.Addr.AppendTo(append(b, "load_reg0:"...))
	case Resubmit:
		return append(strconv.AppendUint(append(b, "resubmit(,"...), o.Value, 10), ')')
	case LearnPEMAC:
		return strconv.AppendUint(append(b, "learn_pe_mac:"...), o.Value, 10)
	}
	return strconv.AppendInt(append(b, "op"...), int64(o.Kind), 10)
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
func (f Flow) String() string { return string(f.appendTo(nil)) }

func (f Flow) appendTo(b []byte) []byte {
	b = f.appendKey(b)
	b = append(b, " actions="...)
	return appendOps(b, f.Ops)
}

// appendKey appends table, priority and match.
func (f Flow) appendKey(b []byte) []byte {
	b = strconv.AppendUint(append(b, "table="...), uint64(f.Table), 10)
	b = strconv.AppendUint(append(b, ",priority="...), uint64(f.Priority), 10)
	return f.Match.appendTo(append(b, ','))
}

func opsString(ops []Op) string { return string(appendOps(nil, ops)) }

func appendOps(b []byte, ops []Op) []byte {
	for i, o := range ops {
		if i > 0 {
			b = append(b, ',')
		}
		b = o.appendTo(b)
	}
	return b
}

// cookie is ours and names the flow's content: two flows with the same
// cookie are the same flow.
func (f Flow) cookie() uint64 {
	var buf [256]byte
	h := fnv.New64a()
	h.Write(f.appendTo(buf[:0]))
	return cookiePrefix | h.Sum64()&^cookieMask
}

// matchKey is what OpenFlow identifies a flow by: a flow with the same
// table, priority and match replaces it.
func (f Flow) matchKey() string {
	var buf [128]byte
	return string(f.appendKey(buf[:0]))
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
