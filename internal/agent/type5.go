package agent

import (
	"fmt"
	"net"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// An IP VPN instance may also advertise its prefixes as EVPN type 5 routes
// (RFC 9136, IP Prefix), for gateways and PEs that do L3 over EVPN/VXLAN
// rather than VPNv4/VPNv6 (the "interface-less" model of RFC 9136 §4.4.1).
// bagpipe-bgp never originates type 5. It is on for a new instance when
// Config.EVPNType5 says so ([DATAPLANE_DRIVER_IPVPN] advertise_evpn_type5),
// and an attach turns it on or off for its instance with the
// "advertise_evpn_type5" field, an instance-wide setting like the RTs.
//
// Every VPN route the instance advertises (ports, advertise_subnet
// prefixes, readvertised routes) has a type 5 mirror: the same RD, prefix,
// LOCAL_PREF, next hop, RTs and RT records, Ethernet Tag 0, ESI 0, gateway
// IP 0, the instance's VNI (or its label when it has none) as the raw
// 24-bit label, the VXLAN encapsulation community (RFC 9012 tunnel type 8)
// and the Router's MAC extended community (RFC 9135 §8.1), which a
// receiving VTEP uses as inner destination MAC. The mirrors are computed
// with their VPN routes, so they are withdrawn and updated with them.
//
// Received type 5 routes are imported into IP VPN instances like VPN
// routes of their prefix, with the label field as VNI and VXLAN as
// encapsulation when they carry none; their Router's MAC goes to the
// dataplane with the next hop. A non-zero gateway IP (an overlay index to
// resolve recursively, RFC 9136 §3.2) or a zero VNI are refused with the
// reason.

// routerMAC is the Router's MAC we advertise: Config.RouterMAC when set,
// else the one the IP VPN dataplane publishes (the linux driver's is the
// MAC of its VXLAN device bgv-l3: a peer that sends us traffic with that
// inner destination MAC reaches the device's IP stack, another MAC would
// be dropped as PACKET_OTHERHOST). A driver without one (dummy, on
// control-plane-only nodes) gets 02:b6 followed by the four bytes of our
// IPv4 next hop, the linux driver's convention, stable and distinct per
// VTEP.
func routerMAC(cfg Config) net.HardwareAddr {
	if len(cfg.RouterMAC) == 6 {
		return cfg.RouterMAC
	}
	if cfg.IPVPNDriver != nil {
		if mac := cfg.IPVPNDriver.Info().RouterMAC; len(mac) == 6 {
			return net.HardwareAddr(mac)
		}
	}
	a := cfg.LocalAddress
	if cfg.NextHop.Is4() {
		a = cfg.NextHop
	}
	b := a.As4()
	return net.HardwareAddr{0x02, 0xb6, b[0], b[1], b[2], b[3]}
}

// type5Route is the EVPN IP Prefix route that mirrors a VPN route of inst.
func (m *Manager) type5Route(inst *instance, vpn speaker.Route) speaker.Route {
	return speaker.Route{
		Family: speaker.EVPN, EVPNType: speaker.EVPNIPPrefix, RD: vpn.RD, Prefix: vpn.Prefix,
		Label: inst.dataplaneID(), NextHop: vpn.NextHop, RTs: vpn.RTs, RTRecords: vpn.RTRecords, LocalPref: vpn.LocalPref,
		Encaps: encapVXLAN, RouterMAC: routerMAC(m.cfg),
	}
}

// withType5 adds the type 5 mirror of each VPN route when inst asks for
// them, and drops the VPN routes themselves when inst advertises type 5
// only (the evpn-prefix technique).
func (m *Manager) withType5(inst *instance, routes []speaker.Route) []speaker.Route {
	if inst.typ != IPVPN || !inst.evpnType5 {
		return routes
	}
	out := make([]speaker.Route, 0, 2*len(routes))
	for _, r := range routes {
		vpn := r.Family == speaker.VPNv4 || r.Family == speaker.VPNv6
		if !vpn || !inst.noVPNRoutes {
			out = append(out, r)
		}
		if vpn {
			out = append(out, m.type5Route(inst, r))
		}
	}
	return out
}

// endpointRoutes are every route an endpoint advertises: its VPN or MAC/IP
// route and, in a VRF with type 5 on, the matching IP Prefix route.
func (m *Manager) endpointRoutes(inst *instance, ep *endpoint) []speaker.Route {
	r, ok := m.endpointExport(inst, ep)
	if !ok {
		return nil
	}
	return m.withType5(inst, []speaker.Route{r})
}

// refuseType5 says why a received IP Prefix route cannot be used ("" when
// it can).
func refuseType5(r *speaker.Route) string {
	switch {
	case r.GatewayIP.IsValid() && !r.GatewayIP.IsUnspecified():
		// The prefix is behind the gateway IP, to be resolved through a
		// MAC/IP route of the tenant's EVI: IP VPN instances do not hold
		// those, so the route would have no usable next hop.
		return fmt.Sprintf("EVPN type 5 route with gateway IP overlay index %s: recursive resolution is not supported", r.GatewayIP)
	case r.Label == 0:
		return "EVPN type 5 route with VNI 0 and no gateway IP: no VXLAN tunnel to use"
	}
	return ""
}
