// Package compute derives, from the database, the attachments each host
// must realise: the rules of networking-bagpipe's BGPVPN agent extension
// (which ports join which VPN instance with which route targets), moved to
// the server so that an agent only applies what it is told.
//
// Beyond the original: every fixed IP of a port (IPv4 and IPv6), the
// BGPVPNs' route distinguishers, and the extra routes of a router whose
// association has advertise_extra_routes, each advertised through the port
// that owns its next hop. A BGPVPN whose admin_state_up is false is left
// out of every attachment (its associations stay stored): the agents
// withdraw its routes and stop importing them.
//
// It only reads, inside the caller's transaction; it never writes and never
// decides policy.
package compute

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	netmodel "github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// DeviceOwnerRouterInterface marks the ports that plug a subnet into a router.
const DeviceOwnerRouterInterface = netmodel.DeviceOwnerRouterInterface

// Attachable reports whether a port may get attachments: bound to a host,
// up, and not a port of a network service (DHCP, router interfaces and
// gateways, floating IPs), which the original leaves alone.
func Attachable(p *store.Port) bool {
	return p.HostID != "" && p.AdminStateUp && !strings.HasPrefix(p.DeviceOwner, "network:")
}

// Host computes the desired attachments of host, sorted with feed.Sort.
func Host(tx store.Tx, host string) ([]feed.Attachment, error) {
	ports, err := tx.ListPorts(store.Query{Filters: map[string][]any{"binding:host_id": {host}}})
	if err != nil {
		return nil, fmt.Errorf("listing the ports of host %s: %w", host, err)
	}
	b := &builder{tx: tx, networks: map[string]*network{}, bgpvpns: map[string]*store.BGPVPN{}, routers: map[string]*store.Router{}}
	atts := []feed.Attachment{}
	for _, p := range ports {
		if !Attachable(p) {
			continue
		}
		more, err := b.port(p)
		if err != nil {
			return nil, fmt.Errorf("computing the attachments of port %s: %w", p.ID, err)
		}
		atts = append(atts, more...)
	}
	feed.Sort(atts)
	return atts, nil
}

// builder caches what several ports of one host share.
type builder struct {
	tx       store.Tx
	networks map[string]*network
	bgpvpns  map[string]*store.BGPVPN
	routers  map[string]*store.Router
}

// association is a network, router or port association with its BGPVPN.
type association struct {
	id     string
	bgpvpn *store.BGPVPN
	// router is set for router associations.
	router *store.RouterAssociation
	// port is set for port associations.
	port *store.PortAssociation
}

// network is what the attachments of a network's ports share.
type network struct {
	net     *store.Network
	subnets map[string]*store.Subnet
	// gatewayMACs maps a subnet id to the MAC of the router interface that
	// owns its gateway IP.
	gatewayMACs map[string]string
	// assocs are the network's own associations, then those of the
	// routers it is plugged into.
	assocs []association
}

func (b *builder) bgpvpn(id string) (*store.BGPVPN, error) {
	if v, ok := b.bgpvpns[id]; ok {
		return v, nil
	}
	v, err := b.tx.GetBGPVPN(id)
	if err != nil {
		return nil, err
	}
	b.bgpvpns[id] = v
	return v, nil
}

func (b *builder) network(id string) (*network, error) {
	if n, ok := b.networks[id]; ok {
		return n, nil
	}
	net, err := b.tx.GetNetwork(id)
	if err != nil {
		return nil, err
	}
	n := &network{net: net, subnets: map[string]*store.Subnet{}, gatewayMACs: map[string]string{}}
	subnets, err := b.tx.ListSubnets(store.Query{Filters: map[string][]any{"network_id": {id}}})
	if err != nil {
		return nil, err
	}
	for _, s := range subnets {
		n.subnets[s.ID] = s
	}
	routerPorts, err := netmodel.NetworkRouterInterfaces(b.tx, id)
	if err != nil {
		return nil, err
	}
	var routerIDs []any
	for _, rp := range routerPorts {
		p := rp.Port
		routerIDs = append(routerIDs, rp.RouterID)
		for _, ip := range p.FixedIPs {
			if s, ok := n.subnets[ip.SubnetID]; ok && s.GatewayIP == ip.IPAddress {
				n.gatewayMACs[s.ID] = strings.ToLower(p.MACAddress)
			}
		}
	}
	nas, err := b.tx.ListNetworkAssociations(store.Query{Filters: map[string][]any{"network_id": {id}}})
	if err != nil {
		return nil, err
	}
	for _, a := range nas {
		v, err := b.bgpvpn(a.BGPVPNID)
		if err != nil {
			return nil, err
		}
		if !v.AdminStateDown {
			n.assocs = append(n.assocs, association{id: a.ID, bgpvpn: v})
		}
	}
	if len(routerIDs) > 0 {
		ras, err := b.tx.ListRouterAssociations(store.Query{Filters: map[string][]any{"router_id": routerIDs}})
		if err != nil {
			return nil, err
		}
		for _, a := range ras {
			v, err := b.bgpvpn(a.BGPVPNID)
			if err != nil {
				return nil, err
			}
			if !v.AdminStateDown {
				n.assocs = append(n.assocs, association{id: a.ID, bgpvpn: v, router: a})
			}
		}
	}
	b.networks[id] = n
	return n, nil
}

