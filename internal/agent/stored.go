package agent

import (
	"cmp"
	"hash/fnv"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// stored is a received route as instances keep it: the fields that best
// path selection, the dataplane and the looking glass need, about a third
// of a speaker.Route. The attributes most routes of a table have in common
// (peer, next hop, RTs, encapsulation, LOCAL_PREF) are shared between
// routes, and the EVPN and rarely set fields are behind a pointer. At
// 100,000 routes per VRF this is most of the agent's own memory.
type stored struct {
	*storedAttrs
	family   speaker.Family
	evpnType uint8
	label    uint32
	rd       speaker.RD
	prefix   netip.Prefix
	ext      *storedExt
}

// storedAttrs are attributes shared, read-only, by the routes that have
// them all in common.
type storedAttrs struct {
	localPref uint32
	nextHop   netip.Addr
	peer      netip.Addr
	rts       []speaker.RT
	encaps    []speaker.Encap
}

// attrKey identifies shareable attributes: at most one RT and one
// encapsulation, the usual case of a VPN's routes.
type attrKey struct {
	localPref     uint32
	nextHop, peer netip.Addr
	rt            speaker.RT
	encap         speaker.Encap
	nRTs, nEncaps uint8
}

type storedExt struct {
	ethernetTag uint32
	mac         string // 6 bytes
	ip          netip.Addr
	gatewayIP   netip.Addr
	pmsi        *speaker.PMSITunnel
	routerMAC   string
	rtRecords   []speaker.RT
}

func (m *Manager) storeRoute(r *speaker.Route) *stored {
	s := &stored{
		storedAttrs: m.internAttrs(r), family: r.Family, evpnType: r.EVPNType, label: r.Label, rd: r.RD, prefix: r.Prefix,
	}
	// The ORIGINATOR_ID of reflected routes is checked on import and not
	// kept: every route from a reflector has one.
	if r.Family == speaker.EVPN || len(r.RTRecords) > 0 {
		s.ext = &storedExt{
			ethernetTag: r.EthernetTag, mac: string(r.MAC), ip: r.IP, gatewayIP: r.GatewayIP, pmsi: r.PMSI,
			routerMAC: string(r.RouterMAC), rtRecords: r.RTRecords,
		}
	}
	return s
}

// internAttrs returns r's attributes, shared with the routes stored before
// that had the same. The table is bounded: when full it starts again, and
// the routes holding the old entries keep them.
func (m *Manager) internAttrs(r *speaker.Route) *storedAttrs {
	if len(r.RTs) > 1 || len(r.Encaps) > 1 {
		return &storedAttrs{localPref: r.LocalPref, nextHop: r.NextHop, peer: r.Peer, rts: m.internRTs(r.RTs), encaps: internEncaps(r.Encaps)}
	}
	k := attrKey{localPref: r.LocalPref, nextHop: r.NextHop, peer: r.Peer, nRTs: uint8(len(r.RTs)), nEncaps: uint8(len(r.Encaps))}
	if k.nRTs == 1 {
		k.rt = r.RTs[0]
	}
	if k.nEncaps == 1 {
		k.encap = r.Encaps[0]
	}
	if a, ok := m.attrSets[k]; ok {
		return a
	}
	if len(m.attrSets) >= 4096 {
		clear(m.attrSets)
	}
	a := &storedAttrs{localPref: r.LocalPref, nextHop: r.NextHop, peer: r.Peer, rts: m.internRTs(r.RTs), encaps: internEncaps(r.Encaps)}
	m.attrSets[k] = a
	return a
}

// internRTs shares the slice of a single-RT set between routes: a VPN's
// routes mostly carry the same one.
func (m *Manager) internRTs(rts []speaker.RT) []speaker.RT {
	if len(rts) != 1 {
		return rts
	}
	if s, ok := m.rtSets[rts[0]]; ok {
		return s
	}
	if len(m.rtSets) < 4096 {
		m.rtSets[rts[0]] = rts
	}
	return rts
}

var (
	encapMPLS  = []speaker.Encap{speaker.EncapMPLS}
	encapVXLAN = []speaker.Encap{speaker.EncapVXLAN}
)

func internEncaps(e []speaker.Encap) []speaker.Encap {
	if len(e) == 1 {
		switch e[0] {
		case speaker.EncapMPLS:
			return encapMPLS
		case speaker.EncapVXLAN:
			return encapVXLAN
		}
	}
	return e
}

// route expands s back into a speaker.Route.
func (s *stored) route() speaker.Route {
	r := speaker.Route{
		Family: s.family, EVPNType: s.evpnType, Label: s.label, LocalPref: s.localPref, RD: s.rd,
		Prefix: s.prefix, NextHop: s.nextHop, Peer: s.peer, RTs: s.rts, Encaps: s.encaps,
	}
	if e := s.ext; e != nil {
		r.EthernetTag, r.IP, r.GatewayIP, r.PMSI, r.RTRecords = e.ethernetTag, e.ip, e.gatewayIP, e.pmsi, e.rtRecords
		if e.mac != "" {
			r.MAC = []byte(e.mac)
		}
		if e.routerMAC != "" {
			r.RouterMAC = []byte(e.routerMAC)
		}
	}
	return r
}

// sameNLRI reports whether s is the route with r's NLRI.
func (s *stored) sameNLRI(r *speaker.Route) bool {
	if s.family != r.Family || s.rd != r.RD || s.prefix != r.Prefix || s.evpnType != r.EVPNType {
		return false
	}
	if s.ext == nil {
		return r.Family != speaker.EVPN
	}
	return s.ext.ethernetTag == r.EthernetTag && s.ext.ip == r.IP && s.ext.mac == string(r.MAC)
}

// teKey is a tracked entry: the prefix of a VRF route; for an EVI, the
// MAC of a type 2 route or the originator and RD of a type 3 route, in
// bagpipe's looking glass notation.
type teKey struct {
	prefix netip.Prefix
	evpn   string
}

func (k teKey) String() string {
	if k.evpn != "" {
		return k.evpn
	}
	return k.prefix.String()
}

func compareTE(a, b teKey) int {
	if c := cmp.Compare(a.evpn, b.evpn); c != 0 {
		return c
	}
	if c := a.prefix.Addr().Compare(b.prefix.Addr()); c != 0 {
		return c
	}
	return cmp.Compare(a.prefix.Bits(), b.prefix.Bits())
}

// nlriHash keys the manager's index of imported NLRIs; a collision (odds
// 2^-64 per pair) would only make a withdrawal miss an instance that
// imported the colliding NLRI.
func nlriHash(key string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(key))
	return h.Sum64()
}
