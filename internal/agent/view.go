package agent

import (
	"fmt"
	"strconv"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// The views below are copies taken under the lock: the looking glass reads
// them while routes change (bagpipe's answered 500 then).

// InstanceRef names an instance.
type InstanceRef struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// InstanceView is an instance as the looking glass shows it.
type InstanceView struct {
	Name                string           `json:"name"`
	InstanceType        string           `json:"instance_type"`
	ExternalInstanceID  string           `json:"external_instance_id"`
	Description         string           `json:"description"`
	RouteTargets        RTsView          `json:"route_targets"`
	RouteDistinguisher  string           `json:"route_distinguisher"`
	GatewayIP           string           `json:"gateway_ip"`
	GatewayIPv6         string           `json:"gateway_ipv6,omitempty"`
	SubnetPrefixLength  int              `json:"subnet_prefix_length"`
	InstanceDataplaneID uint32           `json:"instance_dataplane_id"`
	VNI                 uint32           `json:"vni,omitempty"`
	Readvertise         *ReadvertiseView `json:"readvertise"`
	AttractTraffic      map[string]any   `json:"attract_traffic"`
	Fallback            any              `json:"fallback"`
	PluggedEVIs         []string         `json:"plugged_evpn_instances,omitempty"`
	AdvertiseEVPNType5  bool             `json:"advertise_evpn_type5,omitempty"`
	// VPNRoutesOff: type 5 routes only (the evpn-prefix technique).
	VPNRoutesOff bool           `json:"vpn_routes_off,omitempty"`
	Internals    map[string]any `json:"internals"`
	Counts       map[string]int `json:"route_counts"`
}

// RTsView lists route targets as strings.
type RTsView struct {
	Import []string `json:"import"`
	Export []string `json:"export"`
}

// ReadvertiseView shows route leaking settings.
type ReadvertiseView struct {
	FromRT []string `json:"from_rt"`
	ToRT   []string `json:"to_rt"`
}

// EndpointView is one plugged endpoint.
type EndpointView struct {
	Label       uint32 `json:"label"`
	MACAddress  string `json:"mac_address"`
	IPAddress   string `json:"ip_address"`
	LocalPref   uint32 `json:"local_pref"`
	RD          string `json:"rd"`
	Description string `json:"description"`
	Direction   string `json:"direction"`
}

// PortView is a local port and its endpoints.
type PortView struct {
	Endpoints []EndpointView `json:"endpoints"`
	LocalPort map[string]any `json:"local_port,omitempty"`
}

// RouteView is a route in the looking glass.
type RouteView struct {
	AFISAFI      string   `json:"afi-safi"`
	NLRI         string   `json:"nlri"`
	RD           string   `json:"rd,omitempty"`
	Prefix       string   `json:"prefix,omitempty"`
	MAC          string   `json:"mac,omitempty"`
	IP           string   `json:"ip,omitempty"`
	Label        uint32   `json:"label"`
	NextHop      string   `json:"next_hop"`
	RouteTargets []string `json:"route_targets"`
	LocalPref    uint32   `json:"local_pref,omitempty"`
	Encaps       []string `json:"encapsulations,omitempty"`
	PMSITunnel   string   `json:"pmsi_tunnel,omitempty"`
	GatewayIP    string   `json:"gateway_ip,omitempty"`
	RouterMAC    string   `json:"router_mac,omitempty"`
	OriginatorID string   `json:"originator_id,omitempty"`
	RTRecords    []string `json:"rt_records,omitempty"`
	Source       string   `json:"source"`
	Reason       string   `json:"reason,omitempty"`
}

func rtStrings(rts []speaker.RT) []string {
	out := make([]string, 0, len(rts))
	for _, rt := range rts {
		out = append(out, rt.String())
	}
	return out
}

func routeView(r *speaker.Route, localSource string) RouteView {
	v := RouteView{
		AFISAFI:      r.Family.String(),
		NLRI:         r.String(),
		Label:        r.Label,
		NextHop:      r.NextHop.String(),
		RouteTargets: rtStrings(r.RTs),
		LocalPref:    r.LocalPref,
		Source:       localSource,
	}
	if r.Family != speaker.RTC {
		v.RD = r.RD.String()
	}
	if r.Prefix.IsValid() {
		v.Prefix = r.Prefix.String()
	}
	if len(r.MAC) > 0 {
		v.MAC = r.MAC.String()
	}
	if r.IP.IsValid() {
		v.IP = r.IP.String()
	}
	for _, e := range r.Encaps {
		v.Encaps = append(v.Encaps, e.String())
	}
	if r.PMSI != nil {
		v.PMSITunnel = fmt.Sprintf("ingress-replication label %d endpoint %s", r.PMSI.Label, r.PMSI.Endpoint)
	}
	if r.GatewayIP.IsValid() {
		v.GatewayIP = r.GatewayIP.String()
	}
	if len(r.RouterMAC) > 0 {
		v.RouterMAC = r.RouterMAC.String()
	}
	if r.OriginatorID.IsValid() {
		v.OriginatorID = r.OriginatorID.String()
	}
	if len(r.RTRecords) > 0 {
		v.RTRecords = rtStrings(r.RTRecords)
	}
	if r.Peer.IsValid() {
		v.Source = "BGP-" + r.Peer.String()
	}
	return v
}

// ViewOf renders a route for the looking glass.
func ViewOf(r *speaker.Route) RouteView { return routeView(r, "local") }

// RIB lists the best path of every NLRI, ours and received, by family as
// bagpipe groups them ("ipv4/mpls-vpn,*").
func (m *Manager) RIB() map[string][]RouteView {
	out := map[string][]RouteView{}
	for _, f := range []speaker.Family{speaker.VPNv4, speaker.VPNv6, speaker.EVPN, speaker.RTC} {
		k := f.String() + ",*"
		out[k] = []RouteView{}
		m.bgp.Best(f, func(r *speaker.Route) { out[k] = append(out[k], routeView(r, "local")) })
	}
	return out
}

// Instances lists the VPN instances.
func (m *Manager) Instances() []InstanceRef {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := []InstanceRef{}
	for _, inst := range m.sortedInstances() {
		out = append(out, InstanceRef{ID: inst.id, Name: inst.name, Description: inst.description})
	}
	return out
}

// Instance describes one instance.
func (m *Manager) Instance(id string) (InstanceView, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inst := m.instances[id]
	if inst == nil {
		return InstanceView{}, false
	}
	v := InstanceView{
		Name:                inst.name,
		InstanceType:        string(inst.typ),
		ExternalInstanceID:  inst.id,
		Description:         inst.description,
		RouteTargets:        RTsView{Import: rtStrings(inst.importRTs), Export: rtStrings(inst.exportRTs)},
		RouteDistinguisher:  inst.rd.String(),
		SubnetPrefixLength:  inst.subnetLen,
		InstanceDataplaneID: inst.dataplaneID(),
		VNI:                 inst.vni,
		AttractTraffic:      map[string]any{},
		PluggedEVIs:         inst.evis,
		AdvertiseEVPNType5:  inst.evpnType5,
		VPNRoutesOff:        inst.noVPNRoutes,
		Internals:           map[string]any{"event queue length": 0, "subscriptions": rtStrings(inst.subscriptions())},
		Counts:              map[string]int{"advertised": len(inst.advertised), "tracked_entries": len(inst.entries), "refused": len(inst.refused)},
	}
	// gateway_ip (bagpipe's, one value): the IPv4 gateway, else the IPv6
	// one; gateway_ipv6: the IPv6 one.
	if inst.gateway6.IsValid() {
		v.GatewayIP, v.GatewayIPv6 = inst.gateway6.String(), inst.gateway6.String()
	}
	if inst.gateway4.IsValid() {
		v.GatewayIP = inst.gateway4.String()
	}
	if rv := inst.readvertise; rv != nil {
		v.Readvertise = &ReadvertiseView{FromRT: rtStrings(rv.FromRTs), ToRT: rtStrings(rv.ToRTs)}
	}
	return v, true
}

// Ports lists an instance's ports and endpoints.
func (m *Manager) Ports(id string) (map[string]PortView, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inst := m.instances[id]
	if inst == nil {
		return nil, false
	}
	out := map[string]PortView{}
	for _, ep := range inst.sortedEndpoints() {
		pv := out[ep.linuxif]
		ev := EndpointView{Label: ep.label, MACAddress: ep.mac.String(), LocalPref: ep.localPref, Description: ep.description, Direction: string(ep.direction), RD: inst.rd.String()}
		if ep.ip.IsValid() {
			ev.IPAddress = ep.ip.String()
		}
		if ep.rdAllocated {
			ev.RD = ep.rd.String()
		}
		pv.Endpoints = append(pv.Endpoints, ev)
		if ep.rawPort != nil {
			pv.LocalPort = ep.rawPort
		}
		out[ep.linuxif] = pv
	}
	return out, true
}

// RouteSet names the route lists of an instance.
type RouteSet string

// The route lists of the looking glass.
const (
	ReceivedRoutes RouteSet = "received_routes"
	BestRoutes     RouteSet = "best_routes"
	AdvRoutes      RouteSet = "adv_routes"
	RefusedRoutes  RouteSet = "refused_routes"
	Readvertised   RouteSet = "readvertised"
)

// Routes returns one route list of an instance, by tracked entry (or by
// NLRI for advertised and refused routes).
func (m *Manager) Routes(id string, set RouteSet) (map[string][]RouteView, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	inst := m.instances[id]
	if inst == nil {
		return nil, false
	}
	out := map[string][]RouteView{}
	local := "local"
	switch set {
	case ReceivedRoutes, BestRoutes:
		for te, e := range inst.entries {
			rs := e.routes
			if set == BestRoutes {
				rs = e.best
			}
			for _, st := range rs {
				r := st.route()
				out[te.String()] = append(out[te.String()], routeView(&r, local))
			}
		}
	case AdvRoutes, Readvertised:
		for _, r := range inst.advertised {
			if set == Readvertised && len(r.RTRecords) == 0 {
				continue
			}
			te := trackedEntry(&r).String()
			out[te] = append(out[te], routeView(&r, inst.name))
		}
	case RefusedRoutes:
		for _, rf := range inst.refused {
			r := rf.route.route()
			v := routeView(&r, local)
			v.Reason = rf.reason
			te := trackedEntry(&r).String()
			out[te] = append(out[te], v)
		}
	default:
		return nil, false
	}
	return out, true
}

// InstanceDataplane is the desired dataplane state of one instance.
func (m *Manager) InstanceDataplane(id string) (any, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.instances[id] == nil {
		return nil, false
	}
	ipvpn, evpn := m.desiredState()
	for _, v := range ipvpn.VRFs {
		if v.ID == id {
			return v, true
		}
	}
	for _, v := range evpn.EVIs {
		if v.ID == id {
			return v, true
		}
	}
	return nil, false
}

// Counts are the route counts of the summary.
type Counts struct {
	LocalRoutes    int `json:"local_routes_count"`
	ReceivedRoutes int `json:"received_routes_count"`
	Instances      int `json:"-"`
}

// Counts counts our advertised routes, the routes imported into
// instances (the received ones; with RT constraint the speaker receives
// little else) and the instances.
func (m *Manager) Counts() Counts {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := Counts{Instances: len(m.instances)}
	for _, inst := range m.instances {
		c.LocalRoutes += len(inst.advertised)
	}
	c.ReceivedRoutes = len(m.imported)
	return c
}

// Labels lists the allocated labels and what holds them.
func (m *Manager) Labels() map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]string{}
	for l, d := range m.labels.used {
		out[strconv.FormatUint(uint64(l), 10)] = d
	}
	return out
}

