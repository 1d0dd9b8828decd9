package storetest

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// testBGPVPNAttrs checks the attributes of migration 0006 round-trip.
func testBGPVPNAttrs(t *testing.T, s store.Store) {
	v := &store.BGPVPN{ID: id(1), ProjectID: "p", Type: "l3", AdminStateDown: true, Technique: "evpn-prefix", AutoAggregate: true}
	update(t, s, func(tx store.Tx) error { return tx.CreateBGPVPN(v) })
	var got *store.BGPVPN
	view(t, s, func(tx store.Tx) (err error) { got, err = tx.GetBGPVPN(id(1)); return err })
	if !got.AdminStateDown || got.Technique != "evpn-prefix" || !got.AutoAggregate {
		t.Errorf("after create: admin_state_up %v technique %q auto_aggregate %v; want false, evpn-prefix, true", !got.AdminStateDown, got.Technique, got.AutoAggregate)
	}
	got.AdminStateDown, got.Technique, got.AutoAggregate = false, "", false
	update(t, s, func(tx store.Tx) error { return tx.UpdateBGPVPN(got) })
	view(t, s, func(tx store.Tx) (err error) { got, err = tx.GetBGPVPN(id(1)); return err })
	if got.AdminStateDown || got.Technique != "" || got.AutoAggregate {
		t.Errorf("after update: admin_state_up %v technique %q auto_aggregate %v; want true, \"\", false", !got.AdminStateDown, got.Technique, got.AutoAggregate)
	}
	var l []*store.BGPVPN
	view(t, s, func(tx store.Tx) (err error) {
		l, err = tx.ListBGPVPNs(store.Query{Filters: map[string][]any{"admin_state_up": {true}, "technique": {""}, "auto_aggregate": {false}}})
		return err
	})
	if len(l) != 1 {
		t.Errorf("list filtered on the new attributes: %d BGPVPNs, want 1", len(l))
	}
}

// testRBAC checks RBAC policies: CRUD, uniqueness, what a project lists
// through them, SharedWith, and the cascade with the BGPVPN.
func testRBAC(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, p := range []string{"owner", "owner", "other"} {
			if err := tx.CreateBGPVPN(&store.BGPVPN{ID: id(1 + i), ProjectID: p, Type: "l3"}); err != nil {
				return err
			}
		}
		for _, p := range []*store.RBACPolicy{
			{ID: id(11), ProjectID: "owner", ObjectID: id(1), TargetTenant: "guest", Action: "access_as_shared"},
			{ID: id(12), ProjectID: "owner", ObjectID: id(2), TargetTenant: "*", Action: "access_as_shared"},
		} {
			if err := tx.CreateRBACPolicy(p); err != nil {
				return err
			}
		}
		return nil
	})
	dup := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateRBACPolicy(&store.RBACPolicy{ID: id(13), ProjectID: "owner", ObjectID: id(1), TargetTenant: "guest", Action: "access_as_shared"})
	})
	if !errors.Is(dup, store.ErrConflict) {
		t.Errorf("a second identical policy: %v, want ErrConflict", dup)
	}
	visible := func(project string) []string {
		var ids []string
		view(t, s, func(tx store.Tx) error {
			l, err := tx.ListBGPVPNs(store.Query{Project: project})
			for _, v := range l {
				ids = append(ids, v.ID)
			}
			return err
		})
		return ids
	}
	for _, tc := range []struct {
		project string
		want    []string
	}{
		{"guest", []string{id(1), id(2)}},
		{"stranger", []string{id(2)}},
		{"other", []string{id(2), id(3)}},
		{"owner", []string{id(1), id(2)}},
	} {
		if d := cmp.Diff(tc.want, visible(tc.project)); d != "" {
			t.Errorf("BGPVPNs listed by %s (-want +got):\n%s", tc.project, d)
		}
	}
	var v *store.BGPVPN
	view(t, s, func(tx store.Tx) (err error) { v, err = tx.GetBGPVPN(id(1)); return err })
	if d := cmp.Diff([]string{"guest"}, v.SharedWith); d != "" || !v.SharedWithProject("guest") || v.SharedWithProject("stranger") {
		t.Errorf("SharedWith of the BGPVPN shared with guest (-want +got):\n%s", d)
	}
	update(t, s, func(tx store.Tx) error {
		p, err := tx.GetRBACPolicy(id(11))
		if err != nil {
			return err
		}
		p.TargetTenant = "stranger"
		return tx.UpdateRBACPolicy(p)
	})
	if d := cmp.Diff([]string{id(1), id(2)}, visible("stranger")); d != "" {
		t.Errorf("after retargeting to stranger (-want +got):\n%s", d)
	}
	var l []*store.RBACPolicy
	view(t, s, func(tx store.Tx) (err error) {
		l, err = tx.ListRBACPolicies(store.Query{Filters: map[string][]any{"target_tenant": {"*"}}})
		return err
	})
	if len(l) != 1 || l[0].ID != id(12) {
		t.Errorf("policies with target_tenant *: %+v, want only %s", l, id(12))
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteBGPVPN(id(2)) })
	err := s.View(context.Background(), func(tx store.Tx) error { _, err := tx.GetRBACPolicy(id(12)); return err })
	if !errors.Is(err, store.ErrNotFound) {
		t.Errorf("policy of a deleted BGPVPN: %v, want ErrNotFound", err)
	}
	update(t, s, func(tx store.Tx) error { return tx.DeleteRBACPolicy(id(11)) })
	if got := visible("stranger"); len(got) != 0 {
		t.Errorf("after deleting the policies, stranger lists %v", got)
	}
}
