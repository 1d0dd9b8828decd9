package feedsync_test

import (
	"context"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/agent/feedsync"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/server/servertest"
)

// TestDataplaneFailureReported: when the dataplane fails to program an
// instance, at attach time or at a later apply, the associations of that
// instance turn ERROR with the driver's reason, and only those; they turn
// ACTIVE again once the manager's retry succeeds.
func TestDataplaneFailureReported(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	n2 := s.Create("/networks", "network", `{"name": "n2"}`)
	s.Create("/subnets", "subnet", `{"network_id": "`+n2+`", "ip_version": 4, "cidr": "10.2.0.0/24"}`)
	s.Create("/ports", "port", `{"network_id": "`+n2+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	h1, h2 := newManager(t), newManager(t)
	follow(t, s.URL, "h1", h1)
	follow(t, s.URL, "h2", h2)

	// At attach time: n1's instance cannot be programmed on h1.
	h1.ipvpn.Fail("ipvpn_"+w.network, errors.New("no room left in table 1001"))
	a1 := s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+w.network+`"}`)
	a2 := s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+n2+`"}`)
	status := func(assoc string) (string, string) {
		na := s.Call("GET", "/bgpvpn/bgpvpns/"+w.vpn+"/network_associations/"+assoc, "")["network_association"].(map[string]any)
		reason, _ := na["status_reason"].(string)
		return na["status"].(string), reason
	}
	is := func(assoc, want, reason string) func() bool {
		return func() bool {
			st, r := status(assoc)
			return st == want && strings.Contains(r, reason)
		}
	}
	waitFor(t, "the association of n1 in ERROR with the driver's reason", is(a1, "ERROR", "no room left in table 1001"))
	waitFor(t, "the association of n2 ACTIVE", is(a2, "ACTIVE", ""))

	// The retry succeeds.
	h1.ipvpn.Fail("ipvpn_"+w.network, nil)
	waitFor(t, "the association of n1 ACTIVE again", is(a1, "ACTIVE", ""))

	// Later, at an apply that a change brings: n2's instance fails.
	h1.ipvpn.Fail("ipvpn_"+n2, errors.New("device busy"))
	s.Create("/ports", "port", `{"network_id": "`+n2+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	waitFor(t, "the association of n2 in ERROR", is(a2, "ERROR", "device busy"))
	if st, r := status(a1); st != "ACTIVE" {
		t.Errorf("association of n1 while only n2's instance fails = %s (%q), want ACTIVE", st, r)
	}
	h1.ipvpn.Fail("ipvpn_"+n2, nil)
	waitFor(t, "the association of n2 ACTIVE again", is(a2, "ACTIVE", ""))
}

// fakeManager accepts every attachment; its dataplane fails with err.
type fakeManager struct{ err error }

func (f *fakeManager) Attach(context.Context, agent.Attachment) error { return nil }
func (f *fakeManager) Detach(context.Context, agent.Detachment) error { return nil }
func (f *fakeManager) DataplaneError() error                          { return f.err }

// TestDataplaneFailureOfNoInstance: a failure the driver does not tie to
// an instance may concern any: every association is in ERROR with it, on
// top of a failure of its own.
func TestDataplaneFailureOfNoInstance(t *testing.T) {
	m := &fakeManager{err: errors.Join(&dataplane.InstanceError{Instance: "ipvpn_n1", Err: errors.New("VRF ipvpn_n1: no such device")},
		errors.New("listing routes: netlink socket closed"))}
	s := feedsync.New(feedsync.Config{Manager: m})
	att := func(inst, port, assoc string) feed.Attachment {
		return feed.Attachment{VPNType: feed.IPVPN, VPNInstanceID: inst, PortID: port, MACAddress: "fa:16:3e:00:00:01",
			IPs:       []feed.IP{{Address: netip.MustParsePrefix("10.0.0.5/24"), Gateway: netip.MustParseAddr("10.0.0.1")}},
			ImportRTs: []string{"64512:1"}, ExportRTs: []string{"64512:1"}, Direction: feed.Both, Associations: []string{assoc}}
	}
	rep := s.Reconcile(context.Background(), feed.HostState{Host: "h1", Epoch: "e", Revision: 3,
		Attachments: []feed.Attachment{att("ipvpn_n1", "p1", "a1"), att("ipvpn_n2", "p2", "a2")}})
	want := []feed.AssociationStatus{
		{ID: "a1", Status: feed.Error, Reason: "dataplane: VRF ipvpn_n1: no such device; dataplane: listing routes: netlink socket closed"},
		{ID: "a2", Status: feed.Error, Reason: "dataplane: listing routes: netlink socket closed"},
	}
	if d := cmp.Diff(want, rep.Associations); d != "" {
		t.Errorf("Reconcile status (-want +got):\n%s", d)
	}
	m.err = nil
	if rep := s.Reconcile(context.Background(), feed.HostState{Host: "h1", Epoch: "e", Revision: 3,
		Attachments: []feed.Attachment{att("ipvpn_n1", "p1", "a1")}}); rep.Associations[0].Status != feed.Active {
		t.Errorf("status once the dataplane applies = %+v, want ACTIVE", rep.Associations)
	}
}

// TestStatusFollowsUnchangedHost: a change that moves a host's revision
// without changing its attachments (a port bound to the host in a network
// no BGPVPN has) must not leave the host's associations in BUILD: the
// feed says the host's state is still current at the new revision, and
// the agent reports again at it.
func TestStatusFollowsUnchangedHost(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	h1, h2 := newManager(t), newManager(t)
	follow(t, s.URL, "h1", h1)
	follow(t, s.URL, "h2", h2)
	a1 := s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+w.network+`"}`)
	status := func() string {
		return s.Call("GET", "/bgpvpn/bgpvpns/"+w.vpn+"/network_associations/"+a1, "")["network_association"].(map[string]any)["status"].(string)
	}
	waitFor(t, "the association ACTIVE", func() bool { return status() == "ACTIVE" })

	other := s.Create("/networks", "network", `{"name": "unassociated"}`)
	s.Create("/subnets", "subnet", `{"network_id": "`+other+`", "ip_version": 4, "cidr": "10.9.0.0/24"}`)
	s.Create("/ports", "port", `{"network_id": "`+other+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	// The port's commit moved h1's revision, which every later read of
	// the status sees: BUILD until h1 reports at it, then ACTIVE. BUILD
	// for good (the bug) times this out.
	waitFor(t, "the association ACTIVE after h1's revision moved", func() bool { return status() == "ACTIVE" })
}
