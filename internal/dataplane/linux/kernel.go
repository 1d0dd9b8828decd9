package linux

import (
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// kernel is what the IP VPN path asks of the namespace's kernel. It is a
// seam so that the MPLS path, which the kernels we test on cannot run (no
// MPLS routing, no VRF devices), is tested at the request level against a
// recording fake; the VXLAN path runs on the same code against the real
// kernel in the namespace tests. The EVPN path keeps its netlink handle.
type kernel interface {
	LinkList() ([]netlink.Link, error)
	LinkByName(name string) (netlink.Link, error)
	LinkAdd(l netlink.Link) error
	LinkDel(l netlink.Link) error
	LinkSetUp(l netlink.Link) error
	LinkSetHardwareAddr(l netlink.Link, mac net.HardwareAddr) error
	NeighList(linkIndex, family int) ([]netlink.Neigh, error)
	NeighSet(n *netlink.Neigh) error
	NeighDel(n *netlink.Neigh) error
	// Routes lists our routes (protocol rtProto) of family, every table.
	Routes(family int) ([]kroute, error)
	RouteReplace(r *kroute) error
	RouteDel(r *kroute) error
	// Rules lists our rules of family.
	Rules(family int) ([]krule, error)
	RuleAdd(r krule) error
	RuleDel(r krule) error
	// SetSysctls writes the /proc/sys/net settings whose value differs.
	SetSysctls(ss []sysctl) error
	// Announce sends a gratuitous ARP for ip from l's MAC out of l.
	Announce(l netlink.Link, ip netip.Addr) error
	// Proxies lists the IPv6 proxy neighbour entries (every protocol).
	Proxies() ([]kproxy, error)
	ProxyAdd(p kproxy) error
	ProxyDel(p kproxy) error
}

// netlinkKernel is the real one: the netlink handle, the raw rtnetlink
// socket for what the library gets wrong, /proc/sys in the namespace.
type netlinkKernel struct {
	*netlink.Handle
	raw *rtnl
	d   *Driver
}

var _ kernel = (*netlinkKernel)(nil)

func (k *netlinkKernel) LinkList() ([]netlink.Link, error) { return retryDump(k.Handle.LinkList) }

func (k *netlinkKernel) NeighList(idx, family int) ([]netlink.Neigh, error) {
	return retryDump(func() ([]netlink.Neigh, error) { return k.Handle.NeighList(idx, family) })
}

func (k *netlinkKernel) Routes(family int) ([]kroute, error) { return k.raw.routes(family, rtProto) }
func (k *netlinkKernel) RouteReplace(r *kroute) error        { return k.Handle.RouteReplace(r.toNetlink()) }
func (k *netlinkKernel) RouteDel(r *kroute) error            { return k.Handle.RouteDel(r.toNetlink()) }
func (k *netlinkKernel) Rules(family int) ([]krule, error)   { return k.raw.rules(family, rtProto) }
func (k *netlinkKernel) RuleAdd(r krule) error               { return k.raw.ruleAdd(r) }
func (k *netlinkKernel) RuleDel(r krule) error               { return k.raw.ruleDel(r) }
func (k *netlinkKernel) SetSysctls(ss []sysctl) error        { return k.d.setSysctls(ss) }
func (k *netlinkKernel) Announce(l netlink.Link, ip netip.Addr) error {
	return k.d.sendGARP(l.Attrs().Index, l.Attrs().HardwareAddr, ip)
}
func (k *netlinkKernel) Proxies() ([]kproxy, error) { return k.raw.proxies() }
func (k *netlinkKernel) ProxyAdd(p kproxy) error    { return k.raw.proxyAdd(p) }
func (k *netlinkKernel) ProxyDel(p kproxy) error    { return k.raw.proxyDel(p) }
