// Package storetest is the conformance suite every store.Store
// implementation must pass: the same tests run against SQLite and, later,
// PostgreSQL, so that the API behaves the same on both.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Opener returns a new, empty store for one test.
type Opener func(t *testing.T) store.Store

// Run runs the whole suite.
func Run(t *testing.T, open Opener) {
	t.Run("BGPVPNRoundTrip", func(t *testing.T) { testBGPVPNRoundTrip(t, open(t)) })
	t.Run("NotFound", func(t *testing.T) { testNotFound(t, open(t)) })
	t.Run("AssociationsAndCascades", func(t *testing.T) { testAssociations(t, open(t)) })
	t.Run("ListFiltersSortPages", func(t *testing.T) { testList(t, open(t)) })
	t.Run("SortIsByteOrder", func(t *testing.T) { testSortIsByteOrder(t, open(t)) })
	t.Run("RollbackOnError", func(t *testing.T) { testRollback(t, open(t)) })
	t.Run("PortsAndFixedIPs", func(t *testing.T) { testPorts(t, open(t)) })
	t.Run("SegmentationIDs", func(t *testing.T) { testSegmentationIDs(t, open(t)) })
	t.Run("FeedRevisions", func(t *testing.T) { testFeedRevisions(t, open(t)) })
	t.Run("AgentStatus", func(t *testing.T) { testAgentStatus(t, open(t)) })
	t.Run("AgentLiveness", func(t *testing.T) { testAgentLiveness(t, open(t)) })
	t.Run("QuotaLimits", func(t *testing.T) { testQuotaLimits(t, open(t)) })
	t.Run("CountOwned", func(t *testing.T) { testCountOwned(t, open(t)) })
	t.Run("RouterPorts", func(t *testing.T) { testRouterPorts(t, open(t)) })
	t.Run("BGPVPNAttrs", func(t *testing.T) { testBGPVPNAttrs(t, open(t)) })
	t.Run("RBACPolicies", func(t *testing.T) { testRBAC(t, open(t)) })
}

var ignoreTimes = cmpopts.IgnoreFields(store.Std{}, "CreatedAt", "UpdatedAt")

func update(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.Update(context.Background(), fn); err != nil {
		t.Fatalf("Update: %v", err)
	}
}

func view(t *testing.T, s store.Store, fn func(store.Tx) error) {
	t.Helper()
	if err := s.View(context.Background(), fn); err != nil {
		t.Fatalf("View: %v", err)
	}
}

func i64(n int64) *int64 { return &n }

