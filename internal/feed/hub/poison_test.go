package hub_test

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

// refusingStore is a real store that refuses, as PostgreSQL refuses a
// NUL, every liveness write that includes one host.
type refusingStore struct {
	store.Store
	host string
}

func (s refusingStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(refusingTx{tx, s.host}) })
}

type refusingTx struct {
	store.Tx
	host string
}

func (t refusingTx) RecordAgentsSeen(seen []store.AgentSeen) error {
	for _, s := range seen {
		if s.Host == t.host {
			return errors.New("invalid byte sequence")
		}
	}
	return t.Tx.RecordAgentsSeen(seen)
}

// TestPoisonedLivenessBatch: a sighting the store refuses does not hold
// back the others, in its flush or any later one.
func TestPoisonedLivenessBatch(t *testing.T) {
	sq, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	st := refusingStore{Store: sq, host: "poison"}
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	c := &clock{t: t0}
	_, url := livenessHub(t, st, c, "replica-a")
	for _, host := range []string{"poison", "h1", "h2"} {
		if res := request(t, "POST", url+feed.AlivePath(host), "s", ""); res.StatusCode != http.StatusNoContent {
			t.Fatalf("POST alive %s: %s, want 204", host, res.Status)
		}
	}
	waitSeen(t, sq, "h1", t0)
	waitSeen(t, sq, "h2", t0)
	// Later sightings too: the poisoned one is not kept to spoil them.
	t1 := t0.Add(time.Second)
	c.set(t1)
	for _, host := range []string{"h1", "poison"} {
		request(t, "POST", url+feed.AlivePath(host), "s", "")
	}
	waitSeen(t, sq, "h1", t1)
}

// TestBadHostNames: host names that no store keeps alike are refused at
// the edge, on every feed path.
func TestBadHostNames(t *testing.T) {
	sq, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	h, url := livenessHub(t, sq, c, "replica-a")
	for _, host := range []string{"a%00b", "a%ffb", "a%0Ab", "%7F", "a%C3%28"} {
		for _, path := range []string{"/alive", "/status", "/watch"} {
			method := "POST"
			if path == "/watch" {
				method = "GET"
			}
			res := request(t, method, url+feed.PathPrefix+"hosts/"+host+path, "s", `{}`)
			if res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s host %s%s: %s, want 400", method, host, path, res.Status)
			}
		}
	}
	h.Close()
	if got := seen(t, sq, "a\x00b", "a\xffb", "a\nb"); len(got) != 0 {
		t.Errorf("bad host names recorded as seen: %v", got)
	}
}

// TestBadStatusReports: a report with a NUL or invalid UTF-8 in its
// strings is refused at the edge, on SQLite as PostgreSQL would.
func TestBadStatusReports(t *testing.T) {
	sq, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sq.Close() })
	var epoch string
	if err := sq.View(context.Background(), func(tx store.Tx) error {
		cur, err := tx.FeedRevision()
		epoch = cur.Epoch
		return err
	}); err != nil {
		t.Fatal(err)
	}
	c := &clock{t: time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)}
	_, url := livenessHub(t, sq, c, "replica-a")
	for _, body := range []string{
		`{"epoch": "` + epoch + `", "revision": 0, "associations": [{"id": "a\u0000", "status": "ACTIVE"}]}`,
		`{"epoch": "` + epoch + `", "revision": 0, "associations": [{"id": "a", "status": "ERROR", "reason": "x\u0000y"}]}`,
		`{"epoch": "` + epoch + "\\u0000" + `", "revision": 0}`,
		"{\"epoch\": \"" + epoch + "\", \"revision\": 0, \"associations\": [{\"id\": \"a\", \"status\": \"ERROR\", \"reason\": \"\xff\"}]}",
	} {
		if res := request(t, "POST", url+feed.PathPrefix+"hosts/h1/status", "s", body); res.StatusCode != http.StatusBadRequest {
			t.Errorf("status report %q: %s, want 400", body, res.Status)
		}
	}
	if res := request(t, "POST", url+feed.PathPrefix+"hosts/h1/status", "s",
		`{"epoch": "`+epoch+`", "revision": 0, "associations": [{"id": "a", "status": "ERROR", "reason": "ok"}]}`); res.StatusCode != http.StatusNoContent {
		t.Errorf("a good report: %s, want 204", res.Status)
	}
}
