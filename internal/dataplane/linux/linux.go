// Package linux is the dataplane driver that programs the Linux kernel
// through netlink: an EVI is a bridge with a VXLAN device, its remote MACs
// static FDB entries and its flood list all-zero FDB entries (ingress
// replication); a VRF is a routing table reached through policy rules from
// its ports and from its own VXLAN device, with routes to remote prefixes
// over VXLAN and proxy ARP on the ports, so that a VM reaches them through
// its usual gateway. It is the only package of the module that imports
// netlink, and it only touches objects it names (prefix "bv") or numbers
// (tables from 100000, rule priority 20000).
package linux

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

const (
	vxlanPort    = 4789
	tableBase    = 100000
	rulePriority = 20000
	routeProto   = 196 // marks our routes; any value unused by the system
)

func init() {
	dataplane.Register("linux", func(opts map[string]string) (dataplane.Driver, error) { return New(opts) })
}

// Driver is the Linux kernel driver.
type Driver struct {
	h     *netlink.Handle
	ns    netns.NsHandle // invalid: the agent's own namespace
	local netip.Addr
	// Until adoptUntil, Apply only adds: after a restart the agent's
	// first states are incomplete, and forwarding must not stop.
	adoptUntil time.Time

	mu    sync.Mutex
	state dataplane.State
}

var _ dataplane.Driver = (*Driver)(nil)

// New builds a driver. Options: local_address (the VTEP address, required),
// netns (a named network namespace to program instead of our own),
// adopt_grace (seconds during which nothing is removed, default 60).
func New(opts map[string]string) (*Driver, error) {
	d := &Driver{ns: netns.None()}
	var err error
	if d.local, err = netip.ParseAddr(opts["local_address"]); err != nil || !d.local.Is4() {
		return nil, fmt.Errorf("linux dataplane: local_address %q is not an IPv4 address", opts["local_address"])
	}
	grace := 60
	if g, ok := opts["adopt_grace"]; ok {
		if grace, err = strconv.Atoi(g); err != nil || grace < 0 {
			return nil, fmt.Errorf("linux dataplane: adopt_grace %q is not a number of seconds", g)
		}
	}
	d.adoptUntil = time.Now().Add(time.Duration(grace) * time.Second)
	if name := opts["netns"]; name != "" {
		if d.ns, err = netns.GetFromName(name); err != nil {
			return nil, fmt.Errorf("linux dataplane: namespace %s: %w", name, err)
		}
		d.h, err = netlink.NewHandleAt(d.ns)
	} else {
		d.h, err = netlink.NewHandle()
	}
	if err != nil {
		return nil, fmt.Errorf("linux dataplane: netlink: %w", err)
	}
	if err := d.sysctl("net/ipv4/ip_forward", "1"); err != nil {
		return nil, err
	}
	return d, nil
}

// Info describes the driver: VXLAN only (MPLS routing and VRF devices are
// not used), one next hop per prefix.
func (d *Driver) Info() dataplane.Info {
	return dataplane.Info{Name: "linux", Encaps: []uint16{8}, ECMP: false, LocalAddress: d.local}
}

// State returns the last applied state.
func (d *Driver) State() dataplane.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Close releases the netlink handle; what was programmed stays.
func (d *Driver) Close() error {
	d.h.Close()
	if d.ns.IsOpen() {
		d.ns.Close()
	}
	return nil
}

