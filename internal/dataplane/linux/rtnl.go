package linux

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"
)

// The netlink library cannot read back lightweight-tunnel "ip" encaps on
// routes, and it writes rule tun_id as 32 bits where the kernel wants a
// big-endian 64-bit value. Routes are therefore read, and rules read and
// written, with raw rtnetlink messages on the namespace's own socket.

// kroute is a route as we program and read it: an IP route, or with
// Family AF_MPLS the route of an incoming label (Label; Gw is then the
// "via" address, of either IP family).
type kroute struct {
	Family   int
	Table    int
	Dst      netip.Prefix
	Label    uint32 // AF_MPLS: the incoming label
	Type     uint8  // unix.RTN_*
	Protocol uint8
	Scope    uint8
	Priority uint32
	OIF      int
	Gw       netip.Addr
	Onlink   bool
	Encap    *tunEncap
	// Push is the MPLS label an IP route pushes (lightweight tunnel
	// encap mpls); 0: none.
	Push uint32
	// MultiPath, when set, replaces OIF/Gw/Onlink/Encap/Push.
	MultiPath []knexthop
}

type knexthop struct {
	OIF    int
	Gw     netip.Addr
	Onlink bool
	Encap  *tunEncap
	Push   uint32
}

// routeKey identifies a route in the kernel (family, table, prefix, metric;
// we never use TOS); MPLS routes by their label alone.
type routeKey struct {
	Table    int
	Dst      netip.Prefix
	Priority uint32
	MPLS     bool
	Label    uint32
}

func (r *kroute) key() routeKey {
	if r.Family == unix.AF_MPLS {
		return routeKey{Table: r.Table, MPLS: true, Label: r.Label}
	}
	return routeKey{Table: r.Table, Dst: r.Dst, Priority: r.Priority}
}

func (r *kroute) String() string {
	var b strings.Builder
	if r.Family == unix.AF_MPLS {
		fmt.Fprintf(&b, "mpls %d", r.Label)
	} else {
		fmt.Fprintf(&b, "table %d %s type %d scope %d metric %d", r.Table, r.Dst, r.Type, r.Scope, r.Priority)
	}
	nh := func(h knexthop) {
		if h.Encap != nil {
			fmt.Fprintf(&b, " encap ip id %d dst %s src %s", h.Encap.VNI, h.Encap.Dst, h.Encap.Src)
		}
		if h.Push != 0 {
			fmt.Fprintf(&b, " encap mpls %d", h.Push)
		}
		if h.Gw.IsValid() {
			fmt.Fprintf(&b, " via %s", h.Gw)
		}
		fmt.Fprintf(&b, " oif %d", h.OIF)
		if h.Onlink {
			b.WriteString(" onlink")
		}
	}
	if len(r.MultiPath) > 0 {
		for _, h := range r.MultiPath {
			b.WriteString(" nexthop")
			nh(h)
		}
	} else {
		nh(knexthop{r.OIF, r.Gw, r.Onlink, r.Encap, r.Push})
	}
	return b.String()
}

// same reports whether the kernel's route k already is r (multipath hops
// compared as a set: the kernel keeps our order, but do not rely on it).
func (r *kroute) same(k *kroute) bool {
	if r.Type != k.Type || r.Scope != k.Scope || r.Protocol != k.Protocol || len(r.MultiPath) != len(k.MultiPath) {
		return false
	}
	if r.Type != unix.RTN_UNICAST {
		return true // unreachable: the kernel reports its own device (lo)
	}
	if len(r.MultiPath) == 0 {
		return r.OIF == k.OIF && r.Gw == k.Gw && r.Onlink == k.Onlink && r.Encap.equal(k.Encap) && r.Push == k.Push
	}
	a, b := slices.Clone(r.MultiPath), slices.Clone(k.MultiPath)
	slices.SortFunc(a, compareHop)
	slices.SortFunc(b, compareHop)
	for i := range a {
		if a[i].OIF != b[i].OIF || a[i].Gw != b[i].Gw || a[i].Onlink != b[i].Onlink || !a[i].Encap.equal(b[i].Encap) || a[i].Push != b[i].Push {
			return false
		}
	}
	return true
}

