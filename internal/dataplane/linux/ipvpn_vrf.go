package linux

import (
	"fmt"
	"net/netip"
	"slices"

	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// vrfPlanner plans one VRF into an l3Plan: the VRF's table, its address
// families and what its steps find along the way. It only reads the
// state; problems are collected in errs, the rest is still planned.
type vrfPlanner struct {
	p       *l3Plan
	v       dataplane.VRF
	o       Options
	ifindex map[string]int
	// mplsIf is the interface carrying MPLS ("" without MPLS), mplsIdx
	// its index, l3 bgv-l3's.
	mplsIf      string
	l3, mplsIdx int
	// local maps a prefix of a port of ours to that port's device.
	local map[netip.Prefix]string
	table int
	fams  []int
	errs  []error
	// anyFrom: a port sends into the VRF; hosts6 are the IPv6 host
	// routes, for proxy NDP.
	anyFrom bool
	hosts6  []netip.Addr
}

// planVRF plans one VRF: its rules, labels, port and remote routes, proxy
// entries and catch-all routes.
func (p *l3Plan) planVRF(v dataplane.VRF, o Options, ifindex map[string]int, mplsIf string, l3, mplsIdx int, local map[netip.Prefix]string) []error {
	vp := &vrfPlanner{p: p, v: v, o: o, ifindex: ifindex, mplsIf: mplsIf, l3: l3, mplsIdx: mplsIdx, local: local, table: o.TableBase + v.Number}
	if !validVRFNumber(v.Number) {
		vp.fail(fmt.Errorf("number %d out of range 0..%d", v.Number, maxVRFNumber))
		return vp.errs
	}
	vp.fams = vrfFamilies(v)
	vp.rule(l3Device, v.VNI)
	vp.ownLabel()
	for _, port := range v.Ports {
		vp.port(port)
	}
	vp.remoteRoutes()
	vp.gatewayRoutes()
	planProxies(p, v, ifindex, vp.hosts6)
	vp.unreachable()
	return vp.errs
}

func (vp *vrfPlanner) fail(err error) {
	vp.errs = append(vp.errs, &dataplane.InstanceError{Instance: vp.v.ID, Err: fmt.Errorf("VRF %s: %w", vp.v.ID, err)})
}

// add plans route r in the VRF's table; the first of two routes with the
// same key wins.
func (vp *vrfPlanner) add(r *kroute) {
	r.Table, r.Protocol = vp.table, rtProto
	if r.Family == unix.AF_INET6 {
		// What the kernel makes of these in IPv6 tables: read back as
		// written, or every Apply would rewrite them.
		r.Scope = unix.RT_SCOPE_UNIVERSE
		if r.Priority == 0 {
			r.Priority = 1024
		}
	}
	if _, dup := vp.p.routes[r.key()]; !dup {
		vp.p.routes[r.key()] = r
	}
}

// rule sends what comes from iif (with tunnel ID tunID when not 0) to the
// VRF's table, in each of its families.
func (vp *vrfPlanner) rule(iif string, tunID uint32) {
	for _, f := range vp.fams {
		vp.p.rules[krule{Family: f, Priority: uint32(vp.o.RulePriority), IIF: iif, TunID: tunID, Table: vp.table, Protocol: rtProto}] = true
	}
}

// ownLabel: the VRF's own label over MPLS is popped, then the packet is
// looked up in the VRF's table, which its VRF device is bound to.
func (vp *vrfPlanner) ownLabel() {
	if vp.mplsIf == "" {
		return
	}
	if idx, ok := vp.ifindex[vrfDeviceName(vp.v.Number)]; !ok {
		vp.fail(fmt.Errorf("VRF device %s missing", vrfDeviceName(vp.v.Number)))
	} else if isMPLSLabel(vp.v.VNI) {
		vp.p.inLabel(vp.v.VNI, &kroute{OIF: idx})
	}
}

// port plans one port: its rule and gateway announcement when it sends
// into the VRF, its labels and routes when the VRF routes to it.
func (vp *vrfPlanner) port(port dataplane.Port) {
	idx, ok := vp.ifindex[port.LinuxIf]
	if !ok {
		vp.fail(fmt.Errorf("port %s: no such device", port.LinuxIf))
		return
	}
	if slices.Contains(vp.fams, unix.AF_INET6) {
		vp.p.ports6[port.LinuxIf] = true
	}
	to, from := directions(port.Direction)
	if from {
		vp.portFrom(port)
	}
	if !to {
		return
	}
	vp.portLabels(port, idx)
	for _, r := range portRoutes(port, idx) {
		if r.Family == unix.AF_INET6 && r.Dst.IsSingleIP() {
			vp.hosts6 = append(vp.hosts6, r.Dst.Addr())
		}
		vp.add(r)
	}
}

// portFrom: what the port sends is looked up in the VRF's table, and the
// port announces the IPv4 gateway (garp.go).
func (vp *vrfPlanner) portFrom(port dataplane.Port) {
	vp.anyFrom = true
	vp.rule(port.LinuxIf, 0)
	vp.p.fromPorts[port.LinuxIf] = true
	if gw := vp.v.GatewayIP; port.EVI == "" && gw.Is4() && !slices.Contains(vp.p.announce[port.LinuxIf], gw) {
		vp.p.announce[port.LinuxIf] = append(vp.p.announce[port.LinuxIf], gw)
	}
}

// portLabels plans a port's own label, which means "to this port".
func (vp *vrfPlanner) portLabels(port dataplane.Port, idx int) {
	v, o := vp.v, vp.o
	if gw := portHost(port); vp.mplsIf != "" && port.Label != v.VNI && isMPLSLabel(port.Label) && gw.IsValid() {
		// Over MPLS: pop, deliver to the port's address (a port without
		// one has nothing the kernel could resolve its MAC with, and
		// gets no route).
		vp.p.inLabel(port.Label, &kroute{OIF: idx, Gw: gw})
	}
	if port.Label == 0 || port.Label == v.VNI || port.Label >= 1<<24 {
		return
	}
	// Over VXLAN, a per-port label means "to this port", whatever the
	// destination (an MPLS per-CE label): its own table, holding a
	// default route to the port, not the VRF's.
	lt := labelTable(o, port.Label)
	for _, r := range labelRoutes(port, idx, vp.fams) {
		r.Table, r.Protocol = lt, rtProto
		if _, dup := vp.p.routes[r.key()]; !dup {
			vp.p.routes[r.key()] = r
		}
	}
	for _, f := range vp.fams {
		vp.p.rules[krule{Family: f, Priority: uint32(o.RulePriority), IIF: l3Device, TunID: port.Label, Table: lt, Protocol: rtProto}] = true
	}
}

// remoteRoutes plans the subnets of stitched EVIs (their bridge reaches
// them, see stitch.go) and the routes learnt from BGP outside them.
func (vp *vrfPlanner) remoteRoutes() {
	stitched := stitchedSubnets(vp.v)
	for _, sn := range stitched {
		if idx, ok := vp.ifindex[sn.bridge]; ok {
			vp.add(&kroute{Family: family(sn.prefix.Addr()), Dst: sn.prefix, Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_LINK, OIF: idx})
		}
	}
	for _, rt := range vp.v.Routes {
		if inSubnets(rt.Prefix, stitched) {
			continue // the EVI reaches it
		}
		r, err := remoteRoute(rt, vp.o, vp.l3, vp.mplsIdx, vp.ifindex, vp.local, vp.p.neigh)
		if err != nil {
			vp.fail(err)
		}
		if r != nil {
			if r.Family == unix.AF_INET6 && r.Dst.IsSingleIP() {
				vp.hosts6 = append(vp.hosts6, r.Dst.Addr())
			}
			vp.add(r)
		}
	}
}

// gatewayRoutes: something for proxy ARP to answer the IPv4 gateway with
// when no remote route covers it (what is sent to it is dropped by
// bgv-l3, which has no tunnel for it). IPv6 gateways need no route: proxy
// NDP answers from its entries alone.
func (vp *vrfPlanner) gatewayRoutes() {
	if !vp.anyFrom {
		return
	}
	for _, gw := range vp.v.Gateways() {
		if gw.Is4() {
			vp.add(&kroute{Family: unix.AF_INET, Dst: netip.PrefixFrom(gw, 32), Type: unix.RTN_UNICAST, Scope: unix.RT_SCOPE_LINK, OIF: vp.l3})
		}
	}
}

// unreachable: whatever the VRF has no route for stops here rather than
// falling through to the main table.
func (vp *vrfPlanner) unreachable() {
	for _, f := range vp.fams {
		dst := netip.PrefixFrom(netip.IPv4Unspecified(), 0)
		if f == unix.AF_INET6 {
			dst = netip.PrefixFrom(netip.IPv6Unspecified(), 0)
		}
		vp.add(&kroute{Family: f, Dst: dst, Type: unix.RTN_UNREACHABLE, Priority: unreachableMetric})
	}
}
