package linux

import (
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// fakeKernel is a recording fake of the kernel seam: an in-memory model of
// links, neighbours, our routes and rules and sysctls that answers dumps
// with what was written, and logs every request that changes something.
// It stands in for a kernel with MPLS and VRF devices, which the machines
// we test on do not have.
type fakeKernel struct {
	links   map[string]netlink.Link
	nextIdx int
	neigh   map[string]netlink.Neigh
	routes  map[routeKey]kroute
	rules   map[krule]bool
	sysctls map[string]string
	proxies map[proxyKey]kproxy
	reqs    []string
}

// newFakeKernel has lo, the underlay eth0 and the given ports, all up.
func newFakeKernel(ports ...string) *fakeKernel {
	k := &fakeKernel{links: map[string]netlink.Link{}, neigh: map[string]netlink.Neigh{}, routes: map[routeKey]kroute{},
		rules: map[krule]bool{}, sysctls: map[string]string{}, proxies: map[proxyKey]kproxy{}}
	for _, n := range append([]string{"lo", "eth0"}, ports...) {
		k.nextIdx++
		k.links[n] = &netlink.Device{LinkAttrs: netlink.LinkAttrs{Name: n, Index: k.nextIdx, Flags: net.FlagUp}}
	}
	return k
}

// take returns the requests logged since the last call.
func (k *fakeKernel) take() []string {
	r := k.reqs
	k.reqs = nil
	return r
}

func (k *fakeKernel) logf(format string, a ...any) {
	k.reqs = append(k.reqs, fmt.Sprintf(format, a...))
}

func (k *fakeKernel) LinkList() ([]netlink.Link, error) {
	var out []netlink.Link
	for _, l := range k.links {
		out = append(out, l)
	}
	return out, nil
}

func (k *fakeKernel) LinkByName(name string) (netlink.Link, error) {
	if l, ok := k.links[name]; ok {
		return l, nil
	}
	return nil, netlink.LinkNotFoundError{}
}

func (k *fakeKernel) LinkAdd(l netlink.Link) error {
	a := l.Attrs()
	if len(a.Name) > 15 {
		return unix.EINVAL
	}
	if _, dup := k.links[a.Name]; dup {
		return unix.EEXIST
	}
	k.nextIdx++
	a.Index = k.nextIdx
	desc := l.Type()
	switch v := l.(type) {
	case *netlink.Vrf:
		desc += fmt.Sprintf(" table %d", v.Table)
	case *netlink.Vxlan:
		desc += fmt.Sprintf(" external %v dstport %d", v.FlowBased, v.Port)
	}
	k.links[a.Name] = l
	k.logf("link add %s %s", a.Name, desc)
	return nil
}

func (k *fakeKernel) LinkDel(l netlink.Link) error {
	name := l.Attrs().Name
	cur, ok := k.links[name]
	if !ok {
		return unix.ENODEV
	}
	delete(k.links, name)
	// As the kernel: routes through the device go with it.
	for key, r := range k.routes {
		if r.OIF == cur.Attrs().Index {
			delete(k.routes, key)
		}
	}
	k.logf("link del %s", name)
	return nil
}

func (k *fakeKernel) LinkSetUp(l netlink.Link) error {
	cur, ok := k.links[l.Attrs().Name]
	if !ok {
		return unix.ENODEV
	}
	cur.Attrs().Flags |= net.FlagUp
	k.logf("link up %s", l.Attrs().Name)
	return nil
}

func (k *fakeKernel) LinkSetHardwareAddr(l netlink.Link, mac net.HardwareAddr) error {
	cur, ok := k.links[l.Attrs().Name]
	if !ok {
		return unix.ENODEV
	}
	cur.Attrs().HardwareAddr = mac
	k.logf("link address %s %s", l.Attrs().Name, mac)
	return nil
}

func neighKey(idx int, ip net.IP) string { return fmt.Sprintf("%d %s", idx, ip) }

func (k *fakeKernel) NeighList(idx, family int) ([]netlink.Neigh, error) {
	var out []netlink.Neigh
	for _, n := range k.neigh {
		if n.LinkIndex == idx && n.Family == family {
			out = append(out, n)
		}
	}
	return out, nil
}

func (k *fakeKernel) NeighSet(n *netlink.Neigh) error {
	k.neigh[neighKey(n.LinkIndex, n.IP)] = *n
	k.logf("neigh set %s lladdr %s dev %d", n.IP, n.HardwareAddr, n.LinkIndex)
	return nil
}

func (k *fakeKernel) NeighDel(n *netlink.Neigh) error {
	if _, ok := k.neigh[neighKey(n.LinkIndex, n.IP)]; !ok {
		return unix.ENOENT
	}
	delete(k.neigh, neighKey(n.LinkIndex, n.IP))
	k.logf("neigh del %s dev %d", n.IP, n.LinkIndex)
	return nil
}

func (k *fakeKernel) Routes(family int) ([]kroute, error) {
	var out []kroute
	for _, r := range k.routes {
		if r.Family == family {
			r.MultiPath = slices.Clone(r.MultiPath)
			out = append(out, r)
		}
	}
	return out, nil
}

func (k *fakeKernel) RouteReplace(r *kroute) error {
	if r.Family == unix.AF_MPLS && r.Label >= 1<<20 {
		return unix.EINVAL
	}
	c := *r
	c.MultiPath = slices.Clone(r.MultiPath)
	k.routes[r.key()] = c
	k.logf("route replace %s", r)
	return nil
}

func (k *fakeKernel) RouteDel(r *kroute) error {
	if _, ok := k.routes[r.key()]; !ok {
		return unix.ESRCH
	}
	delete(k.routes, r.key())
	k.logf("route del %s", r)
	return nil
}

func (k *fakeKernel) Rules(family int) ([]krule, error) {
	var out []krule
	for r := range k.rules {
		if r.Family == family {
			out = append(out, r)
		}
	}
	return out, nil
}

func (k *fakeKernel) RuleAdd(r krule) error {
	if k.rules[r] {
		return unix.EEXIST
	}
	k.rules[r] = true
	k.logf("rule add %s", r)
	return nil
}

func (k *fakeKernel) RuleDel(r krule) error {
	if !k.rules[r] {
		return unix.ENOENT
	}
	delete(k.rules, r)
	k.logf("rule del %s", r)
	return nil
}

func (k *fakeKernel) SetSysctls(ss []sysctl) error {
	for _, s := range ss {
		if k.sysctls[s.path] == s.value {
			continue
		}
		k.sysctls[s.path] = s.value
		k.logf("sysctl %s=%s", s.path, s.value)
	}
	return nil
}

func (k *fakeKernel) Announce(l netlink.Link, ip netip.Addr) error {
	k.logf("announce %s at %s", ip, l.Attrs().Name)
	return nil
}

func (k *fakeKernel) Proxies() ([]kproxy, error) {
	var out []kproxy
	for _, p := range k.proxies {
		out = append(out, p)
	}
	return out, nil
}

func (k *fakeKernel) ProxyAdd(p kproxy) error {
	k.proxies[p.key()] = p
	k.logf("neigh add %s", p)
	return nil
}

func (k *fakeKernel) ProxyDel(p kproxy) error {
	if _, ok := k.proxies[p.key()]; !ok {
		return unix.ENOENT
	}
	delete(k.proxies, p.key())
	k.logf("neigh del %s", p)
	return nil
}

// mplsKernelCaps is what a kernel with everything the MPLS path needs
// reports.
var mplsKernelCaps = capabilities{mpls: true, mplsEncap: true, vrf: true}

// newFakeDriver is a driver on k, as New would build it on a kernel with
// caps and Options o (defaults filled in), without opening netlink.
func newFakeDriver(k *fakeKernel, caps capabilities, o Options, adopt time.Duration) (*Driver, error) {
	if o.VXLANPort == 0 {
		o.VXLANPort = 4789
	}
	if o.IPVPNVXLANPort == 0 {
		o.IPVPNVXLANPort = DefaultIPVPNVXLANPort
	}
	if o.TableBase == 0 {
		o.TableBase = 20000
	}
	if o.RulePriority == 0 {
		o.RulePriority = 20000
	}
	d := &Driver{o: o, log: discardLogger, k: k, caps: caps, enslaved: map[string]string{}, adoptUntil: time.Now().Add(adopt)}
	if err := d.chooseEncapWith(func(netip.Addr) (string, error) { return "eth0", nil }); err != nil {
		return nil, err
	}
	d.info = d.makeInfo()
	return d, nil
}

var discardLogger = slog.New(slog.NewTextHandler(io.Discard, nil))

const unixMain = 254 // RT_TABLE_MAIN, where MPLS routes live
