package sqlstore

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// TestRouterPortsMigrationKeepsInterfaces: upgrading a database whose
// routers have interfaces (ports add_router_interface made, before the
// router_ports table) keeps them plugged in; ports that only name a
// router that does not exist, or that are not interfaces, are not.
func TestRouterPortsMigrationKeepsInterfaces(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bgpvpn.db")
	s, err := OpenSQLite(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	err = s.Update(ctx, func(tx store.Tx) error {
		if err := tx.CreateNetwork(&store.Network{ID: "n1", ProjectID: "p", MTU: 1450, Status: "ACTIVE"}); err != nil {
			return err
		}
		if err := tx.CreateRouter(&store.Router{ID: "r1", ProjectID: "p", Status: "ACTIVE"}); err != nil {
			return err
		}
		for _, p := range []store.Port{
			{ID: "iface", DeviceOwner: "network:router_interface", DeviceID: "r1", MACAddress: "fa:16:3e:00:00:01"},
			{ID: "orphan", DeviceOwner: "network:router_interface", DeviceID: "gone", MACAddress: "fa:16:3e:00:00:02"},
			{ID: "vm", DeviceOwner: "compute:nova", DeviceID: "r1", MACAddress: "fa:16:3e:00:00:03"},
		} {
			p.ProjectID, p.NetworkID, p.Status = "p", "n1", "ACTIVE"
			if err := tx.CreatePort(&p); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Back to the schema before 0004.
	for _, q := range []string{`DROP TABLE router_ports`, `DELETE FROM schema_migrations WHERE version = 4`} {
		if _, err := s.w.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	s.Close()
	if s, err = OpenSQLite(ctx, path); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []string
	err = s.View(ctx, func(tx store.Tx) error {
		rps, err := tx.ListRouterPorts(nil, []string{"n1"})
		for _, rp := range rps {
			got = append(got, rp.RouterID+"/"+rp.Port.ID)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff([]string{"r1/iface"}, got); d != "" {
		t.Errorf("router interfaces after the migration (-want +got):\n%s", d)
	}
}
