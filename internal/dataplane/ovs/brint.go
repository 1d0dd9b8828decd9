package ovs

import (
	"cmp"
	"context"
	"encoding"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"path/filepath"
	"slices"
	"time"

	"github.com/ovn-org/libovsdb/model"
	"github.com/ovn-org/libovsdb/ovsdb"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/reconcile"
)

// The plumbing between the integration bridge (neutron-openvswitch-agent's
// br-int) and ours, for a node where the OVS agent owns the VMs' ports and
// no networking-bagpipe extension tells us where they are (the agent
// follows the bgpvpn-server feed): two pairs of patch ports, one that
// carries the VMs' traffic into the VRFs, one that carries routed traffic
// back. The first is an access port of the dead VLAN on br-int, so that
// br-int's NORMAL switching never floods into a VRF; our flows send to it
// explicitly. On br-int our flows (table 0, before the OVS agent's) send
// what a VM addresses to the router MAC into the VRF, tagged with the
// port's local VLAN, and answer its ARP requests for its gateway.
const (
	patchIntIn   = "bgpvpn-int-in"  // on br-int: VM traffic toward the VRFs
	patchMPLSIn  = "bgpvpn-mpls-in" // its peer on our bridge
	patchIntOut  = "bgpvpn-int-out" // on br-int: routed traffic toward the VMs
	patchMPLSOut = "bgpvpn-mpls-out"

	deadVLAN        = 4095 // the OVS agent's VLAN of ports it has not wired
	prioIntRedirect = 200  // above every table-0 flow of the OVS agent but its drop of the dead VLAN
)

// integration is the driver's side of the integration bridge. Its fields
// are the Driver's, under its lock.
type integration struct {
	bridge string
	runDir string
	db     *portFinder
	of     *ofConn // nil until the bridge exists
	log    *slog.Logger
	// want are the br-int flows of the last apply: the OVS agent removes
	// flows it does not know when it restarts, so keep puts them back.
	want map[uint64]Flow
	done chan struct{} // closed when keep returns
}

func dialIntegration(ctx context.Context, o Options, log *slog.Logger) (*integration, error) {
	db, err := dialPortFinder(ctx, o.OVSDB, o.IntegrationBridge, log)
	if err != nil {
		return nil, err
	}
	return &integration{bridge: o.IntegrationBridge, runDir: o.RunDir, db: db, log: log.With("integration_bridge", o.IntegrationBridge),
		done: make(chan struct{})}, nil
}

// Close waits for keep to return (the driver's stop channel is closed
// first) and ends the sessions; our flows and patch ports stay.
func (in *integration) Close() {
	<-in.done
	if in.of != nil {
		in.of.Close()
	}
	in.db.Close()
}

// keepIntegration checks every interval that br-int still has our flows
// (a restarted OVS agent removes every flow whose cookie is not its own)
// and puts back those missing, until stop is closed. It is started by New
// and owned by the driver.
func (d *Driver) keepIntegration(interval time.Duration) {
	in := d.intg
	defer close(in.done)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for {
		select {
		case <-d.stop:
			return
		case <-tick.C:
		}
		d.mu.Lock()
		if in.want != nil {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := in.session(ctx)
			if err == nil {
				err = in.program(ctx, in.want, d.adopting())
			}
			if err != nil {
				in.log.Warn("checking our flows on the integration bridge", "error", err)
			}
			cancel()
		}
		d.mu.Unlock()
	}
}

// session makes sure of an open OpenFlow session on the integration
// bridge: a new one after ovs-vswitchd restarted, retried a while, since
// ovs-vswitchd takes a new protocols list (or creates a new bridge's
// socket) after OVSDB has it.
func (in *integration) session(ctx context.Context) error {
	if in.of != nil {
		select {
		case <-in.of.Done():
			in.of.Close()
			in.of = nil
		default:
			return nil
		}
	}
	var oc *ofConn
	var last error
	err := waitCache(ctx, func() bool {
		oc, last = dialOF(ctx, filepath.Join(in.runDir, in.bridge+".mgmt"))
		return last == nil
	})
	if err != nil {
		return fmt.Errorf("OpenFlow session: %w", cmp.Or(last, err))
	}
	in.of = oc
	return nil
}

// intPorts are the OpenFlow ports of the patch pairs: on our bridge
// (MPLSIn, MPLSOut) and on the integration bridge (IntIn).
type intPorts struct{ MPLSIn, MPLSOut, IntIn uint32 }