// Apply makes the kernel match s.
func (d *Driver) Apply(ctx context.Context, s dataplane.State) error {
	prune := time.Now().After(d.adoptUntil)
	var errs []error
	keep := map[string]bool{}
	for _, e := range s.EVIs {
		errs = append(errs, d.applyEVI(e, keep, prune))
	}
	keepTables := map[int]bool{}
	for _, v := range s.VRFs {
		errs = append(errs, d.applyVRF(v, keep, keepTables, prune))
	}
	if prune {
		errs = append(errs, d.pruneLinks(keep), d.pruneRules(keepTables))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	d.mu.Lock()
	d.state = s
	d.mu.Unlock()
	return nil
}

// macFor derives a stable MAC from a VTEP address, so that both ends of a
// VRF's VXLAN agree on the router MACs without signalling them.
func macFor(a netip.Addr) net.HardwareAddr {
	b := a.As4()
	return net.HardwareAddr{0x02, 0xbe, b[0], b[1], b[2], b[3]}
}

func (d *Driver) applyEVI(e dataplane.EVI, keep map[string]bool, prune bool) error {
	brName := e.Bridge
	if brName == "" {
		brName = fmt.Sprintf("bvbr-%d", e.VNI)
		keep[brName] = true
	}
	vxName := fmt.Sprintf("bvvx-%d", e.VNI)
	keep[vxName] = true
	br, err := d.ensureLink(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: brName}})
	if err != nil {
		return err
	}
	vx, err := d.ensureLink(d.vxlan(vxName, e.VNI))
	if err != nil {
		return err
	}
	if vx.Attrs().MasterIndex != br.Attrs().Index {
		if err := d.h.LinkSetMaster(vx, br); err != nil {
			return fmt.Errorf("enslaving %s to %s: %w", vxName, brName, err)
		}
	}
	ports := map[int]bool{vx.Attrs().Index: true}
	for _, p := range e.Ports {
		l, err := d.h.LinkByName(p.LinuxIf)
		if err != nil {
			return fmt.Errorf("port %s of EVI %s: %w", p.LinuxIf, e.ID, err)
		}
		ports[l.Attrs().Index] = true
		if l.Attrs().MasterIndex != br.Attrs().Index {
			if err := d.h.LinkSetMaster(l, br); err != nil {
				return fmt.Errorf("plugging %s into %s: %w", p.LinuxIf, brName, err)
			}
		}
		if err := d.h.LinkSetUp(l); err != nil {
			return err
		}
	}
	if prune {
		// Ports that left the EVI leave the bridge.
		links, err := d.linkList()
		if err != nil {
			return err
		}
		for _, l := range links {
			if l.Attrs().MasterIndex == br.Attrs().Index && !ports[l.Attrs().Index] {
				if err := d.h.LinkSetNoMaster(l); err != nil {
					return err
				}
			}
		}
	}
	// FDB: remote MACs, and the flood list as all-zero entries.
	want := map[string]netlink.Neigh{}
	add := func(mac net.HardwareAddr, vtep netip.Addr) {
		if vtep == d.local {
			return
		}
		n := netlink.Neigh{LinkIndex: vx.Attrs().Index, Family: unix.AF_BRIDGE, State: netlink.NUD_PERMANENT | netlink.NUD_NOARP,
			Flags: netlink.NTF_SELF, HardwareAddr: mac, IP: net.IP(vtep.AsSlice())}
		want[mac.String()+"|"+vtep.String()] = n
	}
	for _, m := range e.MACs {
		add(net.HardwareAddr(m.MAC), m.VTEP)
	}
	for _, f := range e.Flood {
		add(net.HardwareAddr{0, 0, 0, 0, 0, 0}, f.VTEP)
	}
	return d.syncFDB(vx.Attrs().Index, want, prune)
}

func (d *Driver) vxlan(name string, vni uint32) *netlink.Vxlan {
	return &netlink.Vxlan{LinkAttrs: netlink.LinkAttrs{Name: name, MTU: 1450}, VxlanId: int(vni),
		SrcAddr: net.IP(d.local.AsSlice()), Port: vxlanPort, Learning: false}
}

