package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

func testSegmentationIDs(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		for n := range 3 {
			seedNetwork(t, tx, n+1, "p")
		}
		return tx.DeleteNetwork(id(2))
	})
	update(t, s, func(tx store.Tx) error { seedNetwork(t, tx, 4, "p"); return nil })
	got := map[string]int64{}
	view(t, s, func(tx store.Tx) error {
		ns, err := tx.ListNetworks(store.Query{})
		for _, n := range ns {
			got[n.ID] = n.SegmentationID
		}
		return err
	})
	want := map[string]int64{id(1): 1, id(3): 3, id(4): 4}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("segmentation ids (-want +got):\n%s", d)
	}
}

func testFeedRevisions(t *testing.T, s store.Store) {
	var start store.FeedRevision
	view(t, s, func(tx store.Tx) (err error) { start, err = tx.FeedRevision(); return err })
	if start.Epoch == "" {
		t.Errorf("FeedRevision().Epoch is empty, want a name for the database")
	}
	var r1, r1again, none int64
	update(t, s, func(tx store.Tx) (err error) {
		if none, err = tx.TouchHosts(nil); err != nil {
			return err
		}
		if r1, err = tx.TouchHosts([]string{"h1", "h2"}); err != nil {
			return err
		}
		r1again, err = tx.TouchHosts([]string{"h3"})
		return err
	})
	if none != 0 || r1 != start.Revision+1 || r1again != r1 {
		t.Errorf("TouchHosts in one transaction = %d, %d, %d; want 0, %d, %d", none, r1, r1again, start.Revision+1, start.Revision+1)
	}
	// A rolled back transaction leaves no trace.
	boom := errors.New("boom")
	err := s.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.TouchHosts([]string{"h1"}); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v, want boom", err)
	}
	var r2 int64
	update(t, s, func(tx store.Tx) (err error) { r2, err = tx.TouchHosts([]string{"h2"}); return err })
	if r2 != r1+1 {
		t.Errorf("revision after a rollback = %d, want %d", r2, r1+1)
	}
	view(t, s, func(tx store.Tx) error {
		cur, err := tx.FeedRevision()
		if err != nil {
			return err
		}
		if cur.Revision != r2 || cur.Epoch != start.Epoch {
			t.Errorf("FeedRevision() = %+v, want revision %d of epoch %s", cur, r2, start.Epoch)
		}
		after, err := tx.HostsTouchedAfter(r1)
		if err != nil {
			return err
		}
		if d := cmp.Diff(map[string]int64{"h2": r2}, after); d != "" {
			t.Errorf("HostsTouchedAfter(%d) (-want +got):\n%s", r1, d)
		}
		revs, err := tx.HostRevisions([]string{"h1", "h2", "h9"})
		if d := cmp.Diff(map[string]int64{"h1": r1, "h2": r2}, revs); d != "" {
			t.Errorf("HostRevisions (-want +got):\n%s", d)
		}
		return err
	})
}

func testAgentStatus(t *testing.T, s store.Store) {
	update(t, s, func(tx store.Tx) error {
		if err := tx.ReplaceAgentStatus("h1", []store.AgentStatus{{AssociationID: "a1", Revision: 3, Status: "ACTIVE"},
			{AssociationID: "a2", Revision: 3, Status: "ERROR", Reason: "no label"}}); err != nil {
			return err
		}
		return tx.ReplaceAgentStatus("h2", []store.AgentStatus{{AssociationID: "a1", Revision: 2, Status: "DOWN"}})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.ReplaceAgentStatus("h1", []store.AgentStatus{{AssociationID: "a1", Revision: 4, Status: "ACTIVE"}})
	})
	var got []store.AgentStatus
	view(t, s, func(tx store.Tx) (err error) { got, err = tx.ListAgentStatus([]string{"a1", "a2"}); return err })
	want := []store.AgentStatus{
		{AssociationID: "a1", Host: "h1", Revision: 4, Status: "ACTIVE"},
		{AssociationID: "a1", Host: "h2", Revision: 2, Status: "DOWN"},
	}
	if d := cmp.Diff(want, got, cmpopts.IgnoreFields(store.AgentStatus{}, "ReportedAt")); d != "" {
		t.Errorf("ListAgentStatus (-want +got):\n%s", d)
	}
}

// testAgentLiveness: the newest time wins, whichever replica writes last.
func testAgentLiveness(t *testing.T, s store.Store) {
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	update(t, s, func(tx store.Tx) error {
		return tx.RecordAgentsSeen([]store.AgentSeen{
			{Host: "h1", At: t0.Add(10 * time.Second), Replica: "r1", Remote: "192.0.2.1:4000"},
			{Host: "h2", At: t0, Replica: "r1", Remote: "192.0.2.2:4000"},
		})
	})
	update(t, s, func(tx store.Tx) error {
		return tx.RecordAgentsSeen([]store.AgentSeen{
			{Host: "h1", At: t0.Add(5 * time.Second), Replica: "r2"}, // late flush of an older sighting
			{Host: "h2", At: t0.Add(time.Millisecond), Replica: "r2", Remote: "192.0.2.2:4001"},
		})
	})
	var got map[string]store.AgentSeen
	view(t, s, func(tx store.Tx) (err error) { got, err = tx.AgentsSeen([]string{"h1", "h2", "h3"}); return err })
	want := map[string]store.AgentSeen{
		"h1": {Host: "h1", At: t0.Add(10 * time.Second), Replica: "r1", Remote: "192.0.2.1:4000"},
		"h2": {Host: "h2", At: t0.Add(time.Millisecond), Replica: "r2", Remote: "192.0.2.2:4001"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("AgentsSeen (-want +got):\n%s", d)
	}
}
