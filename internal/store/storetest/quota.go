package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

func testQuotaLimits(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for _, l := range []struct {
			project, resource string
			limit             int64
		}{{"p", store.QuotaNetwork, 5}, {"p", store.QuotaPort, -1}, {"q", store.QuotaBGPVPN, 0}, {"p", store.QuotaNetwork, 7}} {
			if err := tx.SetQuotaLimit(l.project, l.resource, l.limit); err != nil {
				return err
			}
		}
		return nil
	})
	var all map[string]map[string]int64
	var p, none map[string]int64
	view(t, s, func(tx store.Tx) (err error) {
		if all, err = tx.AllQuotaLimits(); err != nil {
			return err
		}
		if p, err = tx.QuotaLimits("p"); err != nil {
			return err
		}
		none, err = tx.QuotaLimits("nobody")
		return err
	})
	want := map[string]map[string]int64{"p": {"network": 7, "port": -1}, "q": {"bgpvpn": 0}}
	if d := cmp.Diff(want, all); d != "" {
		t.Errorf("AllQuotaLimits (-want +got):\n%s", d)
	}
	if d := cmp.Diff(want["p"], p); d != "" {
		t.Errorf("QuotaLimits(p) (-want +got):\n%s", d)
	}
	if d := cmp.Diff(map[string]int64{}, none); d != "" {
		t.Errorf("QuotaLimits(nobody) (-want +got):\n%s", d)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteQuotaLimits("p") })
	view(t, s, func(tx store.Tx) (err error) { all, err = tx.AllQuotaLimits(); return err })
	if d := cmp.Diff(map[string]map[string]int64{"q": {"bgpvpn": 0}}, all); d != "" {
		t.Errorf("AllQuotaLimits after deleting p's (-want +got):\n%s", d)
	}
	err := s.Update(context.Background(), func(tx store.Tx) error { return tx.DeleteQuotaLimits("p") })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("DeleteQuotaLimits of a project without limits = %v, want ErrNotFound", err)
	}
}

func testCountOwned(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.CreateBGPVPN(&store.BGPVPN{ID: id(1), ProjectID: "admin", Type: "l3"}); err != nil {
			return err
		}
		seedNetwork(t, tx, 10, "p")
		seedNetwork(t, tx, 11, "p")
		seedNetwork(t, tx, 12, "q")
		if err := tx.CreateSubnet(&store.Subnet{ID: id(20), ProjectID: "p", NetworkID: id(10), IPVersion: 4, CIDR: "10.0.0.0/24"}); err != nil {
			return err
		}
		if err := tx.CreatePort(&store.Port{ID: id(30), ProjectID: "p", NetworkID: id(10), MACAddress: "fa:16:3e:00:00:01"}); err != nil {
			return err
		}
		if err := tx.CreateRouter(&store.Router{ID: id(40), ProjectID: "q", Status: "ACTIVE"}); err != nil {
			return err
		}
		if err := tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: id(50), ProjectID: "p", BGPVPNID: id(1), NetworkID: id(10)}); err != nil {
			return err
		}
		if err := tx.CreateRouterAssociation(&store.RouterAssociation{ID: id(51), ProjectID: "q", BGPVPNID: id(1), RouterID: id(40)}); err != nil {
			return err
		}
		return tx.CreatePortAssociation(&store.PortAssociation{ID: id(52), ProjectID: "p", BGPVPNID: id(1), PortID: id(30)})
	})
	got := map[string][2]int64{}
	view(t, s, func(tx store.Tx) error {
		for _, r := range store.QuotaResources() {
			var c [2]int64
			for i, project := range []string{"p", "q"} {
				n, err := tx.CountOwned(r, project)
				if err != nil {
					return err
				}
				c[i] = n
			}
			got[r] = c
		}
		return nil
	})
	want := map[string][2]int64{
		store.QuotaNetwork: {2, 1}, store.QuotaSubnet: {1, 0}, store.QuotaPort: {1, 0}, store.QuotaRouter: {0, 1},
		store.QuotaBGPVPN: {0, 0}, store.QuotaBGPVPNNetworkAssociation: {1, 0}, store.QuotaBGPVPNRouterAssociation: {0, 1},
		store.QuotaBGPVPNPortAssociation: {1, 0},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("CountOwned for projects p and q (-want +got):\n%s", d)
	}
	err := s.View(context.Background(), func(tx store.Tx) error { _, err := tx.CountOwned("floatingip", "p"); return err })
	if err == nil {
		t.Errorf("CountOwned of an unknown resource: no error")
	}
}