// InstancesPerVNI lists the instances created with a VNI.
func (m *Manager) InstancesPerVNI() map[string]map[string]string {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := map[string]map[string]string{}
	for vni, inst := range m.byVNI {
		out[strconv.FormatUint(uint64(vni), 10)] = map[string]string{"name": inst.name, "external_instance_id": inst.id}
	}
	return out
}

// Drivers describes the dataplane drivers.
func (m *Manager) Drivers() map[string]any {
	d := func(typ VPNType, drv dataplane.Driver) map[string]any {
		info := drv.Info()
		var encaps []string
		for _, e := range info.EncapsFor(string(typ)) {
			encaps = append(encaps, speaker.Encap(e).String())
		}
		v := map[string]any{"name": info.Name, "local_address": m.cfg.NextHop.String(), "supported_encaps": encaps, "ecmp": info.ECMP}
		if len(info.RouterMAC) > 0 {
			v["router_mac"] = info.RouterMAC.String()
		}
		if len(info.Details) > 0 {
			v["details"] = info.Details
		}
		return v
	}
	return map[string]any{"ipvpn": d(IPVPN, m.cfg.IPVPNDriver), "evpn": d(EVPN, m.cfg.EVPNDriver)}
}

// StartTime is when the manager was created.
func (m *Manager) StartTime() time.Time { return m.start }

// DataplaneError is the last error from a driver, if any.
func (m *Manager) DataplaneError() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.applyErr
}

// InstanceStats are an instance's counters, for metrics.
type InstanceStats struct {
	ID, Type                                   string
	Advertised, Received, BestEntries, Refused int
}

// Stats returns every instance's counters in one pass under the lock.
func (m *Manager) Stats() []InstanceStats {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]InstanceStats, 0, len(m.instances))
	for _, inst := range m.sortedInstances() {
		st := InstanceStats{ID: inst.id, Type: string(inst.typ), Advertised: len(inst.advertised), BestEntries: len(inst.entries), Refused: len(inst.refused)}
		for _, e := range inst.entries {
			st.Received += len(e.routes)
		}
		out = append(out, st)
	}
	return out
}
