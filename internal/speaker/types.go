package speaker

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
)

// Family is a BGP address family the speaker can carry.
type Family uint8

// The families of a BGP VPN provider edge.
const (
	VPNv4 Family = iota + 1 // AFI 1 SAFI 128
	VPNv6                   // AFI 2 SAFI 128
	EVPN                    // AFI 25 SAFI 70
	RTC                     // AFI 1 SAFI 132, RFC 4684 route target constraint
)

// AllFamilies is what a session offers unless told otherwise.
var AllFamilies = []Family{VPNv4, VPNv6, EVPN, RTC}

func (f Family) String() string {
	switch f {
	case VPNv4:
		return "ipv4/mpls-vpn"
	case VPNv6:
		return "ipv6/mpls-vpn"
	case EVPN:
		return "l2vpn/evpn"
	case RTC:
		return "ipv4/rtc"
	}
	return "family(" + strconv.Itoa(int(f)) + ")"
}

// ErrBadValue is wrapped by errors about routes that cannot be encoded.
var ErrBadValue = errors.New("bad value")

// RT is a route target, RD a route distinguisher: the module's rtrd values,
// whose Kind gives the encoding (type 0, 1 or 2 of RFC 4364 §4.2).
type (
	RT = rtrd.Value
	RD = rtrd.Value
)

// Encap is a BGP tunnel encapsulation type (RFC 9012 registry) carried in
// the Encapsulation extended community.
type Encap uint16

// Encapsulations we advertise or understand.
const (
	EncapVXLAN Encap = 8
	EncapMPLS  Encap = 10
)

func (e Encap) String() string {
	switch e {
	case EncapVXLAN:
		return "VXLAN"
	case EncapMPLS:
		return "MPLS"
	}
	return "encap(" + strconv.Itoa(int(e)) + ")"
}

// EVPN route types we originate or import (RFC 7432, RFC 9136).
const (
	EVPNMACIP     uint8 = 2
	EVPNMulticast uint8 = 3
	EVPNIPPrefix  uint8 = 5
)

// Route is one BGP path in our own terms: the NLRI fields of its family and
// the attributes a PE cares about. Received routes also say where they came
// from.
type Route struct {
	Family Family
	RD     RD

	// Prefix is the VPNv4/VPNv6 prefix, or the EVPN type 5 prefix.
	Prefix netip.Prefix
	// Label is the MPLS label of a VPN route, or the raw 24-bit label field of
	// an EVPN route (the VNI with VXLAN).
	Label uint32

	// EVPN NLRI fields.
	EVPNType    uint8
	EthernetTag uint32
	MAC         net.HardwareAddr
	// IP is the type 2 IP (may be invalid: MAC-only) or the type 3
	// originating router's IP.
	IP        netip.Addr
	GatewayIP netip.Addr

	// RTC NLRI fields: the origin AS and the route target asked for.
	OriginASN    uint32
	MembershipRT RT

	// Attributes.
	NextHop      netip.Addr
	RTs          []RT
	LocalPref    uint32 // 0: attribute absent
	Encaps       []Encap
	PMSI         *PMSITunnel
	RouterMAC    net.HardwareAddr
	OriginatorID netip.Addr
	// RTRecords are RT Record extended communities (subtype 0x13), which
	// readvertised routes carry to stop leaking loops.
	RTRecords []RT

	// Set on received routes.
	Peer    netip.Addr
	PeerASN uint32
	Age     time.Time
}

// PMSITunnel is an ingress replication PMSI tunnel attribute (RFC 6514).
type PMSITunnel struct {
	Label    uint32 // raw 24-bit field: the VNI with VXLAN
	Endpoint netip.Addr
}

