package agent

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// updateChunk is how many route updates are processed under one hold of
// m.mu: a table dump arrives in batches of thousands, and an attach must
// not wait for a whole batch.
const updateChunk = 256

// onUpdates takes the speaker's best path changes and updates the
// instances importing them.
func (m *Manager) onUpdates(ups []speaker.Update) {
	for len(ups) > 0 {
		n := min(len(ups), updateChunk)
		m.applyUpdates(ups[:n])
		ups = ups[n:]
	}
}

func (m *Manager) applyUpdates(ups []speaker.Update) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.churn += uint64(len(ups))
	touched := map[*instance]bool{}
	for i := range ups {
		u := &ups[i]
		if u.Route.Family == speaker.RTC {
			continue
		}
		key := u.Route.Key()
		h := nlriHash(key)
		holders, held := m.imported[h]
		for _, inst := range holders {
			if m.forget(inst, key, &u.Route) {
				touched[inst] = true
			}
		}
		delete(m.imported, h)
		if u.Withdraw {
			// Go maps keep their size: once a table is withdrawn, give
			// its index back.
			if held && len(m.imported) == 0 {
				m.imported = map[uint64][]*instance{}
			}
			continue
		}
		var st *stored
		for inst := range m.importers(&u.Route) {
			if st == nil {
				st = m.storeRoute(&u.Route)
			}
			if m.importInto(inst, key, &u.Route, st) {
				touched[inst] = true
			}
		}
	}
	if len(touched) == 0 {
		return
	}
	for inst := range touched {
		if inst.readvertise != nil {
			if err := m.syncAdvertised(inst); err != nil {
				m.log.Error("readvertising", "vpn_id", inst.id, "error", err)
			}
		}
	}
	m.markDirty()
}

// importers are the instances with an import RT of r. For the usual
// single-RT route it is the import index's own set, not a copy: callers
// only read it, under m.mu.
func (m *Manager) importers(r *speaker.Route) map[*instance]struct{} {
	if len(r.RTs) == 1 {
		return m.importIdx[r.RTs[0]]
	}
	var out map[*instance]struct{}
	for _, rt := range r.RTs {
		for inst := range m.importIdx[rt] {
			if out == nil {
				out = map[*instance]struct{}{}
			}
			out[inst] = struct{}{}
		}
	}
	return out
}

// reimport rebuilds an instance's received routes from the speaker's
// table, after its import RTs changed. Events still queued replay on top
// harmlessly: an NLRI is forgotten before it is imported again.
func (m *Manager) reimport(inst *instance) {
	for _, e := range inst.entries {
		for _, r := range e.routes {
			rr := r.route()
			m.unlink(nlriHash(rr.Key()), inst)
		}
	}
	for key := range inst.refused {
		m.unlink(nlriHash(key), inst)
	}
	inst.entries = map[teKey]entry{}
	inst.refused = map[string]refusal{}
	subs := inst.subscriptions()
	if len(subs) == 0 {
		return
	}
	for _, f := range []speaker.Family{speaker.VPNv4, speaker.VPNv6, speaker.EVPN} {
		err := m.bgp.Best(f, func(r *speaker.Route) {
			if hasAny(r.RTs, subs) {
				m.importInto(inst, r.Key(), r, m.storeRoute(r))
			}
		})
		if err != nil {
			m.log.Error("listing routes to import", "vpn_id", inst.id, "error", err)
		}
	}
}

// unlink drops inst from the holders of an NLRI.
func (m *Manager) unlink(h uint64, inst *instance) {
	l := m.imported[h]
	if i := slices.Index(l, inst); i >= 0 {
		l = slices.Delete(l, i, i+1)
	}
	if len(l) == 0 {
		delete(m.imported, h)
	} else {
		m.imported[h] = l
	}
}

// trackedEntry is what best path selection groups routes by.
func trackedEntry(r *speaker.Route) teKey {
	if r.Family == speaker.EVPN {
		switch r.EVPNType {
		case speaker.EVPNMACIP:
			return teKey{evpn: fmt.Sprintf("('MAC', '%s')", r.MAC)}
		case speaker.EVPNMulticast:
			return teKey{evpn: fmt.Sprintf("('Multicast', ('%s', 'rd %s'))", r.IP, r.RD)}
		}
	}
	return teKey{prefix: r.Prefix}
}

// importInto offers a route (r, kept as st) to an instance; it reports
// whether the instance's best routes may have changed.
func (m *Manager) importInto(inst *instance, key string, r *speaker.Route, st *stored) bool {
	if _, own := inst.advertised[key]; own && !r.Peer.IsValid() {
		return false
	}
	h := nlriHash(key)
	if !slices.Contains(m.imported[h], inst) {
		m.imported[h] = append(m.imported[h], inst)
	}
	if reason := m.refuse(inst, r); reason != "" {
		inst.refused[key] = refusal{route: st, reason: reason}
		m.log.Debug("route refused", "vpn_id", inst.id, "route", r.String(), "reason", reason)
		return false
	}
	delete(inst.refused, key)
	te := trackedEntry(r)
	e := inst.entries[te]
	// The caller forgot any previous path of this NLRI first.
	e.routes = append(e.routes, st)
	inst.entries[te] = m.selectBest(inst, e)
	return true
}

// forget removes the route with r's NLRI (stored under key) from an
// instance.
func (m *Manager) forget(inst *instance, key string, r *speaker.Route) bool {
	if _, ok := inst.refused[key]; ok {
		delete(inst.refused, key)
		return false
	}
	te := trackedEntry(r)
	e, ok := inst.entries[te]
	if !ok {
		return false
	}
	i := slices.IndexFunc(e.routes, func(x *stored) bool { return x.sameNLRI(r) })
	if i < 0 {
		return false
	}
	e.routes = slices.Delete(slices.Clone(e.routes), i, i+1)
	if len(e.routes) == 0 {
		delete(inst.entries, te)
		if len(inst.entries) == 0 {
			inst.entries = map[teKey]entry{} // as m.imported
		}
	} else {
		inst.entries[te] = m.selectBest(inst, e)
	}
	return true
}