func compareHop(a, b knexthop) int {
	if c := a.Gw.Compare(b.Gw); c != 0 {
		return c
	}
	var va, vb uint32
	if a.Encap != nil {
		va = a.Encap.VNI
	}
	if b.Encap != nil {
		vb = b.Encap.VNI
	}
	if va != vb {
		return int(va) - int(vb)
	}
	return int(a.Push) - int(b.Push)
}

// tunEncap is LWTUNNEL_ENCAP_IP: the tunnel metadata a flow-based VXLAN
// device encapsulates with. It implements netlink.Encap for writing.
type tunEncap struct {
	VNI      uint32
	Dst, Src netip.Addr
}

const (
	lwtIPID  = 1 // LWTUNNEL_IP_ID, be64
	lwtIPDst = 2 // LWTUNNEL_IP_DST
	lwtIPSrc = 3 // LWTUNNEL_IP_SRC
)

var _ netlink.Encap = (*tunEncap)(nil)

func (e *tunEncap) Type() int { return nl.LWTUNNEL_ENCAP_IP }

func (e *tunEncap) Encode() ([]byte, error) {
	id := make([]byte, 8)
	binary.BigEndian.PutUint64(id, uint64(e.VNI))
	out := nl.NewRtAttr(lwtIPID, id).Serialize()
	if e.Dst.IsValid() {
		out = append(out, nl.NewRtAttr(lwtIPDst, e.Dst.AsSlice()).Serialize()...)
	}
	if e.Src.IsValid() {
		out = append(out, nl.NewRtAttr(lwtIPSrc, e.Src.AsSlice()).Serialize()...)
	}
	return out, nil
}

func (e *tunEncap) Decode(b []byte) error {
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return err
	}
	for _, a := range attrs {
		switch a.Attr.Type {
		case lwtIPID:
			if len(a.Value) == 8 {
				e.VNI = uint32(binary.BigEndian.Uint64(a.Value))
			}
		case lwtIPDst:
			e.Dst, _ = netip.AddrFromSlice(a.Value)
		case lwtIPSrc:
			e.Src, _ = netip.AddrFromSlice(a.Value)
		}
	}
	return nil
}

func (e *tunEncap) String() string { return fmt.Sprintf("id %d dst %s src %s", e.VNI, e.Dst, e.Src) }

func (e *tunEncap) Equal(o netlink.Encap) bool {
	t, ok := o.(*tunEncap)
	return ok && e.equal(t)
}

func (e *tunEncap) equal(o *tunEncap) bool {
	if e == nil || o == nil {
		return e == o
	}
	return *e == *o
}

// rtnl sends raw rtnetlink requests on a socket of the driver's namespace.
type rtnl struct{ sockets map[int]*nl.SocketHandle }

func (c *rtnl) request(typ, flags int) *nl.NetlinkRequest {
	req := nl.NewNetlinkRequest(typ, flags)
	req.Sockets = c.sockets
	return req
}

// dump sends a dump request typ with header hdr and returns the replies
// of type reply that parse accepts, retrying as retryDump does.
func dump[T any](c *rtnl, typ int, reply uint16, hdr nl.NetlinkRequestData, parse func([]byte) (T, bool, error)) ([]T, error) {
	return retryDump(func() ([]T, error) {
		req := c.request(typ, unix.NLM_F_DUMP)
		req.AddData(hdr)
		msgs, err := req.Execute(unix.NETLINK_ROUTE, reply)
		var out []T
		for _, m := range msgs {
			v, ok, perr := parse(m)
			if perr != nil {
				return nil, perr
			}
			if ok {
				out = append(out, v)
			}
		}
		return out, err
	})
}

// routes dumps the routes of family with protocol proto, in every table.
func (c *rtnl) routes(family int, proto uint8) ([]kroute, error) {
	msg := nl.NewRtMsg()
	msg.Family = uint8(family)
	return dump(c, unix.RTM_GETROUTE, unix.RTM_NEWROUTE, msg, func(m []byte) (kroute, bool, error) {
		r, ok, err := parseRoute(m)
		return r, ok && r.Protocol == proto, err
	})
}

