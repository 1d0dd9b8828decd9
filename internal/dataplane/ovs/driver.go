package ovs

import (
	"cmp"
	"context"
	"encoding"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/reconcile"
)

func init() {
	dataplane.Register("ovs", func(do dataplane.Options) (dataplane.Driver, error) {
		o, err := ParseOptions(do.Config)
		if err != nil {
			return nil, err
		}
		o.Logger = do.Logger
		return New(context.Background(), o)
	})
}

// Tunnel ports of the bridge, besides the GRE port (Options.GRETunnel).
const (
	vxlanL3Port = "ipvpn_vxlan"
	vxlanL2Port = "evpn_vxlan"
)

// Driver programs one Open vSwitch bridge. Its lifecycle: New → Apply any
// number of times → Close; Close leaves the flows in place and a new
// Driver on the same bridge adopts them.
type Driver struct {
	o    Options
	log  *slog.Logger
	info dataplane.Info

	mu sync.Mutex
	db *ovsDB
	of *ofConn
	// intg is the integration bridge's side (integration_bridge set), nil
	// otherwise.
	intg  *integration
	state dataplane.State
	// asked: Apply was called (before, the driver has no state to
	// restore after ovs-vswitchd restarts). used: the OpenFlow ports the
	// last plan used, by interface name (a port renumbered since needs
	// the state applied again).
	asked bool
	used  map[string]uint32
	// mplsEth, mplsEthMAC: mpls_interface's OpenFlow port and MAC (MPLS
	// over Ethernet), as the last Apply found them.
	mplsEth    uint32
	mplsEthMAC string
	// adoptUntil ends the adoption grace; graceTimer applies the last
	// state in full then.
	adoptUntil time.Time
	graceTimer *time.Timer

	stop    chan struct{}
	stopped chan struct{}
}

var _ dataplane.Driver = (*Driver)(nil)

// New connects to OVSDB, makes sure the bridge exists and opens an
// OpenFlow session on it; it changes no flow until Apply.
func New(ctx context.Context, o Options) (*Driver, error) {
	o.fillDefaults()
	if !o.LocalAddress.Is4() {
		return nil, fmt.Errorf("ovs dataplane: local address %v is not an IPv4 address", o.LocalAddress)
	}
	if o.tablesOverlap() {
		return nil, fmt.Errorf("ovs dataplane: tables %d to %d overlap input_table %d", o.TableStart, int(o.TableStart)+2, o.InputTable)
	}
	if o.MPLSOverEthernet && o.MPLSInterface == "" {
		return nil, errors.New("ovs dataplane: MPLS over Ethernet needs mpls_interface")
	}
	d := &Driver{o: o, log: o.Logger.With("component", "dataplane/ovs", "bridge", o.Bridge), stop: make(chan struct{}), stopped: make(chan struct{}),
		adoptUntil: time.Now().Add(o.AdoptGrace)}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	db, err := dialOVSDB(ctx, o.OVSDB, o.Bridge, d.log)
	if err != nil {
		return nil, fmt.Errorf("ovs dataplane: %w", err)
	}
	d.db = db
	if err := db.ensureBridge(ctx, o.DatapathType, d.log); err != nil {
		db.Close()
		return nil, fmt.Errorf("ovs dataplane: %w", err)
	}
	if d.of, err = d.dial(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("ovs dataplane: %w", err)
	}
	if o.IntegrationBridge != "" {
		if d.intg, err = dialIntegration(ctx, o, d.log); err != nil {
			d.of.Close()
			db.Close()
			return nil, fmt.Errorf("ovs dataplane: integration bridge %s: %w", o.IntegrationBridge, err)
		}
	}
	d.info = d.makeInfo()
	go d.watch()
	if d.intg != nil {
		go d.keepIntegration(2 * time.Second)
	}
	d.log.Info("ovs dataplane ready", "local_address", o.LocalAddress, "ovsdb", o.OVSDB, "vxlan_encap", o.VXLANEncap)
	return d, nil
}

