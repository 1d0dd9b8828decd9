package linux

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/reconcile"
)

// applyIPVPN makes the IP VPN path match s in three steps: the devices
// (bgv-l3, VRF devices), then what the VRFs need made (neighbours before
// the routes that use them, routes before the rules that lead to them),
// then, unless adopting what an earlier process left, what we own and no
// longer want broken down.
func (d *Driver) applyIPVPN(ctx context.Context, s dataplane.State) error {
	if d.k == nil {
		return errors.New("linux dataplane: driver closed")
	}
	dev, err := d.ipvpnDevices(s)
	if err != nil {
		return err
	}
	errs := dev.errs
	s, serrs := stitchEVIs(s)
	errs = append(errs, serrs...)
	plan, perrs := planL3(s, d.o, dev.ifindex, dev.mplsIf)
	errs = append(errs, perrs...)
	if err := ctx.Err(); err != nil {
		return err
	}
	have, err := d.makeIPVPN(dev, plan)
	errs = append(errs, have.errs...)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	if d.adopting() {
		return errors.Join(errs...)
	}
	errs = append(errs, d.breakIPVPN(s, dev, plan, have)...)
	return errors.Join(errs...)
}

// ipvpnDevs are the namespace's devices once the IP VPN path's own are
// in place.
type ipvpnDevs struct {
	links      map[string]netlink.Link
	l3         netlink.Link // nil without VRFs
	wantVRFDev map[string]int
	ifindex    map[string]int
	mplsIf     string // "" when IP VPNs use VXLAN only
	errs       []error
}

// ipvpnDevices lists the links and makes bgv-l3 (when there are VRFs) and
// the VRF devices (MPLS: one per VRF, bound to its table).
func (d *Driver) ipvpnDevices(s dataplane.State) (*ipvpnDevs, error) {
	ls, err := d.k.LinkList()
	if err != nil {
		return nil, fmt.Errorf("listing links: %w", err)
	}
	dev := &ipvpnDevs{links: make(map[string]netlink.Link, len(ls)), wantVRFDev: map[string]int{}, ifindex: map[string]int{}}
	for _, l := range ls {
		dev.links[l.Attrs().Name] = l
	}
	if len(s.VRFs) > 0 {
		if dev.l3, err = d.ensureL3(dev.links[l3Device]); err != nil {
			return nil, err
		}
		dev.links[l3Device] = dev.l3
	}
	if d.mpls {
		dev.mplsIf = d.mplsIf
		for _, v := range s.VRFs {
			if validVRFNumber(v.Number) {
				dev.wantVRFDev[vrfDeviceName(v.Number)] = d.o.TableBase + v.Number
			}
		}
		for _, name := range sortedKeys(boolKeys(dev.wantVRFDev)) {
			l, err := d.ensureVRFDevice(dev.links[name], name, dev.wantVRFDev[name])
			if err != nil {
				dev.errs = append(dev.errs, err)
				continue
			}
			dev.links[name] = l
		}
	}
	for n, l := range dev.links {
		dev.ifindex[n] = l.Attrs().Index
	}
	return dev, nil
}

// ipvpnHave is what the make step read from the kernel, and what the
// break step removes from it.
type ipvpnHave struct {
	neigh       []netlink.Neigh
	staleRoutes []*kroute
	staleRules  []krule
	proxies     []kproxy
	errs        []error
}

// makeIPVPN adds what plan needs and replaces what differs. The error is
// a failure to read the kernel, after which nothing can be broken safely.
func (d *Driver) makeIPVPN(dev *ipvpnDevs, plan *l3Plan) (*ipvpnHave, error) {
	have := &ipvpnHave{}
	if l3 := dev.l3; l3 != nil {
		if err := d.k.SetSysctls(plan.ipv6); err != nil {
			have.errs = append(have.errs, fmt.Errorf("IPv6 on %s, which IPv6 gateways (IPv6 prefixes, router MACs of EVPN type 5 routes) need: %w", l3Device, err))
		}
		if err := d.k.SetSysctls(plan.ipv6Ports); err != nil {
			have.errs = append(have.errs, fmt.Errorf("IPv6, IPv6 forwarding and proxy NDP on the ports of VRFs with IPv6: %w", err))
		}
		for _, f := range []int{unix.AF_INET, unix.AF_INET6} {
			ns, err := d.k.NeighList(l3.Attrs().Index, f)
			if err != nil {
				return have, fmt.Errorf("listing neighbours of %s: %w", l3Device, err)
			}
			have.neigh = append(have.neigh, ns...)
		}
		for gw, mac := range plan.neigh {
			if slices.ContainsFunc(have.neigh, func(n netlink.Neigh) bool {
				return n.IP.Equal(addrIP(gw)) && n.State == unix.NUD_PERMANENT && n.HardwareAddr.String() == mac.String()
			}) {
				continue
			}
			n := &netlink.Neigh{LinkIndex: l3.Attrs().Index, Family: family(gw), State: unix.NUD_PERMANENT, IP: addrIP(gw), HardwareAddr: mac}
			if err := d.k.NeighSet(n); err != nil {
				have.errs = append(have.errs, fmt.Errorf("adding neighbour %s: %w", gw, err))
			}
		}
	}
	haveRoutes, err := d.ourRoutes()
	if err != nil {
		return have, err
	}
	put, stale := reconcile.Diff(haveRoutes, plan.routes, func(h, w *kroute) bool { return w.same(h) }, compareRouteKeys)
	for _, k := range put {
		r := plan.routes[k]
		if err := d.k.RouteReplace(r); err != nil {
			have.errs = append(have.errs, fmt.Errorf("route %s: %w", r, err))
			continue
		}
		d.log.Debug("route set", "route", r.String())
	}
	for _, k := range stale {
		have.staleRoutes = append(have.staleRoutes, haveRoutes[k])
	}
	haveRules := map[krule]bool{}
	for _, f := range []int{unix.AF_INET, unix.AF_INET6} {
		rs, err := d.k.Rules(f)
		if err != nil {
			return have, fmt.Errorf("listing rules: %w", err)
		}
		for _, r := range rs {
			haveRules[r] = true
		}
	}
	newRules, staleRules := reconcile.Diff(haveRules, plan.rules, nil, nil)
	have.staleRules = staleRules
	newFrom := map[string]bool{} // ports that start sending into a VRF
	for _, r := range newRules {
		if err := d.k.RuleAdd(r); err != nil {
			have.errs = append(have.errs, fmt.Errorf("rule %s: %w", r, err))
			continue
		}
		d.log.Debug("rule added", "rule", r.String())
		if r.IIF != l3Device && r.TunID == 0 {
			newFrom[r.IIF] = true
		}
	}
	if err := d.k.SetSysctls(plan.sysctls); err != nil {
		have.errs = append(have.errs, err)
	}
	if have.proxies, err = d.applyProxies(plan); err != nil {
		have.errs = append(have.errs, err)
	}
	// Once proxy ARP answers on them (garp.go).
	for _, port := range sortedKeys(newFrom) {
		for _, gw := range plan.announce[port] {
			if l := dev.links[port]; l != nil {
				if err := d.k.Announce(l, gw); err != nil {
					have.errs = append(have.errs, fmt.Errorf("port %s: %w", port, err))
				}
			}
		}
	}
	return have, nil
}

