package ovs

import (
	"fmt"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// vrf plans one VRF: its ports' classification, ARP answers and host
// flows, its labels' demultiplexing, and its remote routes.
func (pl *planner) vrf(v dataplane.VRF, local map[netip.Prefix]dataplane.Port) {
	o := pl.o
	meta := metaVRF | uint64(uint32(v.Number))
	if v.Number < 0 {
		pl.fail(v.ID, fmt.Errorf("VRF %s: number %d is negative", v.ID, v.Number))
		return
	}
	toVRF := []Op{{Kind: WriteMetadata, Value: meta}, {Kind: GotoTable, Value: uint64(o.TableStart)}}
	// The VRF's own label (or VNI): what remote PEs send to routes we
	// advertise with it.
	pl.labelIn(v.ID, v.VNI, toVRF)
	for _, port := range v.Ports {
		if port.EVI != "" {
			pl.fail(v.ID, fmt.Errorf("VRF %s: port through EVI %s: an EVPN instance stitched into an IP VPN is not supported by the ovs driver", v.ID, port.EVI))
			continue
		}
		lp, ok := pl.portOf(port)
		if !ok {
			pl.fail(v.ID, fmt.Errorf("VRF %s: port %s is not on bridge %s", v.ID, port.LinuxIf, o.Bridge))
			continue
		}
		to, from := directions(port.Direction)
		if from {
			pl.portFrom(v, port, lp, toVRF)
		}
		if !to {
			continue
		}
		if port.Label != 0 && port.Label != v.VNI {
			// A port's own label means "to this port" whatever the
			// destination (an MPLS per-CE label).
			pl.labelIn(v.ID, port.Label, pl.deliver(lp))
		}
		for _, ip := range port.IPs {
			if h := hostOrPrefix(ip); h.Addr().Is4() {
				pl.route(v.ID, meta, h, append([]Op{{Kind: DecTTL}}, pl.deliver(lp)...))
			}
		}
	}
	for _, rt := range v.Routes {
		pl.remote(v, meta, rt, local)
	}
	pl.addFlow(v.ID, Flow{Table: o.TableStart, Priority: prioDefault, Match: Match{Metadata: meta}, Ops: missOps(v.Fallback)})
}

// missOps: what matches no route of a VRF goes to its fallback, toward
// the Neutron router, which routes what the VPN does not (tagged with the
// fallback's VLAN, if any); without a complete fallback it is dropped.
func missOps(fb *dataplane.Fallback) []Op {
	if fb == nil || fb.PortNumber == 0 || len(fb.SrcMAC) != 6 || len(fb.DstMAC) != 6 {
		return []Op{{Kind: Drop}}
	}
	return append([]Op{{Kind: SetEthSrc, MAC: fb.SrcMAC.String()}, {Kind: SetEthDst, MAC: fb.DstMAC.String()}},
		output(localPort{out: fb.PortNumber, vlan: fb.VLAN})...)
}

// portFrom: what a port sends enters the VRF; its ARP requests are
// answered with the router MAC (every address but its own with
// proxy_arp, the gateway only with arp_responder alone).
func (pl *planner) portFrom(v dataplane.VRF, port dataplane.Port, lp localPort, toVRF []Op) {
	o := pl.o
	in := func(m Match, prio uint16, ops []Op) {
		m.InPort, m.VLAN = lp.in, lp.vlan
		pl.addFlow(v.ID, Flow{Table: o.InputTable, Priority: prio, Match: m, Ops: ops})
	}
	in(Match{EthType: ethIPv4}, prioClassify, append(untag(lp), toVRF...))
	reply := []Op{{Kind: ARPReply, MAC: pl.rmac}, {Kind: OutputInPort}}
	switch {
	case o.ProxyARP:
		in(Match{EthType: ethARP, ArpOp: 1}, prioClassify, reply)
		for _, ip := range port.IPs {
			if ip.Addr().Is4() {
				// A VM probing its own address must hear nothing.
				in(Match{EthType: ethARP, ArpOp: 1, ArpTPA: ip.Addr()}, prioOwnIP, []Op{{Kind: Drop}})
			}
		}
	case o.ARPResponder:
		if gw := v.GatewayIP.Unmap(); gw.Is4() {
			in(Match{EthType: ethARP, ArpOp: 1, ArpTPA: gw}, prioClassify, reply)
		}
	}
}

// labelIn demultiplexes a label arriving from remote PEs: over GRE (MPLS,
// popped) and over VXLAN (as the VNI), then ops.
func (pl *planner) labelIn(id string, label uint32, ops []Op) {
	if label == 0 {
		return
	}
	for _, in := range []uint32{pl.ports.GRE, pl.ports.MPLSEth} {
		if in != 0 && isMPLSLabel(label) {
			pl.addFlow(id, Flow{Table: pl.o.InputTable, Priority: prioClassify,
				Match: Match{InPort: in, EthType: ethMPLS, MPLS: label}, Ops: append([]Op{{Kind: PopMPLS}}, ops...)})
		}
	}
	if pl.ports.VXLANL3 != 0 && label < 1<<24 {
		pl.addFlow(id, Flow{Table: pl.o.InputTable, Priority: prioClassify,
			Match: Match{InPort: pl.ports.VXLANL3, TunID: uint64(label), EthType: ethIPv4}, Ops: ops})
	}
}

// route adds the VRF table's flow for prefix.
func (pl *planner) route(id string, meta uint64, prefix netip.Prefix, ops []Op) {
	pl.addFlow(id, Flow{Table: pl.o.TableStart, Priority: uint16(prioRoute + prefix.Bits()),
		Match: Match{Metadata: meta, EthType: ethIPv4, IPDst: prefix.Masked()}, Ops: ops})
}

// remote plans a route learnt from BGP: one tunnel, or a select group
// over several (ECMP).
func (pl *planner) remote(v dataplane.VRF, meta uint64, rt dataplane.IPRoute, local map[netip.Prefix]dataplane.Port) {
	if !rt.Prefix.Addr().Is4() {
		pl.fail(v.ID, fmt.Errorf("VRF %s: route %s: IPv6 is not supported by the ovs driver", v.ID, rt.Prefix))
		return
	}
	var hops [][]Op
	for _, nh := range rt.NextHops {
		ops := pl.hop(rt.Prefix, nh, local)
		if ops != nil && !containsOps(hops, ops) {
			hops = append(hops, ops)
		}
	}
	switch len(hops) {
	case 0:
		pl.fail(v.ID, fmt.Errorf("VRF %s: route %s: no next hop this driver can reach", v.ID, rt.Prefix))
	case 1:
		pl.route(v.ID, meta, rt.Prefix, append([]Op{{Kind: DecTTL}}, hops[0]...))
	default:
		g := SelectGroup{ID: groupID(hops), Buckets: hops}
		if old, dup := pl.p.groups[g.ID]; dup && old.String() != g.String() {
			pl.fail(v.ID, fmt.Errorf("VRF %s: route %s: group ID %#x collides, route skipped", v.ID, rt.Prefix, g.ID))
			return
		}
		pl.p.groups[g.ID] = g
		pl.route(v.ID, meta, rt.Prefix, []Op{{Kind: DecTTL}, {Kind: Group, Value: uint64(g.ID)}})
	}
}

// hop is the ops of one next hop, nil when it cannot be reached.
func (pl *planner) hop(prefix netip.Prefix, nh dataplane.NextHop, local map[netip.Prefix]dataplane.Port) []Op {
	if nh.Local {
		port, ok := local[prefix]
		if !ok {
			return nil
		}
		lp, ok := pl.portOf(port)
		if !ok {
			return nil
		}
		return pl.deliver(lp)
	}
	if !nh.Address.Is4() {
		return nil
	}
	switch {
	case (nh.Encap == encapMPLS || nh.Encap == 0) && pl.ports.GRE != 0 && isMPLSLabel(nh.Label):
		return []Op{{Kind: PushMPLS}, {Kind: SetMPLSLabel, Value: uint64(nh.Label)},
			{Kind: SetTunDst, Addr: nh.Address}, {Kind: Output, Port: pl.ports.GRE}}
	case (nh.Encap == encapMPLS || nh.Encap == 0) && pl.ports.MPLSEth != 0 && isMPLSLabel(nh.Label):
		// The PE MAC table sets the PE's MAC and sends it out of
		// mpls_interface (nothing while ARP has not answered).
		return []Op{{Kind: PushMPLS}, {Kind: SetMPLSLabel, Value: uint64(nh.Label)}, {Kind: SetEthSrc, MAC: pl.ports.MPLSEthMAC},
			{Kind: SetReg0, Addr: nh.Address}, {Kind: Resubmit, Value: uint64(pl.o.TableStart) + 2}}
	case nh.Encap == encapVXLAN && pl.ports.VXLANL3 != 0 && nh.Label != 0 && nh.Label < 1<<24:
		rmac := routerMAC(nh.Address).String()
		if len(nh.RouterMAC) == 6 {
			rmac = nh.RouterMAC.String()
		}
		return []Op{{Kind: SetEthSrc, MAC: pl.rmac}, {Kind: SetEthDst, MAC: rmac}, {Kind: SetTunID, Value: uint64(nh.Label)},
			{Kind: SetTunDst, Addr: nh.Address}, {Kind: Output, Port: pl.ports.VXLANL3}}
	}
	return nil
}

func containsOps(list [][]Op, ops []Op) bool {
	for _, x := range list {
		if opsString(x) == opsString(ops) {
			return true
		}
	}
	return false
}

// mplsEthernet plans ARP on mpls_interface (MPLS over Ethernet): every
// ARP message teaches the PE MAC table its sender's MAC; requests for our
// address are answered with the interface's MAC.
func (pl *planner) mplsEthernet() {
	in, mac := pl.ports.MPLSEth, pl.ports.MPLSEthMAC
	learn := Op{Kind: LearnPEMAC, Value: uint64(pl.o.TableStart) + 2}
	pl.addFlow("", Flow{Table: pl.o.InputTable, Priority: prioClassify, Match: Match{InPort: in, EthType: ethARP}, Ops: []Op{learn}})
	pl.addFlow("", Flow{Table: pl.o.InputTable, Priority: prioOwnIP, Match: Match{InPort: in, EthType: ethARP, ArpOp: 1, ArpTPA: pl.o.LocalAddress},
		Ops: []Op{learn, {Kind: ARPReply, MAC: mac}, {Kind: OutputInPort}}})
}
