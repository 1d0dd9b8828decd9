package linux

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Everything the driver creates is recognisable by name or by tag, so that
// a restarted driver adopts it and removes only its own leftovers:
//   - devices are named with prefix "bgv-" (bridge bgv-eb<VNI>, VXLAN
//     bgv-ex<VNI> per EVI; bgv-l3 for IP VPNs; VRF device bgv-vrf<n> per
//     VRF on the MPLS path);
//   - routes and rules carry routing protocol rtProto;
//   - neighbour entries live on our devices only.
const (
	devPrefix    = "bgv-"
	eviBridgePfx = "bgv-eb"
	eviVXLANPfx  = "bgv-ex"
	l3Device     = "bgv-l3"
	vrfDevicePfx = "bgv-vrf"

	// rtProto tags our routes and rules ("proto 220" in ip route/rule):
	// outside the kernel's list and FRR's 186-199, named by nobody we know.
	rtProto = 220

	// unreachableMetric puts the VRF's catch-all behind every real route,
	// as the kernel's own VRF tables do.
	unreachableMetric = 4278198272
)

func eviBridgeName(vni uint32) string { return eviBridgePfx + strconv.FormatUint(uint64(vni), 10) }
func eviVXLANName(vni uint32) string  { return eviVXLANPfx + strconv.FormatUint(uint64(vni), 10) }

// vrfDeviceName is VRF n's VRF device (MPLS path), bound to its table.
func vrfDeviceName(n int) string { return vrfDevicePfx + strconv.Itoa(n) }

func isOurs(name string) bool { return strings.HasPrefix(name, devPrefix) }

// routerMAC is the MAC address of the bgv-l3 device of the node whose VTEP
// is vtep. A flow-based VXLAN device accepts an inner frame only when it is
// addressed to its own MAC and drops one that comes from its own MAC (loop
// guard), so every node derives its peers' MACs from their VTEP address
// instead of resolving them across the tunnel: 02:b6 then the IPv4 address
// (locally administered, unicast).
func routerMAC(vtep netip.Addr) net.HardwareAddr {
	a := vtep.As4()
	return net.HardwareAddr{0x02, 0xb6, a[0], a[1], a[2], a[3]}
}

// gateway6 is the IPv6 next hop standing for vtep in IPv6 routes (a route
// of one family needs a gateway of the same family; fe80::b6:<vtep> is
// link-local, so it means nothing outside bgv-l3).
func gateway6(vtep netip.Addr) netip.Addr {
	a := vtep.As4()
	return netip.AddrFrom16([16]byte{0: 0xfe, 1: 0x80, 11: 0xb6, 12: a[0], 13: a[1], 14: a[2], 15: a[3]})
}

// macGateway is the gateway that stands for the pair (vtep, mac) in routes
// through bgv-l3 when the remote VTEP wants inner destination MAC mac, not
// routerMAC(vtep): an EVPN gateway (FRR: the MAC of the L3 VNI's bridge)
// advertising its Router's MAC in type 5 routes. The kernel resolves a
// gateway to one MAC (a permanent neighbour of bgv-l3), so every pair has
// its own address, made of both so that a restarted driver computes the
// same one and adopts what it finds: fe80:b6:<vtep>:0:<mac>. It is IPv6
// because no IPv4 address can hold 80 bits; IPv4 routes reach it with
// "via inet6" (RTA_VIA), which needs IPv6 on bgv-l3.
func macGateway(vtep netip.Addr, mac net.HardwareAddr) netip.Addr {
	v := vtep.As4()
	return netip.AddrFrom16([16]byte{0xfe, 0x80, 0x00, 0xb6, v[0], v[1], v[2], v[3], 10: mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]})
}

// hopGateway is the gateway of a VXLAN next hop toward vtep in a route of
// family f, and the MAC its neighbour entry gives. mac is the inner
// destination MAC the VTEP asked for (nil: none, our agents' convention
// routerMAC(vtep), which keeps the gateways of before: the VTEP itself, or
// gateway6 in IPv6 routes).
func hopGateway(vtep netip.Addr, mac net.HardwareAddr, f int) (netip.Addr, net.HardwareAddr) {
	if def := routerMAC(vtep); len(mac) == 0 || bytes.Equal(mac, def) {
		if f == unix.AF_INET6 {
			return gateway6(vtep), def
		}
		return vtep, def
	}
	return macGateway(vtep, mac), mac
}

// checkRouterMAC refuses what cannot be a router's MAC: a frame sent to
// it would be flooded or dropped at the far end.
func checkRouterMAC(mac net.HardwareAddr) error {
	switch {
	case len(mac) == 0:
		return nil
	case len(mac) != 6:
		return errors.New("router MAC " + mac.String() + " is not 6 bytes long")
	case mac[0]&1 != 0:
		return errors.New("router MAC " + mac.String() + " is a multicast address")
	case bytes.Equal(mac, make(net.HardwareAddr, 6)):
		return errors.New("router MAC 00:00:00:00:00:00 is not an address")
	}
	return nil
}