func id(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-%012d", n) }

func testBGPVPNRoundTrip(t *testing.T, s store.Store) {
	v := &store.BGPVPN{ID: id(1), ProjectID: "p", Name: "n", Type: "l3", RouteTargets: []string{"64512:1", "1.2.3.4:5"},
		ImportTargets: []string{}, ExportTargets: []string{"4294967295:65535"}, RouteDistinguishers: []string{"64512:100"},
		VNI: i64(1000), LocalPref: i64(4294967295), Std: store.Std{Description: "d"}}
	update(t, s, func(tx store.Tx) error { return tx.CreateBGPVPN(v) })
	var got *store.BGPVPN
	view(t, s, func(tx store.Tx) (err error) { got, err = tx.GetBGPVPN(id(1)); return err })
	if got.Revision != 1 {
		t.Errorf("revision of a new BGPVPN = %d, want 1", got.Revision)
	}
	want := *v
	want.Revision = 1
	want.Networks, want.Routers, want.Ports = []string{}, []string{}, []string{}
	if d := cmp.Diff(&want, got, ignoreTimes); d != "" {
		t.Errorf("GetBGPVPN after create (-want +got):\n%s", d)
	}
	got.Name, got.LocalPref, got.RouteTargets = "renamed", nil, []string{}
	update(t, s, func(tx store.Tx) error { return tx.UpdateBGPVPN(got) })
	var again *store.BGPVPN
	view(t, s, func(tx store.Tx) (err error) { again, err = tx.GetBGPVPN(id(1)); return err })
	if again.Name != "renamed" || again.LocalPref != nil || len(again.RouteTargets) != 0 || again.Revision != 2 {
		t.Errorf("after update: name %q local_pref %v rts %v revision %d; want renamed, nil, [], 2", again.Name, again.LocalPref, again.RouteTargets, again.Revision)
	}
	if !again.UpdatedAt.After(again.CreatedAt) && !again.UpdatedAt.Equal(again.CreatedAt) {
		t.Errorf("updated_at %v before created_at %v", again.UpdatedAt, again.CreatedAt)
	}
}

func testNotFound(t *testing.T, s store.Store) {
	checks := map[string]func(store.Tx) error{
		"GetBGPVPN":      func(tx store.Tx) error { _, err := tx.GetBGPVPN(id(9)); return err },
		"DeleteBGPVPN":   func(tx store.Tx) error { return tx.DeleteBGPVPN(id(9)) },
		"UpdateBGPVPN":   func(tx store.Tx) error { return tx.UpdateBGPVPN(&store.BGPVPN{ID: id(9)}) },
		"GetNetwork":     func(tx store.Tx) error { _, err := tx.GetNetwork(id(9)); return err },
		"GetPort":        func(tx store.Tx) error { _, err := tx.GetPort(id(9)); return err },
		"GetRouter":      func(tx store.Tx) error { _, err := tx.GetRouter(id(9)); return err },
		"GetSubnet":      func(tx store.Tx) error { _, err := tx.GetSubnet(id(9)); return err },
		"GetNetAssoc":    func(tx store.Tx) error { _, err := tx.GetNetworkAssociation(id(9), id(8)); return err },
		"DeletePortAsoc": func(tx store.Tx) error { return tx.DeletePortAssociation(id(9), id(8)) },
	}
	for name, fn := range checks {
		err := s.Update(context.Background(), fn)
		if !errors.Is(err, store.ErrNotFound) {
			t.Errorf("%s on a missing id = %v, want ErrNotFound", name, err)
		}
	}
}

func seedNetwork(t *testing.T, tx store.Tx, n int, project string) *store.Network {
	t.Helper()
	net := &store.Network{ID: id(n), ProjectID: project, Name: fmt.Sprint("net", n), AdminStateUp: true, MTU: 1450, Status: "ACTIVE"}
	if err := tx.CreateNetwork(net); err != nil {
		t.Fatalf("CreateNetwork: %v", err)
	}
	return net
}

func testAssociations(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i, typ := range []string{"l3", "l3"} {
			if err := tx.CreateBGPVPN(&store.BGPVPN{ID: id(1 + i), ProjectID: "p", Type: typ}); err != nil {
				return err
			}
		}
		seedNetwork(t, tx, 10, "p")
		if err := tx.CreateRouter(&store.Router{ID: id(20), ProjectID: "p", Status: "ACTIVE"}); err != nil {
			return err
		}
		if err := tx.CreatePort(&store.Port{ID: id(30), ProjectID: "p", NetworkID: id(10), MACAddress: "fa:16:3e:00:00:01"}); err != nil {
			return err
		}
		if err := tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: id(100), ProjectID: "p", BGPVPNID: id(1), NetworkID: id(10)}); err != nil {
			return err
		}
		if err := tx.CreateRouterAssociation(&store.RouterAssociation{ID: id(101), ProjectID: "p", BGPVPNID: id(1), RouterID: id(20), AdvertiseExtraRoutes: false}); err != nil {
			return err
		}
		return tx.CreatePortAssociation(&store.PortAssociation{ID: id(102), ProjectID: "p", BGPVPNID: id(1), PortID: id(30), AdvertiseFixedIPs: true,
			Routes: []store.PortRoute{{Type: "prefix", Prefix: "10.0.0.0/24", LocalPref: i64(100)}, {Type: "bgpvpn", BGPVPNID: id(2)}}})
	})
	var v *store.BGPVPN
	view(t, s, func(tx store.Tx) (err error) { v, err = tx.GetBGPVPN(id(1)); return err })
	if d := cmp.Diff([][]string{{id(10)}, {id(20)}, {id(30)}}, [][]string{v.Networks, v.Routers, v.Ports}); d != "" {
		t.Errorf("associated ids (-want +got):\n%s", d)
	}
	err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: id(103), ProjectID: "p", BGPVPNID: id(1), NetworkID: id(10)})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("duplicate network association = %v, want ErrConflict", err)
	}
	var pa *store.PortAssociation
	view(t, s, func(tx store.Tx) (err error) { pa, err = tx.GetPortAssociation(id(1), id(102)); return err })
	if len(pa.Routes) != 2 || pa.Routes[0].Prefix != "10.0.0.0/24" || *pa.Routes[0].LocalPref != 100 || pa.Routes[1].BGPVPNID != id(2) {
		t.Errorf("port association routes = %+v", pa.Routes)
	}
	// Deleting the BGPVPN a route points at removes the route.
	update(t, s, func(tx store.Tx) error { return tx.DeleteBGPVPN(id(2)) })
	view(t, s, func(tx store.Tx) (err error) { pa, err = tx.GetPortAssociation(id(1), id(102)); return err })
	if len(pa.Routes) != 1 || pa.Routes[0].Type != "prefix" {
		t.Errorf("routes after deleting the referenced BGPVPN = %+v, want only the prefix route", pa.Routes)
	}
	// Deleting the network, router and port removes their associations.
	update(t, s, func(tx store.Tx) error {
		if err := tx.DeletePort(id(30)); err != nil {
			return err
		}
		if err := tx.DeleteRouter(id(20)); err != nil {
			return err
		}
		return tx.DeleteNetwork(id(10))
	})
	view(t, s, func(tx store.Tx) (err error) { v, err = tx.GetBGPVPN(id(1)); return err })
	if len(v.Networks)+len(v.Routers)+len(v.Ports) != 0 {
		t.Errorf("after deleting the resources: networks %v routers %v ports %v, want none", v.Networks, v.Routers, v.Ports)
	}
}

