package linux

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strconv"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// IP VPN over VXLAN without VRF devices or MPLS, see the package doc: one
// flow-based VXLAN device bgv-l3 for every VRF; per VRF a routing table;
// rules send what comes from a port, or from bgv-l3 with the VRF's VNI
// (tun_id), to that table, and what comes from bgv-l3 with a port's own
// label to that label's table (a default route to the port); remote
// prefixes are routes with a tunnel encap (VNI, remote VTEP) through bgv-l3.

// l3Plan is the kernel state the VRFs need.
type l3Plan struct {
	routes  map[routeKey]*kroute
	rules   map[krule]bool
	neigh   map[netip.Addr]net.HardwareAddr // on bgv-l3
	sysctls []sysctl
	// ipv6 are the settings IPv6 gateways need on bgv-l3, set before
	// the neighbours and routes that use them.
	ipv6 []sysctl
	// fromPorts are the ports whose traffic we route (sysctls set).
	fromPorts map[string]bool
	// announce: the gateways a port announces when it starts sending
	// into a VRF (garp.go).
	announce map[string][]netip.Addr
	// proxies are the IPv6 proxy neighbour entries of those ports
	// (ndp.go); fromPorts6 the ones among them with IPv6 addresses;
	// ports6 the ports of VRFs that route IPv6; ipv6Ports the settings
	// these need, set before the routes through them.
	proxies    map[proxyKey]kproxy
	fromPorts6 map[string]bool
	ports6     map[string]bool
	ipv6Ports  []sysctl
}

// planL3 computes it from the state; ifindex maps device names to indexes.
// mplsIf is the interface that carries MPLS, "" when IP VPNs use VXLAN
// only. It only reads: problems are returned and the rest is still planned.
func planL3(s dataplane.State, o Options, ifindex map[string]int, mplsIf string) (*l3Plan, []error) {
	p := &l3Plan{routes: map[routeKey]*kroute{}, rules: map[krule]bool{}, neigh: map[netip.Addr]net.HardwareAddr{}, fromPorts: map[string]bool{},
		announce: map[string][]netip.Addr{}, proxies: map[proxyKey]kproxy{}, fromPorts6: map[string]bool{}, ports6: map[string]bool{}}
	var errs []error
	l3 := ifindex[l3Device]
	mplsIdx := 0
	if mplsIf != "" {
		if mplsIdx = ifindex[mplsIf]; mplsIdx == 0 {
			errs = append(errs, fmt.Errorf("mpls_interface %s: no such device", mplsIf))
		}
	}
	// Local next hops (another VRF of ours exports the prefix): the port
	// that has it.
	local := map[netip.Prefix]string{}
	for _, v := range s.VRFs {
		for _, port := range v.Ports {
			for _, ip := range port.IPs {
				local[hostOrPrefix(ip)] = port.LinuxIf
			}
		}
	}
	for _, v := range s.VRFs {
		errs = append(errs, p.planVRF(v, o, ifindex, mplsIf, l3, mplsIdx, local)...)
	}
	if len(s.VRFs) > 0 {
		p.sysctls = append(p.sysctls, sysctl{"ipv4/conf/" + l3Device + "/forwarding", "1"}, sysctl{"ipv4/conf/" + l3Device + "/rp_filter", "0"})
	}
	for gw := range p.neigh {
		if gw.Is6() {
			// IPv6 gateways (IPv6 prefixes, router MACs) need IPv6 on
			// bgv-l3, without the link-local address, router
			// solicitations and DAD that would come with it.
			p.ipv6 = []sysctl{{"ipv6/conf/" + l3Device + "/addr_gen_mode", "1"}, {"ipv6/conf/" + l3Device + "/disable_ipv6", "0"}}
			break
		}
	}
	if len(s.VRFs) > 0 && mplsIf != "" {
		// As bagpipe: every label usable, MPLS accepted from the
		// underlay and from ourselves (lo).
		p.sysctls = append(p.sysctls, sysctl{"mpls/platform_labels", strconv.Itoa(1<<20 - 1)},
			sysctl{"mpls/conf/" + mplsIf + "/input", "1"}, sysctl{"mpls/conf/lo/input", "1"})
	}
	p.ipv6Ports = ipv6PortSysctls(sortedKeys(p.ports6), sortedKeys(p.fromPorts6))
	for _, port := range sortedKeys(p.fromPorts) {
		p.sysctls = append(p.sysctls,
			sysctl{"ipv4/conf/" + port + "/forwarding", "1"},
			sysctl{"ipv4/conf/" + port + "/proxy_arp", "1"},
			sysctl{"ipv4/neigh/" + port + "/proxy_delay", "0"},
			sysctl{"ipv4/conf/" + port + "/rp_filter", "0"})
	}
	return p, errs
}

