package ovs

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// BGP tunnel types (RFC 9012) of VXLAN and MPLS.
const (
	encapVXLAN = 8
	encapMPLS  = 10
)

// Metadata says which instance a packet is in: a VRF's or an EVI's number
// under a tag of its kind, never 0.
const (
	metaVRF = uint64(1) << 32
	metaEVI = uint64(2) << 32
)

// Priorities of the pipeline.
const (
	prioDefault  = 1
	prioFlood    = 10
	prioFloodIn  = 20
	prioClassify = 100
	prioOwnIP    = 110
	prioRoute    = 100 // + prefix length: longest match first
)

// bridgePorts are the OpenFlow port numbers the plan uses: the tunnel
// ports (0: absent) and the VM ports by name.
type bridgePorts struct {
	GRE, VXLANL3, VXLANL2 uint32
	ByName                map[string]uint32
	// MPLSEth is mpls_interface's port (MPLS over Ethernet), MPLSEthMAC
	// its MAC address.
	MPLSEth    uint32
	MPLSEthMAC string
}

// plan is what the bridge must hold: flows by cookie, groups by ID.
type plan struct {
	flows  map[uint64]Flow
	groups map[uint32]SelectGroup
	// byMatch finds a flow that another one would replace.
	byMatch map[string]uint64
}

func newPlan() *plan {
	return &plan{flows: map[uint64]Flow{}, groups: map[uint32]SelectGroup{}, byMatch: map[string]uint64{}}
}

// add keeps f unless a flow with the same match is planned, which it
// reports: the second of two instances claiming one port's traffic.
func (p *plan) add(f Flow) error {
	if c, dup := p.byMatch[f.matchKey()]; dup {
		if p.flows[c].String() == f.String() {
			return nil
		}
		return fmt.Errorf("flow %s conflicts with %s", f, p.flows[c])
	}
	c := f.cookie()
	p.flows[c] = f
	p.byMatch[f.matchKey()] = c
	return nil
}

// Flows lists the planned flows in a stable order (tests, logs).
func (p *plan) Flows() []string {
	out := make([]string, 0, len(p.flows))
	for _, f := range p.flows {
		out = append(out, f.String())
	}
	slices.Sort(out)
	return out
}

// Groups lists the planned groups in a stable order.
func (p *plan) Groups() []string {
	out := make([]string, 0, len(p.groups))
	for _, g := range p.groups {
		out = append(out, g.String())
	}
	slices.Sort(out)
	return out
}

// planner computes the plan of a state; it only reads.
type planner struct {
	o     Options
	ports bridgePorts
	rmac  string
	p     *plan
	errs  []error
}

// planState computes the flows and groups of s. Problems (a port missing
// from the bridge, a route it cannot forward) are returned, each an
// InstanceError, and the rest is still planned.
func planState(s dataplane.State, o Options, ports bridgePorts) (*plan, []error) {
	pl := &planner{o: o, ports: ports, rmac: routerMAC(o.LocalAddress).String(), p: newPlan()}
	local := localPrefixes(s)
	for _, v := range s.VRFs {
		pl.vrf(v, local)
	}
	if len(s.VRFs) > 0 && ports.MPLSEth != 0 {
		pl.mplsEthernet()
	}
	for _, e := range s.EVIs {
		pl.evi(e)
	}
	return pl.p, pl.errs
}

func (pl *planner) fail(id string, err error) {
	pl.errs = append(pl.errs, &dataplane.InstanceError{Instance: id, Err: err})
}

func (pl *planner) addFlow(id string, f Flow) {
	if err := pl.p.add(f); err != nil {
		pl.fail(id, err)
	}
}

// localPort is where a port's packets arrive (in, with VLAN vlan when
// not 0) and where packets for it are delivered (out).
type localPort struct {
	in, out uint32
	vlan    uint16
	mac     string
}

// portOf finds port on the bridge: where local_port.ovs says it is
// (plugged by someone else, e.g. the OVS agent's patch port and local
// VLAN), else the interface we plugged by its name.
func (pl *planner) portOf(port dataplane.Port) (localPort, bool) {
	lp := localPort{mac: port.MAC.String()}
	if o := port.OVS; o != nil && o.Plugged {
		lp.in, lp.out, lp.vlan = o.PortNumber, o.PortNumber, o.VLAN
		if o.ToVMPortNumber != 0 {
			lp.out = o.ToVMPortNumber
		}
		return lp, lp.in != 0
	}
	n, ok := pl.ports.ByName[port.LinuxIf]
	lp.in, lp.out = n, n
	return lp, ok
}

// output: the ops that send to lp (tagged with its VLAN).
func output(lp localPort) []Op {
	if lp.vlan == 0 {
		return []Op{{Kind: Output, Port: lp.out}}
	}
	return []Op{{Kind: PushVLAN}, {Kind: SetVLAN, Value: uint64(lp.vlan)}, {Kind: Output, Port: lp.out}, {Kind: PopVLAN}}
}

// untag: the ops that take lp's VLAN off what it sends.
func untag(lp localPort) []Op {
	if lp.vlan == 0 {
		return nil
	}
	return []Op{{Kind: PopVLAN}}
}

// localPrefixes: the ports that have each address (local next hops:
// another VRF of ours exports the prefix).
func localPrefixes(s dataplane.State) map[netip.Prefix]dataplane.Port {
	local := map[netip.Prefix]dataplane.Port{}
	for _, v := range s.VRFs {
		for _, port := range v.Ports {
			for _, ip := range port.IPs {
				local[hostOrPrefix(ip)] = port
			}
		}
	}
	return local
}

// deliver: the ops that hand a routed packet to a local port.
func (pl *planner) deliver(lp localPort) []Op {
	return append([]Op{{Kind: SetEthSrc, MAC: pl.rmac}, {Kind: SetEthDst, MAC: lp.mac}}, output(lp)...)
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

// isMPLSLabel: labels 0-15 are reserved, MPLS labels have 20 bits.
func isMPLSLabel(l uint32) bool { return l >= 16 && l < 1<<20 }