func (b *builder) router(id string) (*store.Router, error) {
	if r, ok := b.routers[id]; ok {
		return r, nil
	}
	r, err := b.tx.GetRouter(id)
	if err != nil {
		return nil, err
	}
	b.routers[id] = r
	return r, nil
}

// vpnTypes pairs the BGPVPN types with bagpipe's, EVPN first as the
// original plugs them.
var vpnTypes = []struct {
	bgpvpn string
	vpn    feed.VPNType
}{{"l2", feed.EVPN}, {"l3", feed.IPVPN}}

// port computes the attachments of one attachable port.
func (b *builder) port(p *store.Port) ([]feed.Attachment, error) {
	n, err := b.network(p.NetworkID)
	if err != nil {
		return nil, err
	}
	if n.net.External {
		return nil, nil
	}
	pas, err := b.tx.ListPortAssociations(store.Query{Filters: map[string][]any{"port_id": {p.ID}}})
	if err != nil {
		return nil, err
	}
	portAssocs := make([]association, 0, len(pas))
	for _, a := range pas {
		v, err := b.bgpvpn(a.BGPVPNID)
		if err != nil {
			return nil, err
		}
		if !v.AdminStateDown {
			portAssocs = append(portAssocs, association{id: a.ID, bgpvpn: v, port: a})
		}
	}
	fixed := n.fixedIPs(p)
	var out []feed.Attachment
	for _, t := range vpnTypes {
		netLevel := ofType(n.assocs, t.bgpvpn)
		own := ofType(portAssocs, t.bgpvpn)
		all := append(append([]association{}, netLevel...), own...)
		if len(all) == 0 {
			continue
		}
		base := feed.Attachment{VPNType: t.vpn, NetworkID: n.net.ID, PortID: p.ID, MACAddress: strings.ToLower(p.MACAddress),
			Direction: feed.Both, Description: feed.Description{Port: p.ID}}

		// The port's fixed IPs join the network's instance when a network
		// or router association covers them, or a port association asks.
		advertiseFixed := len(netLevel) > 0
		for _, a := range own {
			advertiseFixed = advertiseFixed || a.port.AdvertiseFixedIPs
		}
		if advertiseFixed {
			a := base
			a.VPNInstanceID = fmt.Sprintf("%s_%s", t.vpn, n.net.ID)
			a.InstanceDescription = fmt.Sprintf("BGPVPN %s associations for net %s", t.vpn, n.net.ID)
			a.IPs = fixed
			a.ImportRTs, a.ExportRTs = routeTargets(all)
			a.RouteDistinguishers = distinguishers(all)
			a.LocalPref = maxLocalPref(all)
			a.Associations = ids(all)
			a.Techniques = techniques(t.vpn, all)
			if t.vpn == feed.IPVPN {
				aggregate(&a, n.net, all)
			}
			if t.vpn == feed.EVPN {
				a.VNI = vni(n.net, all)
			}
			out = append(out, a)
		}

		// Each port-association route gets an instance of its own, so that
		// it is exported only towards its association's BGPVPN.
		for _, pa := range own {
			for _, r := range pa.port.Routes {
				a, ok, err := b.portRoute(base, n, p, fixed, pa, r)
				if err != nil {
					return nil, err
				}
				if ok {
					out = append(out, a)
				}
			}
		}

		if t.vpn == feed.IPVPN {
			more, err := b.extraRoutes(base, n, p, netLevel)
			if err != nil {
				return nil, err
			}
			out = append(out, more...)
		}
	}
	stitch(out, n.net.ID)
	return out, nil
}

// stitch plugs the network's EVI into the port's VRFs when the port has
// both, as networking-bagpipe's agent does for a port in a Linux bridge
// (_compile_port_attach_info): the port sits in the EVI's bridge, so the
// VRFs can only reach it through the EVI. The original names the EVI by
// replacing "ipvpn" with "evpn" in each VRF's id, which for the VRFs of
// port-association routes and extra routes names no instance; here every
// VRF of the port goes through the network's EVI, the bridge the port is in.
func stitch(atts []feed.Attachment, networkID string) {
	evi := fmt.Sprintf("%s_%s", feed.EVPN, networkID)
	if !slices.ContainsFunc(atts, func(a feed.Attachment) bool { return a.VPNType == feed.EVPN && a.VPNInstanceID == evi }) {
		return
	}
	for i := range atts {
		if atts[i].VPNType == feed.IPVPN {
			atts[i].EVPNInstanceID = evi
		}
	}
}

