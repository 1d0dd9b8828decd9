package mirror_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/driver"
	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

// fixture is a real store with the bagpipe driver, mirrored from a
// snapshot the test edits.
type fixture struct {
	t    testing.TB
	st   store.Store
	m    *mirror.Mirror
	snap *mirror.Snapshot
	// down, when set, is what reading Neutron answers.
	down error
	// fullReads counts the snapshots read.
	fullReads int
	// mu guards snap, down and fullReads while Run reads them (edit,
	// reads).
	mu sync.Mutex
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.OpenSQLite(ctx, filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	drv, err := driver.New("bagpipe", driver.Options{Name: "bagpipe", Logger: log, Store: st})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { drv.Close(); st.Close() })
	f := &fixture{t: t, st: st, snap: &mirror.Snapshot{}}
	src := &fakeNeutron{f: f}
	f.m = mirror.New(st, &bgpvpn.Service{Driver: drv, Log: log}, src, log)
	return f
}

func clone[T any](in []*T) []*T {
	out := make([]*T, len(in))
	for i, o := range in {
		c := *o
		out[i] = &c
	}
	return out
}

func (f *fixture) sync() mirror.Stats {
	f.t.Helper()
	s, err := f.m.Sync(context.Background())
	if err != nil {
		f.t.Fatalf("Sync: %v", err)
	}
	return s
}

// tx runs fn in a read-write transaction of the store (what the API does
// for BGPVPNs and associations).
func (f *fixture) tx(fn func(store.Tx) error) {
	f.t.Helper()
	if err := f.st.Update(context.Background(), fn); err != nil {
		f.t.Fatal(err)
	}
}