// resolve places the state's VRF ports that are VM interfaces on the
// integration bridge (and carry no local_port.ovs of their own): each
// becomes a port behind our patch ports with the OVS agent's local VLAN,
// and br-int gets the flows that send its traffic to us. It returns the
// state the plan must use; a port the OVS agent has not wired yet (no
// local VLAN) is left out, with an error for its VRF, until a later
// apply. Without the integration bridge, s is returned as it is.
func (in *integration) resolve(ctx context.Context, d *Driver, s dataplane.State) (dataplane.State, []error) {
	br, err := in.db.findBridge(ctx)
	if err != nil {
		return s, []error{fmt.Errorf("integration bridge %s: %w", in.bridge, err)}
	}
	if br == nil {
		return s, nil
	}
	pp, err := in.plumb(ctx, d, br)
	if err != nil {
		return s, []error{fmt.Errorf("integration bridge %s: %w", in.bridge, err)}
	}
	out, flows, errs := in.place(ctx, s, pp, routerMAC(d.o.LocalAddress).String())
	in.want = flows
	if err := in.program(ctx, flows, d.adopting()); err != nil {
		errs = append(errs, fmt.Errorf("integration bridge %s: %w", in.bridge, err))
	}
	return out, errs
}

// plumb makes sure of OpenFlow 1.5 on the integration bridge, our session
// on it and the patch ports, and returns their OpenFlow ports.
func (in *integration) plumb(ctx context.Context, d *Driver, br *intBridge) (intPorts, error) {
	if len(br.Protocols) > 0 && !slices.Contains(br.Protocols, "OpenFlow15") {
		// Added, never replaced: the OVS agent's own session keeps the
		// version it negotiates (it offers OpenFlow 1.3 only).
		mut, err := in.db.c.Where(br).Mutate(br, model.Mutation{Field: &br.Protocols, Mutator: ovsdb.MutateOperationInsert, Value: []string{"OpenFlow15"}})
		if err != nil {
			return intPorts{}, err
		}
		if err := in.db.transact(ctx, "adding OpenFlow15 to the protocols", mut...); err != nil {
			return intPorts{}, err
		}
	}
	if err := in.session(ctx); err != nil {
		return intPorts{}, err
	}
	if err := in.db.ensurePatch(ctx, br, patchIntIn, patchMPLSIn, deadVLAN); err != nil {
		return intPorts{}, err
	}
	if err := in.db.ensurePatch(ctx, br, patchIntOut, patchMPLSOut, 0); err != nil {
		return intPorts{}, err
	}
	specs := []portSpec{
		{Name: patchMPLSIn, Type: "patch", Options: map[string]string{"peer": patchIntIn}},
		{Name: patchMPLSOut, Type: "patch", Options: map[string]string{"peer": patchIntOut}},
	}
	for name, err := range d.db.ensurePorts(ctx, specs) {
		if err != nil {
			return intPorts{}, fmt.Errorf("patch port %s: %w", name, err)
		}
	}
	ours := d.db.ofports(ctx, []string{patchMPLSIn, patchMPLSOut})
	intIn, err := in.db.ofport(ctx, patchIntIn)
	if err != nil {
		return intPorts{}, err
	}
	pp := intPorts{MPLSIn: ours[patchMPLSIn], MPLSOut: ours[patchMPLSOut], IntIn: intIn}
	if pp.MPLSIn == 0 || pp.MPLSOut == 0 {
		return pp, fmt.Errorf("patch ports %s, %s: no OpenFlow port yet", patchMPLSIn, patchMPLSOut)
	}
	return pp, nil
}

