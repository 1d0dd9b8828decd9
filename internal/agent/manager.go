package agent

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// Label range of MPLS (16 … 2^20-1) and RD numbers of <local address>:<n>.
const (
	minLabel = 16
	maxLabel = 1<<20 - 1
	maxRDNum = 65535
)

// BGP is what the manager needs of the speaker.
type BGP interface {
	Advertise(routes ...speaker.Route) error
	Withdraw(routes ...speaker.Route) error
	WatchBest(ctx context.Context, fn func([]speaker.Update)) error
	// Best calls fn with the best path of every NLRI of a family, ours
	// included.
	Best(f speaker.Family, fn func(*speaker.Route)) error
}

// Config is the manager's configuration.
type Config struct {
	ASN uint32
	// LocalAddress is the BGP local address: router ID, RD administrator,
	// EVPN originating router.
	LocalAddress netip.Addr
	// NextHop is advertised in our routes and is the tunnel endpoint
	// (bagpipe's dataplane_local_address); it defaults to LocalAddress.
	NextHop netip.Addr
	// EnableRTC originates RT constraint routes for the import RTs.
	EnableRTC bool
	// RouterMAC is the Router's MAC extended community of our EVPN type 5
	// routes; nil: the IP VPN driver's Info().RouterMAC, else 02:b6 and
	// the four bytes of NextHop (routerMAC in type5.go).
	RouterMAC net.HardwareAddr
	// EVPNType5 turns EVPN type 5 routes on for new IP VPN instances; an
	// attach's advertise_evpn_type5 field overrides it.
	EVPNType5 bool
	// StrictVNI applies the documented VNI check to received routes.
	StrictVNI bool
	// Drivers for each VPN type; nil means a dummy one.
	IPVPNDriver dataplane.Driver
	EVPNDriver  dataplane.Driver
	Logger      *slog.Logger
}

// Manager owns the VPN instances of one agent.
type Manager struct {
	cfg   Config
	log   *slog.Logger
	bgp   BGP
	start time.Time
	dirty chan struct{}

	mu        sync.Mutex
	instances map[string]*instance
	byVNI     map[uint32]*instance
	number    int
	labels    *allocator
	rds       *allocator
	importIdx map[speaker.RT]map[*instance]struct{}
	rtcRefs   map[speaker.RT]int
	// imported says which instances hold (or refused) each NLRI; routes
	// no instance imports are not kept here at all (GoBGP has them, and
	// an instance created later lists them from it).
	imported map[uint64][]*instance // by nlriHash
	applyErr error
	churn    uint64 // route updates processed, for memory trimming
	rtSets   map[speaker.RT][]speaker.RT
	attrSets map[attrKey]*storedAttrs // shared attributes of stored routes
	pending  []bgpOp                  // for the speaker (advertiser.go)
	flush    chan struct{}
}

// New returns a manager; Run starts it.
func New(cfg Config, bgp BGP) (*Manager, error) {
	if !cfg.LocalAddress.Is4() {
		return nil, fmt.Errorf("local address %s is not an IPv4 address", cfg.LocalAddress)
	}
	if !cfg.NextHop.IsValid() {
		cfg.NextHop = cfg.LocalAddress
	}
	if cfg.IPVPNDriver == nil || cfg.EVPNDriver == nil {
		return nil, fmt.Errorf("a dataplane driver is missing")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Manager{
		cfg:       cfg,
		log:       log.With("component", "vpn_manager"),
		bgp:       bgp,
		start:     time.Now(),
		dirty:     make(chan struct{}, 1),
		flush:     make(chan struct{}, 1),
		instances: map[string]*instance{},
		byVNI:     map[uint32]*instance{},
		labels:    newAllocator(minLabel, maxLabel),
		rds:       newAllocator(0, maxRDNum),
		importIdx: map[speaker.RT]map[*instance]struct{}{},
		rtcRefs:   map[speaker.RT]int{},
		imported:  map[uint64][]*instance{},
		rtSets:    map[speaker.RT][]speaker.RT{},
		attrSets:  map[attrKey]*storedAttrs{},
	}, nil
}

// Run watches BGP and keeps the dataplane in line until ctx ends.
func (m *Manager) Run(ctx context.Context) error {
	if err := m.bgp.WatchBest(ctx, m.onUpdates); err != nil {
		return err
	}
	advertised := make(chan struct{})
	go func() { defer close(advertised); m.advertise(ctx) }()
	defer func() { <-advertised }()
	m.markDirty()
	const debounce = 20 * time.Millisecond
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-m.dirty:
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(debounce):
		}
		if err := m.applyDataplane(ctx); err != nil {
			m.log.Error("applying dataplane state", "error", err)
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			m.markDirty()
		}
	}
}