func (d *Driver) syncFDB(index int, want map[string]netlink.Neigh, prune bool) error {
	have, err := d.neighList(index, unix.AF_BRIDGE)
	if err != nil {
		return err
	}
	seen := map[string]bool{}
	for _, n := range have {
		if n.IP == nil || n.State&netlink.NUD_PERMANENT == 0 {
			continue
		}
		ip, _ := netip.AddrFromSlice(n.IP)
		k := n.HardwareAddr.String() + "|" + ip.Unmap().String()
		if _, ok := want[k]; ok {
			seen[k] = true
		} else if prune {
			n := n
			if err := d.h.NeighDel(&n); err != nil && !errors.Is(err, unix.ENOENT) {
				return fmt.Errorf("removing FDB entry %s: %w", k, err)
			}
		}
	}
	for k, n := range want {
		if seen[k] {
			continue
		}
		n := n
		if err := d.h.NeighAppend(&n); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("adding FDB entry %s: %w", k, err)
		}
	}
	return nil
}

func (d *Driver) applyVRF(v dataplane.VRF, keep map[string]bool, keepTables map[int]bool, prune bool) error {
	table := tableBase + int(v.VNI)
	keepTables[table] = true
	vxName := fmt.Sprintf("bvl3-%d", v.VNI)
	keep[vxName] = true
	vxl := d.vxlan(vxName, v.VNI)
	vxl.HardwareAddr = macFor(d.local)
	vx, err := d.ensureLink(vxl)
	if err != nil {
		return err
	}
	if err := d.sysctl("net/ipv4/conf/"+vxName+"/rp_filter", "0"); err != nil {
		return err
	}
	rules := []string{vxName}
	routes := map[netip.Prefix]*netlink.Route{}
	for _, p := range v.Ports {
		l, err := d.h.LinkByName(p.LinuxIf)
		if err != nil {
			return fmt.Errorf("port %s of VRF %s: %w", p.LinuxIf, v.ID, err)
		}
		if err := d.h.LinkSetUp(l); err != nil {
			return err
		}
		for _, k := range []string{"proxy_arp", "rp_filter"} {
			val := "1"
			if k == "rp_filter" {
				val = "0"
			}
			if err := d.sysctl("net/ipv4/conf/"+p.LinuxIf+"/"+k, val); err != nil {
				return err
			}
		}
		if p.Direction != "to-port" {
			rules = append(rules, p.LinuxIf)
		}
		for _, ip := range p.IPs {
			if !ip.Addr().Is4() {
				continue
			}
			host := netip.PrefixFrom(ip.Addr(), 32)
			routes[host] = &netlink.Route{LinkIndex: l.Attrs().Index, Dst: ipNet(host), Table: table, Protocol: routeProto, Scope: netlink.SCOPE_LINK}
			n := &netlink.Neigh{LinkIndex: l.Attrs().Index, Family: netlink.FAMILY_V4, State: netlink.NUD_PERMANENT, IP: net.IP(ip.Addr().AsSlice()), HardwareAddr: net.HardwareAddr(p.MAC)}
			if err := d.h.NeighSet(n); err != nil {
				return fmt.Errorf("neighbour %s on %s: %w", ip.Addr(), p.LinuxIf, err)
			}
		}
	}
	// The gateway is a local address of the VRF: the kernel then answers
	// the VMs' ARP for it on their ports, and routes what they send it.
	if gw := v.GatewayIP; gw.Is4() {
		lo, err := d.h.LinkByName("lo")
		if err != nil {
			return err
		}
		routes[netip.PrefixFrom(gw, 32)] = &netlink.Route{LinkIndex: lo.Attrs().Index, Dst: ipNet(netip.PrefixFrom(gw, 32)), Table: table,
			Type: unix.RTN_LOCAL, Scope: netlink.SCOPE_HOST, Protocol: routeProto}
	}
	var fdb = map[string]netlink.Neigh{}
	for _, r := range v.Routes {
		if !r.Prefix.Addr().Is4() {
			continue
		}
		var hops []netip.Addr
		for _, nh := range r.NextHops {
			if nh.Encap == 8 && nh.Address != d.local && !nh.Local {
				hops = append(hops, nh.Address)
			}
		}
		if len(hops) == 0 {
			continue
		}
		if _, local := routes[r.Prefix]; local {
			continue
		}
		vtep := hops[0]
		routes[r.Prefix] = &netlink.Route{LinkIndex: vx.Attrs().Index, Dst: ipNet(r.Prefix), Gw: net.IP(vtep.AsSlice()), Table: table,
			Protocol: routeProto, Flags: int(netlink.FLAG_ONLINK)}
		k := macFor(vtep).String() + "|" + vtep.String()
		if _, done := fdb[k]; done {
			continue
		}
		n := &netlink.Neigh{LinkIndex: vx.Attrs().Index, Family: netlink.FAMILY_V4, State: netlink.NUD_PERMANENT, IP: net.IP(vtep.AsSlice()), HardwareAddr: macFor(vtep)}
		if err := d.h.NeighSet(n); err != nil {
			return fmt.Errorf("router neighbour %s: %w", vtep, err)
		}
		fdb[k] = netlink.Neigh{LinkIndex: vx.Attrs().Index, Family: unix.AF_BRIDGE,
			State: netlink.NUD_PERMANENT | netlink.NUD_NOARP, Flags: netlink.NTF_SELF, HardwareAddr: macFor(vtep), IP: net.IP(vtep.AsSlice())}
	}
	if err := d.syncFDB(vx.Attrs().Index, fdb, prune); err != nil {
		return err
	}
	if err := d.syncRoutes(table, routes, prune); err != nil {
		return err
	}
	return d.syncRules(table, rules, prune)
}