// Key identifies the route's NLRI within the speaker: two routes with the
// same key replace each other. It is computed for every route received, so
// it is built in one buffer: one allocation, the string.
func (r *Route) Key() string {
	var buf [96]byte
	b := append(buf[:0], r.Family.String()...)
	b = append(b, '|')
	switch r.Family {
	case VPNv4, VPNv6:
		b = appendRTRD(b, r.RD)
		b = append(b, '|')
		b = appendPrefix(b, r.Prefix)
	case EVPN:
		b = strconv.AppendUint(b, uint64(r.EVPNType), 10)
		b = append(b, '|')
		b = appendRTRD(b, r.RD)
		b = append(b, '|')
		b = strconv.AppendUint(b, uint64(r.EthernetTag), 10)
		b = append(b, '|')
		switch r.EVPNType {
		case EVPNMACIP:
			b = appendMAC(b, r.MAC)
			b = append(b, '|')
			if r.IP.IsValid() {
				b = r.IP.AppendTo(b)
			}
		case EVPNMulticast:
			b = appendAddr(b, r.IP)
		case EVPNIPPrefix:
			b = appendPrefix(b, r.Prefix)
		}
	case RTC:
		b = strconv.AppendUint(b, uint64(r.OriginASN), 10)
		b = append(b, '|')
		b = appendRTRD(b, r.MembershipRT)
	}
	return string(b)
}

// appendRTRD appends v as rtrd.Value.String prints it.
func appendRTRD(b []byte, v rtrd.Value) []byte {
	if v.Kind == rtrd.IPv4Address {
		b = appendAddr(b, v.IP)
	} else {
		b = strconv.AppendUint(b, uint64(v.ASN), 10)
	}
	b = append(b, ':')
	return strconv.AppendUint(b, uint64(v.Number), 10)
}

// appendAddr and appendPrefix append what String prints, "invalid IP" and
// "invalid Prefix" included.
func appendAddr(b []byte, a netip.Addr) []byte {
	if !a.IsValid() {
		return append(b, "invalid IP"...)
	}
	return a.AppendTo(b)
}

func appendPrefix(b []byte, p netip.Prefix) []byte {
	if !p.IsValid() {
		return append(b, "invalid Prefix"...)
	}
	return p.AppendTo(b)
}

// appendMAC appends m as net.HardwareAddr.String prints it.
func appendMAC(b []byte, m net.HardwareAddr) []byte {
	const hex = "0123456789abcdef"
	for i, c := range m {
		if i > 0 {
			b = append(b, ':')
		}
		b = append(b, hex[c>>4], hex[c&0xf])
	}
	return b
}

// String is a short human form, for logs and the looking glass.
func (r *Route) String() string {
	switch r.Family {
	case EVPN:
		switch r.EVPNType {
		case EVPNMACIP:
			if r.IP.IsValid() {
				return fmt.Sprintf("[type:macadv][rd:%s][etag:%d][mac:%s][ip:%s]", r.RD, r.EthernetTag, r.MAC, r.IP)
			}
			return fmt.Sprintf("[type:macadv][rd:%s][etag:%d][mac:%s]", r.RD, r.EthernetTag, r.MAC)
		case EVPNMulticast:
			return fmt.Sprintf("[type:multicast][rd:%s][etag:%d][ip:%s]", r.RD, r.EthernetTag, r.IP)
		case EVPNIPPrefix:
			return fmt.Sprintf("[type:prefix][rd:%s][etag:%d][prefix:%s]", r.RD, r.EthernetTag, r.Prefix)
		}
		return fmt.Sprintf("[type:%d][rd:%s]", r.EVPNType, r.RD)
	case RTC:
		return fmt.Sprintf("%d:%s", r.OriginASN, r.MembershipRT)
	}
	return r.RD.String() + ":" + r.Prefix.String()
}

// SameNLRI reports whether a and b have the same NLRI (the same Key),
// without building the keys.
func SameNLRI(a, b *Route) bool {
	if a.Family != b.Family || a.RD != b.RD {
		return false
	}
	switch a.Family {
	case EVPN:
		return a.EVPNType == b.EVPNType && a.EthernetTag == b.EthernetTag && a.IP == b.IP &&
			a.Prefix == b.Prefix && string(a.MAC) == string(b.MAC)
	case RTC:
		return a.OriginASN == b.OriginASN && a.MembershipRT == b.MembershipRT
	}
	return a.Prefix == b.Prefix
}

// Update is a change of best path for one NLRI, as the speaker saw it.
type Update struct {
	Route    Route
	Withdraw bool
}
