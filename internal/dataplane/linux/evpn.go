package linux

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// EVPN: per EVI a bridge (ours, bgv-eb<VNI>, or the EVI's linuxbr) and a
// VXLAN device bgv-ex<VNI> (that VNI, local VTEP, no learning, learning off
// on its bridge port too), the EVI's ports enslaved to the bridge, and on
// the VXLAN device:
//   - per remote MAC (type 2) a VXLAN FDB entry MAC → remote VTEP and a
//     static bridge entry MAC → VXLAN port, so that unicast toward a known
//     remote MAC neither floods local ports nor the other VTEPs;
//   - per remote VTEP of the flood list (type 3) an all-zero MAC entry,
//     which the kernel uses for head-end replication of BUM traffic.

var zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}

func (d *Driver) applyEVPN(ctx context.Context, s dataplane.State) error {
	if err := d.checkOpen(); err != nil {
		return err
	}
	links, err := d.links()
	if err != nil {
		return err
	}
	keep := map[string]bool{}         // our devices that stay
	portBridge := map[string]string{} // port → its bridge
	var errs []error
	for _, e := range s.EVIs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.applyEVI(e, links, keep, portBridge); err != nil {
			errs = append(errs, &dataplane.InstanceError{Instance: e.ID, Err: fmt.Errorf("EVI %s (VNI %d): %w", e.ID, e.VNI, err)})
		}
	}
	if links, err = d.links(); err != nil {
		return errors.Join(append(errs, err)...)
	}
	byIndex := map[int]string{}
	for n, l := range links {
		byIndex[l.Attrs().Index] = n
	}
	// Ports that left: out of our bridges, and out of foreign bridges we
	// put them in.
	for n, l := range links {
		master := byIndex[l.Attrs().MasterIndex]
		if l.Attrs().MasterIndex == 0 || strings.HasPrefix(n, eviVXLANPfx) {
			continue
		}
		ours := strings.HasPrefix(master, eviBridgePfx) || d.enslaved[n] == master
		if ours && portBridge[n] != master && !d.adopting() {
			if err := d.h.LinkSetNoMaster(l); err != nil {
				errs = append(errs, fmt.Errorf("releasing port %s from %s: %w", n, master, err))
				continue
			}
			d.log.Info("port released", "port", n, "bridge", master)
		}
	}
	for n := range d.enslaved {
		if portBridge[n] == "" {
			delete(d.enslaved, n)
		}
	}
	// Our devices that no instance wants: VXLAN devices first so that no
	// bridge is deleted with a port we still count on.
	for _, pfx := range []string{eviVXLANPfx, eviBridgePfx} {
		for n, l := range links {
			if strings.HasPrefix(n, pfx) && !keep[n] && !d.adopting() {
				if err := d.h.LinkDel(l); err != nil {
					errs = append(errs, fmt.Errorf("deleting %s: %w", n, err))
					continue
				}
				d.log.Info("device deleted", "device", n)
			}
		}
	}
	return errors.Join(errs...)
}

