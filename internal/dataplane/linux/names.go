package linux

import (
	"net"
	"net/netip"
	"strconv"
	"strings"
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
