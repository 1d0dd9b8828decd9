package linux

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// IPv6 ports reach the VPN the way IPv4 ones do, with neighbour discovery
// in place of ARP: the kernel answers a neighbour solicitation on a port
// only for addresses it has a proxy entry for there (proxy NDP has no
// route-driven mode like proxy_arp), so each port that sends into a VRF
// gets one for every IPv6 gateway of the VRF and for every IPv6 host the
// VRF routes inside the port's own subnets (a VM in the same subnet
// elsewhere, which the VM believes on-link): what proxy_arp answers for
// IPv4. The entries carry protocol 220, so that a restarted driver knows
// them as its own; an entry someone else made for the same address on the
// same port is left alone (it already answers).

// kproxy is an IPv6 proxy neighbour entry: addr answered on device Index.
// Router sets the router flag of the answers (RFC 4861 §7.2.4): a gateway
// is a router, a VM elsewhere is not.
type kproxy struct {
	Index    int
	Addr     netip.Addr
	Router   bool
	Protocol uint8
}

func (p kproxy) String() string {
	s := fmt.Sprintf("proxy %s dev %d", p.Addr, p.Index)
	if p.Router {
		s += " router"
	}
	return s
}

// proxyKey identifies an entry in the kernel (device, address).
type proxyKey struct {
	Index int
	Addr  netip.Addr
}

func (p kproxy) key() proxyKey { return proxyKey{p.Index, p.Addr} }

// planProxies adds to p the proxy entries of VRF v and the IPv6 settings of
// its ports that send. hosts6 are the IPv6 host addresses the VRF's table
// routes (its ports', and remote /128s that got a route).
func planProxies(p *l3Plan, v dataplane.VRF, ifindex map[string]int, hosts6 []netip.Addr) {
	var gws6 []netip.Addr
	for _, gw := range v.Gateways() {
		if gw.Is6() && !gw.IsLinkLocalUnicast() {
			gws6 = append(gws6, gw)
		}
	}
	for _, port := range v.Ports {
		idx, ok := ifindex[port.LinuxIf]
		if _, from := directions(port.Direction); !ok || !from {
			continue
		}
		var own []netip.Addr
		var subnets []netip.Prefix
		for _, ip := range port.IPs {
			if h := hostOrPrefix(ip); h.IsSingleIP() && h.Addr().Is6() {
				own = append(own, h.Addr())
				subnets = append(subnets, ip.Masked())
			}
		}
		if len(own) == 0 {
			continue // no IPv6 on this port: nothing to answer
		}
		p.fromPorts6[port.LinuxIf] = true
		answer := func(a netip.Addr, router bool) {
			k := proxyKey{idx, a}
			if !slices.Contains(own, a) && !p.proxies[k].Router {
				p.proxies[k] = kproxy{Index: idx, Addr: a, Router: router, Protocol: rtProto}
			}
		}
		for _, gw := range gws6 {
			answer(gw, true)
		}
		for _, h := range hosts6 {
			if !h.IsLinkLocalUnicast() && slices.ContainsFunc(subnets, func(s netip.Prefix) bool { return s.Bits() < 128 && s.Contains(h) }) {
				answer(h, false)
			}
		}
	}
}

// ipv6PortSysctls are what ports need for IPv6: IPv6 on for every port
// of a VRF that routes IPv6 (ports6; the kernel refuses IPv6 routes
// through a device with IPv6 disabled), and for the ports that send IPv6
// (from6) forwarding (the node-wide switch, which the kernel's forwarding
// path reads, and the port's, which proxy NDP reads) and proxy NDP
// answering at once (as proxy_delay 0 does for ARP).
func ipv6PortSysctls(ports6, from6 []string) []sysctl {
	var out []sysctl
	if len(from6) > 0 {
		out = append(out, sysctl{"ipv6/conf/all/forwarding", "1"})
	}
	for _, port := range ports6 {
		out = append(out, sysctl{"ipv6/conf/" + port + "/disable_ipv6", "0"})
	}
	for _, port := range from6 {
		out = append(out,
			sysctl{"ipv6/conf/" + port + "/forwarding", "1"},
			sysctl{"ipv6/conf/" + port + "/proxy_ndp", "1"},
			sysctl{"ipv6/neigh/" + port + "/proxy_delay", "0"})
	}
	return out
}

