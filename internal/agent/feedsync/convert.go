package feedsync

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// PortName returns the name Nova and Neutron give a port's interface:
// prefix followed by the port id, cut to 14 characters ("tap" + 11).
func PortName(prefix, portID string) string {
	n := prefix + portID
	if len(n) > 14 {
		n = n[:14]
	}
	return n
}

// endpoint is one agent attachment derived from a feed attachment: one
// per IP, as bagpipe-bgp's attach_localport takes one IP at a time.
type endpoint struct {
	key string
	att agent.Attachment
	// assocs are the associations the feed attachment realises.
	assocs []string
	// techniques are the feed attachment's, joined.
	techniques string
}

// shape is what an instance is created with and cannot change in place:
// a different one means the instance must be rebuilt.
type shape struct {
	typ agent.VPNType
	rd  string
	vni uint32
	// techniques: back to the default (ipvpn), the instance starts over
	// with the agent's own type 5 setting.
	techniques string
}

func (e *endpoint) shape() shape {
	s := shape{typ: e.att.VPNType, vni: e.att.VNI, techniques: e.techniques}
	if e.att.RD != nil {
		s.rd = e.att.RD.String()
	}
	return s
}

// endpoints converts one feed attachment. An attachment without IPs (an
// EVPN port without fixed IP) gives one endpoint with its MAC alone.
func endpoints(fa *feed.Attachment, portPrefix string) ([]endpoint, error) {
	mac, err := net.ParseMAC(fa.MACAddress)
	if err != nil || len(mac) != 6 {
		return nil, fmt.Errorf("MAC address %q is not valid", fa.MACAddress)
	}
	imports, err := rts(fa.ImportRTs)
	if err != nil {
		return nil, fmt.Errorf("import route targets: %w", err)
	}
	exports, err := rts(fa.ExportRTs)
	if err != nil {
		return nil, fmt.Errorf("export route targets: %w", err)
	}
	base := agent.Attachment{
		VPNType:             agent.VPNType(fa.VPNType),
		VPNInstanceID:       fa.VPNInstanceID,
		InstanceDescription: fa.InstanceDescription,
		MAC:                 mac,
		LocalPort:           agent.LocalPort{LinuxIf: PortName(portPrefix, fa.PortID)},
		ImportRTs:           imports,
		ExportRTs:           exports,
		AdvertiseSubnet:     fa.AdvertiseSubnet,
		VNI:                 fa.VNI,
		Direction:           agent.Direction(fa.Direction),
		Description:         fmt.Sprintf(`{"port": %q}`, fa.Description.Port),
	}
	if fa.LocalPref != nil {
		base.LocalPref = *fa.LocalPref
	}
	if len(fa.AggregateRTs) > 0 {
		if base.AggregateRTs, err = rts(fa.AggregateRTs); err != nil {
			return nil, fmt.Errorf("aggregate route targets: %w", err)
		}
	}
	if fa.VPNType == feed.IPVPN && slices.Contains(fa.Techniques, feed.EVPNPrefix) {
		// evpn-prefix: type 5 routes; VPN routes too only if another
		// BGPVPN of the instance asks for ipvpn.
		on, vpn := true, slices.Contains(fa.Techniques, "ipvpn")
		base.EVPNType5, base.VPNRoutes = &on, &vpn
	}
	if len(fa.RouteDistinguishers) > 0 {
		// The first, as the server documents; feed.Sort sorted them.
		rd, err := rtrd.Parse(fa.RouteDistinguishers[0])
		if err != nil {
			return nil, fmt.Errorf("route distinguisher: %w", err)
		}
		base.RD = &rd
	}
	if fa.Readvertise != nil {
		from, err := rts(fa.Readvertise.FromRTs)
		if err != nil {
			return nil, fmt.Errorf("readvertise from_rt: %w", err)
		}
		to, err := rts(fa.Readvertise.ToRTs)
		if err != nil {
			return nil, fmt.Errorf("readvertise to_rt: %w", err)
		}
		base.Readvertise = &agent.Readvertise{FromRTs: from, ToRTs: to}
	}
	key := fa.Key()
	if fa.EVPNInstanceID != "" {
		if fa.VPNType != feed.IPVPN {
			return nil, fmt.Errorf("only an IP VPN attachment can be plugged through an EVI, not a %s one", fa.VPNType)
		}
		// The port is in the EVI's bridge: the EVI is what the VRF plugs,
		// as bagpipe's local_port {"evpn": {"id": …}} asks. Being plugged
		// one way or the other is part of the key, so that a change
		// detaches the endpoint (IP VPN first) and attaches it anew: the
		// agent refuses to move a MAC between interfaces in place.
		base.LocalPort = agent.LocalPort{LinuxIf: "evpn:" + fa.EVPNInstanceID, EVPNID: fa.EVPNInstanceID}
		key += " via " + fa.EVPNInstanceID
	}
	techniques := strings.Join(fa.Techniques, ",")
	if len(fa.IPs) == 0 {
		return []endpoint{{key: key + " " + mac.String(), att: base, assocs: fa.Associations, techniques: techniques}}, nil
	}
	out := make([]endpoint, 0, len(fa.IPs))
	for _, ip := range fa.IPs {
		a := base
		a.IP = netip.PrefixFrom(ip.Address.Addr().Unmap(), ip.Address.Bits())
		a.GatewayIP = ip.Gateway
		if a.VPNType == agent.IPVPN && !a.GatewayIP.IsValid() {
			// A VM reaches the VRF through its gateway, which the node
			// answers for; without one there is nothing to answer.
			return nil, fmt.Errorf("the subnet of %s has no gateway IP, which an IP VPN needs", ip.Address)
		}
		if a.VPNType == agent.IPVPN && a.IP.Addr().Is4() {
			a.Fallback = routerFallback(ip.GatewayMAC)
		}
		out = append(out, endpoint{key: key + " " + a.IP.String(), att: a, assocs: fa.Associations, techniques: techniques})
	}
	return out, nil
}

// routerFallback is the fallback of an IPv4 attachment of an IP VPN:
// toward the router interface that owns its subnet's gateway (the feed's
// gateway_mac), where what matches no VPN route goes, as the
// bagpipe_bgpvpn extension asks bagpipe-bgp. It names no port: the ovs
// driver with an integration bridge completes it (its patch port toward
// br-int, the local VLAN); other drivers ignore it. Without a router it
// is empty, no fallback, rather than absent: the agent keeps an
// instance's last fallback, which a removed router must clear.
func routerFallback(gatewayMAC string) *dataplane.Fallback {
	fb := &dataplane.Fallback{}
	if mac, err := net.ParseMAC(gatewayMAC); err == nil && len(mac) == 6 {
		fb.DstMAC = dataplane.MAC(mac)
	}
	return fb
}

func rts(l []string) ([]speaker.RT, error) {
	out := make([]speaker.RT, 0, len(l))
	for _, s := range l {
		v, err := rtrd.Parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func detachment(a *agent.Attachment) agent.Detachment {
	return agent.Detachment{VPNType: a.VPNType, VPNInstanceID: a.VPNInstanceID, MAC: a.MAC, IP: a.IP, LocalPort: a.LocalPort}
}
