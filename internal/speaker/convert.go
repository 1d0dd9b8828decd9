package speaker

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// subtypeRTRecord is the RT Record extended community subtype
// (draft-ietf-bess-service-chaining); GoBGP has no name for it.
const subtypeRTRecord bgp.ExtendedCommunityAttrSubType = 0x13

func (f Family) gobgp() bgp.Family {
	switch f {
	case VPNv4:
		return bgp.RF_IPv4_VPN
	case VPNv6:
		return bgp.RF_IPv6_VPN
	case EVPN:
		return bgp.RF_EVPN
	case RTC:
		return bgp.RF_RTC_UC
	}
	return 0
}

func familyOf(f bgp.Family) (Family, bool) {
	switch f {
	case bgp.RF_IPv4_VPN:
		return VPNv4, true
	case bgp.RF_IPv6_VPN:
		return VPNv6, true
	case bgp.RF_EVPN:
		return EVPN, true
	case bgp.RF_RTC_UC:
		return RTC, true
	}
	return 0, false
}

func rdToGoBGP(d RD) (bgp.RouteDistinguisherInterface, error) {
	switch d.Kind {
	case rtrd.IPv4Address:
		if d.Number > 0xffff || !d.IP.Is4() {
			return nil, fmt.Errorf("%w: RD %s", ErrBadValue, d)
		}
		return bgp.NewRouteDistinguisherIPAddressAS(d.IP, uint16(d.Number))
	case rtrd.FourOctetAS:
		if d.Number > 0xffff {
			return nil, fmt.Errorf("%w: RD %s: number over 65535", ErrBadValue, d)
		}
		return bgp.NewRouteDistinguisherFourOctetAS(d.ASN, uint16(d.Number)), nil
	case rtrd.TwoOctetAS:
		if d.ASN > 0xffff {
			return nil, fmt.Errorf("%w: RD %s: ASN over 65535", ErrBadValue, d)
		}
		return bgp.NewRouteDistinguisherTwoOctetAS(uint16(d.ASN), d.Number), nil
	}
	return nil, fmt.Errorf("%w: RD kind %d", ErrBadValue, d.Kind)
}

func rdFrom(rd bgp.RouteDistinguisherInterface) RD {
	switch v := rd.(type) {
	case *bgp.RouteDistinguisherTwoOctetAS:
		return RD{Kind: rtrd.TwoOctetAS, ASN: uint32(v.Admin), Number: v.Assigned}
	case *bgp.RouteDistinguisherIPAddressAS:
		return RD{Kind: rtrd.IPv4Address, IP: v.Admin, Number: uint32(v.Assigned)}
	case *bgp.RouteDistinguisherFourOctetAS:
		return RD{Kind: rtrd.FourOctetAS, ASN: v.Admin, Number: uint32(v.Assigned)}
	}
	return RD{}
}

func rtToGoBGP(t RT, subtype bgp.ExtendedCommunityAttrSubType) (bgp.ExtendedCommunityInterface, error) {
	switch t.Kind {
	case rtrd.IPv4Address:
		if t.Number > 0xffff || !t.IP.Is4() {
			return nil, fmt.Errorf("%w: RT %s", ErrBadValue, t)
		}
		return bgp.NewIPv4AddressSpecificExtended(subtype, t.IP, uint16(t.Number), true)
	case rtrd.FourOctetAS:
		if t.Number > 0xffff {
			return nil, fmt.Errorf("%w: RT %s: number over 65535", ErrBadValue, t)
		}
		return bgp.NewFourOctetAsSpecificExtended(subtype, t.ASN, uint16(t.Number), true), nil
	case rtrd.TwoOctetAS:
		if t.ASN > 0xffff {
			return nil, fmt.Errorf("%w: RT %s: ASN over 65535", ErrBadValue, t)
		}
		return bgp.NewTwoOctetAsSpecificExtended(subtype, uint16(t.ASN), t.Number, true), nil
	}
	return nil, fmt.Errorf("%w: RT kind %d", ErrBadValue, t.Kind)
}

// rtFrom decodes an AS- or IP-specific extended community of the given
// subtype; ok is false for anything else.
func rtFrom(ec bgp.ExtendedCommunityInterface, subtype bgp.ExtendedCommunityAttrSubType) (RT, bool) {
	switch v := ec.(type) {
	case *bgp.TwoOctetAsSpecificExtended:
		if v.SubType == subtype {
			return RT{Kind: rtrd.TwoOctetAS, ASN: uint32(v.AS), Number: v.LocalAdmin}, true
		}
	case *bgp.IPv4AddressSpecificExtended:
		if v.SubType == subtype {
			return RT{Kind: rtrd.IPv4Address, IP: v.IPv4, Number: uint32(v.LocalAdmin)}, true
		}
	case *bgp.FourOctetAsSpecificExtended:
		if v.SubType == subtype {
			return RT{Kind: rtrd.FourOctetAS, ASN: v.AS, Number: uint32(v.LocalAdmin)}, true
		}
	}
	return RT{}, false
}