// Churn counts the route updates processed since start.
func (m *Manager) Churn() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.churn
}

func (m *Manager) markDirty() {
	select {
	case m.dirty <- struct{}{}:
	default:
	}
}

func (m *Manager) driver(t VPNType) dataplane.Driver {
	if t == EVPN {
		return m.cfg.EVPNDriver
	}
	return m.cfg.IPVPNDriver
}

// Attach plugs an endpoint into a VPN instance, creating the instance if
// needed, and sets the instance's route targets to those of the request.
// Re-attaching the same endpoint is a refresh. Nothing changes when it
// fails.
func (m *Manager) Attach(ctx context.Context, a Attachment) error {
	if err := a.validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()

	inst := m.instances[a.VPNInstanceID]
	// Every check before any change (bagpipe changed RTs, and created
	// instances, before refusing).
	if inst != nil && inst.typ != a.VPNType {
		return inputErr("vpn_type", "VPN instance %s is of type %s, not %s", a.VPNInstanceID, inst.typ, a.VPNType)
	}
	if inst == nil && a.VNI != 0 {
		if other := m.byVNI[a.VNI]; other != nil {
			return inputErr("vni", "A VPN instance using vni %d already exists.", a.VNI)
		}
	}
	if inst == nil && a.RD != nil {
		for _, other := range m.instances {
			if other.rd == *a.RD {
				return inputErr("rd", "route distinguisher %s is already used by VPN instance %s", a.RD, other.id)
			}
		}
	}
	if inst != nil {
		if err := inst.checkEndpoint(a); err != nil {
			return err
		}
	}
	if a.LocalPort.EVPNID != "" {
		if a.VPNType != IPVPN {
			return inputErr("local_port", "an EVI can only be plugged into an ipvpn instance")
		}
		evi := m.instances[a.LocalPort.EVPNID]
		if evi == nil || evi.typ != EVPN {
			return inputErr("local_port", "evpn instance %s could not be found", a.LocalPort.EVPNID)
		}
	}

	// Allocate what may run out before changing anything.
	created := inst == nil
	if created {
		var err error
		if inst, err = m.newInstance(a); err != nil {
			return err
		}
	}
	ep, err := inst.prepareEndpoint(m, a)
	if err != nil {
		if created {
			m.releaseInstance(inst)
		}
		return err
	}
	if created {
		m.instances[inst.id] = inst
		if inst.vni != 0 {
			m.byVNI[inst.vni] = inst
		}
		m.log.Info("VPN instance created", "vpn_id", inst.id, "vrf", inst.name, "rd", inst.rd)
	}

	// Only this endpoint's route changes unless something instance-wide
	// does: then every route is recomputed (and re-advertised in place).
	full := created || !sameSet(inst.exportRTs, a.ExportRTs) || !sameSet(inst.importRTs, a.ImportRTs) ||
		a.Readvertise != nil || a.LocalPort.EVPNID != "" ||
		(a.EVPNType5 != nil && *a.EVPNType5 != inst.evpnType5) ||
		(a.VPNRoutes != nil && *a.VPNRoutes == inst.noVPNRoutes) ||
		len(a.AggregateRTs) > 0 || len(inst.aggregateRTs) > 0
	old := inst.endpoints[epKey{a.MAC.String(), a.IP.Addr()}]
	inst.addEndpoint(ep)
	inst.setGateway(a.GatewayIP)
	if a.IP.IsValid() {
		inst.subnetLen = a.IP.Bits()
	}
	if a.InstanceDescription != "" {
		inst.description = a.InstanceDescription
	}
	if a.LinuxBridge != "" {
		inst.linuxbr = a.LinuxBridge
	}
	if a.LocalPort.EVPNID != "" && !slices.Contains(inst.evis, a.LocalPort.EVPNID) {
		inst.evis = append(inst.evis, a.LocalPort.EVPNID)
	}
	if a.Readvertise != nil {
		inst.readvertise = a.Readvertise
	}
	if a.Fallback != nil {
		inst.fallback = a.Fallback
	}
	if a.EVPNType5 != nil {
		inst.evpnType5 = *a.EVPNType5
	}
	if a.VPNRoutes != nil {
		inst.noVPNRoutes = !*a.VPNRoutes
	}
	inst.aggregateRTs = a.AggregateRTs
	m.setRTs(inst, a.ImportRTs, a.ExportRTs)
	if full {
		err = m.syncAdvertised(inst)
	} else {
		err = m.syncEndpoint(inst, old, ep)
	}
	m.markDirty()
	return err
}

