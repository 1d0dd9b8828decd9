package linux

import (
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// capabilities are the kernel features the MPLS path needs, probed once
// when the driver starts. Each missing one says why, for the error of
// ipvpn_encap = mpls and for the looking glass.
type capabilities struct {
	// mpls: MPLS routing (module mpls_router): net.mpls.platform_labels.
	mpls    bool
	mplsWhy string
	// mplsEncap: IP routes that push a label (module mpls_iptunnel).
	mplsEncap    bool
	mplsEncapWhy string
	// vrf: VRF devices (module vrf).
	vrf    bool
	vrfWhy string
}

// canMPLS reports whether the MPLS path can run, and if not what is
// missing, naming the kernel features (and their modules).
func (c capabilities) canMPLS() (bool, string) {
	var missing []string
	if !c.mpls {
		missing = append(missing, "MPLS routing (module mpls_router: "+c.mplsWhy+")")
	}
	if !c.mplsEncap {
		missing = append(missing, "MPLS route encapsulation (module mpls_iptunnel: "+c.mplsEncapWhy+")")
	}
	if !c.vrf {
		missing = append(missing, "VRF devices (module vrf: "+c.vrfWhy+")")
	}
	return len(missing) == 0, strings.Join(missing, ", ")
}

func yesNo(ok bool, why string) string {
	if ok {
		return "yes"
	}
	return "no: " + why
}

// The probe's throw-away objects: a VRF device, and a route in the table
// of label 0, which no port has.
const probeDevice = "bgv-probe"

func probeTable(o Options) int { return labelTable(o, 0) }

// loadModules asks for the modules the MPLS path needs, as bagpipe's
// driver does; a kernel without them (or without modprobe) just keeps
// lacking the features, which the probe then reports.
func loadModules() {
	if _, err := os.Stat("/proc/sys/net/mpls/platform_labels"); err == nil {
		if _, err := os.Stat("/sys/module/vrf"); err == nil {
			return
		}
	}
	if p, err := exec.LookPath("modprobe"); err == nil {
		_ = exec.Command(p, "-q", "-a", "mpls_router", "mpls_iptunnel", "vrf").Run()
	}
}

// probe finds out what the kernel of the namespace offers by trying it:
// /proc/sys/net/mpls exists only with MPLS routing; a VRF device and an
// MPLS-encapsulated route are created and deleted again.
func (d *Driver) probe() capabilities {
	var c capabilities
	_ = d.inNetNS(func() error {
		_, err := os.Stat("/proc/sys/net/mpls/platform_labels")
		c.mpls = err == nil
		if !c.mpls {
			c.mplsWhy = "no /proc/sys/net/mpls/platform_labels"
		}
		return nil
	})
	c.vrf, c.vrfWhy = d.probeVRF()
	if c.mpls {
		c.mplsEncap, c.mplsEncapWhy = d.probeMPLSEncap()
	} else {
		c.mplsEncapWhy = "needs MPLS routing"
	}
	return c
}

func (d *Driver) probeVRF() (bool, string) {
	add := func() error {
		return d.h.LinkAdd(&netlink.Vrf{LinkAttrs: netlink.LinkAttrs{Name: probeDevice}, Table: uint32(probeTable(d.o))})
	}
	err := add()
	if errors.Is(err, unix.EEXIST) {
		// Left by a probe that died: ours by name, remove and retry.
		if l, lerr := d.h.LinkByName(probeDevice); lerr == nil {
			_ = d.h.LinkDel(l)
		}
		err = add()
	}
	if err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) {
			return false, "the kernel does not know the device type vrf"
		}
		return false, "creating a VRF device: " + err.Error()
	}
	if l, err := d.h.LinkByName(probeDevice); err == nil {
		if err := d.h.LinkDel(l); err != nil {
			d.log.Warn("deleting the probe VRF device", "device", probeDevice, "error", err)
		}
	}
	return true, ""
}

func (d *Driver) probeMPLSEncap() (bool, string) {
	r := &kroute{Family: unix.AF_INET, Table: probeTable(d.o), Dst: netip.MustParsePrefix("192.0.2.255/32"), Type: unix.RTN_UNICAST,
		Protocol: rtProto, Scope: unix.RT_SCOPE_LINK, OIF: 1 /* lo */, Push: 16}
	if err := d.h.RouteReplace(r.toNetlink()); err != nil {
		if errors.Is(err, unix.EOPNOTSUPP) {
			return false, "the kernel cannot encapsulate routes in MPLS"
		}
		return false, fmt.Sprintf("adding an MPLS-encapsulated route: %v", err)
	}
	if err := d.h.RouteDel(r.toNetlink()); err != nil {
		d.log.Warn("deleting the probe route", "route", r.String(), "error", err)
	}
	return true, ""
}