// toPath turns a route into a GoBGP path. withdraw paths need only the NLRI.
func (r *Route) toPath(withdraw bool) (*apiutil.Path, error) {
	nlri, err := r.nlri()
	if err != nil {
		return nil, err
	}
	p := &apiutil.Path{Family: r.Family.gobgp(), Nlri: nlri, Withdrawal: withdraw}
	if withdraw {
		return p, nil
	}
	if !r.NextHop.IsValid() {
		return nil, fmt.Errorf("%w: route %s has no next hop", ErrBadValue, r)
	}
	mp, err := bgp.NewPathAttributeMpReachNLRI(p.Family, []bgp.PathNLRI{{NLRI: nlri}}, r.NextHop)
	if err != nil {
		return nil, fmt.Errorf("building MP_REACH_NLRI: %w", err)
	}
	attrs := []bgp.PathAttributeInterface{
		bgp.NewPathAttributeOrigin(bgp.BGP_ORIGIN_ATTR_TYPE_IGP),
		bgp.NewPathAttributeAsPath(nil),
		mp,
	}
	if r.LocalPref != 0 {
		attrs = append(attrs, bgp.NewPathAttributeLocalPref(r.LocalPref))
	}
	var ecs []bgp.ExtendedCommunityInterface
	for _, rt := range r.RTs {
		ec, err := rtToGoBGP(rt, bgp.EC_SUBTYPE_ROUTE_TARGET)
		if err != nil {
			return nil, err
		}
		ecs = append(ecs, ec)
	}
	for _, rt := range r.RTRecords {
		ec, err := rtToGoBGP(rt, subtypeRTRecord)
		if err != nil {
			return nil, err
		}
		ecs = append(ecs, ec)
	}
	for _, e := range r.Encaps {
		ecs = append(ecs, bgp.NewEncapExtended(bgp.TunnelType(e)))
	}
	if len(r.RouterMAC) == 6 {
		ecs = append(ecs, bgp.NewRoutersMacExtended(r.RouterMAC.String()))
	}
	if len(ecs) > 0 {
		attrs = append(attrs, bgp.NewPathAttributeExtendedCommunities(ecs))
	}
	if r.PMSI != nil {
		id, err := bgp.NewIngressReplTunnelID(r.PMSI.Endpoint)
		if err != nil {
			return nil, fmt.Errorf("building PMSI tunnel: %w", err)
		}
		attrs = append(attrs, bgp.NewPathAttributePmsiTunnel(bgp.PMSI_TUNNEL_TYPE_INGRESS_REPL, false, r.PMSI.Label, id))
	}
	p.Attrs = attrs
	return p, nil
}

func (r *Route) nlri() (bgp.NLRI, error) {
	switch r.Family {
	case VPNv4, VPNv6:
		if !r.Prefix.IsValid() || r.Prefix.Addr().Is4() != (r.Family == VPNv4) {
			return nil, fmt.Errorf("%w: prefix %s does not fit %s", ErrBadValue, r.Prefix, r.Family)
		}
		rd, err := rdToGoBGP(r.RD)
		if err != nil {
			return nil, err
		}
		return bgp.NewLabeledVPNIPAddrPrefix(r.Prefix, *bgp.NewMPLSLabelStack(r.Label), rd)
	case EVPN:
		rd, err := rdToGoBGP(r.RD)
		if err != nil {
			return nil, err
		}
		switch r.EVPNType {
		case EVPNMACIP:
			if len(r.MAC) != 6 {
				return nil, fmt.Errorf("%w: EVPN MAC/IP route without a MAC", ErrBadValue)
			}
			return bgp.NewEVPNMacIPAdvertisementRoute(rd, bgp.EthernetSegmentIdentifier{}, r.EthernetTag, r.MAC.String(), r.IP, []uint32{r.Label})
		case EVPNMulticast:
			return bgp.NewEVPNMulticastEthernetTagRoute(rd, r.EthernetTag, r.IP)
		case EVPNIPPrefix:
			gw := r.GatewayIP
			if !gw.IsValid() {
				if r.Prefix.Addr().Is4() {
					gw = netip.IPv4Unspecified()
				} else {
					gw = netip.IPv6Unspecified()
				}
			}
			return bgp.NewEVPNIPPrefixRoute(rd, bgp.EthernetSegmentIdentifier{}, r.EthernetTag, uint8(r.Prefix.Bits()), r.Prefix.Addr(), gw, r.Label)
		}
		return nil, fmt.Errorf("%w: EVPN route type %d", ErrBadValue, r.EVPNType)
	case RTC:
		if r.MembershipRT == (RT{}) {
			// The default RT membership: send me everything.
			return bgp.NewRouteTargetMembershipNLRI(r.OriginASN, nil), nil
		}
		ec, err := rtToGoBGP(r.MembershipRT, bgp.EC_SUBTYPE_ROUTE_TARGET)
		if err != nil {
			return nil, err
		}
		return bgp.NewRouteTargetMembershipNLRI(r.OriginASN, ec), nil
	}
	return nil, fmt.Errorf("%w: family %s", ErrBadValue, r.Family)
}

