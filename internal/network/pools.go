package network

import (
	"net/http"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// ipRange is an allocation pool read into addresses.
type ipRange struct{ start, end netip.Addr }

// String renders r as netaddr's IPRange does.
func (r ipRange) String() string { return r.start.String() + "-" + r.end.String() }

func (r ipRange) contains(a netip.Addr) bool { return !a.Less(r.start) && !r.end.Less(a) }

func (r ipRange) overlaps(o ipRange) bool { return !r.end.Less(o.start) && !o.end.Less(r.start) }

// CheckPools applies Neutron's checks of a subnet's allocation pools, in
// its order (validate_allocation_pools, validate_gw_out_of_pools): every
// pool well formed and of the subnet's version, inside the subnet without
// its network address (nor, for IPv4, its broadcast address), no two
// pools overlapping, the gateway in none.
func CheckPools(prefix netip.Prefix, pools []store.IPRange, gateway string) error {
	prefix = prefix.Masked()
	var ranges []ipRange
	for _, p := range pools {
		start, err1 := netip.ParseAddr(p.Start)
		end, err2 := netip.ParseAddr(p.End)
		if err1 != nil || err2 != nil || end.Less(start) || start.Is4() != end.Is4() {
			return fault.New(http.StatusBadRequest, "InvalidAllocationPool", "The allocation pool {'start': '%s', 'end': '%s'} is not valid.", p.Start, p.End)
		}
		ranges = append(ranges, ipRange{start, end})
	}
	first := prefix.Addr().Next()
	last := lastAddr(prefix)
	if prefix.Addr().Is4() {
		last = last.Prev()
	}
	for _, r := range ranges {
		if r.start.Is4() != prefix.Addr().Is4() {
			return fault.New(http.StatusBadRequest, "InvalidAllocationPool", "The allocation pool {'start': '%s', 'end': '%s'} is not valid.", r.start, r.end)
		}
		if !first.IsValid() || !last.IsValid() || r.start.Less(first) || last.Less(r.end) {
			return fault.New(http.StatusBadRequest, "OutOfBoundsAllocationPool", "The allocation pool %s spans beyond the subnet cidr %s.", r, prefix)
		}
	}
	for i := range ranges {
		for j := i + 1; j < len(ranges); j++ {
			if ranges[i].overlaps(ranges[j]) {
				return fault.Conflict("OverlappingAllocationPools", "Found overlapping allocation pools: %s %s for subnet %s.", ranges[i], ranges[j], prefix)
			}
		}
	}
	if gw, err := netip.ParseAddr(gateway); err == nil {
		for _, r := range ranges {
			if r.contains(gw) {
				return fault.Conflict("GatewayConflictWithAllocationPools", "Gateway ip %s conflicts with allocation pool %s.", gw, r)
			}
		}
	}
	return nil
}

// validGateway is Neutron's check_gateway_invalid_in_subnet negated: a
// gateway inside the subnet is neither its network address nor, for
// IPv4, its broadcast address.
func validGateway(prefix netip.Prefix, gw netip.Addr) bool {
	prefix = prefix.Masked()
	if !prefix.Contains(gw) {
		return true
	}
	return gw != prefix.Addr() && !(gw.Is4() && gw == lastAddr(prefix))
}

// hostAddress is Neutron's check_subnet_ip: an address of the subnet that
// a port may hold, not the network address nor, for IPv4, the broadcast
// address (IPv6 routers may hold the subnet-router anycast address).
func hostAddress(prefix netip.Prefix, a netip.Addr, routerPort bool) bool {
	prefix = prefix.Masked()
	if !prefix.Contains(a) {
		return false
	}
	if a.Is6() {
		return routerPort || a != prefix.Addr()
	}
	return a != prefix.Addr() && a != lastAddr(prefix)
}