// ourRoutes reads the routes of every family we program (MPLS too when the
// kernel has it, even over VXLAN: what an earlier MPLS run left goes).
func (d *Driver) ourRoutes() (map[routeKey]*kroute, error) {
	fams := []int{unix.AF_INET, unix.AF_INET6}
	if d.caps.mpls {
		fams = append(fams, unix.AF_MPLS)
	}
	have := map[routeKey]*kroute{}
	for _, f := range fams {
		rs, err := d.k.Routes(f)
		if err != nil {
			return nil, fmt.Errorf("listing routes: %w", err)
		}
		for i := range rs {
			have[rs[i].key()] = &rs[i]
		}
	}
	return have, nil
}

// breakIPVPN removes what we own and plan no longer has: rules, routes,
// proxy entries, neighbours, then the settings of released ports and the
// devices nothing points at any more.
func (d *Driver) breakIPVPN(s dataplane.State, dev *ipvpnDevs, plan *l3Plan, have *ipvpnHave) []error {
	var errs []error
	releasedPorts := map[string]bool{}
	for _, r := range have.staleRules {
		if err := d.k.RuleDel(r); err != nil {
			errs = append(errs, fmt.Errorf("deleting rule %s: %w", r, err))
			continue
		}
		if r.IIF != l3Device && !plan.fromPorts[r.IIF] {
			releasedPorts[r.IIF] = true
		}
	}
	for _, h := range have.staleRoutes {
		if err := d.k.RouteDel(h); err != nil {
			errs = append(errs, fmt.Errorf("deleting route %s: %w", h, err))
		}
	}
	released6 := map[string]bool{}
	byIndex := map[int]string{}
	for n, l := range dev.links {
		byIndex[l.Attrs().Index] = n
	}
	for _, h := range have.proxies {
		if _, want := plan.proxies[h.key()]; want || h.Protocol != rtProto {
			continue
		}
		if err := d.k.ProxyDel(h); err != nil {
			errs = append(errs, fmt.Errorf("deleting IPv6 %s: %w", h, err))
			continue
		}
		if port, ok := byIndex[h.Index]; ok && !plan.fromPorts6[port] {
			released6[port] = true
		}
	}
	for _, n := range have.neigh {
		gw, _ := netip.AddrFromSlice(n.IP)
		if n.State != unix.NUD_PERMANENT || plan.neigh[gw.Unmap()] != nil {
			continue
		}
		if err := d.k.NeighDel(&n); err != nil {
			errs = append(errs, fmt.Errorf("deleting neighbour %s: %w", n.IP, err))
		}
	}
	// A port that leaves every VRF stops answering ARP for the VPN; its
	// forwarding setting is left alone (other software may rely on it).
	var reset []sysctl
	for _, port := range sortedKeys(releasedPorts) {
		if _, ok := dev.links[port]; ok {
			reset = append(reset, sysctl{"ipv4/conf/" + port + "/proxy_arp", "0"})
		}
	}
	for _, port := range sortedKeys(released6) {
		reset = append(reset, sysctl{"ipv6/conf/" + port + "/proxy_ndp", "0"})
	}
	if err := d.k.SetSysctls(reset); err != nil {
		errs = append(errs, err)
	}
	// VRF devices no VRF wants (after their routes: nothing points at
	// them any more).
	for _, name := range sortedKeys(boolKeys(dev.links)) {
		if strings.HasPrefix(name, vrfDevicePfx) && dev.wantVRFDev[name] == 0 {
			if err := d.k.LinkDel(dev.links[name]); err != nil {
				errs = append(errs, fmt.Errorf("deleting %s: %w", name, err))
				continue
			}
			d.log.Info("device deleted", "device", name)
		}
	}
	if len(s.VRFs) == 0 {
		if l := dev.links[l3Device]; l != nil {
			if err := d.k.LinkDel(l); err != nil {
				errs = append(errs, fmt.Errorf("deleting %s: %w", l3Device, err))
			} else {
				d.log.Info("device deleted", "device", l3Device)
			}
		}
	}
	return errs
}
