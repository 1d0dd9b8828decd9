package core

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
	"github.com/google/go-cmp/cmp"
)

// recorder is the BGPVPN service as the model sees it: it records each
// event and whether the object it names was in the tables when the event
// came (a delete's event must come while the driver can still read it).
type recorder struct {
	events []string
	fail   driver.Kind // CoreChanged fails for this kind
}

func (r *recorder) CoreChanged(_ context.Context, _ *bgpvpn.Call, tx store.Tx, ev driver.Event) error {
	if ev.Kind == r.fail {
		return errors.New("precommit refused")
	}
	o := ev.New
	if o == nil {
		o = ev.Old
	}
	r.events = append(r.events, fmt.Sprintf("%s %s stored=%v", ev.Op, ev.Kind, stored(tx, o)))
	return nil
}

func stored(tx store.Tx, o any) bool {
	var err error
	switch o := o.(type) {
	case *store.Network:
		_, err = tx.GetNetwork(o.ID)
	case *store.Subnet:
		_, err = tx.GetSubnet(o.ID)
	case *store.Port:
		_, err = tx.GetPort(o.ID)
	case *store.Router:
		_, err = tx.GetRouter(o.ID)
	default:
		return false
	}
	return err == nil
}

func openStore(t *testing.T) store.Store {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "core.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// TestStandaloneWritesAndEvents runs a network's life through the model:
// every write is stored and told to the service, in order, creates and
// updates after their write, deletes (but an interface's) before theirs.
func TestStandaloneWritesAndEvents(t *testing.T) {
	st, rec := openStore(t), &recorder{}
	m := NewStandalone(&network.Service{}, rec)
	ctx, c := context.Background(), &bgpvpn.Call{Caller: bgpvpn.Caller{Admin: true}}
	n := &store.Network{ID: network.NewID(), ProjectID: "p1", Status: "ACTIVE", MTU: 1450}
	s := &store.Subnet{ID: network.NewID(), ProjectID: "p1", NetworkID: n.ID, IPVersion: 4, CIDR: "10.1.0.0/24", DNSNameservers: []string{}, HostRoutes: []store.Route{}}
	p := &store.Port{ID: network.NewID(), ProjectID: "p1", NetworkID: n.ID, HostID: "compute-1", Status: "DOWN"}
	r := &store.Router{ID: network.NewID(), ProjectID: "p1", Status: "ACTIVE", Routes: []store.Route{}}
	steps := []struct {
		name string
		do   func(tx store.Tx) error
	}{
		{"create network", func(tx store.Tx) error { return m.CreateNetwork(ctx, c, tx, n) }},
		{"create subnet", func(tx store.Tx) error { return m.CreateSubnet(ctx, c, tx, s, false, false) }},
		{"create port", func(tx store.Tx) error { return m.CreatePort(ctx, c, tx, p, nil, false) }},
		{"move port", func(tx store.Tx) error {
			moved := *p
			moved.HostID = "compute-2"
			return m.UpdatePort(ctx, c, tx, p, &moved, []network.Request{{SubnetID: s.ID, IPAddress: "10.1.0.77"}}, true)
		}},
		{"create router", func(tx store.Tx) error { return m.CreateRouter(ctx, c, tx, r) }},
		{"add interface", func(tx store.Tx) error { _, err := m.AddRouterInterface(ctx, c, tx, r, s.ID, ""); return err }},
		{"remove interface", func(tx store.Tx) error { _, err := m.RemoveRouterInterface(ctx, c, tx, r, s.ID, ""); return err }},
		{"delete router", func(tx store.Tx) error { return m.DeleteRouter(ctx, c, tx, r) }},
		{"delete port", func(tx store.Tx) error { return m.DeletePort(ctx, c, tx, p) }},
		{"delete subnet", func(tx store.Tx) error { return m.DeleteSubnet(ctx, c, tx, s) }},
		{"delete network", func(tx store.Tx) error { return m.DeleteNetwork(ctx, c, tx, n) }},
	}
	for _, step := range steps {
		if err := st.Update(ctx, step.do); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
	}
	want := []string{
		"create network stored=true", "create subnet stored=true", "create port stored=true", "update port stored=true",
		// An interface's port is told gone after it went, as before the
		// model moved here: the event carries it.
		"create router stored=true", "create port stored=true", "delete port stored=false",
		"delete router stored=true", "delete port stored=true", "delete subnet stored=true", "delete network stored=true",
	}
	if diff := cmp.Diff(want, rec.events); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	if len(p.FixedIPs) != 1 || p.FixedIPs[0].IPAddress == "" || p.MACAddress == "" {
		t.Errorf("created port = %+v, want an address and a MAC allocated", p)
	}
	st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetNetwork(n.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("network after delete: %v, want not found", err)
		}
		return nil
	})
}