// inLabel plans the MPLS route of an incoming label.
func (p *l3Plan) inLabel(label uint32, r *kroute) {
	r.Family, r.Table, r.Label, r.Type, r.Protocol = unix.AF_MPLS, unix.RT_TABLE_MAIN, label, unix.RTN_UNICAST, rtProto
	p.routes[r.key()] = r
}

// directions: bagpipe's "to-port" (routed to the port, not from it),
// "from-port" (from it, not to it), "both" (the default).
func directions(d string) (to, from bool) {
	switch d {
	case "to-port":
		return true, false
	case "from-port":
		return false, true
	}
	return true, true
}

// hostOrPrefix: a port address (10.0.0.5/24) is the host 10.0.0.5/32; a
// prefix (10.8.0.0/16, a port association route) stays a prefix.
func hostOrPrefix(ip netip.Prefix) netip.Prefix {
	if ip.Bits() < ip.Addr().BitLen() && ip.Masked().Addr() == ip.Addr() {
		return ip
	}
	return netip.PrefixFrom(ip.Addr(), ip.Addr().BitLen())
}

// portRoutes: host routes to the port's addresses, and prefixes behind it
// through its first host address of the family (or straight to the port).
func portRoutes(port dataplane.Port, idx int) []*kroute {
	var out []*kroute
	hosts := map[int]netip.Addr{}
	for _, ip := range port.IPs {
		if h := hostOrPrefix(ip); h.IsSingleIP() {
			if _, ok := hosts[family(h.Addr())]; !ok {
				hosts[family(h.Addr())] = h.Addr()
			}
			out = append(out, &kroute{Family: family(h.Addr()), Dst: h, Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_LINK, OIF: idx})
		}
	}
	for _, ip := range port.IPs {
		if h := hostOrPrefix(ip); !h.IsSingleIP() {
			r := &kroute{Family: family(h.Addr()), Dst: h, Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_LINK, OIF: idx}
			if gw, ok := hosts[family(h.Addr())]; ok {
				r.Scope, r.Gw = unix.RT_SCOPE_UNIVERSE, gw
			}
			out = append(out, r)
		}
	}
	return out
}

// labelTable is the routing table of the traffic that arrives with a
// port's own label: TableBase + 2^24 + label, above every VRF table (VRF
// numbers stay far below 2^24) and one per label (VXLAN labels are 24 bits).
func labelTable(o Options, label uint32) int { return o.TableBase + 1<<24 + int(label) }

