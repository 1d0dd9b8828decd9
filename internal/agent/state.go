package agent

import (
	"slices"
	"sort"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// desiredState is what the dataplane drivers should program. Called with
// m.mu held.
func (m *Manager) desiredState() (ipvpn, evpn dataplane.State) {
	for _, inst := range m.sortedInstances() {
		ports := inst.dataplanePorts()
		switch inst.typ {
		case IPVPN:
			v := dataplane.VRF{ID: inst.id, Number: inst.number, VNI: inst.dataplaneID(), GatewayIP: inst.gateway4, GatewayIPv6: inst.gateway6, Ports: ports, Fallback: inst.fallback}
			var viaPorts []*instance // VRFs of ours whose subnet aggregates v imports
			for _, te := range sortedTEs(inst.entries) {
				e := inst.entries[te]
				rt := dataplane.IPRoute{}
				for _, r := range e.best {
					if !r.prefix.IsValid() {
						continue
					}
					encap, _ := m.encapFor(IPVPN, r.family, r.encaps)
					// Another VRF of ours exports the prefix: its port; for
					// its subnet aggregate, its ports in the subnet (below).
					if !r.peer.IsValid() {
						if x := m.localAggregate(r.prefix, r.label); x != nil {
							viaPorts = append(viaPorts, x)
							continue
						}
					}
					rt.Prefix = r.prefix
					nh := dataplane.NextHop{Address: r.nextHop, Label: r.label, Encap: encap, Local: !r.peer.IsValid()}
					if r.ext != nil && r.ext.routerMAC != "" {
						nh.RouterMAC = dataplane.MAC(r.ext.routerMAC)
					}
					rt.NextHops = append(rt.NextHops, nh)
				}
				if rt.Prefix.IsValid() {
					v.Routes = append(v.Routes, rt)
				}
			}
			v.Routes = m.aggregatedPorts(v.Routes, viaPorts)
			ipvpn.VRFs = append(ipvpn.VRFs, v)
		case EVPN:
			v := dataplane.EVI{ID: inst.id, Number: inst.number, VNI: inst.dataplaneID(), Bridge: inst.linuxbr, Ports: ports}
			for _, te := range sortedTEs(inst.entries) {
				for _, st := range inst.entries[te].best {
					r := st.route()
					if !r.Peer.IsValid() && r.NextHop == m.cfg.NextHop {
						continue // another EVI of ours: no tunnel to ourselves
					}
					switch r.EVPNType {
					case speaker.EVPNMACIP:
						v.MACs = append(v.MACs, dataplane.FDBEntry{MAC: dataplane.MAC(r.MAC), IP: r.IP, VTEP: r.NextHop, VNI: r.Label})
					case speaker.EVPNMulticast:
						fe := dataplane.FloodEntry{VTEP: r.NextHop, VNI: r.Label}
						if r.PMSI != nil {
							fe = dataplane.FloodEntry{VTEP: r.PMSI.Endpoint, VNI: r.PMSI.Label}
						}
						v.Flood = append(v.Flood, fe)
					}
				}
			}
			evpn.EVIs = append(evpn.EVIs, v)
		}
	}
	return ipvpn, evpn
}

// dataplanePorts groups the endpoints by interface; the endpoints plugged
// through one EVI (several ports in its bridge, each with its own MAC and
// label) by interface and MAC.
func (inst *instance) dataplanePorts() []dataplane.Port {
	byIf := map[string]*dataplane.Port{}
	var order []string
	for _, ep := range inst.sortedEndpoints() {
		k := ep.linuxif
		if ep.evi != "" || ep.ovs != nil {
			// Several VMs behind one interface: a port each.
			k += " " + ep.mac.String()
		}
		p := byIf[k]
		if p == nil {
			p = &dataplane.Port{LinuxIf: ep.linuxif, EVI: ep.evi, MAC: dataplane.MAC(ep.mac), Direction: string(ep.direction), Label: ep.label, OVS: ep.ovs}
			byIf[k] = p
			order = append(order, k)
		}
		if ep.ip.IsValid() {
			p.IPs = append(p.IPs, ep.ip)
		}
	}
	sort.Strings(order)
	out := make([]dataplane.Port, 0, len(order))
	for _, n := range order {
		out = append(out, *byIf[n])
	}
	return out
}

func (m *Manager) sortedInstances() []*instance {
	out := make([]*instance, 0, len(m.instances))
	for _, inst := range m.instances {
		out = append(out, inst)
	}
	slices.SortFunc(out, func(a, b *instance) int { return a.number - b.number })
	return out
}

func sortedTEs(m map[teKey]entry) []teKey {
	out := make([]teKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, compareTE)
	return out
}