// refuse says why a route cannot be used by the instance ("" when it can).
func (m *Manager) refuse(inst *instance, r *speaker.Route) string {
	if r.Peer.IsValid() && r.OriginatorID == m.cfg.LocalAddress {
		return "originated by this agent and reflected back"
	}
	if reason := ownAggregate(inst, r); reason != "" {
		return reason
	}
	switch inst.typ {
	case IPVPN:
		switch {
		case r.Family == speaker.VPNv4 || r.Family == speaker.VPNv6:
		case r.Family == speaker.EVPN && r.EVPNType == speaker.EVPNIPPrefix:
			if reason := refuseType5(r); reason != "" {
				return reason
			}
		default:
			return fmt.Sprintf("a %s route cannot be imported into an IP VPN", routeKind(r))
		}
	case EVPN:
		if r.Family != speaker.EVPN {
			return fmt.Sprintf("a %s route cannot be imported into an EVPN instance", routeKind(r))
		}
		if r.EVPNType != speaker.EVPNMACIP && r.EVPNType != speaker.EVPNMulticast {
			return fmt.Sprintf("EVPN route type %d is not supported in an EVPN instance", r.EVPNType)
		}
	}
	if _, ok := m.encapFor(inst.typ, r.Family, r.Encaps); !ok {
		return fmt.Sprintf("no encapsulation of the route (%v) is supported by the %s dataplane", r.Encaps, m.driver(inst.typ).Info().Name)
	}
	if m.cfg.StrictVNI {
		if reason := m.vniMismatch(r); reason != "" {
			return reason
		}
	}
	return ""
}

func routeKind(r *speaker.Route) string {
	if r.Family == speaker.EVPN {
		return fmt.Sprintf("EVPN type %d", r.EVPNType)
	}
	return r.Family.String()
}

// vniOf is the VNI a route carries, when it is a VXLAN route.
func vniOf(r *speaker.Route) (uint32, bool) {
	if r.Family == speaker.EVPN {
		if r.EVPNType == speaker.EVPNMulticast && r.PMSI != nil {
			return r.PMSI.Label, true
		}
		return r.Label, true
	}
	if slices.Contains(r.Encaps, speaker.EncapVXLAN) {
		return r.Label, true
	}
	return 0, false
}

// vniMismatch is the strict check of networking-bgpvpn's documentation:
// the VRFs whose import RTs the route matches, and which have a VNI, must
// all have the route's VNI.
func (m *Manager) vniMismatch(r *speaker.Route) string {
	vni, ok := vniOf(r)
	if !ok {
		return ""
	}
	for inst := range m.importers(r) {
		if inst.vni != 0 && inst.vni != vni {
			return fmt.Sprintf("strict VNI check: route VNI %d differs from VNI %d of instance %s", vni, inst.vni, inst.id)
		}
	}
	return ""
}

// encapFor picks the encapsulation the dataplane will use for a route,
// among those the driver offers to instances of type t (one driver may
// serve both types, and forward them differently).
// A route without an Encapsulation community is MPLS for a VPN route
// (RFC 4364's default) and VXLAN for EVPN (what bagpipe and FRR send).
func (m *Manager) encapFor(t VPNType, fam speaker.Family, encaps []speaker.Encap) (uint16, bool) {
	info := m.driver(t).Info()
	if len(encaps) == 0 {
		def := uint16(speaker.EncapMPLS)
		if fam == speaker.EVPN {
			def = uint16(speaker.EncapVXLAN)
		}
		return def, info.SupportsFor(string(t), def) || t == IPVPN && fam != speaker.EVPN
	}
	for _, e := range encaps {
		if info.SupportsFor(string(t), uint16(e)) {
			return uint16(e), true
		}
	}
	return 0, false
}

// selectBest picks an entry's best routes: highest LOCAL_PREF, then all of
// them with ECMP, else one chosen by a hash salted with our address and the
// instance, so that PEs spread over equal paths but each one is stable.
// e.best is rebuilt, never changed in place: it may share e.routes.
func (m *Manager) selectBest(inst *instance, e entry) entry {
	var top uint32
	all := true
	for i, r := range e.routes {
		lp := localPref(r)
		if i > 0 && lp != top {
			all = false
		}
		if lp > top {
			top = lp
		}
	}
	if all {
		e.best = e.routes
	} else {
		e.best = nil
		for _, r := range e.routes {
			if localPref(r) == top {
				e.best = append(e.best, r)
			}
		}
	}
	if len(e.best) > 1 && !m.driver(inst.typ).Info().ECMP {
		salt := m.cfg.LocalAddress.String() + inst.id
		pick := e.best[0]
		ph := tieHash(salt, pick)
		for _, r := range e.best[1:] {
			if h := tieHash(salt, r); h < ph {
				pick, ph = r, h
			}
		}
		e.best = []*stored{pick}
	}
	return e
}

func localPref(r *stored) uint32 {
	if r.localPref == 0 {
		return 100
	}
	return r.localPref
}

func tieHash(salt string, r *stored) uint64 {
	h := fnv.New64a()
	h.Write([]byte(salt))
	h.Write([]byte(r.rd.String()))
	b, _ := r.prefix.MarshalBinary()
	h.Write(b)
	nh := r.nextHop.As16()
	h.Write(nh[:])
	var l [4]byte
	binary.BigEndian.PutUint32(l[:], r.label)
	h.Write(l[:])
	return h.Sum64()
}
