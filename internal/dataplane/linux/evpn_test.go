package linux

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

func TestWantFDB(t *testing.T) {
	e := dataplane.EVI{VNI: 100,
		MACs: []dataplane.FDBEntry{
			{MAC: mustMAC("52:54:00:00:00:02"), VTEP: addr("192.0.2.3"), VNI: 100},
			{MAC: mustMAC("52:54:00:00:00:02"), VTEP: addr("192.0.2.2"), VNI: 100}, // also elsewhere: lowest VTEP wins
			{MAC: mustMAC("52:54:00:00:00:03"), VTEP: addr("192.0.2.4"), VNI: 7},   // asymmetric VNI kept
		},
		Flood: []dataplane.FloodEntry{{VTEP: addr("192.0.2.2"), VNI: 100}, {VTEP: addr("192.0.2.4"), VNI: 7}},
	}
	self, master := wantFDB(e)
	wantSelf := map[fdbKey]bool{
		{"52:54:00:00:00:02", addr("192.0.2.2"), 0}: true,
		{"52:54:00:00:00:03", addr("192.0.2.4"), 7}: true,
		{"00:00:00:00:00:00", addr("192.0.2.2"), 0}: true,
		{"00:00:00:00:00:00", addr("192.0.2.4"), 7}: true,
	}
	if diff := cmp.Diff(wantSelf, self, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("wantFDB self (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]bool{"52:54:00:00:00:02": true, "52:54:00:00:00:03": true}, master); diff != "" {
		t.Errorf("wantFDB master (-want +got):\n%s", diff)
	}
}

// fdbOf reads the FDB of dev in the driver's namespace as "mac dst vni"
// (VXLAN entries) and "mac master" (static bridge entries), sorted.
func fdbOf(t *testing.T, d *Driver, dev string) []string {
	t.Helper()
	l, err := d.h.LinkByName(dev)
	if err != nil {
		t.Fatal(err)
	}
	ns, err := d.h.NeighList(l.Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, n := range ns {
		switch {
		case n.Flags&unix.NTF_SELF != 0 && n.IP != nil:
			out = append(out, n.HardwareAddr.String()+" dst "+n.IP.String())
		case n.Flags&unix.NTF_SELF == 0 && n.MasterIndex != 0 && n.State&unix.NUD_PERMANENT == 0:
			// bridge entries come back with NDA_MASTER, not NTF_MASTER
			out = append(out, n.HardwareAddr.String()+" master")
		}
	}
	slices.Sort(out)
	return out
}

func TestEVPNApply(t *testing.T) {
	needNetNS(t)
	node, vm := newNS(t, "n"), newNS(t, "vm")
	veth(t, node, "tap1", vm, "eth0")
	veth(t, node, "tap2", vm, "eth1")
	// Not ours: must survive everything.
	run(t, "ip", "-n", node, "link", "add", "br-other", "type", "bridge")
	run(t, "ip", "-n", node, "link", "add", "vx-other", "type", "vxlan", "id", "9", "dstport", "4789")

	d := newDriver(t, node, "192.0.2.1")
	evi := dataplane.EVI{ID: "evpn_a", Number: 1, VNI: 100,
		Ports: []dataplane.Port{{LinuxIf: "tap1", MAC: mustMAC("52:54:00:00:00:01"), Direction: "both"}},
		MACs: []dataplane.FDBEntry{
			{MAC: mustMAC("52:54:00:00:00:02"), VTEP: addr("192.0.2.2"), VNI: 100},
			{MAC: mustMAC("52:54:00:00:00:03"), VTEP: addr("192.0.2.3"), VNI: 100},
		},
		Flood: []dataplane.FloodEntry{{VTEP: addr("192.0.2.2"), VNI: 100}, {VTEP: addr("192.0.2.3"), VNI: 100}},
	}
	s := dataplane.State{EVIs: []dataplane.EVI{evi}}
	if c := changes(t, node, func() { apply(t, d, s) }); c == "" {
		t.Fatal("first Apply: ip monitor saw no change (the no-op checks below would prove nothing)")
	}

	t.Run("devices", func(t *testing.T) {
		br, err := d.h.LinkByName("bgv-eb100")
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := br.(*netlink.Bridge); !ok {
			t.Errorf("bgv-eb100 is a %s, want a bridge", br.Type())
		}
		l, err := d.h.LinkByName("bgv-ex100")
		if err != nil {
			t.Fatal(err)
		}
		vx, ok := l.(*netlink.Vxlan)
		if !ok {
			t.Fatalf("bgv-ex100 is a %s, want vxlan", l.Type())
		}
		if vx.VxlanId != 100 || vx.Port != 4789 || vx.Learning || vx.SrcAddr.String() != "192.0.2.1" || vx.MasterIndex != br.Attrs().Index {
			t.Errorf("bgv-ex100 = id %d port %d learning %v local %s master %d, want 100 4789 false 192.0.2.1 %d",
				vx.VxlanId, vx.Port, vx.Learning, vx.SrcAddr, vx.MasterIndex, br.Attrs().Index)
		}
		if pi, err := d.h.LinkGetProtinfo(vx); err != nil || pi.Learning {
			t.Errorf("bridge port learning on bgv-ex100 = %v (%v), want off", pi.Learning, err)
		}
		tap, _ := d.h.LinkByName("tap1")
		if tap.Attrs().MasterIndex != br.Attrs().Index {
			t.Errorf("tap1 master = %d, want bgv-eb100 (%d)", tap.Attrs().MasterIndex, br.Attrs().Index)
		}
	})
	t.Run("fdb", func(t *testing.T) {
		want := []string{
			"00:00:00:00:00:00 dst 192.0.2.2", "00:00:00:00:00:00 dst 192.0.2.3",
			"52:54:00:00:00:02 dst 192.0.2.2", "52:54:00:00:00:02 master",
			"52:54:00:00:00:03 dst 192.0.2.3", "52:54:00:00:00:03 master",
		}
		if diff := cmp.Diff(want, fdbOf(t, d, "bgv-ex100")); diff != "" {
			t.Errorf("FDB (-want +got):\n%s", diff)
		}
	})
	idempotentAndAdopted(t, node, "192.0.2.1", &d, s)
	t.Run("stale entries and ports go, the rest stays", func(t *testing.T) {
		e := evi
		e.MACs = e.MACs[:1]
		e.Flood = e.Flood[:1]
		e.Ports = []dataplane.Port{{LinuxIf: "tap2", Direction: "both"}}
		apply(t, d, dataplane.State{EVIs: []dataplane.EVI{e}})
		want := []string{"00:00:00:00:00:00 dst 192.0.2.2", "52:54:00:00:00:02 dst 192.0.2.2", "52:54:00:00:00:02 master"}
		if diff := cmp.Diff(want, fdbOf(t, d, "bgv-ex100")); diff != "" {
			t.Errorf("FDB (-want +got):\n%s", diff)
		}
		br, _ := d.h.LinkByName("bgv-eb100")
		tap1, _ := d.h.LinkByName("tap1")
		tap2, _ := d.h.LinkByName("tap2")
		if tap1.Attrs().MasterIndex != 0 || tap2.Attrs().MasterIndex != br.Attrs().Index {
			t.Errorf("masters: tap1 %d tap2 %d, want 0 and %d", tap1.Attrs().MasterIndex, tap2.Attrs().MasterIndex, br.Attrs().Index)
		}
	})
	t.Run("leftover of a previous process is removed", func(t *testing.T) {
		run(t, "ip", "-n", node, "link", "add", "bgv-eb77", "type", "bridge")
		run(t, "ip", "-n", node, "link", "add", "bgv-ex77", "type", "vxlan", "id", "77", "dstport", "4789", "nolearning")
		apply(t, d, s)
		out := run(t, "ip", "-n", node, "-o", "link", "show")
		if strings.Contains(out, "bgv-eb77") || strings.Contains(out, "bgv-ex77") {
			t.Errorf("leftover devices still there:\n%s", out)
		}
	})
	t.Run("removal cleans up only ours", func(t *testing.T) {
		apply(t, d, dataplane.State{})
		out := run(t, "ip", "-n", node, "-o", "link", "show")
		if strings.Contains(out, "bgv-") {
			t.Errorf("our devices remain:\n%s", out)
		}
		for _, n := range []string{"br-other", "vx-other", "tap1", "tap2"} {
			if !strings.Contains(out, " "+n+":") && !strings.Contains(out, " "+n+"@") {
				t.Errorf("%s was removed:\n%s", n, out)
			}
		}
	})
}

func TestEVPNGivenBridge(t *testing.T) {
	needNetNS(t)
	node, vm := newNS(t, "n"), newNS(t, "vm")
	veth(t, node, "tap1", vm, "eth0")
	run(t, "ip", "-n", node, "link", "add", "brq-net", "type", "bridge")
	d := newDriver(t, node, "192.0.2.1")
	s := dataplane.State{EVIs: []dataplane.EVI{{ID: "e", VNI: 200, Bridge: "brq-net", Ports: []dataplane.Port{{LinuxIf: "tap1"}}}}}
	apply(t, d, s)
	br, _ := d.h.LinkByName("brq-net")
	vx, err := d.h.LinkByName("bgv-ex200")
	if err != nil {
		t.Fatal(err)
	}
	tap, _ := d.h.LinkByName("tap1")
	if vx.Attrs().MasterIndex != br.Attrs().Index || tap.Attrs().MasterIndex != br.Attrs().Index {
		t.Errorf("bgv-ex200 and tap1 masters = %d, %d; want brq-net (%d)", vx.Attrs().MasterIndex, tap.Attrs().MasterIndex, br.Attrs().Index)
	}
	apply(t, d, dataplane.State{})
	out := run(t, "ip", "-n", node, "-o", "link", "show")
	if !strings.Contains(out, "brq-net") || strings.Contains(out, "bgv-") {
		t.Errorf("after removal, want brq-net kept and no bgv- device:\n%s", out)
	}
	if tap, _ := d.h.LinkByName("tap1"); tap.Attrs().MasterIndex != 0 {
		t.Errorf("tap1 still enslaved to %d", tap.Attrs().MasterIndex)
	}
}
