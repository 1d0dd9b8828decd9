package compute_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

func TestScopes(t *testing.T) {
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	err = st.Update(context.Background(), func(tx store.Tx) error {
		s := seed{t, tx}
		base(s)
		s.port("p2", "net1", "h2", "fa:16:3e:00:00:02", "", "sub4", "10.0.0.6")
		s.port("dhcp", "net1", "h3", "fa:16:3e:00:00:03", "network:dhcp", "sub4", "10.0.0.2")
		s.network("net2", false)
		s.subnet("sub2", "net2", 4, "10.2.0.0/24", "10.2.0.1")
		s.port("p3", "net2", "h4", "fa:16:3e:00:00:04", "", "sub2", "10.2.0.5")
		s.router("r1")
		s.routerInterface("rif", "r1", "net2", "sub2", "10.2.0.1", "fa:16:3e:00:00:fe")
		// A port that only says it is r1's interface (device_owner and
		// device_id are the port owner's to write) plugs nothing into r1.
		s.network("net3", false)
		s.subnet("sub3", "net3", 4, "10.3.0.0/24", "10.3.0.1")
		forged := s.port("forged", "net3", "", "fa:16:3e:00:00:fd", compute.DeviceOwnerRouterInterface, "sub3", "10.3.0.1")
		forged.DeviceID = "r1"
		s.check(tx.UpdatePort(forged))
		s.port("p5", "net3", "h5", "fa:16:3e:00:00:05", "", "sub3", "10.3.0.5")
		s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3"})
		s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l3"})
		s.netAssoc("na1", "vpn1", "net1")
		s.routerAssoc("ra1", "vpn2", "r1", true)
		s.portAssoc("pa1", "vpn2", "p2", true, store.PortRoute{Type: "bgpvpn", BGPVPNID: "vpn1"})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		scope func(tx store.Tx) (compute.Scope, error)
		want  []string
	}{
		{"network association: attachable ports of the network", func(tx store.Tx) (compute.Scope, error) {
			return compute.NetworkAssociationScope(&store.NetworkAssociation{NetworkID: "net1"}), nil
		}, []string{"h1", "h2"}},
		{"router association: networks plugged into the router", func(tx store.Tx) (compute.Scope, error) {
			return compute.RouterAssociationScope(tx, &store.RouterAssociation{RouterID: "r1"})
		}, []string{"h4"}},
		{"port association: the port's host", func(tx store.Tx) (compute.Scope, error) {
			return compute.PortAssociationScope(tx, &store.PortAssociation{PortID: "p2"})
		}, []string{"h2"}},
		{"BGPVPN: its associations and the routes that leak it", func(tx store.Tx) (compute.Scope, error) {
			return compute.BGPVPNScope(tx, "vpn1")
		}, []string{"h1", "h2"}},
		{"BGPVPN through a router", func(tx store.Tx) (compute.Scope, error) {
			return compute.BGPVPNScope(tx, "vpn2")
		}, []string{"h2", "h4"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := st.View(context.Background(), func(tx store.Tx) error {
				sc, err := tt.scope(tx)
				if err != nil {
					return err
				}
				got, err = compute.Hosts(tx, sc)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("hosts (-want +got):\n%s", d)
			}
		})
	}
}
