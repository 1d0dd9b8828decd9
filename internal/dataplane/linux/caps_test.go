package linux

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/vishvananda/netns"
)

// TestEncapChoiceOnThisKernel runs on the real kernel: what the driver
// detects must agree with what ip(8) can do in a fresh namespace, auto
// must pick MPLS exactly when everything it needs is there, and mpls must
// refuse to start, naming what is missing, when it is not. On the kernels
// CI runs on (no MPLS, no VRF devices) auto means VXLAN and mpls an error.
func TestEncapChoiceOnThisKernel(t *testing.T) {
	needNetNS(t)
	node := newNS(t, "n")
	veth(t, node, "underlay", newNS(t, "n"), "underlay")
	run(t, "ip", "-n", node, "addr", "add", "192.0.2.1/24", "dev", "underlay")
	// The oracle: ip(8) in the namespace.
	try := func(args ...string) bool {
		return exec.Command("ip", append([]string{"-n", node}, args...)...).Run() == nil
	}
	hasVRF := try("link", "add", "oracle-vrf", "type", "vrf", "table", "4242")
	if hasVRF {
		run(t, "ip", "-n", node, "link", "del", "oracle-vrf")
	}
	hasMPLS := exec.Command("ip", "netns", "exec", node, "test", "-e", "/proc/sys/net/mpls/platform_labels").Run() == nil
	hasEncap := hasMPLS && try("route", "add", "198.51.100.1/32", "encap", "mpls", "100", "dev", "lo", "table", "4242")
	all := hasVRF && hasMPLS && hasEncap
	t.Logf("this kernel: VRF devices %v, MPLS routing %v, MPLS encapsulation %v", hasVRF, hasMPLS, hasEncap)

	d := newDriver(t, node, "192.0.2.1")
	info := d.Info()
	for key, has := range map[string]bool{"kernel_vrf_devices": hasVRF, "kernel_mpls_routing": hasMPLS, "kernel_mpls_encap": hasEncap} {
		if got := info.Details[key]; (got == "yes") != has {
			t.Errorf("Info().Details[%s] = %q, but ip(8) says %v", key, got, has)
		}
	}
	wantEncaps, wantName := []uint16{encapVXLAN}, "vxlan"
	if all {
		wantEncaps, wantName = []uint16{encapMPLS, encapVXLAN}, "mpls"
	}
	if !slices.Equal(info.Encaps, wantEncaps) || info.Details["ipvpn_encap"] != wantName {
		t.Errorf("auto: Encaps %v, ipvpn_encap %q; want %v, %q", info.Encaps, info.Details["ipvpn_encap"], wantEncaps, wantName)
	}
	if out := run(t, "ip", "-n", node, "-o", "link", "show"); strings.Contains(out, probeDevice) {
		t.Errorf("the probe left its device:\n%s", out)
	}
	if out := run(t, "ip", "-n", node, "route", "show", "table", "all", "proto", "220"); out != "" {
		t.Errorf("the probe left routes:\n%s", out)
	}

	h, err := netns.GetFromName(node)
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	dm, err := New(Options{LocalAddress: addr("192.0.2.1"), NetNS: h, Logger: testLogger(t), IPVPNEncap: "mpls"})
	if all {
		if err != nil {
			t.Fatalf("ipvpn_encap = mpls on a kernel with MPLS and VRF devices: %v", err)
		}
		if got := dm.Info().Details["mpls_interface"]; got != "underlay" {
			t.Errorf("mpls_interface = %q, want underlay (the device with the local address)", got)
		}
		dm.Close()
		return
	}
	if err == nil {
		dm.Close()
		t.Fatal("ipvpn_encap = mpls started on a kernel that lacks what MPLS needs")
	}
	for feature, has := range map[string]bool{"VRF devices (module vrf": hasVRF, "MPLS routing (module mpls_router": hasMPLS, "MPLS route encapsulation (module mpls_iptunnel": hasEncap} {
		if mentions := strings.Contains(err.Error(), feature); mentions == has {
			t.Errorf("ipvpn_encap = mpls error %q: names %q: %v, want %v", err, feature, mentions, !has)
		}
	}
	t.Logf("ipvpn_encap = mpls here: %v", err)

	dv, err := New(Options{LocalAddress: addr("192.0.2.1"), NetNS: h, Logger: testLogger(t), IPVPNEncap: "vxlan"})
	if err != nil {
		t.Fatalf("ipvpn_encap = vxlan: %v", err)
	}
	defer dv.Close()
	if got := dv.Info().Encaps; !slices.Equal(got, []uint16{encapVXLAN}) {
		t.Errorf("ipvpn_encap = vxlan: Encaps %v, want VXLAN", got)
	}
}