func testList(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for i := range 10 {
			typ := "l3"
			if i%2 == 1 {
				typ = "l2"
			}
			proj := "a"
			if i >= 5 {
				proj = "b"
			}
			if err := tx.CreateBGPVPN(&store.BGPVPN{ID: id(i), ProjectID: proj, Name: fmt.Sprint("vpn", 9-i), Type: typ,
				RouteTargets: []string{"64512:1", fmt.Sprint("64512:", 10+i)}}); err != nil {
				return err
			}
		}
		seedNetwork(t, tx, 50, "a")
		return tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: id(60), ProjectID: "a", BGPVPNID: id(3), NetworkID: id(50)})
	})
	ids := func(q store.Query) []string {
		var out []string
		view(t, s, func(tx store.Tx) error {
			vs, err := tx.ListBGPVPNs(q)
			for _, v := range vs {
				out = append(out, v.ID)
			}
			return err
		})
		return out
	}
	tests := []struct {
		name string
		q    store.Query
		want []string
	}{
		{"all by id", store.Query{}, []string{id(0), id(1), id(2), id(3), id(4), id(5), id(6), id(7), id(8), id(9)}},
		{"type and project", store.Query{Filters: map[string][]any{"type": {"l2"}}, Project: "a"}, []string{id(1), id(3)}},
		{"any of two names", store.Query{Filters: map[string][]any{"name": {"vpn9", "vpn0"}}}, []string{id(0), id(9)}},
		{"list compared joined", store.Query{Filters: map[string][]any{"route_targets": {"64512:1,64512:12"}}}, []string{id(2)}},
		{"list element alone does not match", store.Query{Filters: map[string][]any{"route_targets": {"64512:1"}}}, nil},
		{"by network", store.Query{Networks: []string{id(50)}}, []string{id(3)}},
		{"sorted by name", store.Query{Sort: []store.SortKey{{Attr: "name"}}, Limit: 3}, []string{id(9), id(8), id(7)}},
		{"sorted desc", store.Query{Sort: []store.SortKey{{Attr: "name", Desc: true}}, Limit: 2}, []string{id(0), id(1)}},
		{"page after marker", store.Query{Limit: 3, Marker: id(2)}, []string{id(3), id(4), id(5)}},
		{"sorted page after marker", store.Query{Sort: []store.SortKey{{Attr: "name"}}, Limit: 2, Marker: id(8)}, []string{id(7), id(6)}},
		{"reverse page", store.Query{Limit: 2, Marker: id(5), Reverse: true}, []string{id(3), id(4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if d := cmp.Diff(tt.want, ids(tt.q)); d != "" {
				t.Errorf("ListBGPVPNs(%+v) (-want +got):\n%s", tt.q, d)
			}
		})
	}
}