func parseRoute(m []byte) (kroute, bool, error) {
	msg := nl.DeserializeRtMsg(m)
	r := kroute{Family: int(msg.Family), Table: int(msg.Table), Type: msg.Type, Protocol: msg.Protocol, Scope: msg.Scope, Onlink: msg.Flags&unix.RTNH_F_ONLINK != 0}
	attrs, err := nl.ParseRouteAttr(m[msg.Len():])
	if err != nil {
		return r, false, fmt.Errorf("parsing route: %w", err)
	}
	var encapType uint16
	var encap []byte
	hasDst := false
	for _, a := range attrs {
		switch a.Attr.Type {
		case unix.RTA_TABLE:
			r.Table = int(native.Uint32(a.Value))
		case unix.RTA_DST:
			if msg.Family == unix.AF_MPLS {
				if st := nl.DecodeMPLSStack(a.Value); len(st) > 0 {
					r.Label, hasDst = uint32(st[0]), true
				}
				continue
			}
			ip, _ := netip.AddrFromSlice(a.Value)
			r.Dst, hasDst = netip.PrefixFrom(ip, int(msg.Dst_len)), true
		case unix.RTA_VIA:
			r.Gw = parseVia(a.Value)
		case unix.RTA_OIF:
			r.OIF = int(native.Uint32(a.Value))
		case unix.RTA_GATEWAY:
			r.Gw, _ = netip.AddrFromSlice(a.Value)
		case unix.RTA_PRIORITY:
			r.Priority = native.Uint32(a.Value)
		case unix.RTA_ENCAP_TYPE:
			encapType = native.Uint16(a.Value)
		case unix.RTA_ENCAP:
			encap = a.Value
		case unix.RTA_MULTIPATH:
			if r.MultiPath, err = parseMultipath(a.Value); err != nil {
				return r, false, err
			}
		}
	}
	if !hasDst {
		switch msg.Family {
		case unix.AF_MPLS:
			return r, false, nil
		case unix.AF_INET:
			r.Dst = netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		case unix.AF_INET6:
			r.Dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		default:
			return r, false, nil
		}
	}
	switch encapType {
	case nl.LWTUNNEL_ENCAP_IP:
		r.Encap = &tunEncap{}
		if err := r.Encap.Decode(encap); err != nil {
			return r, false, err
		}
	case nl.LWTUNNEL_ENCAP_MPLS:
		r.Push = parseMPLSEncap(encap)
	}
	return r, true, nil
}

// parseVia reads RTA_VIA (struct rtvia: family, then the address).
func parseVia(b []byte) netip.Addr {
	if len(b) < 2 {
		return netip.Addr{}
	}
	a, _ := netip.AddrFromSlice(b[2:])
	return a
}

// parseMPLSEncap returns the first label an MPLS lightweight tunnel pushes
// (we push one).
func parseMPLSEncap(b []byte) uint32 {
	attrs, err := nl.ParseRouteAttr(b)
	if err != nil {
		return 0
	}
	for _, a := range attrs {
		if a.Attr.Type == nl.MPLS_IPTUNNEL_DST {
			if st := nl.DecodeMPLSStack(a.Value); len(st) > 0 {
				return uint32(st[0])
			}
		}
	}
	return 0
}