// portRoute is the attachment of one route of a port association.
func (b *builder) portRoute(base feed.Attachment, n *network, p *store.Port, fixed []feed.IP, pa association, r store.PortRoute) (feed.Attachment, bool, error) {
	a := base
	a.Direction = feed.ToPort
	a.ImportRTs, a.ExportRTs = routeTargets([]association{pa})
	a.RouteDistinguishers = distinguishers([]association{pa})
	a.LocalPref = localPref(r.LocalPref)
	if a.LocalPref == nil {
		a.LocalPref = localPref(pa.bgpvpn.LocalPref)
	}
	a.Associations = []string{pa.id}
	a.Techniques = techniques(base.VPNType, []association{pa})
	desc := pa.bgpvpn.Name
	if desc == "" {
		desc = pa.bgpvpn.ID
	}
	switch r.Type {
	case "prefix":
		prefix, err := netip.ParsePrefix(r.Prefix)
		if err != nil {
			return a, false, nil // the API refuses these; an old row is skipped
		}
		a.VPNInstanceID = fmt.Sprintf("%s_portassoc_%s_prefix_%s", base.VPNType, pa.id, encodePrefix(r.Prefix))
		a.InstanceDescription = fmt.Sprintf("BGPVPN Port association: prefix route %s to BGPVPN %s via port %s", r.Prefix, desc, p.ID)
		a.IPs = []feed.IP{n.routeIP(prefix, fixed)}
		a.AdvertiseSubnet = true
	case "bgpvpn":
		from, err := b.bgpvpn(r.BGPVPNID)
		if errors.Is(err, store.ErrNotFound) {
			return a, false, nil
		}
		if err != nil {
			return a, false, err
		}
		a.VPNInstanceID = fmt.Sprintf("%s_portassoc_%s_bgpvpn_%s", base.VPNType, pa.id, from.ID)
		a.InstanceDescription = fmt.Sprintf("BGPVPN Port association: route leaking from %s into %s via port %s", from.Name, desc, p.ID)
		a.IPs = fixed
		fromImport, _ := routeTargets([]association{{bgpvpn: from}})
		_, toExport := routeTargets([]association{pa})
		a.Readvertise = &feed.Readvertise{FromRTs: fromImport, ToRTs: toExport}
	default:
		return a, false, nil
	}
	return a, true, nil
}

// extraRoutes advertises the extra routes of the routers associated with
// advertise_extra_routes whose next hop is an address of port p.
func (b *builder) extraRoutes(base feed.Attachment, n *network, p *store.Port, netLevel []association) ([]feed.Attachment, error) {
	own := map[netip.Addr]bool{}
	for _, ip := range p.FixedIPs {
		if a, err := netip.ParseAddr(ip.IPAddress); err == nil {
			own[a] = true
		}
	}
	fixed := n.fixedIPs(p)
	var out []feed.Attachment
	for _, ra := range netLevel {
		if ra.router == nil || !ra.router.AdvertiseExtraRoutes {
			continue
		}
		r, err := b.router(ra.router.RouterID)
		if err != nil {
			return nil, err
		}
		for _, route := range r.Routes {
			hop, err1 := netip.ParseAddr(route.NextHop)
			dest, err2 := netip.ParsePrefix(route.Destination)
			if err1 != nil || err2 != nil || !own[hop] {
				continue
			}
			a := base
			a.VPNInstanceID = fmt.Sprintf("%s_routerassoc_%s_prefix_%s", base.VPNType, ra.id, encodePrefix(route.Destination))
			a.InstanceDescription = fmt.Sprintf("BGPVPN router association: extra route %s of router %s via port %s", route.Destination, r.ID, p.ID)
			a.Direction = feed.ToPort
			a.IPs = []feed.IP{n.routeIP(dest, fixed)}
			a.AdvertiseSubnet = true
			a.ImportRTs, a.ExportRTs = routeTargets([]association{ra})
			a.RouteDistinguishers = distinguishers([]association{ra})
			a.LocalPref = localPref(ra.bgpvpn.LocalPref)
			a.Associations = []string{ra.id}
			a.Techniques = techniques(base.VPNType, []association{ra})
			out = append(out, a)
		}
	}
	return out, nil
}