// testSortIsByteOrder: text sorts byte by byte (capitals first,
// punctuation counts) whatever the database's locale, so that every store
// lists and pages alike.
func testSortIsByteOrder(t *testing.T, s store.Store) {
	names := []string{"b", "B", "a-c", "ab", "a"}
	update(t, s, func(tx store.Tx) error {
		for i, n := range names {
			if err := tx.CreateBGPVPN(&store.BGPVPN{ID: id(i), ProjectID: "p", Name: n, Type: "l3"}); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(q store.Query) []string {
		var out []string
		view(t, s, func(tx store.Tx) error {
			vs, err := tx.ListBGPVPNs(q)
			for _, v := range vs {
				out = append(out, v.Name)
			}
			return err
		})
		return out
	}
	byName := []store.SortKey{{Attr: "name"}}
	if d := cmp.Diff([]string{"B", "a", "a-c", "ab", "b"}, list(store.Query{Sort: byName})); d != "" {
		t.Errorf("sorted by name (-want +got):\n%s", d)
	}
	// After "a-c" (id 2), a page of two.
	if d := cmp.Diff([]string{"ab", "b"}, list(store.Query{Sort: byName, Marker: id(2), Limit: 2})); d != "" {
		t.Errorf("page after a-c (-want +got):\n%s", d)
	}
}

func testRollback(t *testing.T, s store.Store) {
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.CreateBGPVPN(&store.BGPVPN{ID: id(1), ProjectID: "p", Type: "l3"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want the function's error", err)
	}
	view(t, s, func(tx store.Tx) error {
		if _, err := tx.GetBGPVPN(id(1)); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("GetBGPVPN after a rolled back create = %v, want ErrNotFound", err)
		}
		return nil
	})
}

func testPorts(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		seedNetwork(t, tx, 1, "p")
		if err := tx.CreateSubnet(&store.Subnet{ID: id(2), ProjectID: "p", NetworkID: id(1), IPVersion: 4, CIDR: "10.0.0.0/24",
			GatewayIP: "10.0.0.1", AllocationPools: []store.IPRange{{Start: "10.0.0.2", End: "10.0.0.254"}}}); err != nil {
			return err
		}
		return tx.CreatePort(&store.Port{ID: id(3), ProjectID: "p", NetworkID: id(1), MACAddress: "fa:16:3e:00:00:01",
			FixedIPs: []store.FixedIP{{SubnetID: id(2), IPAddress: "10.0.0.5"}}, HostID: "compute-1"})
	})
	err := s.Update(context.Background(), func(tx store.Tx) error {
		return tx.CreatePort(&store.Port{ID: id(4), ProjectID: "p", NetworkID: id(1), MACAddress: "fa:16:3e:00:00:02",
			FixedIPs: []store.FixedIP{{SubnetID: id(2), IPAddress: "10.0.0.5"}}})
	})
	if !errors.Is(err, store.ErrConflict) {
		t.Errorf("second port on the same address = %v, want ErrConflict", err)
	}
	view(t, s, func(tx store.Tx) error {
		ps, err := tx.ListPorts(store.Query{Filters: map[string][]any{"binding:host_id": {"compute-1"}}})
		if err != nil {
			return err
		}
		if len(ps) != 1 || len(ps[0].FixedIPs) != 1 || ps[0].FixedIPs[0].IPAddress != "10.0.0.5" {
			t.Errorf("ports of compute-1 = %+v", ps)
		}
		used, err := tx.AllocatedIPs(id(2))
		if d := cmp.Diff([]string{"10.0.0.5"}, used); d != "" {
			t.Errorf("AllocatedIPs (-want +got):\n%s", d)
		}
		n, err := tx.GetNetwork(id(1))
		if err == nil && (len(n.Subnets) != 1 || n.Subnets[0] != id(2)) {
			t.Errorf("network subnets = %v, want [%s]", n.Subnets, id(2))
		}
		return err
	})
}