// proxies dumps the IPv6 proxy neighbour entries, every protocol.
func (c *rtnl) proxies() ([]kproxy, error) {
	return dump(c, unix.RTM_GETNEIGH, unix.RTM_NEWNEIGH, &netlink.Ndmsg{Family: unix.AF_INET6, Flags: netlink.NTF_PROXY}, parseProxy)
}

const (
	sizeofNdmsg = 12 // struct ndmsg
	ndaDst      = 1  // NDA_DST
	ndaProtocol = 12 // NDA_PROTOCOL
)

// parseProxy reads one RTM_NEWNEIGH message; ok is false for what is not
// an IPv6 proxy entry.
func parseProxy(m []byte) (kproxy, bool, error) {
	if len(m) < sizeofNdmsg {
		return kproxy{}, false, fmt.Errorf("parsing neighbour: message of %d bytes", len(m))
	}
	family, flags := m[0], m[10]
	if family != unix.AF_INET6 || flags&netlink.NTF_PROXY == 0 {
		return kproxy{}, false, nil
	}
	p := kproxy{Index: int(int32(native.Uint32(m[4:8]))), Router: flags&netlink.NTF_ROUTER != 0}
	attrs, err := nl.ParseRouteAttr(m[sizeofNdmsg:])
	if err != nil {
		return p, false, fmt.Errorf("parsing neighbour: %w", err)
	}
	for _, a := range attrs {
		switch a.Attr.Type {
		case ndaDst:
			p.Addr, _ = netip.AddrFromSlice(a.Value)
		case ndaProtocol:
			if len(a.Value) > 0 {
				p.Protocol = a.Value[0]
			}
		}
	}
	return p, p.Addr.IsValid(), nil
}

func (c *rtnl) proxyAdd(p kproxy) error {
	return c.proxyMsg(unix.RTM_NEWNEIGH, unix.NLM_F_CREATE|unix.NLM_F_REPLACE|unix.NLM_F_ACK, p)
}

func (c *rtnl) proxyDel(p kproxy) error { return c.proxyMsg(unix.RTM_DELNEIGH, unix.NLM_F_ACK, p) }

func (c *rtnl) proxyMsg(typ, flags int, p kproxy) error {
	req := c.request(typ, flags)
	flags8 := uint8(netlink.NTF_PROXY)
	if p.Router {
		flags8 |= netlink.NTF_ROUTER
	}
	req.AddData(&netlink.Ndmsg{Family: unix.AF_INET6, Index: uint32(p.Index), State: unix.NUD_PERMANENT, Flags: flags8})
	req.AddData(nl.NewRtAttr(ndaDst, p.Addr.AsSlice()))
	if typ == unix.RTM_NEWNEIGH && p.Protocol != 0 {
		req.AddData(nl.NewRtAttr(ndaProtocol, nl.Uint8Attr(p.Protocol)))
	}
	_, err := req.Execute(unix.NETLINK_ROUTE, 0)
	return err
}

// applyProxies adds the proxy entries that are missing and replaces ours
// whose router flag differs (an entry of another protocol for the same
// address and port counts: it answers already). It returns what the
// kernel had, for the deletions once the rest is in place.
func (d *Driver) applyProxies(plan *l3Plan) ([]kproxy, error) {
	var errs []error
	have, err := d.k.Proxies()
	if err != nil {
		return nil, errors.Join(append(errs, fmt.Errorf("listing IPv6 proxy neighbours: %w", err))...)
	}
	haveKeys := make(map[proxyKey]kproxy, len(have))
	for _, h := range have {
		haveKeys[h.key()] = h
	}
	for _, k := range sortedProxyKeys(plan.proxies) {
		p := plan.proxies[k]
		if h, ok := haveKeys[k]; ok && (h.Protocol != rtProto || h.Router == p.Router) {
			continue
		}
		if err := d.k.ProxyAdd(p); err != nil {
			errs = append(errs, fmt.Errorf("adding IPv6 %s: %w", p, err))
			continue
		}
		d.log.Debug("proxy neighbour added", "prefix", p.Addr.String(), "ifindex", p.Index)
	}
	return have, errors.Join(errs...)
}

func sortedProxyKeys(m map[proxyKey]kproxy) []proxyKey {
	out := make([]proxyKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b proxyKey) int {
		if a.Index != b.Index {
			return a.Index - b.Index
		}
		return a.Addr.Compare(b.Addr)
	})
	return out
}