// routeFrom decodes a GoBGP path; ok is false for families or NLRIs we do
// not carry.
func routeFrom(p *apiutil.Path) (Route, bool) {
	fam, ok := familyOf(p.Family)
	if !ok || p.Nlri == nil {
		return Route{}, false
	}
	r := Route{Family: fam, Peer: p.PeerAddress, PeerASN: p.PeerASN}
	if p.Age != 0 {
		r.Age = timeUnix(p.Age)
	}
	switch n := p.Nlri.(type) {
	case *bgp.LabeledVPNIPAddrPrefix:
		r.RD = rdFrom(n.RD)
		r.Prefix = n.Prefix
		if len(n.Labels.Labels) > 0 {
			r.Label = n.Labels.Labels[0]
		}
	case *bgp.EVPNNLRI:
		r.EVPNType = n.RouteType
		switch d := n.RouteTypeData.(type) {
		case *bgp.EVPNMacIPAdvertisementRoute:
			r.RD = rdFrom(d.RD)
			r.EthernetTag = d.ETag
			r.MAC = net.HardwareAddr(append([]byte(nil), d.MacAddress...))
			if d.IPAddressLength != 0 {
				r.IP = d.IPAddress
			}
			if len(d.Labels) > 0 {
				r.Label = d.Labels[0]
			}
		case *bgp.EVPNMulticastEthernetTagRoute:
			r.RD = rdFrom(d.RD)
			r.EthernetTag = d.ETag
			r.IP = d.IPAddress
		case *bgp.EVPNIPPrefixRoute:
			r.RD = rdFrom(d.RD)
			r.EthernetTag = d.ETag
			pfx, err := d.IPPrefix.Prefix(int(d.IPPrefixLength))
			if err == nil {
				r.Prefix = pfx
			}
			if d.GWIPAddress.IsValid() && !d.GWIPAddress.IsUnspecified() {
				r.GatewayIP = d.GWIPAddress
			}
			r.Label = d.Label
		default:
			// Other route types are kept with their type, so that the agent
			// can refuse them with a reason.
		}
	case *bgp.RouteTargetMembershipNLRI:
		r.OriginASN = n.AS
		if n.RouteTarget != nil {
			r.MembershipRT, _ = rtFrom(n.RouteTarget, bgp.EC_SUBTYPE_ROUTE_TARGET)
		}
	default:
		return Route{}, false
	}
	for _, a := range p.Attrs {
		switch a := a.(type) {
		case *bgp.PathAttributeMpReachNLRI:
			r.NextHop = a.Nexthop.Unmap() // VPNv6 over an IPv4 core: ::ffff:a.b.c.d
		case *bgp.PathAttributeNextHop:
			r.NextHop = a.Value
		case *bgp.PathAttributeLocalPref:
			r.LocalPref = a.Value
		case *bgp.PathAttributeOriginatorId:
			r.OriginatorID = a.Value
		case *bgp.PathAttributePmsiTunnel:
			if id, ok := a.TunnelID.(*bgp.IngressReplTunnelID); ok && a.TunnelType == bgp.PMSI_TUNNEL_TYPE_INGRESS_REPL {
				r.PMSI = &PMSITunnel{Label: a.Label, Endpoint: id.Value}
			}
		case *bgp.PathAttributeExtendedCommunities:
			for _, ec := range a.Value {
				if rt, ok := rtFrom(ec, bgp.EC_SUBTYPE_ROUTE_TARGET); ok {
					r.RTs = append(r.RTs, rt)
					continue
				}
				if rt, ok := rtFrom(ec, subtypeRTRecord); ok {
					r.RTRecords = append(r.RTRecords, rt)
					continue
				}
				switch v := ec.(type) {
				case *bgp.EncapExtended:
					r.Encaps = append(r.Encaps, Encap(v.TunnelType))
				case *bgp.RouterMacExtended:
					r.RouterMAC = append(net.HardwareAddr(nil), v.Mac...)
				}
			}
		}
	}
	return r, true
}