// dial opens an OpenFlow session on the bridge's management socket,
// waiting for ovs-vswitchd to create it (a new bridge, a restart).
func (d *Driver) dial(ctx context.Context) (*ofConn, error) {
	path := filepath.Join(d.o.RunDir, d.o.Bridge+".mgmt")
	for {
		oc, err := dialOF(ctx, path)
		if err == nil {
			return oc, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("OpenFlow session on %s: %w", d.o.Bridge, err)
		case <-d.stop:
			return nil, errors.New("driver closed")
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// Info: MPLS (over GRE) for IP VPNs, VXLAN first with vxlan_encap, VXLAN for
// EVPN; ECMP through select groups; the router MAC the linux driver would
// use for this address.
func (d *Driver) Info() dataplane.Info { return d.info }

func (d *Driver) makeInfo() dataplane.Info {
	// With vxlan_encap, VXLAN first: as bagpipe's driver, we then send
	// VXLAN to a PE that advertises it too (the agent takes the first
	// encapsulation of a route's list that we forward, and advertises
	// ours in this order), MPLS to the others.
	ipvpn := []uint16{encapMPLS}
	if d.o.VXLANEncap {
		ipvpn = []uint16{encapVXLAN, encapMPLS}
	}
	return dataplane.Info{
		Name: "ovs", Encaps: ipvpn, VPNTypeEncaps: map[string][]uint16{"evpn": {encapVXLAN}}, ECMP: true,
		LocalAddress: d.o.LocalAddress, RouterMAC: routerMAC(d.o.LocalAddress),
		Details: map[string]string{
			"ovs_bridge": d.o.Bridge, "mpls_over_gre": strconv.FormatBool(!d.o.MPLSOverEthernet), "mpls_interface": d.o.MPLSInterface, "gre_tunnel": d.o.GRETunnel,
			"vxlan_encap": strconv.FormatBool(d.o.VXLANEncap), "ipvpn_vxlan_port": strconv.Itoa(d.o.IPVPNVXLANPort),
			"vxlan_port": strconv.Itoa(d.o.VXLANPort), "hash_method": d.o.HashMethod,
		},
	}
}

// Apply makes the bridge match s: ports plugged, flows and groups of ours
// added where missing, then those no longer wanted removed. Errors of one
// instance do not stop the others.
func (d *Driver) Apply(ctx context.Context, s dataplane.State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state, d.asked = s, true
	if d.adopting() && d.graceTimer == nil {
		d.graceTimer = time.AfterFunc(time.Until(d.adoptUntil), func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.of == nil {
				return // closed
			}
			if err := d.apply(context.Background(), d.state); err != nil {
				d.log.Error("applying the state after the adoption grace", "error", err)
			}
		})
	}
	return d.apply(ctx, s)
}

// adopting reports whether removals are still held back.
func (d *Driver) adopting() bool { return time.Now().Before(d.adoptUntil) }

func (d *Driver) apply(ctx context.Context, s dataplane.State) error {
	if d.of == nil {
		return errors.New("ovs dataplane: driver closed")
	}
	if err := d.db.ensureBridge(ctx, d.o.DatapathType, d.log); err != nil {
		return fmt.Errorf("ovs dataplane: %w", err)
	}
	var errs []error
	t0 := time.Now()
	if d.intg != nil {
		var ierrs []error
		s, ierrs = d.intg.resolve(ctx, d, s)
		errs = append(errs, ierrs...)
	}
	ports, perrs := d.plugPorts(ctx, s)
	errs = append(errs, perrs...)
	t1 := time.Now()
	d.mplsEth, d.mplsEthMAC = ports.MPLSEth, ports.MPLSEthMAC
	p, plerrs := planState(s, d.o, ports)
	errs = append(errs, plerrs...)
	d.log.Debug("planned", "plug", t1.Sub(t0), "plan", time.Since(t1))
	if err := d.program(ctx, p); err != nil {
		return errors.Join(append(errs, err)...)
	}
	d.askPEs()
	if !d.adopting() {
		if err := d.unplugStale(ctx, s); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// plugPorts puts the tunnel ports the state needs and its VM ports on the
// bridge and returns their OpenFlow ports.
func (d *Driver) plugPorts(ctx context.Context, s dataplane.State) (bridgePorts, []error) {
	la := d.o.LocalAddress.String()
	var specs []portSpec
	if len(s.VRFs) > 0 && d.o.MPLSOverEthernet {
		specs = append(specs, portSpec{Name: d.o.MPLSInterface})
	} else if len(s.VRFs) > 0 {
		specs = append(specs, portSpec{Name: d.o.GRETunnel, Type: "gre",
			Options: map[string]string{"remote_ip": "flow", "local_ip": la, "packet_type": "legacy_l3"}})
		if d.o.VXLANEncap {
			specs = append(specs, portSpec{Name: vxlanL3Port, Type: "vxlan",
				Options: map[string]string{"remote_ip": "flow", "local_ip": la, "key": "flow", "dst_port": strconv.Itoa(d.o.IPVPNVXLANPort)}})
		}
	}
	if len(s.EVIs) > 0 {
		specs = append(specs, portSpec{Name: vxlanL2Port, Type: "vxlan",
			Options: map[string]string{"remote_ip": "flow", "local_ip": la, "key": "flow", "dst_port": strconv.Itoa(d.o.VXLANPort)}})
	}
	vms := vmPorts(s)
	for _, name := range vms {
		specs = append(specs, portSpec{Name: name})
	}
	var errs []error
	bad := d.db.ensurePorts(ctx, specs)
	var names []string
	for _, sp := range specs {
		if err := bad[sp.Name]; err != nil {
			errs = append(errs, fmt.Errorf("port %s: %w", sp.Name, err))
			continue
		}
		names = append(names, sp.Name)
	}
	of := d.db.ofports(ctx, names)
	for _, n := range names {
		if _, ok := of[n]; !ok {
			errs = append(errs, fmt.Errorf("port %s: ovs-vswitchd gave it no OpenFlow port (%s)", n, d.db.interfaceError(ctx, n)))
		}
	}
	d.used = of
	bp := bridgePorts{GRE: of[d.o.GRETunnel], VXLANL3: of[vxlanL3Port], VXLANL2: of[vxlanL2Port], ByName: map[string]uint32{}}
	for _, name := range vms {
		if n, ok := of[name]; ok {
			bp.ByName[name] = n
		}
	}
	if n, ok := of[d.o.MPLSInterface]; ok && d.o.MPLSOverEthernet {
		if mac := d.db.macInUse(ctx, d.o.MPLSInterface); mac != "" {
			bp.MPLSEth, bp.MPLSEthMAC = n, mac
		} else {
			errs = append(errs, fmt.Errorf("port %s: OVSDB shows no MAC address for it yet", d.o.MPLSInterface))
		}
	}
	return bp, errs
}

// vmPorts are the interfaces the state's instances plug, sorted.
func vmPorts(s dataplane.State) []string {
	var out []string
	add := func(ports []dataplane.Port) {
		for _, p := range ports {
			plugged := p.OVS != nil && p.OVS.Plugged
			if p.EVI == "" && !plugged && p.LinuxIf != "" && !slices.Contains(out, p.LinuxIf) {
				out = append(out, p.LinuxIf)
			}
		}
	}
	for _, v := range s.VRFs {
		add(v.Ports)
	}
	for _, e := range s.EVIs {
		add(e.Ports)
	}
	slices.Sort(out)
	return out
}

// program makes the bridge's flows and groups of ours those of p: groups
// and flows added first (an add replaces the flow with the same match in
// place, so nothing that works stops), then the stale ones removed.
func (d *Driver) program(ctx context.Context, p *plan) error {
	start := time.Now()
	haveFlows, err := d.of.cookies(ctx)
	if err != nil {
		return err
	}
	haveGroups, err := d.of.groups(ctx)
	if err != nil {
		return err
	}
	dumped := time.Now()
	// Flow cookies and group IDs name their content: held means as wanted.
	putGroups, staleGroups := reconcile.Diff(haveGroups, p.groups, nil, cmp.Compare[uint32])
	putFlows, staleFlows := reconcile.Diff(haveFlows, p.flows, nil, cmp.Compare[uint64])
	var msgs []encoding.BinaryMarshaler
	// what names each message, for the switch's errors only (naming
	// 100,000 flows up front cost seconds).
	var what []msgName
	var errs []error
	for _, id := range putGroups {
		g, err := groupMod(p.groups[id], false, d.o.HashMethod)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		msgs, what = append(msgs, g), append(what, msgName{group: p.groups[id], has: 'g'})
	}
	for _, c := range putFlows {
		m, err := flowMod(p.flows[c])
		if err != nil {
			errs = append(errs, err)
			continue
		}
		msgs, what = append(msgs, m), append(what, msgName{flow: p.flows[c], has: 'f'})
	}
	if d.adopting() {
		staleFlows, staleGroups = nil, nil
	}
	for _, c := range staleFlows {
		msgs, what = append(msgs, deleteByCookie(c)), append(what, msgName{id: c, has: 'c'})
	}
	for _, id := range staleGroups {
		msgs, what = append(msgs, deleteGroup(id)), append(what, msgName{id: uint64(id), has: 'd'})
	}
	d.log.Info("programming", "flows_held", len(haveFlows), "flows_wanted", len(p.flows), "flows_put", len(putFlows),
		"flows_removed", len(staleFlows), "groups_put", len(putGroups), "groups_removed", len(staleGroups))
	if len(msgs) > 0 {
		if err := d.of.batch(ctx, msgs, func(i int) string { return what[i].String() }); err != nil {
			errs = append(errs, err)
		}
	}
	d.log.Debug("programmed", "dump", dumped.Sub(start), "mods", time.Since(dumped))
	return errors.Join(errs...)
}

// msgName names a message of a batch, when the switch refuses it.
type msgName struct {
	has   byte // f: flow, g: group, c: deleted cookie, d: deleted group
	flow  Flow
	group SelectGroup
	id    uint64
}

func (n msgName) String() string {
	switch n.has {
	case 'f':
		return n.flow.String()
	case 'g':
		return n.group.String()
	case 'c':
		return fmt.Sprintf("deleting flow with cookie %#x", n.id)
	}
	return fmt.Sprintf("deleting group %#x", n.id)
}

// unplugStale removes the VM ports we plugged that no instance has any
// more (tunnel ports stay: they cost nothing).
func (d *Driver) unplugStale(ctx context.Context, s dataplane.State) error {
	owned, err := d.db.ownedPorts(ctx)
	if err != nil {
		return err
	}
	keep := vmPorts(s)
	var gone []ovsPort
	for _, p := range owned {
		if p.Name == d.o.GRETunnel || p.Name == d.o.MPLSInterface || p.Name == vxlanL3Port || p.Name == vxlanL2Port || p.Name == patchMPLSIn || p.Name == patchMPLSOut || slices.Contains(keep, p.Name) {
			continue
		}
		gone = append(gone, p)
	}
	return d.db.unplug(ctx, gone)
}

// State returns what was last asked of Apply.
func (d *Driver) State() dataplane.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Close ends the sessions; flows, groups and ports stay.
func (d *Driver) Close() error {
	d.mu.Lock()
	if d.of == nil {
		d.mu.Unlock()
		return nil
	}
	close(d.stop)
	if d.graceTimer != nil {
		d.graceTimer.Stop()
	}
	oc := d.of
	d.of = nil
	d.mu.Unlock()
	oc.Close()
	<-d.stopped
	if d.intg != nil {
		d.intg.Close()
	}
	d.db.Close()
	return nil
}
