package agent

import (
	"cmp"
	"net"
	"net/netip"
	"reflect"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

type instance struct {
	id, name    string
	typ         VPNType
	number      int
	description string
	importRTs   []speaker.RT
	exportRTs   []speaker.RT
	rd          speaker.RD
	rdAllocated bool
	label       uint32 // instance label
	vni         uint32
	gateway4    netip.Addr // gateways, one per family (setGateway)
	gateway6    netip.Addr
	subnetLen   int
	readvertise *Readvertise
	evpnType5   bool // also advertise EVPN type 5 routes (type5.go)
	noVPNRoutes bool // with evpnType5: type 5 routes only (evpn-prefix)
	// aggregateRTs: subnet aggregates with these RTs (aggregate.go).
	aggregateRTs []speaker.RT
	subs         []speaker.RT // subscriptions applied to the import index
	linuxbr      string
	fallback     *dataplane.Fallback
	evis         []string // EVIs plugged into this VRF

	endpoints map[epKey]*endpoint
	macLabels map[string]uint32 // port label per MAC
	// advertised: what BGP carries for us, by route key.
	advertised map[string]speaker.Route
	// entries: received routes by tracked entry (prefix, MAC or
	// multicast originator), with the best ones.
	entries map[teKey]entry
	refused map[string]refusal
}

// epKey identifies an endpoint: a MAC and one of its addresses (the zero
// Addr for a MAC-only EVPN endpoint); the prefix length is not part of it.
type epKey struct {
	mac string
	ip  netip.Addr
}

type endpoint struct {
	mac     net.HardwareAddr
	ip      netip.Prefix
	linuxif string
	// evi is the EVI plugged into this VRF in the port's stead (the
	// port is in the EVI's bridge), "" for a port plugged itself.
	evi             string
	rawPort         map[string]any
	ovs             *dataplane.OVSPort
	label           uint32
	rd              speaker.RD // endpoint RD, for subnet routes
	rdAllocated     bool
	localPref       uint32
	direction       Direction
	description     string
	advertiseSubnet bool
}

type entry struct {
	routes []*stored
	best   []*stored
}

type refusal struct {
	route  *stored
	reason string
}

// setGateway records gw as the gateway of its address family (an invalid
// one changes nothing): an attach fills the gateway of its gateway_ip's
// family, so a dual-stack network keeps both.
func (inst *instance) setGateway(gw netip.Addr) {
	switch gw = gw.Unmap(); {
	case gw.Is4():
		inst.gateway4 = gw
	case gw.Is6():
		inst.gateway6 = gw
	}
}

// dataplaneID is the label, or VNI, that identifies the instance.
func (inst *instance) dataplaneID() uint32 {
	if inst.vni != 0 {
		return inst.vni
	}
	return inst.label
}

// subscriptions are the RTs whose routes the instance imports, sorted.
func (inst *instance) subscriptions() []speaker.RT {
	out := slices.Clone(inst.importRTs)
	if inst.readvertise != nil {
		out = append(out, inst.readvertise.FromRTs...)
	}
	slices.SortFunc(out, compareRT)
	return slices.Compact(out)
}

func compareRT(a, b speaker.RT) int {
	if c := cmp.Compare(a.Kind, b.Kind); c != 0 {
		return c
	}
	if c := a.IP.Compare(b.IP); c != 0 {
		return c
	}
	if c := cmp.Compare(a.ASN, b.ASN); c != 0 {
		return c
	}
	return cmp.Compare(a.Number, b.Number)
}

// checkEndpoint refuses an attach that contradicts the endpoints already
// plugged.
func (inst *instance) checkEndpoint(a Attachment) error {
	mac := a.MAC.String()
	for k, ep := range inst.endpoints {
		if k.mac == mac && ep.linuxif != a.LocalPort.LinuxIf {
			return inputErr("mac_address", "Port information is not consistent. MAC address %s cannot be bound to two different ports (%s, %s)", mac, ep.linuxif, a.LocalPort.LinuxIf)
		}
		if a.IP.IsValid() && k.ip == a.IP.Addr() && k.mac != mac {
			return inputErr("ip_address", "Inconsistent endpoint info: IP %s already bound to a MAC address different from %s (%s)", a.IP, mac, k.mac)
		}
	}
	return nil
}

// prepareEndpoint builds the endpoint of an attach, allocating its label and
// RD when new; on error nothing is left allocated.
func (inst *instance) prepareEndpoint(m *Manager, a Attachment) (*endpoint, error) {
	key := epKey{a.MAC.String(), a.IP.Addr()}
	ep := &endpoint{
		mac:             a.MAC,
		ip:              a.IP,
		linuxif:         a.LocalPort.LinuxIf,
		evi:             a.LocalPort.EVPNID,
		rawPort:         a.LocalPort.Raw,
		ovs:             a.LocalPort.OVS,
		localPref:       a.LocalPref,
		direction:       a.Direction,
		description:     a.Description,
		advertiseSubnet: a.AdvertiseSubnet,
	}
	if ep.localPref == 0 {
		ep.localPref = 100
	}
	if ep.direction == "" {
		ep.direction = Both
	}
	if old := inst.endpoints[key]; old != nil {
		ep.label, ep.rd, ep.rdAllocated = old.label, old.rd, old.rdAllocated
	} else if l, ok := inst.macLabels[key.mac]; ok {
		ep.label = l
	} else {
		l, err := m.labels.get(inst.name + " " + key.mac)
		if err != nil {
			return nil, err
		}
		ep.label = l
	}
	if !ep.rdAllocated && inst.needsEndpointRD(ep) {
		n, err := m.rds.get(inst.name + " " + key.mac)
		if err != nil {
			if _, ok := inst.macLabels[key.mac]; !ok && inst.endpoints[key] == nil {
				m.labels.release(ep.label)
			}
			return nil, err
		}
		ep.rd, ep.rdAllocated = speaker.RD{Kind: rtrd.IPv4Address, IP: m.cfg.LocalAddress, Number: n}, true
	}
	return ep, nil
}

// needsEndpointRD: a subnet route gets its own RD so that several ports
// advertising one prefix give distinct NLRIs (ECMP, LOCAL_PREF choice).
func (inst *instance) needsEndpointRD(ep *endpoint) bool {
	return inst.typ == IPVPN && ep.advertiseSubnet && ep.ip.IsValid() && ep.ip.Bits() != ep.ip.Addr().BitLen()
}

func (inst *instance) addEndpoint(ep *endpoint) {
	inst.endpoints[epKey{ep.mac.String(), ep.ip.Addr()}] = ep
	inst.macLabels[ep.mac.String()] = ep.label
}

// removeEndpoints removes what d names and frees labels and RDs no longer
// used; it returns the endpoints that went.
func (inst *instance) removeEndpoints(m *Manager, d Detachment) []*endpoint {
	mac := d.MAC.String()
	var gone []*endpoint
	for k, ep := range inst.endpoints {
		if k.mac != mac {
			continue
		}
		if d.IP.IsValid() && k.ip != d.IP.Addr() {
			continue
		}
		delete(inst.endpoints, k)
		if ep.rdAllocated {
			m.rds.release(ep.rd.Number)
		}
		gone = append(gone, ep)
	}
	if len(gone) == 0 {
		return nil
	}
	for k := range inst.endpoints {
		if k.mac == mac {
			return gone
		}
	}
	m.labels.release(inst.macLabels[mac])
	delete(inst.macLabels, mac)
	return gone
}

// exports computes every route the instance should advertise.
func (m *Manager) exports(inst *instance) map[string]speaker.Route {
	out := map[string]speaker.Route{}
	if len(inst.endpoints) == 0 {
		return out
	}
	put := func(r speaker.Route) {
		for _, r := range m.withType5(inst, []speaker.Route{r}) {
			out[r.Key()] = r
		}
	}
	if inst.typ == EVPN {
		put(m.multicastRoute(inst))
	}
	for _, ep := range inst.endpoints {
		if r, ok := m.endpointExport(inst, ep); ok {
			put(r)
		}
	}
	if inst.typ == IPVPN {
		m.readvertised(inst, put)
		m.aggregates(inst, put)
	}
	return out
}

// multicastRoute is an EVI's type 3 route: ingress replication to us.
func (m *Manager) multicastRoute(inst *instance) speaker.Route {
	nh := m.cfg.NextHop
	return speaker.Route{
		Family: speaker.EVPN, EVPNType: speaker.EVPNMulticast, RD: inst.rd, IP: m.cfg.LocalAddress,
		NextHop: nh, RTs: inst.exportRTs, LocalPref: 100, Encaps: encapVXLAN,
		PMSI: &speaker.PMSITunnel{Label: inst.dataplaneID(), Endpoint: nh},
	}
}

// endpointExport is the route an endpoint advertises, if any: a MAC/IP
// route in an EVI; in a VRF, the host route (instance RD) or, with
// advertise_subnet, the subnet (endpoint RD), unless direction is
// from-port.
func (m *Manager) endpointExport(inst *instance, ep *endpoint) (speaker.Route, bool) {
	nh := m.cfg.NextHop
	if inst.typ == EVPN {
		r := speaker.Route{
			Family: speaker.EVPN, EVPNType: speaker.EVPNMACIP, RD: inst.rd, MAC: ep.mac, Label: inst.dataplaneID(),
			NextHop: nh, RTs: inst.exportRTs, LocalPref: ep.localPref, Encaps: encapVXLAN,
		}
		if ep.ip.IsValid() {
			r.IP = ep.ip.Addr()
		}
		return r, true
	}
	if ep.direction == FromPort || !ep.ip.IsValid() {
		return speaker.Route{}, false
	}
	r := speaker.Route{
		Family: speaker.VPNv4, RD: inst.rd, Prefix: netip.PrefixFrom(ep.ip.Addr(), ep.ip.Addr().BitLen()),
		Label: ep.label, NextHop: nh, RTs: inst.exportRTs, LocalPref: ep.localPref, Encaps: m.ipvpnEncaps(inst),
	}
	if ep.ip.Addr().Is6() {
		r.Family = speaker.VPNv6
	}
	if inst.vni != 0 {
		r.Label = inst.vni
	}
	if ep.advertiseSubnet {
		r.Prefix = ep.ip.Masked()
		if ep.rdAllocated {
			r.RD = ep.rd
		}
	}
	return r, true
}

// ipvpnEncaps are the encapsulations we advertise: the driver's (MPLS and
// VXLAN only), VXLAN when the instance has a VNI.
func (m *Manager) ipvpnEncaps(inst *instance) []speaker.Encap {
	var out []speaker.Encap
	for _, e := range m.cfg.IPVPNDriver.Info().EncapsFor(string(IPVPN)) {
		if e == uint16(speaker.EncapMPLS) || e == uint16(speaker.EncapVXLAN) {
			out = append(out, speaker.Encap(e))
		}
	}
	if inst.vni != 0 && !slices.Contains(out, speaker.EncapVXLAN) {
		out = append(out, speaker.EncapVXLAN)
	}
	return out
}

// readvertised leaks the best routes carrying a from_rt toward the to_rts,
// with our next hop and the label of the first endpoint; an RT Record stops
// a route from being leaked back where it already went.
func (m *Manager) readvertised(inst *instance, put func(speaker.Route)) {
	rv := inst.readvertise
	if rv == nil || len(rv.ToRTs) == 0 {
		return
	}
	var label uint32
	for _, ep := range inst.sortedEndpoints() {
		label = ep.label
		break
	}
	for _, e := range inst.entries {
		for _, st := range e.best {
			r := st.route()
			if !r.Peer.IsValid() || !r.Prefix.IsValid() || !hasAny(r.RTs, rv.FromRTs) || hasAny(r.RTRecords, rv.ToRTs) {
				continue
			}
			rec := slices.Clone(r.RTRecords)
			for _, rt := range r.RTs {
				if !slices.Contains(rec, rt) {
					rec = append(rec, rt)
				}
			}
			// A received type 5 route is leaked as a VPN route too.
			fam := speaker.VPNv4
			if r.Prefix.Addr().Is6() {
				fam = speaker.VPNv6
			}
			put(speaker.Route{
				Family: fam, RD: inst.rd, Prefix: r.Prefix, Label: label, NextHop: m.cfg.NextHop,
				RTs: rv.ToRTs, RTRecords: rec, LocalPref: 100, Encaps: m.ipvpnEncaps(inst),
			})
			break
		}
	}
}

func hasAny(have, want []speaker.RT) bool {
	for _, rt := range want {
		if slices.Contains(have, rt) {
			return true
		}
	}
	return false
}

func (inst *instance) sortedEndpoints() []*endpoint {
	out := make([]*endpoint, 0, len(inst.endpoints))
	for _, ep := range inst.endpoints {
		out = append(out, ep)
	}
	slices.SortFunc(out, func(a, b *endpoint) int {
		if c := cmp.Compare(a.mac.String(), b.mac.String()); c != 0 {
			return c
		}
		return a.ip.Addr().Compare(b.ip.Addr())
	})
	return out
}

func sameRoute(a, b *speaker.Route) bool { return reflect.DeepEqual(a, b) }