// TestStandaloneUpdatePortAddresses: a port's new fixed IPs replace its
// old ones, which it may ask for again.
func TestStandaloneUpdatePortAddresses(t *testing.T) {
	st, rec := openStore(t), &recorder{}
	m := NewStandalone(&network.Service{}, rec)
	ctx, c := context.Background(), &bgpvpn.Call{}
	n := &store.Network{ID: network.NewID(), ProjectID: "p1", Status: "ACTIVE", MTU: 1450}
	s := &store.Subnet{ID: network.NewID(), ProjectID: "p1", NetworkID: n.ID, IPVersion: 4, CIDR: "10.2.0.0/24", DNSNameservers: []string{}, HostRoutes: []store.Route{}}
	p := &store.Port{ID: network.NewID(), ProjectID: "p1", NetworkID: n.ID, Status: "DOWN"}
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := m.CreateNetwork(ctx, c, tx, n); err != nil {
			return err
		}
		if err := m.CreateSubnet(ctx, c, tx, s, false, false); err != nil {
			return err
		}
		return m.CreatePort(ctx, c, tx, p, []network.Request{{IPAddress: "10.2.0.10"}}, true)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"10.2.0.10", "10.2.0.11", "10.2.0.11"} {
		next := *p
		err := st.Update(ctx, func(tx store.Tx) error {
			return m.UpdatePort(ctx, c, tx, p, &next, []network.Request{{IPAddress: want}}, true)
		})
		if err != nil {
			t.Fatalf("UpdatePort to %s: %v", want, err)
		}
		st.View(ctx, func(tx store.Tx) error {
			got, err := tx.GetPort(p.ID)
			if err != nil || len(got.FixedIPs) != 1 || got.FixedIPs[0].IPAddress != want {
				t.Errorf("port after UpdatePort to %s = %+v, %v", want, got, err)
			}
			return nil
		})
		p = &next
	}
}

// TestStandalonePrecommitAborts: a refused event aborts the write with it.
func TestStandalonePrecommitAborts(t *testing.T) {
	st := openStore(t)
	m := NewStandalone(&network.Service{}, &recorder{fail: driver.Network})
	ctx := context.Background()
	n := &store.Network{ID: network.NewID(), ProjectID: "p1", Status: "ACTIVE", MTU: 1450}
	if err := st.Update(ctx, func(tx store.Tx) error { return m.CreateNetwork(ctx, &bgpvpn.Call{}, tx, n) }); err == nil {
		t.Fatal("CreateNetwork with a refused event: no error")
	}
	st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetNetwork(n.ID); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("network after a refused event: %v, want not found", err)
		}
		return nil
	})
}

// TestMirroredRefusesWrites: in Neutron mode no write of the API reaches
// the tables (a nil transaction: touching it would panic).
func TestMirroredRefusesWrites(t *testing.T) {
	var m Mirrored
	ctx, c := context.Background(), &bgpvpn.Call{Caller: bgpvpn.Caller{Admin: true}}
	writes := map[string]func() error{
		"CreateNetwork": func() error { return m.CreateNetwork(ctx, c, nil, &store.Network{}) },
		"UpdateNetwork": func() error { return m.UpdateNetwork(ctx, c, nil, &store.Network{}, &store.Network{}) },
		"DeleteNetwork": func() error { return m.DeleteNetwork(ctx, c, nil, &store.Network{}) },
		"CreateSubnet":  func() error { return m.CreateSubnet(ctx, c, nil, &store.Subnet{}, false, false) },
		"UpdateSubnet":  func() error { return m.UpdateSubnet(ctx, c, nil, &store.Subnet{}, &store.Subnet{}, true) },
		"DeleteSubnet":  func() error { return m.DeleteSubnet(ctx, c, nil, &store.Subnet{}) },
		"CreatePort":    func() error { return m.CreatePort(ctx, c, nil, &store.Port{}, nil, false) },
		"UpdatePort":    func() error { return m.UpdatePort(ctx, c, nil, &store.Port{}, &store.Port{}, nil, false) },
		"DeletePort":    func() error { return m.DeletePort(ctx, c, nil, &store.Port{}) },
		"CreateRouter":  func() error { return m.CreateRouter(ctx, c, nil, &store.Router{}) },
		"UpdateRouter":  func() error { return m.UpdateRouter(ctx, c, nil, &store.Router{}, &store.Router{}, true) },
		"DeleteRouter":  func() error { return m.DeleteRouter(ctx, c, nil, &store.Router{}) },
		"AddRouterInterface": func() error {
			_, err := m.AddRouterInterface(ctx, c, nil, &store.Router{}, network.NewID(), "")
			return err
		},
		"RemoveRouterInterface": func() error {
			_, err := m.RemoveRouterInterface(ctx, c, nil, &store.Router{}, network.NewID(), "")
			return err
		},
	}
	for name, write := range writes {
		t.Run(name, func(t *testing.T) {
			f, ok := fault.As(write())
			if !ok || f.Status != http.StatusConflict || f.Type != "NeutronOwnsResource" {
				t.Errorf("%s = %v, want a 409 NeutronOwnsResource fault", name, f)
			}
		})
	}
}

// TestMirroredReadsTheMirror: what the Neutron mirror wrote is what the
// API reads in Neutron mode.
func TestMirroredReadsTheMirror(t *testing.T) {
	st := openStore(t)
	ctx := context.Background()
	n := &store.Network{ID: network.NewID(), ProjectID: "p1", Name: "from-neutron", Status: "ACTIVE", MTU: 1450}
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.CreateNetwork(n) }); err != nil {
		t.Fatal(err)
	}
	var m Mirrored
	st.View(ctx, func(tx store.Tx) error {
		got, err := m.Network(tx, n.ID)
		if err != nil || got.Name != "from-neutron" {
			t.Errorf("Network(%s) = %+v, %v, want the mirrored network", n.ID, got, err)
		}
		l, err := m.Networks(tx, store.Query{})
		if err != nil || len(l) != 1 {
			t.Errorf("Networks = %d networks, %v, want 1", len(l), err)
		}
		if _, err := m.Port(tx, network.NewID()); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("Port(missing) = %v, want store.ErrNotFound", err)
		}
		return nil
	})
}