func routeType(r *netlink.Route) int {
	if r.Type == 0 {
		return unix.RTN_UNICAST
	}
	return r.Type
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: net.IP(p.Addr().AsSlice()), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func (d *Driver) syncRoutes(table int, want map[netip.Prefix]*netlink.Route, prune bool) error {
	var have []netlink.Route
	err := retry(func() (err error) {
		have, err = d.h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: table}, netlink.RT_FILTER_TABLE)
		return err
	})
	if err != nil {
		return fmt.Errorf("listing table %d: %w", table, err)
	}
	// Only what differs is written: a VRF may hold 100,000 routes and
	// Apply runs after every batch of BGP updates.
	same := map[netip.Prefix]bool{}
	for _, r := range have {
		if r.Dst == nil {
			continue
		}
		a, _ := netip.AddrFromSlice(r.Dst.IP)
		ones, _ := r.Dst.Mask.Size()
		p := netip.PrefixFrom(a.Unmap(), ones)
		w, ok := want[p]
		switch {
		case ok && w.LinkIndex == r.LinkIndex && w.Gw.Equal(r.Gw) && routeType(w) == r.Type:
			same[p] = true
		case !ok && prune:
			r := r
			if err := d.h.RouteDel(&r); err != nil && !errors.Is(err, unix.ESRCH) {
				return fmt.Errorf("removing route %s from table %d: %w", r.Dst, table, err)
			}
		}
	}
	for p, r := range want {
		if same[p] {
			continue
		}
		if err := d.h.RouteReplace(r); err != nil {
			return fmt.Errorf("route %s in table %d: %w", p, table, err)
		}
	}
	return nil
}

func (d *Driver) syncRules(table int, iifs []string, prune bool) error {
	rules, err := d.ruleList()
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, r := range rules {
		if r.Table != table || r.Priority != rulePriority {
			continue
		}
		if contains(iifs, r.IifName) {
			have[r.IifName] = true
		} else if prune {
			r := r
			if err := d.h.RuleDel(&r); err != nil {
				return fmt.Errorf("removing rule iif %s: %w", r.IifName, err)
			}
		}
	}
	for _, iif := range iifs {
		if have[iif] {
			continue
		}
		r := netlink.NewRule()
		r.IifName, r.Table, r.Priority = iif, table, rulePriority
		if err := d.h.RuleAdd(r); err != nil && !errors.Is(err, unix.EEXIST) {
			return fmt.Errorf("rule iif %s lookup %d: %w", iif, table, err)
		}
	}
	return nil
}