func parseMultipath(b []byte) ([]knexthop, error) {
	var out []knexthop
	for len(b) >= unix.SizeofRtNexthop {
		h := nl.DeserializeRtNexthop(b)
		l := int(h.RtNexthop.Len)
		if l < unix.SizeofRtNexthop || l > len(b) {
			return nil, errors.New("parsing multipath route: bad next hop length")
		}
		hop := knexthop{OIF: int(h.RtNexthop.Ifindex), Onlink: h.RtNexthop.Flags&unix.RTNH_F_ONLINK != 0}
		attrs, err := nl.ParseRouteAttr(b[unix.SizeofRtNexthop:l])
		if err != nil {
			return nil, fmt.Errorf("parsing multipath route: %w", err)
		}
		var encapType uint16
		var encap []byte
		for _, a := range attrs {
			switch a.Attr.Type {
			case unix.RTA_GATEWAY:
				hop.Gw, _ = netip.AddrFromSlice(a.Value)
			case unix.RTA_VIA:
				hop.Gw = parseVia(a.Value)
			case unix.RTA_ENCAP_TYPE:
				encapType = native.Uint16(a.Value)
			case unix.RTA_ENCAP:
				encap = a.Value
			}
		}
		switch encapType {
		case nl.LWTUNNEL_ENCAP_IP:
			hop.Encap = &tunEncap{}
			if err := hop.Encap.Decode(encap); err != nil {
				return nil, err
			}
		case nl.LWTUNNEL_ENCAP_MPLS:
			hop.Push = parseMPLSEncap(encap)
		}
		out = append(out, hop)
		b = b[nlaAlign(l):]
	}
	return out, nil
}

func nlaAlign(n int) int { return (n + unix.RTA_ALIGNTO - 1) &^ (unix.RTA_ALIGNTO - 1) }

// toNetlink converts r for the netlink library, which writes routes well.
func (r *kroute) toNetlink() *netlink.Route {
	nr := &netlink.Route{
		Family: r.Family, Table: r.Table, Type: int(r.Type), Protocol: netlink.RouteProtocol(r.Protocol),
		Scope: netlink.Scope(r.Scope), Priority: int(r.Priority),
	}
	if r.Family == unix.AF_MPLS {
		// "ip -f mpls route add <label> [via inet <addr>] dev <oif>": the
		// label is popped, the packet delivered (no label is swapped in).
		label := int(r.Label)
		nr.MPLSDst = &label
		nr.LinkIndex = r.OIF
		if r.Gw.IsValid() {
			nr.Via = &netlink.Via{AddrFamily: family(r.Gw), Addr: addrIP(r.Gw)}
		}
		return nr
	}
	nr.Dst = prefixNet(r.Dst)
	if len(r.MultiPath) == 0 {
		nr.LinkIndex = r.OIF
		nr.Gw, nr.Via = gateway(r.Family, r.Gw)
		if r.Onlink {
			nr.Flags = int(netlink.FLAG_ONLINK)
		}
		nr.Encap = hopEncap(r.Encap, r.Push)
		return nr
	}
	for _, h := range r.MultiPath {
		nh := &netlink.NexthopInfo{LinkIndex: h.OIF}
		nh.Gw, nh.Via = gateway(r.Family, h.Gw)
		if h.Onlink {
			nh.Flags = int(netlink.FLAG_ONLINK)
		}
		nh.Encap = hopEncap(h.Encap, h.Push)
		nr.MultiPath = append(nr.MultiPath, nh)
	}
	return nr
}

// gateway writes gw as RTA_GATEWAY, or as RTA_VIA when its family is not
// the route's (an IPv4 route through an IPv6 gateway, see macGateway); a
// nil interface otherwise, not a typed nil.
func gateway(fam int, gw netip.Addr) (net.IP, netlink.Destination) {
	if gw.IsValid() && family(gw) != fam {
		return nil, &netlink.Via{AddrFamily: family(gw), Addr: addrIP(gw)}
	}
	return addrIP(gw), nil
}

// hopEncap is a next hop's lightweight tunnel: VXLAN metadata, an MPLS
// label to push, or none (a nil interface, not a typed nil).
func hopEncap(t *tunEncap, push uint32) netlink.Encap {
	switch {
	case t != nil:
		return t
	case push != 0:
		return &netlink.MPLSEncap{Labels: []int{int(push)}}
	}
	return nil
}

// krule is a policy routing rule of ours: "iif X [tun_id N] lookup T".
type krule struct {
	Family   int
	Priority uint32
	IIF      string
	TunID    uint32 // 0: none
	Table    int
	Protocol uint8
}

func (r krule) String() string {
	s := fmt.Sprintf("pref %d iif %s", r.Priority, r.IIF)
	if r.TunID != 0 {
		s += fmt.Sprintf(" tun_id %d", r.TunID)
	}
	return s + fmt.Sprintf(" lookup %d (family %d)", r.Table, r.Family)
}

