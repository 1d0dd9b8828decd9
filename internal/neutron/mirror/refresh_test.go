package mirror_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

func (f *fixture) refresh(refs ...mirror.Ref) mirror.Stats {
	f.t.Helper()
	s, err := f.m.Refresh(context.Background(), refs)
	if err != nil {
		f.t.Fatalf("Refresh(%v): %v", refs, err)
	}
	return s
}

func TestRefreshReadsOnlyWhatTheNotificationNames(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *mirror.Snapshot)
		refs   []mirror.Ref
		wantH1 []string
		wantH2 []string
		stats  mirror.Stats
	}{
		{
			name:   "port rebound",
			change: func(s *mirror.Snapshot) { s.Ports[0].HostID = "h2" },
			refs:   []mirror.Ref{{Kind: mirror.Port, ID: "port1"}},
			wantH2: []string{"port1 10.0.0.5/24 ipvpn_net1"},
			stats:  mirror.Stats{Updated: 1},
		},
		{
			name:   "fixed IP changed",
			change: func(s *mirror.Snapshot) { s.Ports[0].FixedIPs = []store.FixedIP{ip("sn1", "10.0.0.9")} },
			refs:   []mirror.Ref{{Kind: mirror.Port, ID: "port1"}},
			wantH1: []string{"port1 10.0.0.9/24 ipvpn_net1"},
			stats:  mirror.Stats{Updated: 1},
		},
		{
			name: "port created",
			change: func(s *mirror.Snapshot) {
				s.Ports = append(s.Ports, port("port2", "net1", "h2", "fa:16:3e:00:00:02", ip("sn1", "10.0.0.6")))
			},
			refs:   []mirror.Ref{{Kind: mirror.Port, ID: "port2"}},
			wantH1: []string{"port1 10.0.0.5/24 ipvpn_net1"},
			wantH2: []string{"port2 10.0.0.6/24 ipvpn_net1"},
			stats:  mirror.Stats{Created: 1},
		},
		{
			name:   "port deleted, from the notification's id",
			change: func(s *mirror.Snapshot) { s.Ports = nil },
			refs:   []mirror.Ref{{Kind: mirror.Port, ID: "port1", Gone: true}},
			stats:  mirror.Stats{Deleted: 1},
		},
		{
			name:   "port updated but gone since: deleted",
			change: func(s *mirror.Snapshot) { s.Ports = nil },
			refs:   []mirror.Ref{{Kind: mirror.Port, ID: "port1"}},
			stats:  mirror.Stats{Deleted: 1},
		},
		{
			name:   "network deleted, with its subnet and port",
			change: func(s *mirror.Snapshot) { s.Ports, s.Subnets, s.Networks = nil, nil, nil },
			refs:   []mirror.Ref{{Kind: mirror.Network, ID: "net1", Gone: true}},
			stats:  mirror.Stats{Deleted: 3},
		},
		{
			name:   "another port changed in Neutron, not named: not read",
			change: func(s *mirror.Snapshot) { s.Ports[0].HostID = "h2" },
			refs:   []mirror.Ref{{Kind: mirror.Network, ID: "net1"}},
			wantH1: []string{"port1 10.0.0.5/24 ipvpn_net1"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := withVPN(t)
			reads := f.fullReads
			tt.change(f.snap)
			if diff := cmp.Diff(tt.stats, f.refresh(tt.refs...)); diff != "" {
				t.Errorf("Refresh stats (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantH1, f.attachments("h1")); diff != "" {
				t.Errorf("attachments of h1 (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantH2, f.attachments("h2")); diff != "" {
				t.Errorf("attachments of h2 (-want +got):\n%s", diff)
			}
			if f.fullReads != reads {
				t.Errorf("Refresh read the whole of Neutron %d times, want 0", f.fullReads-reads)
			}
		})
	}
}

func TestRefreshRouterInterfaces(t *testing.T) {
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
	reads := f.fullReads
	iface := &store.Port{ID: "rif1", ProjectID: "p1", NetworkID: "net1", MACAddress: "fa:16:3e:00:00:99", AdminStateUp: true,
		Status: "ACTIVE", DeviceOwner: "network:router_interface", DeviceID: "r1", FixedIPs: []store.FixedIP{ip("sn1", "10.0.0.1")}}
	f.snap.Ports = append(f.snap.Ports, iface)
	f.refresh(mirror.Ref{Kind: mirror.Router, ID: "r1", Interfaces: true})
	if diff := cmp.Diff([]string{"port1 10.0.0.5/24 ipvpn_net1"}, f.attachments("h1")); diff != "" {
		t.Errorf("attachments of h1 after router.interface.create (-want +got):\n%s", diff)
	}
	// Removed: Neutron deleted the interface's port.
	f.snap.Ports = f.snap.Ports[:1]
	f.refresh(mirror.Ref{Kind: mirror.Router, ID: "r1", Interfaces: true})
	if got := f.attachments("h1"); len(got) != 0 {
		t.Errorf("attachments of h1 after router.interface.delete = %v, want none", got)
	}
	if f.fullReads != reads {
		t.Errorf("Refresh read the whole of Neutron %d times, want 0", f.fullReads-reads)
	}
}

func TestRefreshFallsBackToAFullRead(t *testing.T) {
	f := withVPN(t)
	reads := f.fullReads
	// A port of a network the mirror has not read: only a full read can
	// write it.
	f.snap.Networks = append(f.snap.Networks, network("net2"))
	f.snap.Subnets = append(f.snap.Subnets, subnet("sn2", "net2", "10.2.0.0/24", "10.2.0.1"))
	f.snap.Ports = append(f.snap.Ports, port("port2", "net2", "h2", "fa:16:3e:00:00:02", ip("sn2", "10.2.0.5")))
	if s := f.refresh(mirror.Ref{Kind: mirror.Port, ID: "port2"}); s != (mirror.Stats{Created: 3}) {
		t.Errorf("Refresh of a port of an unknown network = %+v, want the full read's 3 created", s)
	}
	if f.fullReads != reads+1 {
		t.Errorf("full reads = %d, want 1", f.fullReads-reads)
	}
}

// waitUntil polls cond (Run works in its own goroutine).
func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestRunReadsWhatNotifyNames(t *testing.T) {
	f := withVPN(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.m.Run(ctx, time.Hour, nil); close(done) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "Run's first full read", func() bool { return f.reads() == 2 })

	f.edit(func(s *mirror.Snapshot) { s.Ports[0].HostID = "h2" })
	f.m.Notify([]mirror.Ref{{Kind: mirror.Port, ID: "port1"}})
	waitUntil(t, "port1 on h2", func() bool { return len(f.attachments("h2")) == 1 })
	if n := f.reads(); n != 2 {
		t.Errorf("full reads after a notification = %d, want still 2", n)
	}
	if !slices.Contains(f.metrics(), `bgpvpn_server_neutron_mirror_reads_total{kind="targeted"} 1`) {
		t.Errorf("metrics = %v, want 1 targeted read", f.metrics())
	}

	// A reconnected bus: everything read again.
	f.m.Notify(nil)
	waitUntil(t, "a full read", func() bool { return f.reads() == 3 })
}

// A client that creates a network in Neutron and associates it at once
// (Terraform, Heat) must not find the mirror behind: Await returns once
// Run has read what it names.
func TestAwaitReturnsOnceRead(t *testing.T) {
	f := withVPN(t)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { f.m.Run(ctx, time.Hour, nil); close(done) }()
	defer func() { cancel(); <-done }()
	waitUntil(t, "Run's first full read", func() bool { return f.reads() == 2 })

	f.edit(func(s *mirror.Snapshot) { s.Networks = append(s.Networks, network("net2")) })
	if err := f.m.Await(ctx, []mirror.Ref{{Kind: mirror.Network, ID: "net2"}}); err != nil {
		t.Fatalf("Await: %v", err)
	}
	err := f.st.View(ctx, func(tx store.Tx) error { _, err := tx.GetNetwork("net2"); return err })
	if err != nil {
		t.Errorf("GetNetwork(net2) after Await = %v, want it mirrored", err)
	}
}

func TestAwaitEndsWithItsContext(t *testing.T) {
	f := withVPN(t) // no Run: nothing reads
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.m.Await(ctx, []mirror.Ref{{Kind: mirror.Network, ID: "net2"}}); err == nil {
		t.Errorf("Await with an ended context and no Run = nil, want its error")
	}
}
