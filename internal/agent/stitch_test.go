package agent

import (
	"context"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// Two ports in an EVI plugged into a VRF (local_port.evpn.id): the VRF's
// dataplane gets one port per MAC, each naming the EVI and carrying its
// own label, so that the driver routes each port's label to its address
// through the EVI's bridge; the looking glass lists the EVI as plugged
// until its last port leaves the VRF.
func TestEVIPluggedIntoVRF(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, "127.0.0.23", -1, Config{})
	for _, p := range []struct{ mac, ip, tap string }{{"52:54:00:00:00:01", "10.0.0.5/24", "tap1"}, {"52:54:00:00:00:02", "10.0.0.6/24", "tap2"}} {
		if err := n.m.Attach(ctx, Attachment{VPNType: EVPN, VPNInstanceID: "evi", MAC: mac(p.mac), IP: netip.MustParsePrefix(p.ip), LocalPort: LocalPort{LinuxIf: p.tap}, VNI: 5000, ImportRTs: rts("64512:5000"), ExportRTs: rts("64512:5000")}); err != nil {
			t.Fatal(err)
		}
		a := ipvpnAttach("vrf", p.mac, p.ip, "", rts("64512:1"), rts("64512:1"))
		a.LocalPort = LocalPort{LinuxIf: "evpn:evi", EVPNID: "evi"}
		if err := n.m.Attach(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	vrf := func() *dataplane.VRF {
		for _, v := range n.ipvpn.State().VRFs {
			if v.ID == "vrf" {
				return &v
			}
		}
		return nil
	}
	waitFor(t, "the VRF in the dataplane", func() bool { return vrf() != nil && len(vrf().Ports) == 2 })
	ports := vrf().Ports
	for i, want := range []struct{ mac, ip string }{{"52:54:00:00:00:01", "10.0.0.5/24"}, {"52:54:00:00:00:02", "10.0.0.6/24"}} {
		p := ports[i]
		if p.LinuxIf != "evpn:evi" || p.EVI != "evi" || p.MAC.String() != want.mac || len(p.IPs) != 1 || p.IPs[0].String() != want.ip {
			t.Errorf("VRF port %d = %+v, want %s %s through EVI evi", i, p, want.mac, want.ip)
		}
	}
	if ports[0].Label == ports[1].Label {
		t.Errorf("both ports through the EVI have label %d, want one each", ports[0].Label)
	}
	evis := func() []string { v, _ := n.m.Instance("vrf"); return v.PluggedEVIs }
	if d := cmp.Diff([]string{"evi"}, evis()); d != "" {
		t.Errorf("plugged EVIs (-want +got):\n%s", d)
	}

	// A port of another network, plugged into the VRF itself.
	if err := n.m.Attach(ctx, ipvpnAttach("vrf", "52:54:00:00:00:09", "10.9.0.9/24", "tap9", rts("64512:1"), rts("64512:1"))); err != nil {
		t.Fatal(err)
	}
	if err := n.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf", MAC: mac("52:54:00:00:00:01"), IP: netip.MustParsePrefix("10.0.0.5/24"), LocalPort: LocalPort{LinuxIf: "evpn:evi", EVPNID: "evi"}}); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"evi"}, evis()); d != "" {
		t.Errorf("plugged EVIs with one port left (-want +got):\n%s", d)
	}
	if err := n.m.Detach(ctx, Detachment{VPNType: IPVPN, VPNInstanceID: "vrf", MAC: mac("52:54:00:00:00:02"), IP: netip.MustParsePrefix("10.0.0.6/24"), LocalPort: LocalPort{LinuxIf: "evpn:evi", EVPNID: "evi"}}); err != nil {
		t.Fatal(err)
	}
	if got := evis(); len(got) != 0 {
		t.Errorf("plugged EVIs once no port goes through one = %v, want none", got)
	}
}