// place rewrites the VRF ports found on the integration bridge (the state
// is copied, never changed in place) and returns the br-int flows they
// need.
func (in *integration) place(ctx context.Context, s dataplane.State, pp intPorts, rmac string) (dataplane.State, map[uint64]Flow, []error) {
	flows := map[uint64]Flow{}
	var errs []error
	out := s
	out.VRFs = make([]dataplane.VRF, len(s.VRFs))
	for i, v := range s.VRFs {
		nv := v
		nv.Ports = make([]dataplane.Port, 0, len(v.Ports))
		var vlans []uint16 // of the ports that send into the VRF from br-int
		for _, p := range v.Ports {
			if p.EVI != "" || p.LinuxIf == "" || (p.OVS != nil && p.OVS.Plugged) {
				nv.Ports = append(nv.Ports, p)
				continue
			}
			info, found, err := in.db.find(ctx, p.LinuxIf)
			switch {
			case err != nil:
				errs = append(errs, &dataplane.InstanceError{Instance: v.ID, Err: fmt.Errorf("port %s: %w", p.LinuxIf, err)})
				continue
			case !found:
				nv.Ports = append(nv.Ports, p) // not a VM of br-int: plugged into our bridge by name
				continue
			case info.VLAN == 0:
				errs = append(errs, &dataplane.InstanceError{Instance: v.ID,
					Err: fmt.Errorf("port %s on %s: no local VLAN yet (the OVS agent has not wired it)", p.LinuxIf, in.bridge)})
				continue
			}
			p.OVS = &dataplane.OVSPort{Plugged: true, PortNumber: pp.MPLSIn, ToVMPortNumber: pp.MPLSOut, VLAN: info.VLAN}
			nv.Ports = append(nv.Ports, p)
			if _, from := directions(p.Direction); from {
				vlans = append(vlans, info.VLAN)
				for _, f := range redirectFlows(info, v.GatewayIP, rmac, pp.IntIn) {
					flows[f.cookie()] = f
				}
			}
		}
		fb, err := routerFallback(v.Fallback, pp.MPLSOut, vlans)
		if err != nil {
			errs = append(errs, &dataplane.InstanceError{Instance: v.ID, Err: err})
		}
		nv.Fallback = fb
		out.VRFs[i] = nv
	}
	return out, flows, errs
}

// fallbackSrcMAC is the source MAC of what a VRF sends to the Neutron
// router, the bagpipe_bgpvpn extension's, which tells the router's side
// that it comes from a VRF.
var fallbackSrcMAC = dataplane.MAC{0x00, 0x00, 0x5e, 0x2a, 0x10, 0x00}

// routerFallback completes the fallback that the feed asks for (DstMAC
// alone: the MAC of the router interface that owns the subnet's gateway)
// for a VRF whose ports send from br-int on local VLANs vlans: out of our
// patch port out toward br-int, tagged with that VLAN, where br-int's
// NORMAL switching delivers it to the router's qr- port, as the extension
// does. A fallback that names its port (the extension's, in drop-in mode)
// is kept as it is. It returns nil (what no route matches is dropped)
// without a router or without a port on br-int, and an error when the
// ports are on several local VLANs: several networks, whose routers
// cannot all be the fallback.
func routerFallback(fb *dataplane.Fallback, out uint32, vlans []uint16) (*dataplane.Fallback, error) {
	if fb == nil || fb.PortNumber != 0 {
		return fb, nil
	}
	if len(fb.DstMAC) != 6 || len(vlans) == 0 {
		return nil, nil
	}
	for _, v := range vlans[1:] {
		if v != vlans[0] {
			return nil, fmt.Errorf("fallback toward the router %s: the VRF's ports are on several local VLANs (%d, %d), what matches no route is dropped",
				fb.DstMAC, vlans[0], v)
		}
	}
	src := fb.SrcMAC
	if len(src) != 6 {
		src = fallbackSrcMAC
	}
	return &dataplane.Fallback{SrcMAC: src, DstMAC: fb.DstMAC, PortNumber: out, VLAN: vlans[0]}, nil
}

// redirectFlows: on br-int, what the VM at info sends to the router MAC
// goes into the VRFs through the patch port intIn, tagged with its local
// VLAN; its ARP requests for its gateway are answered there with the
// router MAC (as the extension's ARP responder in br-tun: the patch port
// toward the VRFs carries nothing back).
func redirectFlows(info vmPortInfo, gateway netip.Addr, rmac string, intIn uint32) []Flow {
	toVRF := []Op{{Kind: PushVLAN}, {Kind: SetVLAN, Value: uint64(info.VLAN)}, {Kind: Output, Port: intIn}}
	fs := []Flow{{Table: 0, Priority: prioIntRedirect, Match: Match{InPort: info.OFPort, EthDst: rmac}, Ops: toVRF}}
	if gw := gateway.Unmap(); gw.Is4() {
		fs = append(fs, Flow{Table: 0, Priority: prioIntRedirect,
			Match: Match{InPort: info.OFPort, EthType: ethARP, ArpOp: 1, ArpTPA: gw}, Ops: []Op{{Kind: ARPReply, MAC: rmac}, {Kind: OutputInPort}}})
	}
	return fs
}