func (d *Driver) applyEVI(e dataplane.EVI, links map[string]netlink.Link, keep map[string]bool, portBridge map[string]string) error {
	if e.VNI == 0 || e.VNI >= 1<<24 {
		return fmt.Errorf("VNI %d out of range", e.VNI)
	}
	brName, own := e.Bridge, e.Bridge == ""
	if own {
		brName = eviBridgeName(e.VNI)
		keep[brName] = true
	}
	vxName := eviVXLANName(e.VNI)
	keep[vxName] = true

	br := links[brName]
	if br == nil {
		if !own {
			return fmt.Errorf("bridge %s does not exist", brName)
		}
		if err := d.h.LinkAdd(&netlink.Bridge{LinkAttrs: netlink.LinkAttrs{Name: brName}}); err != nil {
			return fmt.Errorf("creating bridge %s: %w", brName, err)
		}
		d.log.Info("device created", "device", brName)
		var err error
		if br, err = d.h.LinkByName(brName); err != nil {
			return err
		}
	}
	if err := d.up(br); err != nil {
		return err
	}

	vx := links[vxName]
	if vx != nil && !d.eviVXLANRight(vx, e.VNI) {
		// Parameters of a VXLAN device cannot all be changed in place.
		d.log.Warn("recreating device with wrong parameters", "device", vxName)
		if err := d.h.LinkDel(vx); err != nil {
			return fmt.Errorf("deleting %s: %w", vxName, err)
		}
		vx = nil
	}
	if vx == nil {
		v := &netlink.Vxlan{
			LinkAttrs: netlink.LinkAttrs{Name: vxName, MasterIndex: br.Attrs().Index},
			VxlanId:   int(e.VNI), SrcAddr: addrIP(d.o.LocalAddress), Port: d.o.VXLANPort, Learning: false,
		}
		if err := d.h.LinkAdd(v); err != nil {
			return fmt.Errorf("creating VXLAN %s: %w", vxName, err)
		}
		d.log.Info("device created", "device", vxName, "vni", e.VNI)
		var err error
		if vx, err = d.h.LinkByName(vxName); err != nil {
			return err
		}
	}
	if vx.Attrs().MasterIndex != br.Attrs().Index {
		if err := d.h.LinkSetMaster(vx, br); err != nil {
			return fmt.Errorf("enslaving %s to %s: %w", vxName, brName, err)
		}
	}
	if pi, err := d.h.LinkGetProtinfo(vx); err != nil || pi.Learning {
		if err := d.h.LinkSetLearning(vx, false); err != nil {
			return fmt.Errorf("turning learning off on bridge port %s: %w", vxName, err)
		}
	}
	if err := d.up(vx); err != nil {
		return err
	}

	var errs []error
	for _, p := range e.Ports {
		portBridge[p.LinuxIf] = brName
		l := links[p.LinuxIf]
		if l == nil {
			errs = append(errs, fmt.Errorf("port %s: no such device", p.LinuxIf))
			continue
		}
		if l.Attrs().MasterIndex != br.Attrs().Index {
			if err := d.h.LinkSetMaster(l, br); err != nil {
				errs = append(errs, fmt.Errorf("enslaving port %s to %s: %w", p.LinuxIf, brName, err))
				continue
			}
			d.log.Info("port enslaved", "port", p.LinuxIf, "bridge", brName)
		}
		if !own {
			d.enslaved[p.LinuxIf] = brName
		}
		if err := d.up(l); err != nil {
			errs = append(errs, err)
		}
	}
	if err := d.applyFDB(vx, e); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

func (d *Driver) eviVXLANRight(l netlink.Link, vni uint32) bool {
	v, ok := l.(*netlink.Vxlan)
	return ok && !v.FlowBased && v.VxlanId == int(vni) && v.Port == d.o.VXLANPort && !v.Learning &&
		v.SrcAddr.Equal(addrIP(d.o.LocalAddress))
}

// fdbKey is a VXLAN FDB destination: MAC → VTEP (VNI 0: the device's).
type fdbKey struct {
	MAC  string
	VTEP netip.Addr
	VNI  uint32
}

// wantFDB computes the VXLAN entries (self) and the bridge entries
// (master, MACs only) of an EVI. A MAC advertised from several VTEPs gets
// one of them (the lowest): two destinations would duplicate each frame.
func wantFDB(e dataplane.EVI) (self map[fdbKey]bool, master map[string]bool) {
	self, master = map[fdbKey]bool{}, map[string]bool{}
	vni := func(v uint32) uint32 {
		if v == e.VNI {
			return 0
		}
		return v
	}
	macs := slices.Clone(e.MACs)
	slices.SortFunc(macs, func(a, b dataplane.FDBEntry) int { return a.VTEP.Compare(b.VTEP) })
	for _, m := range macs {
		if len(m.MAC) != 6 || !m.VTEP.Is4() || master[m.MAC.String()] {
			continue
		}
		self[fdbKey{m.MAC.String(), m.VTEP, vni(m.VNI)}] = true
		master[m.MAC.String()] = true
	}
	for _, f := range e.Flood {
		if f.VTEP.Is4() {
			self[fdbKey{zeroMAC.String(), f.VTEP, vni(f.VNI)}] = true
		}
	}
	return self, master
}

func (d *Driver) applyFDB(vx netlink.Link, e dataplane.EVI) error {
	idx := vx.Attrs().Index
	wantSelf, wantMaster := wantFDB(e)
	cur, err := retryDump(func() ([]netlink.Neigh, error) { return d.h.NeighList(idx, unix.AF_BRIDGE) })
	if err != nil {
		return fmt.Errorf("listing FDB of %s: %w", vx.Attrs().Name, err)
	}
	haveSelf, haveMaster := map[fdbKey]bool{}, map[string]bool{}
	for _, n := range cur {
		switch {
		case n.Flags&unix.NTF_SELF != 0 && n.IP != nil:
			a, _ := netip.AddrFromSlice(n.IP)
			haveSelf[fdbKey{n.HardwareAddr.String(), a.Unmap(), uint32(n.VNI)}] = true
		case n.Flags&unix.NTF_SELF == 0 && n.MasterIndex != 0 && n.State&unix.NUD_PERMANENT == 0:
			// bridge entries come back with NDA_MASTER, not NTF_MASTER
			haveMaster[n.HardwareAddr.String()] = true
		}
	}
	var errs []error
	for k := range wantSelf {
		if haveSelf[k] {
			continue
		}
		mac, _ := net.ParseMAC(k.MAC)
		n := &netlink.Neigh{LinkIndex: idx, Family: unix.AF_BRIDGE, Flags: unix.NTF_SELF, State: unix.NUD_PERMANENT,
			HardwareAddr: mac, IP: addrIP(k.VTEP), VNI: int(k.VNI)}
		if err := d.h.NeighAppend(n); err != nil {
			errs = append(errs, fmt.Errorf("adding FDB %s dst %s: %w", k.MAC, k.VTEP, err))
		}
	}
	for m := range wantMaster {
		if haveMaster[m] {
			continue
		}
		mac, _ := net.ParseMAC(m)
		n := &netlink.Neigh{LinkIndex: idx, Family: unix.AF_BRIDGE, Flags: unix.NTF_MASTER, State: unix.NUD_NOARP, HardwareAddr: mac}
		if err := d.h.NeighSet(n); err != nil {
			errs = append(errs, fmt.Errorf("adding bridge FDB %s: %w", m, err))
		}
	}
	for k := range haveSelf {
		if wantSelf[k] || d.adopting() {
			continue
		}
		mac, _ := net.ParseMAC(k.MAC)
		n := &netlink.Neigh{LinkIndex: idx, Family: unix.AF_BRIDGE, Flags: unix.NTF_SELF, HardwareAddr: mac, IP: addrIP(k.VTEP), VNI: int(k.VNI)}
		if err := d.h.NeighDel(n); err != nil {
			errs = append(errs, fmt.Errorf("deleting FDB %s dst %s: %w", k.MAC, k.VTEP, err))
		}
	}
	for m := range haveMaster {
		if wantMaster[m] || d.adopting() {
			continue
		}
		mac, _ := net.ParseMAC(m)
		n := &netlink.Neigh{LinkIndex: idx, Family: unix.AF_BRIDGE, Flags: unix.NTF_MASTER, HardwareAddr: mac}
		if err := d.h.NeighDel(n); err != nil {
			errs = append(errs, fmt.Errorf("deleting bridge FDB %s: %w", m, err))
		}
	}
	return errors.Join(errs...)
}
