// Package network is the core network model that associations point at:
// networks, subnets with IP address management, ports with MAC and fixed IP
// allocation, and routers with interfaces and extra routes. It keeps to the
// subset of Neutron's rules that BGPVPN clients rely on.
package network

import (
	"crypto/rand"
	"fmt"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// DefaultPools is every usable address of prefix except the gateway: for
// IPv4 without the network and broadcast addresses, for IPv6 without the
// subnet-router anycast address.
func DefaultPools(prefix netip.Prefix, gateway netip.Addr) []store.IPRange {
	first, last := hostRange(prefix)
	if !first.IsValid() {
		return []store.IPRange{}
	}
	var pools []store.IPRange
	if gateway.IsValid() && prefix.Contains(gateway) && !gateway.Less(first) && !last.Less(gateway) {
		if first.Less(gateway) {
			pools = append(pools, store.IPRange{Start: first.String(), End: gateway.Prev().String()})
		}
		if gateway.Less(last) {
			pools = append(pools, store.IPRange{Start: gateway.Next().String(), End: last.String()})
		}
		return pools
	}
	return []store.IPRange{{Start: first.String(), End: last.String()}}
}

// hostRange is the first and last assignable address of prefix.
func hostRange(prefix netip.Prefix) (netip.Addr, netip.Addr) {
	prefix = prefix.Masked()
	first := prefix.Addr()
	last := lastAddr(prefix)
	if first.Is4() {
		if prefix.Bits() >= 31 {
			return first, last
		}
		return first.Next(), last.Prev()
	}
	if prefix.Bits() == 128 {
		return first, last
	}
	return first.Next(), last
}

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	bits := p.Bits()
	for i := range b {
		for j := 7; j >= 0; j-- {
			if i*8+(7-j) >= bits {
				b[i] |= 1 << j
			}
		}
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// FirstHost is the default gateway of a subnet.
func FirstHost(prefix netip.Prefix) netip.Addr {
	first, _ := hostRange(prefix)
	return first
}

// Allocate returns the first free address of the pools.
func Allocate(pools []store.IPRange, used map[string]bool) (netip.Addr, bool) {
	for _, pool := range pools {
		start, err1 := netip.ParseAddr(pool.Start)
		end, err2 := netip.ParseAddr(pool.End)
		if err1 != nil || err2 != nil {
			continue
		}
		// Bounded: a pool is walked at most this far before giving up,
		// which keeps a crowded /8 from stalling a request.
		n := 0
		for a := start; a.IsValid() && !end.Less(a) && n < 1<<20; a, n = a.Next(), n+1 {
			if !used[a.String()] {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}

// InPools reports whether a is inside one of the pools.
func InPools(pools []store.IPRange, a netip.Addr) bool {
	for _, pool := range pools {
		start, err1 := netip.ParseAddr(pool.Start)
		end, err2 := netip.ParseAddr(pool.End)
		if err1 == nil && err2 == nil && !a.Less(start) && !end.Less(a) {
			return true
		}
	}
	return false
}

// NewMAC returns a random MAC with OpenStack's default base fa:16:3e.
func NewMAC() string {
	var b [3]byte
	rand.Read(b[:])
	return fmt.Sprintf("fa:16:3e:%02x:%02x:%02x", b[0], b[1], b[2])
}

// NewID returns a random (version 4) UUID, the id of a new object.
func NewID() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