// program makes our flows on br-int those wanted: added first, then the
// stale ones removed (not while adopting). Flows of others are never
// touched: only our cookies are read and deleted.
func (in *integration) program(ctx context.Context, want map[uint64]Flow, adopting bool) error {
	have, err := in.of.cookies(ctx)
	if err != nil {
		return err
	}
	put, stale := reconcile.Diff(have, want, nil, cmp.Compare[uint64])
	if adopting {
		stale = nil
	}
	var msgs []encoding.BinaryMarshaler
	var what []string
	var errs []error
	for _, c := range put {
		m, err := flowMod(want[c])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		msgs, what = append(msgs, m), append(what, want[c].String())
	}
	for _, c := range stale {
		msgs, what = append(msgs, deleteByCookie(c)), append(what, fmt.Sprintf("deleting flow with cookie %#x", c))
	}
	if len(msgs) > 0 {
		in.log.Info("programming the integration bridge", "flows_held", len(have), "flows_wanted", len(want),
			"flows_put", len(put), "flows_removed", len(stale))
		if err := in.of.batch(ctx, msgs, func(i int) string { return what[i] }); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// transact runs ops, checking every result.
func (f *portFinder) transact(ctx context.Context, what string, ops ...ovsdb.Operation) error {
	res, err := f.c.Transact(ctx, ops...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := ovsdb.CheckOperationResults(res, ops); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

// ensurePatch plugs patch port name (peer peer) into br, an access port of
// VLAN tag when tag is not 0, marked ours; one already there is left as
// it is unless it is ours and differs.
func (f *portFinder) ensurePatch(ctx context.Context, br *intBridge, name, peer string, tag int) error {
	var ps []intPort
	if err := f.c.WhereCache(func(p *intPort) bool { return p.Name == name }).List(ctx, &ps); err != nil {
		return err
	}
	var tagp *int
	if tag != 0 {
		tagp = &tag
	}
	opts := map[string]string{"peer": peer}
	if len(ps) > 0 {
		p := ps[0]
		if !slices.Contains(br.Ports, p.UUID) {
			return fmt.Errorf("port %s is on another bridge than %s", name, f.bridge)
		}
		if p.ExternalIDs[ownerKey] != ownerValue {
			return nil // not ours: left alone
		}
		var ifs []intInterface
		if err := f.c.WhereCache(func(i *intInterface) bool { return i.Name == name }).List(ctx, &ifs); err != nil {
			return err
		}
		var ops []ovsdb.Operation
		if len(ifs) == 1 && (ifs[0].Type != "patch" || !maps.Equal(ifs[0].Options, opts)) {
			i := ifs[0]
			i.Type, i.Options = "patch", opts
			up, err := f.c.Where(&i).Update(&i, &i.Type, &i.Options)
			if err != nil {
				return err
			}
			ops = append(ops, up...)
		}
		if (p.Tag == nil) != (tagp == nil) || (tagp != nil && *p.Tag != tag) {
			p.Tag = tagp
			up, err := f.c.Where(&p).Update(&p, &p.Tag)
			if err != nil {
				return err
			}
			ops = append(ops, up...)
		}
		if len(ops) == 0 {
			return nil
		}
		return f.transact(ctx, "updating patch port "+name, ops...)
	}
	ni := &intInterface{UUID: "newiface", Name: name, Type: "patch", Options: opts}
	np := &intPort{UUID: "newport", Name: name, Tag: tagp, Interfaces: []string{ni.UUID}, ExternalIDs: map[string]string{ownerKey: ownerValue}}
	ops, err := f.c.Create(ni, np)
	if err != nil {
		return err
	}
	mut, err := f.c.Where(br).Mutate(br, model.Mutation{Field: &br.Ports, Mutator: ovsdb.MutateOperationInsert, Value: []string{np.UUID}})
	if err != nil {
		return err
	}
	return f.transact(ctx, "plugging patch port "+name+" into "+f.bridge, append(ops, mut...)...)
}

// ofport waits (as ovsDB.ofports) for the OpenFlow port of interface name.
func (f *portFinder) ofport(ctx context.Context, name string) (uint32, error) {
	var n uint32
	err := waitCache(ctx, func() bool {
		var ifs []intInterface
		_ = f.c.WhereCache(func(i *intInterface) bool { return i.Name == name }).List(ctx, &ifs)
		if len(ifs) == 1 && ifs[0].OFPort != nil && *ifs[0].OFPort > 0 {
			n = uint32(*ifs[0].OFPort)
			return true
		}
		return false
	})
	if err != nil {
		return 0, fmt.Errorf("patch port %s: no OpenFlow port: %w", name, err)
	}
	return n, nil
}
