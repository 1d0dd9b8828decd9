package hub_test

import (
	"bufio"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/hub"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

func newHub(t *testing.T) (*hub.Hub, store.Store, string) {
	t.Helper()
	st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
	if err != nil {
		t.Fatal(err)
	}
	h := hub.New(hub.Options{Store: st, Secret: "s", Heartbeat: 100 * time.Millisecond, Poll: 20 * time.Millisecond})
	hs := httptest.NewServer(h)
	t.Cleanup(func() { h.Close(); hs.Close(); st.Close() })
	return h, st, hs.URL
}

func request(t *testing.T, method, url, token, body string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	return res
}

// firstMessage opens a watch of host (query: "" or "?epoch=…") and
// returns its first message.
func firstMessage(t *testing.T, url, host, query string) feed.Message {
	t.Helper()
	res := request(t, "GET", url+feed.WatchPath(host)+query, "s", "")
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != feed.ContentType {
		t.Fatalf("watch%s: %s %s", query, res.Status, res.Header.Get("Content-Type"))
	}
	line, err := bufio.NewReader(res.Body).ReadBytes('\n')
	if err != nil {
		t.Fatal(err)
	}
	var m feed.Message
	if err := json.Unmarshal(line, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestErrors(t *testing.T) {
	_, st, url := newHub(t)
	var epoch string
	st.View(context.Background(), func(tx store.Tx) error { r, err := tx.FeedRevision(); epoch = r.Epoch; return err })
	tests := []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", feed.WatchPath("h1"), "", "", http.StatusUnauthorized},
		{"wrong token", "GET", feed.WatchPath("h1"), "t", "", http.StatusUnauthorized},
		{"token prefix", "GET", feed.WatchPath("h1"), "s2", "", http.StatusUnauthorized},
		{"unknown path", "GET", feed.PathPrefix + "hosts/h1/other", "s", "", http.StatusNotFound},
		{"no host", "GET", feed.PathPrefix + "hosts//watch", "s", "", http.StatusNotFound},
		{"wrong method", "POST", feed.WatchPath("h1"), "s", "", http.StatusMethodNotAllowed},
		{"alive without token", "POST", feed.AlivePath("h1"), "", "", http.StatusUnauthorized},
		{"alive with GET", "GET", feed.AlivePath("h1"), "s", "", http.StatusMethodNotAllowed},
		{"bad revision", "GET", feed.WatchPath("h1") + "?revision=x", "s", "", http.StatusBadRequest},
		{"report not JSON", "POST", feed.StatusPath("h1"), "s", "{", http.StatusBadRequest},
		{"report with BUILD", "POST", feed.StatusPath("h1"), "s", `{"epoch":"` + epoch + `","associations":[{"id":"a","status":"BUILD"}]}`, http.StatusBadRequest},
		{"report of another epoch", "POST", feed.StatusPath("h1"), "s", `{"epoch":"x","associations":[]}`, http.StatusConflict},
		{"report from the future", "POST", feed.StatusPath("h1"), "s", `{"epoch":"` + epoch + `","revision":99}`, http.StatusConflict},
		{"good report", "POST", feed.StatusPath("h1"), "s", `{"epoch":"` + epoch + `","associations":[{"id":"a","status":"ACTIVE"}]}`, http.StatusNoContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if res := request(t, tt.method, url+tt.path, tt.token, tt.body); res.StatusCode != tt.want {
				t.Errorf("%s %s = %s, want %d", tt.method, tt.path, res.Status, tt.want)
			}
		})
	}
}

// TestResume: an agent that comes back with the current revision of its
// host gets a heartbeat, not the state again; one behind gets the state.
func TestResume(t *testing.T) {
	h, st, url := newHub(t)
	var rev store.FeedRevision
	err := st.Update(context.Background(), func(tx store.Tx) error {
		if _, err := tx.TouchHosts([]string{"h1"}); err != nil {
			return err
		}
		_, err := tx.TouchHosts([]string{"h2"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st.View(context.Background(), func(tx store.Tx) (err error) { rev, err = tx.FeedRevision(); return err })
	first := func(query string) feed.Message { return firstMessage(t, url, "h1", query) }
	revision := func(n int64) string { return "?epoch=" + rev.Epoch + "&revision=" + strconv.FormatInt(n, 10) }
	if m := first(""); m.Type != feed.State || m.Revision != rev.Revision || m.HeartbeatSeconds == 0 {
		t.Errorf("fresh watch: %+v, want a state at %d announcing the heartbeat", m, rev.Revision)
	}
	if m := first(revision(rev.Revision)); m.Type != feed.Heartbeat || m.Revision != rev.Revision {
		t.Errorf("resume at the current revision: %+v, want a heartbeat at %d", m, rev.Revision)
	}
	if m := first(revision(0)); m.Type != feed.State {
		t.Errorf("resume before the host's last change: %+v, want a state", m)
	}
	if m := first("?epoch=other&revision=" + strconv.FormatInt(rev.Revision, 10)); m.Type != feed.State {
		t.Errorf("resume from another epoch: %+v, want a state", m)
	}
	deadline := time.Now().Add(time.Second)
	for h.Watchers() != 4 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := h.Watchers(); n != 4 {
		t.Errorf("Watchers() = %d, want the 4 open streams", n)
	}
}
