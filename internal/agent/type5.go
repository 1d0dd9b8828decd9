package agent

import (
	"net"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// An IP VPN instance may also advertise its prefixes as EVPN type 5 routes
// (RFC 9136, IP Prefix), for gateways and PEs that do L3 over EVPN/VXLAN
// rather than VPNv4/VPNv6 (the "interface-less" model of RFC 9136 §4.4.1).
// bagpipe-bgp never originates type 5; here an attach asks for it with the
// "advertise_evpn_type5" field, an instance-wide setting like the RTs.
//
// Each type 5 route mirrors the VPN route of the same endpoint: the same
// RD, prefix, LOCAL_PREF, next hop and export RTs, Ethernet Tag 0, ESI 0,
// gateway IP 0, the instance's VNI (or its label when it has none) as the
// raw 24-bit label, the VXLAN encapsulation community (RFC 9012 tunnel
// type 8) and the Router's MAC extended community (RFC 9135 §8.1), which a
// receiving VTEP uses as inner destination MAC.

// routerMAC is the Router's MAC we advertise: a locally administered
// address made of our IPv4 local address, stable across restarts and
// distinct per agent.
func routerMAC(cfg Config) net.HardwareAddr {
	if len(cfg.RouterMAC) == 6 {
		return cfg.RouterMAC
	}
	a := cfg.LocalAddress.As4()
	return net.HardwareAddr{0x02, 0x00, a[0], a[1], a[2], a[3]}
}

// type5Route is the EVPN IP Prefix route that mirrors a VPN route of inst.
func (m *Manager) type5Route(inst *instance, vpn speaker.Route) speaker.Route {
	return speaker.Route{
		Family: speaker.EVPN, EVPNType: speaker.EVPNIPPrefix, RD: vpn.RD, Prefix: vpn.Prefix,
		Label: inst.dataplaneID(), NextHop: vpn.NextHop, RTs: inst.exportRTs, LocalPref: vpn.LocalPref,
		Encaps: encapVXLAN, RouterMAC: routerMAC(m.cfg),
	}
}

// endpointRoutes are every route an endpoint advertises: its VPN or MAC/IP
// route and, in a VRF with type 5 on, the matching IP Prefix route.
func (m *Manager) endpointRoutes(inst *instance, ep *endpoint) []speaker.Route {
	r, ok := m.endpointExport(inst, ep)
	if !ok {
		return nil
	}
	if inst.typ == IPVPN && inst.evpnType5 {
		return []speaker.Route{r, m.type5Route(inst, r)}
	}
	return []speaker.Route{r}
}
