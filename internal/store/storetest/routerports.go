package storetest

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// testRouterPorts: router interfaces are listed by router or by network,
// with their ports' fixed IPs, and go with their port or their router.
func testRouterPorts(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, n := range []int{1, 2} {
			seedNetwork(t, tx, n, "p")
			if err := tx.CreateSubnet(&store.Subnet{ID: id(10 + n), ProjectID: "p", NetworkID: id(n), IPVersion: 4,
				CIDR: "10.0.0.0/24", GatewayIP: "10.0.0.1"}); err != nil {
				return err
			}
		}
		for _, r := range []int{20, 21} {
			if err := tx.CreateRouter(&store.Router{ID: id(r), ProjectID: "p", Status: "ACTIVE"}); err != nil {
				return err
			}
		}
		for i, pl := range []struct{ port, network, router int }{{30, 1, 20}, {31, 2, 20}, {32, 2, 21}} {
			p := &store.Port{ID: id(pl.port), ProjectID: "p", NetworkID: id(pl.network), MACAddress: "fa:16:3e:00:00:0" + string(rune('1'+i)),
				Status: "ACTIVE", FixedIPs: []store.FixedIP{{SubnetID: id(10 + pl.network), IPAddress: fmt.Sprint("10.0.0.", 1+i)}}}
			if err := tx.CreatePort(p); err != nil {
				return err
			}
			if err := tx.AddRouterPort(id(pl.router), p.ID); err != nil {
				return err
			}
		}
		// A port that is nobody's interface.
		return tx.CreatePort(&store.Port{ID: id(33), ProjectID: "p", NetworkID: id(2), MACAddress: "fa:16:3e:00:00:09", Status: "ACTIVE"})
	})
	list := func(routers, networks []string) []string {
		var out []string
		view(t, s, func(tx store.Tx) error {
			rps, err := tx.ListRouterPorts(routers, networks)
			for _, rp := range rps {
				if len(rp.Port.FixedIPs) != 1 {
					t.Errorf("port %s has fixed IPs %v, want one", rp.Port.ID, rp.Port.FixedIPs)
				}
				out = append(out, rp.RouterID[len(rp.RouterID)-2:]+"/"+rp.Port.ID[len(rp.Port.ID)-2:])
			}
			return err
		})
		return out
	}
	check := func(name string, got, want []string) {
		t.Helper()
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("%s (-want +got):\n%s", name, d)
		}
	}
	check("router 20", list([]string{id(20)}, nil), []string{"20/30", "20/31"})
	check("network 2", list(nil, []string{id(2)}), []string{"20/31", "21/32"})
	check("no routers", list([]string{}, nil), nil)
	update(t, s, func(tx store.Tx) error { return tx.DeletePort(id(31)) })
	update(t, s, func(tx store.Tx) error { return tx.DeleteRouter(id(21)) })
	check("network 2 after deleting a port and a router", list(nil, []string{id(2)}), nil)
	check("router 20 after", list([]string{id(20)}, nil), []string{"20/30"})
}