// attachments lists "port ip vpn_instance" of what host must realise.
func (f *fixture) attachments(host string) []string {
	f.t.Helper()
	var out []string
	err := f.st.View(context.Background(), func(tx store.Tx) error {
		atts, err := compute.Host(tx, host)
		for _, a := range atts {
			for _, ip := range a.IPs {
				out = append(out, a.PortID+" "+ip.Address.String()+" "+a.VPNInstanceID)
			}
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	sort.Strings(out)
	return out
}

// hostRevision is the newest feed revision that touched host.
func (f *fixture) hostRevision(host string) int64 {
	f.t.Helper()
	var rev int64
	err := f.st.View(context.Background(), func(tx store.Tx) error {
		m, err := tx.HostRevisions([]string{host})
		rev = m[host]
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return rev
}

func network(id string) *store.Network {
	return &store.Network{ID: id, ProjectID: "p1", Name: id, AdminStateUp: true, MTU: 1450, Status: "ACTIVE"}
}

func subnet(id, net, cidr, gw string) *store.Subnet {
	return &store.Subnet{ID: id, ProjectID: "p1", NetworkID: net, IPVersion: 4, CIDR: cidr, GatewayIP: gw}
}

func port(id, net, host, mac string, ips ...store.FixedIP) *store.Port {
	return &store.Port{ID: id, ProjectID: "p1", NetworkID: net, MACAddress: mac, AdminStateUp: true, Status: "ACTIVE",
		DeviceOwner: "compute:nova", DeviceID: "vm-" + id, HostID: host, FixedIPs: ips}
}

func ip(subnet, addr string) store.FixedIP { return store.FixedIP{SubnetID: subnet, IPAddress: addr} }

// withVPN is net1 (10.0.0.0/24) with port1 on host h1, and a BGPVPN
// associated with net1.
func withVPN(t *testing.T) *fixture {
	f := newFixture(t)
	f.snap.Networks = []*store.Network{network("net1")}
	f.snap.Subnets = []*store.Subnet{subnet("sn1", "net1", "10.0.0.0/24", "10.0.0.1")}
	f.snap.Ports = []*store.Port{port("port1", "net1", "h1", "fa:16:3e:00:00:01", ip("sn1", "10.0.0.5"))}
	f.sync()
	f.tx(func(tx store.Tx) error {
		if err := tx.CreateBGPVPN(&store.BGPVPN{ID: "vpn1", ProjectID: "p1", Type: "l3", RouteTargets: []string{"64512:1"}}); err != nil {
			return err
		}
		return tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: "na1", ProjectID: "p1", BGPVPNID: "vpn1", NetworkID: "net1"})
	})
	return f
}

func TestNeutronChangesReachTheFeed(t *testing.T) {
	tests := []struct {
		name string
		// change edits Neutron's snapshot.
		change func(s *mirror.Snapshot)
		// want are the attachments of h1 and h2 after the sync.
		wantH1, wantH2 []string
		// touched hosts get a new feed revision.
		touched []string
	}{
		{
			name:    "port bound to another host moves its attachments",
			change:  func(s *mirror.Snapshot) { s.Ports[0].HostID = "h2" },
			wantH2:  []string{"port1 10.0.0.5/24 ipvpn_net1"},
			touched: []string{"h1", "h2"},
		},
		{
			name:    "fixed IP changed",
			change:  func(s *mirror.Snapshot) { s.Ports[0].FixedIPs = []store.FixedIP{ip("sn1", "10.0.0.9")} },
			wantH1:  []string{"port1 10.0.0.9/24 ipvpn_net1"},
			touched: []string{"h1"},
		},
		{
			name:    "port deleted",
			change:  func(s *mirror.Snapshot) { s.Ports = nil },
			touched: []string{"h1"},
		},
		{
			name:    "network deleted",
			change:  func(s *mirror.Snapshot) { s.Ports, s.Subnets, s.Networks = nil, nil, nil },
			touched: []string{"h1"},
		},
		{
			name:   "nothing changed",
			change: func(*mirror.Snapshot) {},
			wantH1: []string{"port1 10.0.0.5/24 ipvpn_net1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withVPN(t)
			if diff := cmp.Diff([]string{"port1 10.0.0.5/24 ipvpn_net1"}, f.attachments("h1")); diff != "" {
				t.Fatalf("attachments of h1 before (-want +got):\n%s", diff)
			}
			before := map[string]int64{"h1": f.hostRevision("h1"), "h2": f.hostRevision("h2")}
			tt.change(f.snap)
			f.sync()
			if diff := cmp.Diff(tt.wantH1, f.attachments("h1")); diff != "" {
				t.Errorf("attachments of h1 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantH2, f.attachments("h2")); diff != "" {
				t.Errorf("attachments of h2 (-want +got):\n%s", diff)
			}
			var touched []string
			for _, h := range []string{"h1", "h2"} {
				if f.hostRevision(h) > before[h] {
					touched = append(touched, h)
				}
			}
			if diff := cmp.Diff(tt.touched, touched); diff != "" {
				t.Errorf("hosts with a new feed revision (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDeletedNetworkLosesItsAssociations(t *testing.T) {
	f := withVPN(t)
	f.snap.Ports, f.snap.Subnets, f.snap.Networks = nil, nil, nil
	f.sync()
	f.tx(func(tx store.Tx) error {
		as, err := tx.ListNetworkAssociations(store.Query{Parent: "vpn1"})
		if len(as) != 0 {
			t.Errorf("network associations after the network's delete in Neutron: %d, want 0", len(as))
		}
		return err
	})
}

func TestRouterInterfaceChangesTheNetworksVRF(t *testing.T) {
	f := newFixture(t)
	f.snap.Networks = []*store.Network{network("net1")}
	f.snap.Subnets = []*store.Subnet{subnet("sn1", "net1", "10.0.0.0/24", "10.0.0.1")}
	f.snap.Routers = []*store.Router{{ID: "r1", ProjectID: "p1", Name: "r1", AdminStateUp: true, Status: "ACTIVE"}}
	f.snap.Ports = []*store.Port{port("port1", "net1", "h1", "fa:16:3e:00:00:01", ip("sn1", "10.0.0.5"))}
	f.sync()
	f.tx(func(tx store.Tx) error {
		if err := tx.CreateBGPVPN(&store.BGPVPN{ID: "vpn1", ProjectID: "p1", Type: "l3", RouteTargets: []string{"64512:1"}}); err != nil {
			return err
		}
		return tx.CreateRouterAssociation(&store.RouterAssociation{ID: "ra1", ProjectID: "p1", BGPVPNID: "vpn1", RouterID: "r1"})
	})
	if got := f.attachments("h1"); len(got) != 0 {
		t.Fatalf("attachments of h1 without a router interface = %v, want none", got)
	}
	rev := f.hostRevision("h1")
	iface := &store.Port{ID: "rif1", ProjectID: "p1", NetworkID: "net1", MACAddress: "fa:16:3e:00:00:99", AdminStateUp: true,
		Status: "ACTIVE", DeviceOwner: "network:router_interface", DeviceID: "r1", FixedIPs: []store.FixedIP{ip("sn1", "10.0.0.1")}}
	f.snap.Ports = append(f.snap.Ports, iface)
	f.sync()
	if diff := cmp.Diff([]string{"port1 10.0.0.5/24 ipvpn_net1"}, f.attachments("h1")); diff != "" {
		t.Errorf("attachments of h1 after the interface is added (-want +got):\n%s", diff)
	}
	if f.hostRevision("h1") <= rev {
		t.Errorf("h1's feed revision did not move when the router interface was added")
	}
	rev = f.hostRevision("h1")
	f.snap.Ports = f.snap.Ports[:1]
	f.sync()
	if got := f.attachments("h1"); len(got) != 0 {
		t.Errorf("attachments of h1 after the interface is removed = %v, want none", got)
	}
	if f.hostRevision("h1") <= rev {
		t.Errorf("h1's feed revision did not move when the router interface was removed")
	}
}

func TestSyncConverges(t *testing.T) {
	f := withVPN(t)
	if s := f.sync(); s != (mirror.Stats{}) {
		t.Errorf("second sync of the same snapshot = %+v, want no change", s)
	}
	// An address moved from one port to another between two syncs, in an
	// order that would collide if written naively.
	f.snap.Ports = []*store.Port{
		port("port0", "net1", "h1", "fa:16:3e:00:00:02", ip("sn1", "10.0.0.5")),
		port("port1", "net1", "h1", "fa:16:3e:00:00:01", ip("sn1", "10.0.0.6")),
	}
	if s := f.sync(); s != (mirror.Stats{Created: 1, Updated: 1}) {
		t.Errorf("sync of a moved address = %+v, want 1 created, 1 updated", s)
	}
	want := []string{"port0 10.0.0.5/24 ipvpn_net1", "port1 10.0.0.6/24 ipvpn_net1"}
	if diff := cmp.Diff(want, f.attachments("h1")); diff != "" {
		t.Errorf("attachments of h1 (-want +got):\n%s", diff)
	}
	// A port of a network Neutron created after the networks were read
	// waits for the next sync.
	f.snap.Ports = append(f.snap.Ports, port("port9", "net9", "h1", "fa:16:3e:00:00:09"))
	if s := f.sync(); s != (mirror.Stats{Skipped: 1}) {
		t.Errorf("sync with a port of an unknown network = %+v, want 1 skipped", s)
	}
}

func TestAge(t *testing.T) {
	f := newFixture(t)
	if _, ok := f.m.Age(); ok {
		t.Errorf("Age before any sync: ok, want not synced")
	}
	f.sync()
	if _, ok := f.m.Age(); !ok {
		t.Errorf("Age after a sync: not synced")
	}
}