// syncEndpoint advertises what changed for one endpoint (old is its
// previous version, or nil).
func (m *Manager) syncEndpoint(inst *instance, old, ep *endpoint) error {
	var adv, wd []speaker.Route
	keys := map[string]bool{}
	for _, r := range m.endpointRoutes(inst, ep) {
		keys[r.Key()] = true
		if cur, had := inst.advertised[r.Key()]; !had || !sameRoute(&cur, &r) {
			adv = append(adv, r)
		}
	}
	if old != nil {
		for _, or := range m.endpointRoutes(inst, old) {
			if keys[or.Key()] {
				continue
			}
			if cur, ok := inst.advertised[or.Key()]; ok {
				wd = append(wd, cur)
			}
		}
	}
	m.send(adv, wd)
	for _, r := range adv {
		inst.advertised[r.Key()] = r
	}
	for _, r := range wd {
		delete(inst.advertised, r.Key())
	}
	return nil
}

// sameSet compares RT lists regardless of order.
func sameSet(a, b []speaker.RT) bool {
	if len(a) != len(b) {
		return false
	}
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// Detach unplugs an endpoint; the last one stops the instance.
func (m *Manager) Detach(ctx context.Context, d Detachment) error {
	if err := d.validate(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	inst := m.instances[d.VPNInstanceID]
	if inst == nil {
		return fmt.Errorf("%w: %w", ErrNotFound, inputErr("vpn_instance_id", "VPN %s could not be found", d.VPNInstanceID))
	}
	if inst.typ != d.VPNType {
		return inputErr("vpn_type", "VPN instance %s is of type %s, not %s", d.VPNInstanceID, inst.typ, d.VPNType)
	}
	removed := inst.removeEndpoints(m, d)
	if len(removed) == 0 {
		return fmt.Errorf("%w: %w", ErrNotFound, inputErr("mac_address", "no endpoint %s %s on port %s in VPN %s", d.MAC, addrOrAll(d.IP), d.LocalPort.LinuxIf, d.VPNInstanceID))
	}
	var evis []string // what is left plugged through EVIs
	for _, ep := range inst.sortedEndpoints() {
		if ep.evi != "" && !slices.Contains(evis, ep.evi) {
			evis = append(evis, ep.evi)
		}
	}
	inst.evis = evis
	var err error
	if len(inst.endpoints) == 0 {
		err = m.stopInstance(inst)
	} else if inst.readvertise != nil || len(inst.aggregateRTs) > 0 {
		// Readvertised routes carry the label of the first endpoint,
		// which may be the one that went; an aggregate goes with the
		// last endpoint of its subnet.
		err = m.syncAdvertised(inst)
	} else {
		var wd []speaker.Route
		for _, ep := range removed {
			for _, r := range m.endpointRoutes(inst, ep) {
				if cur, had := inst.advertised[r.Key()]; had {
					wd = append(wd, cur)
					delete(inst.advertised, r.Key())
				}
			}
		}
		m.send(nil, wd)
	}
	m.markDirty()
	return err
}

func addrOrAll(p netip.Prefix) string {
	if !p.IsValid() {
		return "(any IP)"
	}
	return p.String()
}

func (m *Manager) newInstance(a Attachment) (*instance, error) {
	m.number++
	inst := &instance{
		id:          a.VPNInstanceID,
		typ:         a.VPNType,
		number:      m.number,
		vni:         a.VNI,
		endpoints:   map[epKey]*endpoint{},
		macLabels:   map[string]uint32{},
		advertised:  map[string]speaker.Route{},
		entries:     map[teKey]entry{},
		refused:     map[string]refusal{},
		description: a.InstanceDescription,
	}
	if a.VPNType == EVPN {
		inst.name = fmt.Sprintf("EVI-%d", inst.number)
	} else {
		inst.name = fmt.Sprintf("VRF-%d", inst.number)
		inst.evpnType5 = m.cfg.EVPNType5
	}
	label, err := m.labels.get(inst.name)
	if err != nil {
		return nil, fmt.Errorf("allocating a label for %s: %w", inst.id, err)
	}
	inst.label = label
	if a.RD != nil {
		inst.rd = *a.RD
	} else {
		n, err := m.rds.get(inst.name)
		if err != nil {
			m.labels.release(label)
			return nil, fmt.Errorf("allocating an RD for %s: %w", inst.id, err)
		}
		inst.rd = speaker.RD{Kind: rtrd.IPv4Address, IP: m.cfg.LocalAddress, Number: n}
		inst.rdAllocated = true
	}
	return inst, nil
}

// releaseInstance gives back what newInstance allocated.
func (m *Manager) releaseInstance(inst *instance) {
	m.labels.release(inst.label)
	if inst.rdAllocated {
		m.rds.release(inst.rd.Number)
	}
}

func (m *Manager) stopInstance(inst *instance) error {
	inst.readvertise = nil
	m.setRTs(inst, nil, nil)
	err := m.syncAdvertised(inst)
	delete(m.instances, inst.id)
	if inst.vni != 0 && m.byVNI[inst.vni] == inst {
		delete(m.byVNI, inst.vni)
	}
	m.releaseInstance(inst)
	m.log.Info("VPN instance stopped", "vpn_id", inst.id, "vrf", inst.name)
	return err
}

// setRTs replaces the instance's route targets, keeps the import index and
// RT constraint memberships in line, and re-imports when imports changed.
func (m *Manager) setRTs(inst *instance, imports, exports []speaker.RT) {
	inst.exportRTs = exports
	inst.importRTs = imports
	// Diff against what was applied, not against inst's fields: the
	// readvertise from_rts may have changed already.
	oldSubs := inst.subs
	newSubs := inst.subscriptions()
	if slices.Equal(oldSubs, newSubs) {
		return
	}
	inst.subs = newSubs
	var rtcAdd, rtcDel []speaker.Route
	for _, rt := range oldSubs {
		if slices.Contains(newSubs, rt) {
			continue
		}
		delete(m.importIdx[rt], inst)
		if len(m.importIdx[rt]) == 0 {
			delete(m.importIdx, rt)
		}
		m.rtcRefs[rt]--
		if m.rtcRefs[rt] == 0 {
			delete(m.rtcRefs, rt)
			rtcDel = append(rtcDel, m.rtcRoute(rt))
		}
	}
	for _, rt := range newSubs {
		if slices.Contains(oldSubs, rt) {
			continue
		}
		if m.importIdx[rt] == nil {
			m.importIdx[rt] = map[*instance]struct{}{}
		}
		m.importIdx[rt][inst] = struct{}{}
		m.rtcRefs[rt]++
		if m.rtcRefs[rt] == 1 {
			rtcAdd = append(rtcAdd, m.rtcRoute(rt))
		}
	}
	if m.cfg.EnableRTC {
		m.send(rtcAdd, rtcDel)
	}
	m.reimport(inst)
}

func (m *Manager) rtcRoute(rt speaker.RT) speaker.Route {
	return speaker.Route{Family: speaker.RTC, OriginASN: m.cfg.ASN, MembershipRT: rt, NextHop: m.cfg.LocalAddress, LocalPref: 100}
}

// syncAdvertised makes what BGP carries for inst match what it should
// export. Changed routes are re-advertised in place: an export RT change
// never becomes a withdrawal.
func (m *Manager) syncAdvertised(inst *instance) error {
	want := m.exports(inst)
	var adv, wd []speaker.Route
	for k, r := range want {
		if old, ok := inst.advertised[k]; !ok || !sameRoute(&old, &r) {
			adv = append(adv, r)
		}
	}
	for k, r := range inst.advertised {
		if _, ok := want[k]; !ok {
			wd = append(wd, r)
		}
	}
	if len(adv)+len(wd) == 0 {
		return nil
	}
	m.send(adv, wd)
	inst.advertised = want
	return nil
}

func (m *Manager) applyDataplane(ctx context.Context) error {
	if m.cfg.IPVPNDriver.Info().NoState && m.cfg.EVPNDriver.Info().NoState {
		return nil
	}
	m.mu.Lock()
	ipvpn, evpn := m.desiredState()
	m.mu.Unlock()
	var errs []error
	if m.cfg.IPVPNDriver == m.cfg.EVPNDriver {
		errs = append(errs, m.cfg.IPVPNDriver.Apply(ctx, dataplane.State{VRFs: ipvpn.VRFs, EVIs: evpn.EVIs}))
	} else {
		errs = append(errs, m.cfg.IPVPNDriver.Apply(ctx, ipvpn), m.cfg.EVPNDriver.Apply(ctx, evpn))
	}
	for _, err := range errs {
		if err != nil {
			m.mu.Lock()
			m.applyErr = err
			m.mu.Unlock()
			return err
		}
	}
	m.mu.Lock()
	m.applyErr = nil
	m.mu.Unlock()
	return nil
}