// fixedIPs are the port's addresses with their subnets' lengths, gateways
// and gateway MACs.
func (n *network) fixedIPs(p *store.Port) []feed.IP {
	out := make([]feed.IP, 0, len(p.FixedIPs))
	for _, f := range p.FixedIPs {
		addr, err := netip.ParseAddr(f.IPAddress)
		if err != nil {
			continue
		}
		ip := feed.IP{Address: netip.PrefixFrom(addr, addr.BitLen())}
		if s, ok := n.subnets[f.SubnetID]; ok {
			if prefix, err := netip.ParsePrefix(s.CIDR); err == nil {
				ip.Address = netip.PrefixFrom(addr, prefix.Bits())
			}
			if gw, err := netip.ParseAddr(s.GatewayIP); err == nil {
				ip.Gateway = gw
				ip.GatewayMAC = n.gatewayMACs[s.ID]
			}
		}
		out = append(out, ip)
	}
	return out
}

// routeIP is a route's prefix with the gateway of the port's first address
// of the same family.
func (n *network) routeIP(prefix netip.Prefix, fixed []feed.IP) feed.IP {
	ip := feed.IP{Address: prefix.Masked()}
	for _, f := range fixed {
		if f.Address.Addr().Is4() == prefix.Addr().Is4() && f.Gateway.IsValid() {
			ip.Gateway, ip.GatewayMAC = f.Gateway, f.GatewayMAC
			break
		}
	}
	return ip
}

func ofType(assocs []association, typ string) []association {
	var out []association
	for _, a := range assocs {
		if a.bgpvpn.Type == typ {
			out = append(out, a)
		}
	}
	return out
}

// routeTargets unions the BGPVPNs' targets as the original does:
// import = route_targets ∪ import_targets, export = route_targets ∪
// export_targets.
func routeTargets(assocs []association) (imp, exp []string) {
	imp, exp = []string{}, []string{}
	for _, a := range assocs {
		imp = append(append(imp, a.bgpvpn.RouteTargets...), a.bgpvpn.ImportTargets...)
		exp = append(append(exp, a.bgpvpn.RouteTargets...), a.bgpvpn.ExportTargets...)
	}
	return imp, exp
}

func distinguishers(assocs []association) []string {
	var out []string
	for _, a := range assocs {
		out = append(out, a.bgpvpn.RouteDistinguishers...)
	}
	return out
}

// maxLocalPref is the highest local_pref of the associations' BGPVPNs.
func maxLocalPref(assocs []association) *uint32 {
	var best *uint32
	for _, a := range assocs {
		if lp := localPref(a.bgpvpn.LocalPref); lp != nil && (best == nil || *lp > *best) {
			best = lp
		}
	}
	return best
}

func localPref(p *int64) *uint32 {
	if p == nil || *p < 0 || *p > 1<<32-1 {
		return nil
	}
	v := uint32(*p)
	return &v
}

// vni is the network's VXLAN VNI, unless one of the BGPVPNs sets its own
// (the first one wins, as in the original).
func vni(n *store.Network, assocs []association) uint32 {
	for _, a := range assocs {
		if a.bgpvpn.VNI != nil && *a.bgpvpn.VNI > 0 && *a.bgpvpn.VNI < 1<<24 {
			return uint32(*a.bgpvpn.VNI)
		}
	}
	if n.SegmentationID > 0 && n.SegmentationID < 1<<24 {
		return uint32(n.SegmentationID)
	}
	return 0
}

// aggregate applies auto_aggregate to the attachment of a network's
// instance: the export RTs of the BGPVPNs that aggregate become the
// aggregate RTs, and the host routes go out (and come in) with the
// network's AggregateHostRT instead.
func aggregate(a *feed.Attachment, n *store.Network, assocs []association) {
	var agg, plain []association
	for _, x := range assocs {
		if x.bgpvpn.AutoAggregate {
			agg = append(agg, x)
		} else {
			plain = append(plain, x)
		}
	}
	if len(agg) == 0 {
		return
	}
	_, a.AggregateRTs = routeTargets(agg)
	_, a.ExportRTs = routeTargets(plain)
	host := feed.AggregateHostRT(n.SegmentationID)
	a.ExportRTs = append(a.ExportRTs, host)
	a.ImportRTs = append(a.ImportRTs, host)
}

// techniques lists the techniques of an ipvpn instance's BGPVPNs ("" is
// the bagpipe driver's default, ipvpn), nil when ipvpn is the only one.
func techniques(typ feed.VPNType, assocs []association) []string {
	if typ != feed.IPVPN {
		return nil
	}
	var out []string
	for _, a := range assocs {
		t := a.bgpvpn.Technique
		if t == "" {
			t = "ipvpn"
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	if !slices.Contains(out, feed.EVPNPrefix) {
		return nil
	}
	slices.Sort(out)
	return out
}

func ids(assocs []association) []string {
	out := make([]string, len(assocs))
	for i, a := range assocs {
		out[i] = a.id
	}
	return out
}

// encodePrefix writes a prefix as the original's instance ids do.
func encodePrefix(p string) string {
	return strings.NewReplacer(".", "_", ":", "_", "/", "_").Replace(p)
}
