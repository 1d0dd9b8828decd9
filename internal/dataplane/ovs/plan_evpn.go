package ovs

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// evi plans one EVI: its ports and its VNI enter the MAC table, known
// MACs go to their port or VTEP, the rest is flooded (to the VTEPs of
// the flood list only when it comes from a port: head-end replication
// without loops).
func (pl *planner) evi(e dataplane.EVI) {
	o := pl.o
	if e.Number < 0 {
		pl.fail(e.ID, fmt.Errorf("EVI %s: number %d is negative", e.ID, e.Number))
		return
	}
	if e.Bridge != "" {
		pl.fail(e.ID, fmt.Errorf("EVI %s: linuxbr %s: the ovs driver plugs ports into %s, not into a Linux bridge", e.ID, e.Bridge, o.Bridge))
	}
	meta := metaEVI | uint64(uint32(e.Number))
	table := o.TableStart + 1
	toEVI := []Op{{Kind: WriteMetadata, Value: meta}, {Kind: GotoTable, Value: uint64(table)}}
	var locals []localPort
	for _, port := range e.Ports {
		lp, ok := pl.portOf(port)
		if !ok {
			pl.fail(e.ID, fmt.Errorf("EVI %s: port %s is not on bridge %s", e.ID, port.LinuxIf, o.Bridge))
			continue
		}
		if !slices.ContainsFunc(locals, func(x localPort) bool { return x.out == lp.out && x.vlan == lp.vlan }) {
			locals = append(locals, lp)
		}
		pl.addFlow(e.ID, Flow{Table: o.InputTable, Priority: prioClassify, Match: Match{InPort: lp.in, VLAN: lp.vlan}, Ops: append(untag(lp), toEVI...)})
		if len(port.MAC) == 6 {
			pl.addFlow(e.ID, Flow{Table: table, Priority: prioClassify, Match: Match{Metadata: meta, EthDst: port.MAC.String()}, Ops: output(lp)})
		}
	}
	slices.SortFunc(locals, func(a, b localPort) int {
		if a.out != b.out {
			return int(a.out) - int(b.out)
		}
		return int(a.vlan) - int(b.vlan)
	})
	vx := pl.ports.VXLANL2
	if vx == 0 || e.VNI == 0 || e.VNI >= 1<<24 {
		if len(e.MACs) > 0 || len(e.Flood) > 0 {
			pl.fail(e.ID, fmt.Errorf("EVI %s: no VXLAN port or no VNI: remote MACs not reachable", e.ID))
		}
	} else {
		pl.addFlow(e.ID, Flow{Table: o.InputTable, Priority: prioClassify, Match: Match{InPort: vx, TunID: uint64(e.VNI)}, Ops: toEVI})
		for _, m := range e.MACs {
			if !m.VTEP.Is4() || len(m.MAC) != 6 {
				continue
			}
			pl.addFlow(e.ID, Flow{Table: table, Priority: prioClassify, Match: Match{Metadata: meta, EthDst: m.MAC.String()},
				Ops: pl.toVTEP(vniOr(m.VNI, e.VNI), m.VTEP)})
		}
	}
	var toLocals []Op
	for _, lp := range locals {
		toLocals = append(toLocals, output(lp)...)
	}
	flood := slices.Clone(toLocals)
	if vx != 0 && e.VNI != 0 && e.VNI < 1<<24 {
		for _, f := range e.Flood {
			if f.VTEP.Is4() && f.VTEP != o.LocalAddress {
				flood = append(flood, pl.toVTEP(vniOr(f.VNI, e.VNI), f.VTEP)...)
			}
		}
		// From a tunnel: to the local ports only.
		pl.addFlow(e.ID, Flow{Table: table, Priority: prioFloodIn, Match: Match{Metadata: meta, InPort: vx}, Ops: orDrop(toLocals)})
	}
	pl.addFlow(e.ID, Flow{Table: table, Priority: prioFlood, Match: Match{Metadata: meta}, Ops: orDrop(flood)})
}

func (pl *planner) toVTEP(vni uint32, vtep netip.Addr) []Op {
	return []Op{{Kind: SetTunID, Value: uint64(vni)}, {Kind: SetTunDst, Addr: vtep}, {Kind: Output, Port: pl.ports.VXLANL2}}
}

func vniOr(v, def uint32) uint32 {
	if v != 0 {
		return v
	}
	return def
}

func orDrop(ops []Op) []Op {
	if len(ops) == 0 {
		return []Op{{Kind: Drop}}
	}
	return ops
}
