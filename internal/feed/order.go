package feed

import (
	"cmp"
	"slices"
)

// Sort puts attachments, and the lists inside each, in the one order both
// sides use, so that equal states have equal encodings: by port, EVPN before
// IPVPN (an EVI may be plugged into a VRF, as the original plugs them), then
// by instance. Route targets and association ids are sorted and
// deduplicated; IPv4 addresses come before IPv6 ones.
func Sort(atts []Attachment) {
	for i := range atts {
		a := &atts[i]
		a.ImportRTs = sortedSet(a.ImportRTs)
		a.ExportRTs = sortedSet(a.ExportRTs)
		a.RouteDistinguishers = sortedSetOrNil(a.RouteDistinguishers)
		a.Associations = sortedSet(a.Associations)
		a.Techniques = sortedSetOrNil(a.Techniques)
		a.AggregateRTs = sortedSetOrNil(a.AggregateRTs)
		if a.Readvertise != nil {
			a.Readvertise.FromRTs = sortedSet(a.Readvertise.FromRTs)
			a.Readvertise.ToRTs = sortedSet(a.Readvertise.ToRTs)
		}
		if a.IPs == nil {
			a.IPs = []IP{}
		}
		slices.SortFunc(a.IPs, func(x, y IP) int {
			if c := x.Address.Addr().Compare(y.Address.Addr()); c != 0 {
				return c
			}
			return cmp.Compare(x.Address.Bits(), y.Address.Bits())
		})
	}
	slices.SortFunc(atts, func(x, y Attachment) int {
		return cmp.Or(cmp.Compare(x.PortID, y.PortID), cmp.Compare(typeRank(x.VPNType), typeRank(y.VPNType)),
			cmp.Compare(x.VPNInstanceID, y.VPNInstanceID))
	})
}

func typeRank(t VPNType) int {
	if t == EVPN {
		return 0
	}
	return 1
}

func sortedSet(l []string) []string {
	out := slices.Clone(l)
	if out == nil {
		out = []string{}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func sortedSetOrNil(l []string) []string {
	if len(l) == 0 {
		return nil
	}
	return sortedSet(l)
}
