package feedsync_test

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/agent/feedsync"
	"github.com/bgpvpn/bgpvpn/internal/feed"
)

// A port of a network in an l2 and an l3 BGPVPN: the VRF plugs the EVI
// (bagpipe's local_port.evpn.id), not the port; when the l2 association
// goes, the port is plugged into the VRF again, and back through the EVI
// when it returns; every association stays ACTIVE across the changes.
func TestStitchedEVIPluggedIntoTheVRF(t *testing.T) {
	h := newManager(t)
	s := feedsync.New(feedsync.Config{Manager: h, Logger: logger()})
	const port = "p1aaaaaaaaaaaaaaaa"
	evpn := feed.Attachment{VPNType: feed.EVPN, VPNInstanceID: "evpn_n1", NetworkID: "n1", PortID: port, MACAddress: "fa:16:3e:00:00:01",
		IPs:       []feed.IP{{Address: netip.MustParsePrefix("10.0.0.5/24"), Gateway: netip.MustParseAddr("10.0.0.1")}},
		ImportRTs: []string{"64512:2"}, ExportRTs: []string{"64512:2"}, VNI: 5002, Direction: feed.Both, Associations: []string{"l2"}}
	ipvpn := evpn
	ipvpn.VPNType, ipvpn.VPNInstanceID, ipvpn.VNI, ipvpn.Associations = feed.IPVPN, "ipvpn_n1", 0, []string{"l3"}
	ipvpn.ImportRTs, ipvpn.ExportRTs = []string{"64512:1"}, []string{"64512:1"}
	stitched := ipvpn
	stitched.EVPNInstanceID = "evpn_n1"

	rev := int64(0)
	apply := func(atts ...feed.Attachment) {
		t.Helper()
		rev++
		rep := s.Reconcile(context.Background(), feed.HostState{Host: "h1", Epoch: "e", Revision: rev, Attachments: atts})
		for _, as := range rep.Associations {
			if as.Status != feed.Active {
				t.Errorf("revision %d: association %s is %s (%s), want ACTIVE", rev, as.ID, as.Status, as.Reason)
			}
		}
	}
	vrf := func() (ports, evis []string) {
		t.Helper()
		v, ok := h.m.Instance("ipvpn_n1")
		if !ok {
			t.Fatal("no VRF ipvpn_n1")
		}
		return plugged(h.m, "ipvpn_n1"), v.PluggedEVIs
	}
	check := func(what string, wantPorts, wantEVIs []string) {
		t.Helper()
		ports, evis := vrf()
		if d := cmp.Diff(wantPorts, ports); d != "" {
			t.Errorf("%s: interfaces of the VRF (-want +got):\n%s", what, d)
		}
		if d := cmp.Diff(wantEVIs, evis); d != "" {
			t.Errorf("%s: EVIs plugged into the VRF (-want +got):\n%s", what, d)
		}
		if len(wantEVIs) > 0 && !slices.Equal(plugged(h.m, "evpn_n1"), []string{tap(port)}) {
			t.Errorf("%s: EVI's interfaces = %v, want [%s]", what, plugged(h.m, "evpn_n1"), tap(port))
		}
	}

	apply(evpn, stitched)
	check("l2 and l3", []string{"evpn:evpn_n1"}, []string{"evpn_n1"})
	apply(ipvpn)
	check("l3 only", []string{tap(port)}, nil)
	if got := plugged(h.m, "evpn_n1"); got != nil {
		t.Errorf("EVI after the l2 association went: interfaces %v, want no instance", got)
	}
	apply(evpn, stitched)
	check("l2 back", []string{"evpn:evpn_n1"}, []string{"evpn_n1"})
}

// Only an IP VPN attachment can go through an EVI: anything else is
// refused with its associations in ERROR, never half applied.
func TestStitchOfAnEVIRefused(t *testing.T) {
	h := newManager(t)
	s := feedsync.New(feedsync.Config{Manager: h, Logger: logger()})
	bad := feed.Attachment{VPNType: feed.EVPN, VPNInstanceID: "evpn_n1", PortID: "p1", MACAddress: "fa:16:3e:00:00:01",
		ImportRTs: []string{"64512:2"}, ExportRTs: []string{"64512:2"}, Direction: feed.Both, Associations: []string{"l2"},
		EVPNInstanceID: "evpn_n2"}
	rep := s.Reconcile(context.Background(), feed.HostState{Host: "h1", Epoch: "e", Revision: 1, Attachments: []feed.Attachment{bad}})
	want := []feed.AssociationStatus{{ID: "l2", Status: feed.Error, Reason: "port p1: only an IP VPN attachment can be plugged through an EVI, not a evpn one"}}
	if d := cmp.Diff(want, rep.Associations); d != "" {
		t.Errorf("status (-want +got):\n%s", d)
	}
	if got := plugged(h.m, "evpn_n1"); got != nil {
		t.Errorf("EVI of a refused attachment plugs %v, want no instance", got)
	}
}