func (d *Driver) pruneRules(keepTables map[int]bool) error {
	rules, err := d.ruleList()
	if err != nil {
		return err
	}
	for _, r := range rules {
		if r.Priority == rulePriority && r.Table >= tableBase && !keepTables[r.Table] {
			r := r
			if err := d.h.RuleDel(&r); err != nil {
				return err
			}
			routes, _ := d.h.RouteListFiltered(netlink.FAMILY_V4, &netlink.Route{Table: r.Table}, netlink.RT_FILTER_TABLE)
			for _, rt := range routes {
				rt := rt
				d.h.RouteDel(&rt)
			}
		}
	}
	return nil
}

// pruneLinks removes our devices that no instance wants any more.
func (d *Driver) pruneLinks(keep map[string]bool) error {
	links, err := d.linkList()
	if err != nil {
		return err
	}
	for _, l := range links {
		n := l.Attrs().Name
		if strings.HasPrefix(n, "bvbr-") || strings.HasPrefix(n, "bvvx-") || strings.HasPrefix(n, "bvl3-") {
			if !keep[n] {
				if err := d.h.LinkDel(l); err != nil {
					return fmt.Errorf("removing %s: %w", n, err)
				}
			}
		}
	}
	return nil
}

// ensureLink creates a device if missing (or of the wrong kind) and sets
// it up; an existing one is adopted as is.
func (d *Driver) ensureLink(want netlink.Link) (netlink.Link, error) {
	name := want.Attrs().Name
	l, err := d.h.LinkByName(name)
	if err == nil && l.Type() != want.Type() {
		if err := d.h.LinkDel(l); err != nil {
			return nil, err
		}
		err = netlink.LinkNotFoundError{}
	}
	if err != nil {
		if !errors.As(err, &netlink.LinkNotFoundError{}) {
			return nil, fmt.Errorf("looking up %s: %w", name, err)
		}
		if err := d.h.LinkAdd(want); err != nil {
			return nil, fmt.Errorf("creating %s: %w", name, err)
		}
		if l, err = d.h.LinkByName(name); err != nil {
			return nil, err
		}
	}
	if err := d.h.LinkSetUp(l); err != nil {
		return nil, fmt.Errorf("setting %s up: %w", name, err)
	}
	return l, nil
}

// retry repeats a netlink dump that the kernel interrupted.
func retry(f func() error) error {
	var err error
	for range 5 {
		if err = f(); !errors.Is(err, netlink.ErrDumpInterrupted) {
			return err
		}
	}
	return err
}

func (d *Driver) linkList() (ls []netlink.Link, err error) {
	err = retry(func() error { ls, err = d.h.LinkList(); return err })
	return ls, err
}

func (d *Driver) neighList(index, family int) (ns []netlink.Neigh, err error) {
	err = retry(func() error { ns, err = d.h.NeighList(index, family); return err })
	return ns, err
}

func (d *Driver) ruleList() (rs []netlink.Rule, err error) {
	err = retry(func() error { rs, err = d.h.RuleList(netlink.FAMILY_V4); return err })
	return rs, err
}

// sysctl writes a value under /proc/sys in the driver's namespace.
func (d *Driver) sysctl(path, val string) error {
	write := func() error {
		return os.WriteFile(filepath.Join("/proc/sys", path), []byte(val), 0o644)
	}
	if !d.ns.IsOpen() {
		if err := write(); err != nil {
			return fmt.Errorf("sysctl %s: %w", path, err)
		}
		return nil
	}
	// /proc/sys/net belongs to the namespace of the thread that opens it.
	errc := make(chan error, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread dies with the goroutine
		orig, err := netns.Get()
		if err != nil {
			errc <- err
			return
		}
		defer orig.Close()
		if err := netns.Set(d.ns); err != nil {
			errc <- err
			return
		}
		errc <- write()
	}()
	if err := <-errc; err != nil {
		return fmt.Errorf("sysctl %s: %w", path, err)
	}
	return nil
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}
