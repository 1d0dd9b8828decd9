package hub

import (
	"errors"
	"sync"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// countingTx counts the networks it reads; it fails while fail is set.
type countingTx struct {
	store.Tx
	mu    sync.Mutex
	reads int
	fail  bool
}

func (t *countingTx) GetNetwork(id string) (*store.Network, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.reads++
	if t.fail {
		return nil, errors.New("request cancelled")
	}
	return &store.Network{ID: id}, nil
}

func TestReadCache(t *testing.T) {
	var c readCache
	tx := &countingTx{}
	r5 := store.FeedRevision{Epoch: "e", Revision: 5}
	read := func(at store.FeedRevision) {
		t.Helper()
		n, err := c.wrap(tx, at).GetNetwork("n1")
		if err != nil || n.ID != "n1" {
			t.Fatalf("GetNetwork(n1) = %v, %v", n, err)
		}
	}
	steps := []struct {
		name      string
		at        store.FeedRevision
		wantReads int
	}{
		{"first read at 5", r5, 1},
		{"another stream at 5 shares it", r5, 1},
		{"revision 6 reads again", store.FeedRevision{Epoch: "e", Revision: 6}, 2},
		{"a snapshot still at 5 reads for itself", r5, 3},
		{"and leaves 6's reads alone", store.FeedRevision{Epoch: "e", Revision: 6}, 3},
		{"another database reads again", store.FeedRevision{Epoch: "f", Revision: 1}, 4},
	}
	for _, s := range steps {
		read(s.at)
		if tx.reads != s.wantReads {
			t.Errorf("%s: %d reads of the store, want %d", s.name, tx.reads, s.wantReads)
		}
	}

	// A failed read is not shared.
	r9 := store.FeedRevision{Epoch: "f", Revision: 9}
	tx.fail = true
	if _, err := c.wrap(tx, r9).GetNetwork("n1"); err == nil {
		t.Fatal("GetNetwork through a failing transaction succeeded")
	}
	tx.fail = false
	before := tx.reads
	read(r9)
	if tx.reads != before+1 {
		t.Errorf("after a failed read: %d reads of the store, want the next asker to read (%d)", tx.reads, before+1)
	}
}
