package agent

import (
	"net/netip"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// Subnet aggregates (the server's auto_aggregate): an IP VPN instance with
// aggregate RTs advertises, besides its host routes (export RTs), one
// route per subnet of its endpoints with the aggregate RTs, the instance
// RD and the instance's own label (its VNI when it has one), so that what
// arrives for the subnet is looked up in the VRF: the local ports by their
// host routes, the others through the host routes the VRF imports from
// the other agents. A PE importing only the aggregate RTs thus holds one
// route per subnet and per agent with ports on it, and reaches every port
// whichever agent it sends to.
func (m *Manager) aggregates(inst *instance, put func(speaker.Route)) {
	if len(inst.aggregateRTs) == 0 {
		return
	}
	var subnets []netip.Prefix
	lp := map[netip.Prefix]uint32{}
	for _, ep := range inst.sortedEndpoints() {
		if ep.direction == FromPort || ep.advertiseSubnet || !ep.ip.IsValid() {
			continue
		}
		p := ep.ip.Masked()
		if !slices.Contains(subnets, p) {
			subnets = append(subnets, p)
		}
		lp[p] = max(lp[p], ep.localPref)
	}
	for _, p := range subnets {
		fam := speaker.VPNv4
		if p.Addr().Is6() {
			fam = speaker.VPNv6
		}
		put(speaker.Route{
			Family: fam, RD: inst.rd, Prefix: p, Label: inst.dataplaneID(), NextHop: m.cfg.NextHop,
			RTs: inst.aggregateRTs, LocalPref: lp[p], Encaps: m.ipvpnEncaps(inst),
		})
	}
}

// ownAggregate refuses another agent's aggregate of a subnet that inst has
// ports on: inst reaches that subnet's hosts by their host routes, and a
// packet for an address no port has would otherwise bounce between the
// agents until its TTL ran out.
func ownAggregate(inst *instance, r *speaker.Route) string {
	if len(inst.aggregateRTs) == 0 || !r.Prefix.IsValid() || !hasAny(r.RTs, inst.aggregateRTs) {
		return ""
	}
	for _, ep := range inst.endpoints {
		if ep.ip.IsValid() && ep.ip.Masked() == r.Prefix {
			return "an aggregate of a subnet this VRF has ports on: it reaches their hosts by their host routes"
		}
	}
	return ""
}

// localAggregate returns the VRF of ours whose subnet aggregate a route of
// ours is (its label is the VRF's), nil if none. Another VRF of ours
// reaches such a subnet through that VRF's ports there (aggregatedPorts)
// and, for the rest, through the other agents' aggregates: the linux
// driver routes a local next hop to a port. Called with m.mu held.
func (m *Manager) localAggregate(prefix netip.Prefix, label uint32) *instance {
	for _, inst := range m.instances {
		if len(inst.aggregateRTs) == 0 || inst.dataplaneID() != label {
			continue
		}
		for _, ep := range inst.endpoints {
			if ep.ip.IsValid() && !ep.advertiseSubnet && ep.ip.Masked() == prefix {
				return inst
			}
		}
	}
	return nil
}

// aggregatedPorts adds to routes the host routes of the ports of the VRFs
// xs (local next hops), for the subnets they aggregate, unless routes has
// the prefix already.
func (m *Manager) aggregatedPorts(routes []dataplane.IPRoute, xs []*instance) []dataplane.IPRoute {
	have := map[netip.Prefix]bool{}
	for _, r := range routes {
		have[r.Prefix] = true
	}
	for _, x := range xs {
		for _, ep := range x.sortedEndpoints() {
			if !ep.ip.IsValid() || ep.advertiseSubnet || ep.direction == FromPort {
				continue
			}
			p := netip.PrefixFrom(ep.ip.Addr(), ep.ip.Addr().BitLen())
			if have[p] {
				continue
			}
			have[p] = true
			routes = append(routes, dataplane.IPRoute{Prefix: p, NextHops: []dataplane.NextHop{
				{Address: m.cfg.NextHop, Label: ep.label, Local: true}}})
		}
	}
	return routes
}
