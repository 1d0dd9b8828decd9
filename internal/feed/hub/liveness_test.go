package hub_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/hub"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

// clock is a clock that tests move.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.t = t }

// livenessHub is a hub with a down time of 1s (so it flushes every
// 100ms) on the clock given; Close is left to the test.
func livenessHub(t *testing.T, st store.Store, c *clock, replica string) (*hub.Hub, string) {
	t.Helper()
	h := hub.New(hub.Options{Store: st, Secret: "s", Heartbeat: 100 * time.Millisecond, DownTime: time.Second, Replica: replica, Now: c.now})
	hs := httptest.NewServer(h)
	t.Cleanup(func() { h.Close(); hs.Close() })
	return h, hs.URL
}

func seen(t *testing.T, st store.Store, hosts ...string) map[string]store.AgentSeen {
	t.Helper()
	var got map[string]store.AgentSeen
	if err := st.View(context.Background(), func(tx store.Tx) (err error) { got, err = tx.AgentsSeen(hosts); return err }); err != nil {
		t.Fatal(err)
	}
	return got
}

// silent counts the dead and never seen among hosts.
func silent(t *testing.T, h *hub.Hub, st store.Store, hosts ...string) (dead, never int) {
	t.Helper()
	var d, n []string
	err := st.View(context.Background(), func(tx store.Tx) (err error) { d, n, err = h.Silent(tx, hosts); return err })
	if err != nil {
		t.Fatal(err)
	}
	return len(d), len(n)
}

// waitSeen waits until the database says host was seen at at.
func waitSeen(t *testing.T, st store.Store, host string, at time.Time) store.AgentSeen {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		s, ok := seen(t, st, host)[host]
		if ok && s.At.Equal(at) {
			return s
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: liveness %+v (recorded %v), want seen at %v within 5s", host, s, ok, at)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLiveness(t *testing.T) {
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	t0 := time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)
	c := &clock{t: t0}
	h, url := livenessHub(t, st, c, "replica-a")

	if d, n := silent(t, h, st, "h1", "h2"); d != 0 || n != 0 {
		t.Errorf("Silent in the replica's first down time = %d dead, %d never; want 0, 0 (grace after start)", d, n)
	}
	if res := request(t, "POST", url+feed.AlivePath("h1"), "s", ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("POST alive: %s, want 204", res.Status)
	}
	if s := waitSeen(t, st, "h1", t0); s.Replica != "replica-a" || s.Remote == "" {
		t.Errorf("liveness of h1 = %+v, want replica-a and the agent's address", s)
	}

	c.set(t0.Add(1500 * time.Millisecond))
	if d, n := silent(t, h, st, "h1", "h2"); d != 1 || n != 1 {
		t.Errorf("Silent 1.5s after h1 was last heard (down time 1s) = %d dead, %d never; want 1, 1", d, n)
	}

	// Watching counts as being heard from, and tells how often to say so.
	m := firstMessage(t, url, "h1", "")
	if m.AliveSeconds <= 0 || m.AliveSeconds >= 1 {
		t.Errorf("first message says alive_seconds = %v, want a fraction of the 1s down time", m.AliveSeconds)
	}
	waitSeen(t, st, "h1", c.now())
	if d, n := silent(t, h, st, "h1", "h2"); d != 0 || n != 1 {
		t.Errorf("Silent after h1 watched again = %d dead, %d never; want 0, 1", d, n)
	}

	// A replica started later gives every agent its down time of grace,
	// then judges by what the database says.
	c.set(t0.Add(time.Minute))
	b, _ := livenessHub(t, st, c, "replica-b")
	if d, _ := silent(t, b, st, "h1"); d != 0 {
		t.Errorf("Silent of h1 on a replica just started = %d dead, want 0", d)
	}
	c.set(t0.Add(time.Minute + 1500*time.Millisecond))
	if d, _ := silent(t, b, st, "h1"); d != 1 {
		t.Errorf("Silent of h1 after the new replica's grace = %d dead, want 1", d)
	}

	// What a closing replica heard is not lost.
	if res := request(t, "POST", url+feed.AlivePath("h3"), "s", ""); res.StatusCode != http.StatusNoContent {
		t.Fatalf("POST alive: %s, want 204", res.Status)
	}
	h.Close()
	if _, ok := seen(t, st, "h3")["h3"]; !ok {
		t.Errorf("h3 heard just before the hub closed is not recorded")
	}
	if txs, rows := b.LivenessWrites(); txs != 0 || rows != 0 {
		t.Errorf("LivenessWrites of a replica no agent talked to = %d, %d; want 0, 0", txs, rows)
	}
}
