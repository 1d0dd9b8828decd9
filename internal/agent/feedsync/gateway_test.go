package feedsync_test

import (
	"context"
	"net/netip"
	"slices"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/agent/feedsync"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/feed"
)

// recordingManager keeps what it is asked to attach.
type recordingManager struct{ atts []agent.Attachment }

func (r *recordingManager) Attach(_ context.Context, a agent.Attachment) error {
	r.atts = append(r.atts, a)
	return nil
}
func (r *recordingManager) Detach(context.Context, agent.Detachment) error { return nil }
func (r *recordingManager) DataplaneError() error                          { return nil }

// A dual-stack port gives one attach per address, each with the gateway
// of its own subnet, so the agent's VRF gets the gateway of each family.
func TestDualStackGatewaysConverted(t *testing.T) {
	m := &recordingManager{}
	s := feedsync.New(feedsync.Config{Manager: m})
	fa := feed.Attachment{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_n1", PortID: "p1", MACAddress: "fa:16:3e:00:00:01",
		IPs: []feed.IP{
			{Address: netip.MustParsePrefix("10.0.0.5/24"), Gateway: netip.MustParseAddr("10.0.0.1")},
			{Address: netip.MustParsePrefix("fd00::5/64"), Gateway: netip.MustParseAddr("fd00::1")},
		},
		ImportRTs: []string{"64512:1"}, ExportRTs: []string{"64512:1"}, Direction: feed.Both, Associations: []string{"a1"}}
	rep := s.Reconcile(context.Background(), feed.HostState{Host: "h1", Epoch: "e", Revision: 1, Attachments: []feed.Attachment{fa}})
	if len(rep.Associations) != 1 || rep.Associations[0].Status != feed.Active {
		t.Fatalf("Reconcile status = %+v, want a1 ACTIVE", rep.Associations)
	}
	var got []string
	for _, a := range m.atts {
		got = append(got, a.IP.String()+" via "+a.GatewayIP.String())
	}
	slices.Sort(got)
	if want := []string{"10.0.0.5/24 via 10.0.0.1", "fd00::5/64 via fd00::1"}; !slices.Equal(got, want) {
		t.Errorf("attachments = %q, want %q", got, want)
	}
}

// An IPv4 attachment of an IP VPN asks for the fallback toward the router
// MAC of its subnet (the feed's gateway_mac); without a router, for an
// empty one, which clears what a removed router left.
func TestRouterFallbackConverted(t *testing.T) {
	m := &recordingManager{}
	s := feedsync.New(feedsync.Config{Manager: m})
	fa := feed.Attachment{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_n1", PortID: "p1", MACAddress: "fa:16:3e:00:00:01",
		IPs:       []feed.IP{{Address: netip.MustParsePrefix("10.0.0.5/24"), Gateway: netip.MustParseAddr("10.0.0.1"), GatewayMAC: "fa:16:3e:99:99:99"}},
		ImportRTs: []string{"64512:1"}, ExportRTs: []string{"64512:1"}, Direction: feed.Both, Associations: []string{"a1"}}
	last := func(rev int64) *dataplane.Fallback {
		t.Helper()
		s.Reconcile(context.Background(), feed.HostState{Host: "h1", Epoch: "e", Revision: rev, Attachments: []feed.Attachment{fa}})
		if len(m.atts) == 0 {
			t.Fatal("nothing attached")
		}
		return m.atts[len(m.atts)-1].Fallback
	}
	if fb := last(1); fb == nil || fb.DstMAC.String() != "fa:16:3e:99:99:99" {
		t.Errorf("fallback = %+v, want one toward fa:16:3e:99:99:99", fb)
	}
	fa.IPs[0].GatewayMAC = ""
	if fb := last(2); fb == nil || len(fb.DstMAC) != 0 || fb.PortNumber != 0 {
		t.Errorf("fallback without a router = %+v, want an empty one", fb)
	}
}