const (
	fraPriority = 6  // FRA_PRIORITY
	fraTable    = 15 // FRA_TABLE
	fraIIFName  = 3  // FRA_IIFNAME
	fraTunID    = 12 // FRA_TUN_ID
	fraProtocol = 21 // FRA_PROTOCOL
	frActToTbl  = 1  // FR_ACT_TO_TBL
)

// rules dumps the rules of family with protocol proto.
func (c *rtnl) rules(family int, proto uint8) ([]krule, error) {
	msg := nl.NewRtMsg()
	msg.Family = uint8(family)
	return dump(c, unix.RTM_GETRULE, unix.RTM_NEWRULE, msg, func(m []byte) (krule, bool, error) {
		r, ok, err := parseRule(m)
		return r, ok && r.Protocol == proto, err
	})
}

// parseRule reads a rule message; ok says it is a rule that goes to a
// table, the only kind we make.
func parseRule(m []byte) (r krule, ok bool, err error) {
	hdr := nl.DeserializeRtMsg(m)
	attrs, err := nl.ParseRouteAttr(m[hdr.Len():])
	if err != nil {
		return r, false, fmt.Errorf("parsing rule: %w", err)
	}
	r = krule{Family: int(hdr.Family), Table: int(hdr.Table)}
	for _, a := range attrs {
		switch a.Attr.Type {
		case fraPriority:
			r.Priority = native.Uint32(a.Value)
		case fraTable:
			r.Table = int(native.Uint32(a.Value))
		case fraIIFName:
			r.IIF = strings.TrimRight(string(a.Value), "\x00")
		case fraTunID:
			if len(a.Value) == 8 {
				r.TunID = uint32(binary.BigEndian.Uint64(a.Value))
			}
		case fraProtocol:
			r.Protocol = a.Value[0]
		}
	}
	return r, hdr.Type == frActToTbl, nil
}

func (c *rtnl) ruleAdd(r krule) error {
	return c.ruleMsg(unix.RTM_NEWRULE, unix.NLM_F_CREATE|unix.NLM_F_EXCL|unix.NLM_F_ACK, r)
}
func (c *rtnl) ruleDel(r krule) error { return c.ruleMsg(unix.RTM_DELRULE, unix.NLM_F_ACK, r) }

func (c *rtnl) ruleMsg(typ, flags int, r krule) error {
	req := c.request(typ, flags)
	msg := nl.NewRtMsg()
	msg.Family = uint8(r.Family)
	msg.Type = frActToTbl
	msg.Protocol = 0
	msg.Scope = 0
	if r.Table < 256 {
		msg.Table = uint8(r.Table)
	} else {
		msg.Table = unix.RT_TABLE_UNSPEC
	}
	req.AddData(msg)
	req.AddData(nl.NewRtAttr(fraPriority, nl.Uint32Attr(r.Priority)))
	req.AddData(nl.NewRtAttr(fraTable, nl.Uint32Attr(uint32(r.Table))))
	req.AddData(nl.NewRtAttr(fraIIFName, nl.ZeroTerminated(r.IIF)))
	if r.TunID != 0 {
		id := make([]byte, 8)
		binary.BigEndian.PutUint64(id, uint64(r.TunID))
		req.AddData(nl.NewRtAttr(fraTunID, id))
	}
	req.AddData(nl.NewRtAttr(fraProtocol, nl.Uint8Attr(r.Protocol)))
	_, err := req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

var native = nl.NativeEndian()

func prefixNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func addrIP(a netip.Addr) net.IP {
	if !a.IsValid() {
		return nil
	}
	return a.AsSlice()
}

// retryDump repeats a dump the kernel interrupted because the table changed
// under it; a few attempts are plenty, a busy host changes between them.
func retryDump[T any](f func() (T, error)) (T, error) {
	var (
		v   T
		err error
	)
	for range 10 {
		v, err = f()
		if !errors.Is(err, netlink.ErrDumpInterrupted) {
			return v, err
		}
	}
	return v, fmt.Errorf("dump interrupted 10 times: %w", err)
}