// labelRoutes: the default routes of a port's label table, one per family
// of fams: via the port's first host address of the family, on the port
// (onlink: the table has no route to that address), or straight to the
// port when it has none.
func labelRoutes(port dataplane.Port, idx int, fams []int) []*kroute {
	hosts := map[int]netip.Addr{}
	for _, ip := range port.IPs {
		if h := hostOrPrefix(ip); h.IsSingleIP() {
			if _, ok := hosts[family(h.Addr())]; !ok {
				hosts[family(h.Addr())] = h.Addr()
			}
		}
	}
	var out []*kroute
	for _, f := range fams {
		dst := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if f == unix.AF_INET6 {
			dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		r := &kroute{Family: f, Dst: dst, Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_LINK, OIF: idx}
		if gw, ok := hosts[f]; ok {
			r.Scope, r.Gw, r.Onlink = unix.RT_SCOPE_UNIVERSE, gw, true
		}
		if f == unix.AF_INET6 {
			// As the kernel reads IPv6 routes back.
			r.Scope, r.Priority = unix.RT_SCOPE_UNIVERSE, 1024
		}
		out = append(out, r)
	}
	return out
}

// maxVRFNumber keeps VRF tables below the label tables (TableBase+2^24+
// label) and VRF device names within the kernel's 15 characters.
const maxVRFNumber = 1<<24 - 1

func validVRFNumber(n int) bool { return n >= 0 && n <= maxVRFNumber }

// isMPLSLabel: labels 0-15 are reserved, MPLS labels have 20 bits.
func isMPLSLabel(l uint32) bool { return l >= 16 && l < 1<<20 }

// portHost is the port's first IPv4 host address, else its first IPv6
// one, else none: where a popped packet is delivered.
func portHost(port dataplane.Port) netip.Addr {
	var six netip.Addr
	for _, ip := range port.IPs {
		if h := hostOrPrefix(ip); h.IsSingleIP() {
			if h.Addr().Is4() {
				return h.Addr()
			}
			if !six.IsValid() {
				six = h.Addr()
			}
		}
	}
	return six
}

// remoteRoute is the route of a remote prefix: one tunnel, or a multipath
// route over several (ECMP); nil when no next hop is usable. VXLAN next
// hops go through bgv-l3; MPLS ones, when mplsIdx is the MPLS interface,
// push the label toward the remote PE on it (IPv4 prefixes: the kernel
// wants an IPv4 route's gateway to be IPv4). It records the static
// neighbours the VXLAN gateways need: one per (VTEP, router MAC), see
// hopGateway. A next hop with a router MAC that is no unicast address is
// skipped and reported.
func remoteRoute(rt dataplane.IPRoute, o Options, l3, mplsIdx int, ifindex map[string]int, local map[netip.Prefix]string, neigh map[netip.Addr]net.HardwareAddr) (*kroute, error) {
	f := family(rt.Prefix.Addr())
	var hops []knexthop
	var errs []error
	for _, nh := range rt.NextHops {
		if nh.Local {
			if port, ok := local[rt.Prefix]; ok {
				if idx, ok := ifindex[port]; ok {
					return &kroute{Family: f, Dst: rt.Prefix, Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_LINK, OIF: idx}, nil
				}
			}
			continue
		}
		if nh.Encap == encapMPLS && mplsIdx != 0 && f == unix.AF_INET && nh.Address.Is4() && isMPLSLabel(nh.Label) {
			h := knexthop{OIF: mplsIdx, Gw: nh.Address, Push: nh.Label}
			if !slices.Contains(hops, h) {
				hops = append(hops, h)
			}
			continue
		}
		if nh.Encap != encapVXLAN || !nh.Address.Is4() || nh.Label == 0 || nh.Label >= 1<<24 {
			continue // nothing we can reach
		}
		if err := checkRouterMAC(net.HardwareAddr(nh.RouterMAC)); err != nil {
			errs = append(errs, fmt.Errorf("route %s: next hop %s skipped: %w", rt.Prefix, nh.Address, err))
			continue
		}
		gw, mac := hopGateway(nh.Address, net.HardwareAddr(nh.RouterMAC), f)
		neigh[gw] = mac
		h := knexthop{OIF: l3, Gw: gw, Onlink: true, Encap: &tunEncap{VNI: nh.Label, Dst: nh.Address, Src: o.LocalAddress}}
		if !slices.ContainsFunc(hops, func(x knexthop) bool { return x.Gw == h.Gw && x.Encap.equal(h.Encap) }) {
			hops = append(hops, h)
		}
	}
	r := &kroute{Family: f, Dst: rt.Prefix.Masked(), Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_UNIVERSE}
	switch len(hops) {
	case 0:
		return nil, errors.Join(errs...)
	case 1:
		r.OIF, r.Gw, r.Onlink, r.Encap, r.Push = hops[0].OIF, hops[0].Gw, hops[0].Onlink, hops[0].Encap, hops[0].Push
	default:
		slices.SortFunc(hops, compareHop)
		r.MultiPath = hops
	}
	return r, errors.Join(errs...)
}

func vrfFamilies(v dataplane.VRF) []int {
	six := false
	for _, p := range v.Ports {
		for _, ip := range p.IPs {
			six = six || ip.Addr().Is6()
		}
	}
	for _, r := range v.Routes {
		six = six || r.Prefix.Addr().Is6()
	}
	if six {
		return []int{unix.AF_INET, unix.AF_INET6}
	}
	return []int{unix.AF_INET}
}

func family(a netip.Addr) int {
	if a.Is4() {
		return unix.AF_INET
	}
	return unix.AF_INET6
}

// ensureL3 creates bgv-l3, or fixes it: flow-based VXLAN on the IP VPN port,
// our VTEP as source, the MAC peers derive from our VTEP, up.
func (d *Driver) ensureL3(l netlink.Link) (netlink.Link, error) {
	mac := routerMAC(d.o.LocalAddress)
	if v, ok := l.(*netlink.Vxlan); l != nil && (!ok || !v.FlowBased || v.Port != d.o.IPVPNVXLANPort || v.Learning || !v.SrcAddr.Equal(addrIP(d.o.LocalAddress))) {
		d.log.Warn("recreating device with wrong parameters", "device", l3Device)
		if err := d.k.LinkDel(l); err != nil {
			return nil, fmt.Errorf("deleting %s: %w", l3Device, err)
		}
		l = nil
	}
	if l == nil {
		v := &netlink.Vxlan{
			LinkAttrs: netlink.LinkAttrs{Name: l3Device, HardwareAddr: mac},
			FlowBased: true, SrcAddr: addrIP(d.o.LocalAddress), Port: d.o.IPVPNVXLANPort, Learning: false,
		}
		if err := d.k.LinkAdd(v); err != nil {
			return nil, fmt.Errorf("creating %s: %w", l3Device, err)
		}
		d.log.Info("device created", "device", l3Device)
		var err error
		if l, err = d.k.LinkByName(l3Device); err != nil {
			return nil, err
		}
	}
	if l.Attrs().HardwareAddr.String() != mac.String() {
		if err := d.k.LinkSetHardwareAddr(l, mac); err != nil {
			return nil, fmt.Errorf("setting MAC of %s: %w", l3Device, err)
		}
	}
	if err := d.up(l); err != nil {
		if errors.Is(err, unix.EADDRINUSE) {
			return nil, fmt.Errorf("%w: UDP port %d is held by another VXLAN device (EVPN's?); IP VPN's flow-based device cannot share a port with per-VNI devices, set ipvpn_vxlan_port to another port (the same on every node)", err, d.o.IPVPNVXLANPort)
		}
		return nil, err
	}
	return l, nil
}

// ensureVRFDevice creates the VRF device name bound to table, or fixes it
// (a device of ours with another table or type is recreated), and sets
// it up.
func (d *Driver) ensureVRFDevice(l netlink.Link, name string, table int) (netlink.Link, error) {
	if v, ok := l.(*netlink.Vrf); l != nil && (!ok || int(v.Table) != table) {
		d.log.Warn("recreating device with wrong parameters", "device", name)
		if err := d.k.LinkDel(l); err != nil {
			return nil, fmt.Errorf("deleting %s: %w", name, err)
		}
		l = nil
	}
	if l == nil {
		if err := d.k.LinkAdd(&netlink.Vrf{LinkAttrs: netlink.LinkAttrs{Name: name}, Table: uint32(table)}); err != nil {
			return nil, fmt.Errorf("creating VRF device %s: %w", name, err)
		}
		d.log.Info("device created", "device", name, "table", table)
		var err error
		if l, err = d.k.LinkByName(name); err != nil {
			return nil, err
		}
	}
	if err := d.up(l); err != nil {
		return nil, err
	}
	return l, nil
}

// up sets l up unless it is.
func (d *Driver) up(l netlink.Link) error {
	if l.Attrs().Flags&net.FlagUp != 0 {
		return nil
	}
	if err := d.k.LinkSetUp(l); err != nil {
		return fmt.Errorf("setting %s up: %w", l.Attrs().Name, err)
	}
	return nil
}

func boolKeys[V any](m map[string]V) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// sortedRouteKeys orders by prefix length so that, on a fresh table, the
// catch-all comes last.
func sortedRouteKeys(m map[routeKey]*kroute) []routeKey {
	out := make([]routeKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, compareRouteKeys)
	return out
}

// compareRouteKeys: by table, longest prefix first, then address and label.
func compareRouteKeys(a, b routeKey) int {
	if a.Table != b.Table {
		return a.Table - b.Table
	}
	if a.Dst.Bits() != b.Dst.Bits() {
		return b.Dst.Bits() - a.Dst.Bits()
	}
	if c := a.Dst.Addr().Compare(b.Dst.Addr()); c != 0 {
		return c
	}
	return int(a.Label) - int(b.Label)
}
