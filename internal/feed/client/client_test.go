package client_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
	"github.com/bgpvpn/bgpvpn/internal/server/servertest"
)

const secret = "s3cret"

// world is a network with a port bound to host h1, and an l3 BGPVPN.
type world struct{ network, port, vpn string }

func populate(s *servertest.Server) world {
	var w world
	w.network = s.Create("/networks", "network", `{"name": "n1"}`)
	s.Create("/subnets", "subnet", `{"network_id": "`+w.network+`", "ip_version": 4, "cidr": "10.0.0.0/24"}`)
	w.port = s.Create("/ports", "port", `{"network_id": "`+w.network+`", "binding:host_id": "h1", "device_owner": "compute:nova"}`)
	w.vpn = s.Create("/bgpvpn/bgpvpns", "bgpvpn", `{"route_targets": ["64512:1"]}`)
	return w
}

func associate(s *servertest.Server, w world) string {
	return s.Create("/bgpvpn/bgpvpns/"+w.vpn+"/network_associations", "network_association", `{"network_id": "`+w.network+`"}`)
}

// watcher runs a client and collects what it delivers.
type watcher struct {
	c      *client.Client
	states chan feed.HostState
	done   chan error
}

func watch(t *testing.T, url, secret string) *watcher {
	t.Helper()
	c, err := client.New(client.Config{URL: url, Host: "h1", Secret: secret, MinBackoff: 20 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	w := &watcher{c: c, states: make(chan feed.HostState, 100), done: make(chan error, 1)}
	go func() { w.done <- c.Run(ctx, func(st feed.HostState) { w.states <- st }) }()
	t.Cleanup(func() { cancel(); <-w.done })
	return w
}

func (w *watcher) next(t *testing.T) feed.HostState {
	t.Helper()
	select {
	case st := <-w.states:
		return st
	case err := <-w.done:
		t.Fatalf("Run returned %v before delivering a state", err)
	case <-time.After(5 * time.Second):
		t.Fatal("no state delivered within 5s")
	}
	return feed.HostState{}
}

func (w *watcher) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case st := <-w.states:
		t.Fatalf("delivered revision %d with %d attachments, want nothing", st.Revision, len(st.Attachments))
	case <-time.After(d):
	}
}

func TestSnapshotOnConnect(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	assoc := associate(s, w)
	st := watch(t, s.URL, secret).next(t)
	if st.Host != "h1" || st.Epoch == "" || st.Revision == 0 {
		t.Errorf("snapshot host %q epoch %q revision %d, want h1, an epoch and a revision", st.Host, st.Epoch, st.Revision)
	}
	if len(st.Attachments) != 1 {
		t.Fatalf("snapshot has %d attachments, want 1: %+v", len(st.Attachments), st.Attachments)
	}
	a := st.Attachments[0]
	if a.PortID != w.port || a.VPNType != feed.IPVPN || a.VPNInstanceID != "ipvpn_"+w.network ||
		strings.Join(a.ImportRTs, ",") != "64512:1" || len(a.Associations) != 1 || a.Associations[0] != assoc {
		t.Errorf("snapshot attachment = %+v", a)
	}
}

func TestUpdateAfterAssociationAndStatus(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	wt := watch(t, s.URL, secret)
	first := wt.next(t)
	if len(first.Attachments) != 0 {
		t.Fatalf("before any association: %d attachments, want none", len(first.Attachments))
	}
	began := time.Now()
	assoc := associate(s, w)
	st := wt.next(t)
	t.Logf("association to delivered state: %v", time.Since(began))
	if len(st.Attachments) != 1 || st.Revision <= first.Revision {
		t.Fatalf("after the association: revision %d (before %d), %d attachments; want a newer revision, 1", st.Revision, first.Revision, len(st.Attachments))
	}
	path := "/bgpvpn/bgpvpns/" + w.vpn + "/network_associations/" + assoc
	status := func() (string, any) {
		na := s.Call("GET", path, "")["network_association"].(map[string]any)
		return na["status"].(string), na["status_reason"]
	}
	if got, _ := status(); got != "BUILD" {
		t.Errorf("status before the agent reports = %s, want BUILD", got)
	}
	report := func(stat feed.Status, reason string) {
		t.Helper()
		err := wt.c.ReportStatus(context.Background(), feed.StatusReport{Epoch: st.Epoch, Revision: st.Revision,
			Associations: []feed.AssociationStatus{{ID: assoc, Status: stat, Reason: reason}}})
		if err != nil {
			t.Fatal(err)
		}
	}
	report(feed.Active, "")
	if got, reason := status(); got != "ACTIVE" || reason != nil {
		t.Errorf("status after ACTIVE = %s (%v), want ACTIVE without reason", got, reason)
	}
	report(feed.Error, "no MPLS label left")
	if got, reason := status(); got != "ERROR" || reason != "no MPLS label left" {
		t.Errorf("status after ERROR = %s (%v), want ERROR with the agent's reason", got, reason)
	}
	// Unbinding the port: nothing left to realise.
	s.Call("PUT", "/ports/"+w.port, `{"port": {"binding:host_id": ""}}`)
	if st := wt.next(t); len(st.Attachments) != 0 {
		t.Errorf("after unbinding the port: %d attachments, want none", len(st.Attachments))
	}
	if got, _ := status(); got != "DOWN" {
		t.Errorf("status with no port bound = %s, want DOWN", got)
	}
}

func TestReconnectAfterServerRestart(t *testing.T) {
	dir := t.TempDir()
	s := servertest.Start(t, secret, dir, "127.0.0.1:0")
	addr := s.Addr()
	w := populate(s)
	wt := watch(t, s.URL, secret)
	first := wt.next(t)
	s.Stop()

	s2 := servertest.Start(t, secret, dir, addr)
	// Same database, nothing changed: the client resumes, nothing new.
	wt.none(t, 500*time.Millisecond)
	associate(s2, w)
	st := wt.next(t)
	if st.Epoch != first.Epoch || st.Revision <= first.Revision || len(st.Attachments) != 1 {
		t.Errorf("after the restart: epoch %s revision %d, %d attachments; want epoch %s, revision > %d, 1 attachment",
			st.Epoch, st.Revision, len(st.Attachments), first.Epoch, first.Revision)
	}
}

func TestBadSecret(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	wt := watch(t, s.URL, "wrong")
	select {
	case err := <-wt.done:
		wt.done <- err // for the cleanup
		if !errors.Is(err, client.ErrUnauthorized) {
			t.Errorf("Run with a wrong secret = %v, want ErrUnauthorized", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Run with a wrong secret did not return")
	}
	res, err := http.Get(s.URL + feed.WatchPath("h1"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || res.Header.Get("WWW-Authenticate") == "" {
		t.Errorf("watch without a token: %s, WWW-Authenticate %q; want 401 with a challenge", res.Status, res.Header.Get("WWW-Authenticate"))
	}
}

// TestStaleRevisionIgnored plays a server that misbehaves: it sends a
// state older than one already applied (a lagging replica), and checks
// where the client resumes after the stream breaks.
func TestStaleRevisionIgnored(t *testing.T) {
	var mu sync.Mutex
	var queries []string
	script := [][]string{
		{`{"type":"state","host":"h1","epoch":"e","revision":5,"heartbeat_seconds":0.2}`, `{"type":"heartbeat","host":"h1","epoch":"e","revision":6}`},
		{`{"type":"state","host":"h1","epoch":"e","revision":4}`, `{"type":"heartbeat","host":"h1","epoch":"e","revision":3}`,
			`{"type":"state","host":"h1","epoch":"e","revision":7}`},
		{`{"type":"state","host":"h1","epoch":"other","revision":2}`},
	}
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		n := len(queries)
		queries = append(queries, r.URL.RawQuery)
		mu.Unlock()
		if n >= len(script) {
			<-r.Context().Done()
			return
		}
		for _, line := range script[n] {
			io.WriteString(w, line+"\n")
		}
	}))
	t.Cleanup(hs.Close) // after the client's cleanup, which runs first
	wt := watch(t, hs.URL, secret)
	var got []string
	for range 4 {
		st := wt.next(t)
		got = append(got, fmt.Sprintf("%s@%d", st.Epoch, st.Revision))
	}
	// The heartbeat at 6 re-delivers the state of 5 at 6; the state at
	// 4 and the heartbeat at 3 are older than what was delivered.
	if want := "e@5 e@6 e@7 other@2"; strings.Join(got, " ") != want {
		t.Errorf("delivered %q, want %q", strings.Join(got, " "), want)
	}
	wt.none(t, 200*time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"", "epoch=e&revision=6", "epoch=e&revision=7", "epoch=other&revision=2"}; strings.Join(queries[:4], " | ") != strings.Join(want, " | ") {
		t.Errorf("watch queries = %q, want %q", queries[:4], want)
	}
}

// TestSaysAliveWhileWatching: the client posts to the alive path as often
// as the stream's first message asks, and stops when its stream ends.
func TestSaysAliveWhileWatching(t *testing.T) {
	alive := make(chan string, 100)
	endStream := make(chan struct{})
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodPost && r.URL.Path == feed.AlivePath("h1"):
			alive <- r.Header.Get("Authorization")
			w.WriteHeader(http.StatusNoContent)
		case r.Method == http.MethodGet && r.URL.Path == feed.WatchPath("h1"):
			io.WriteString(w, `{"type":"state","host":"h1","epoch":"e","revision":1,"heartbeat_seconds":10,"alive_seconds":0.05}`+"\n")
			w.(http.Flusher).Flush()
			select {
			case <-endStream:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(hs.Close)
	// The client logs that its stream ended once it has stopped saying
	// alive (its last POST answered).
	ended := make(chan struct{}, 10)
	log := slog.New(signalHandler{msg: "agent feed interrupted; reconnecting", c: ended})
	c, err := client.New(client.Config{URL: hs.URL, Host: "h1", Secret: secret, MinBackoff: time.Hour, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx, func(feed.HostState) {}) }()
	t.Cleanup(func() { cancel(); <-done })
	for range 3 {
		select {
		case auth := <-alive:
			if auth != "Bearer "+secret {
				t.Errorf("alive POST with Authorization %q, want the bearer secret", auth)
			}
		case <-time.After(5 * time.Second):
			t.Fatal("fewer than 3 alive POSTs within 5s at alive_seconds 0.05")
		}
	}
	// The stream ends and the client waits (an hour) to reconnect: an
	// agent that does not watch does not say it is alive.
	close(endStream)
	select {
	case <-ended:
	case <-time.After(10 * time.Second):
		t.Fatal("the client did not notice the end of its stream within 10s")
	}
	for len(alive) > 0 {
		<-alive
	}
	// A POST now would come from an alive loop that outlived its stream:
	// six alive periods show one.
	select {
	case <-alive:
		t.Error("alive POSTs after the stream ended")
	case <-time.After(6 * 50 * time.Millisecond):
	}
}

// signalHandler is a slog handler that sends on c for each record with
// message msg.
type signalHandler struct {
	msg string
	c   chan<- struct{}
}

func (h signalHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h signalHandler) Handle(_ context.Context, r slog.Record) error {
	if r.Message == h.msg {
		select {
		case h.c <- struct{}{}:
		default:
		}
	}
	return nil
}

func (h signalHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h signalHandler) WithGroup(string) slog.Handler      { return h }

// blackhole is a TCP proxy to a server that can silently stop carrying
// bytes, as a network cut does: no FIN, no RST, connections stay open.
type blackhole struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	cut    bool
	conns  []net.Conn
}

func newBlackhole(t *testing.T, target string) *blackhole {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &blackhole{ln: ln, target: target}
	t.Cleanup(func() {
		ln.Close()
		b.mu.Lock()
		defer b.mu.Unlock()
		for _, c := range b.conns {
			c.Close()
		}
	})
	go b.serve()
	return b
}

func (b *blackhole) url() string { return "http://" + b.ln.Addr().String() }

func (b *blackhole) setCut(cut bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.cut = cut
}

func (b *blackhole) isCut() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.cut
}

func (b *blackhole) serve() {
	for {
		in, err := b.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", b.target)
		if err != nil {
			in.Close()
			continue
		}
		b.mu.Lock()
		b.conns = append(b.conns, in, out)
		b.mu.Unlock()
		go b.pipe(in, out)
		go b.pipe(out, in)
	}
}

// pipe copies until the connection closes, dropping what it reads while
// the cut lasts; a connection that saw the cut never carries bytes again
// (its peer's TCP state is lost, as after a long cut).
func (b *blackhole) pipe(from, to net.Conn) {
	buf := make([]byte, 32<<10)
	dead := false
	for {
		n, err := from.Read(buf)
		if err != nil {
			return
		}
		if b.isCut() {
			dead = true
		}
		if !dead {
			if _, err := to.Write(buf[:n]); err != nil {
				return
			}
		}
	}
}

// A silent network cut: the stream stops carrying heartbeats without
// closing. The client notices the stall, reconnects once the network is
// back, and delivers what changed meanwhile.
func TestReconnectAfterSilentCut(t *testing.T) {
	s := servertest.Start(t, secret, t.TempDir(), "127.0.0.1:0")
	w := populate(s)
	bh := newBlackhole(t, s.Addr())
	wt := watch(t, bh.url(), secret)
	first := wt.next(t)
	if len(first.Attachments) != 0 {
		t.Fatalf("first state has %d attachments, want 0", len(first.Attachments))
	}
	bh.setCut(true)
	associate(s, w) // through the server directly, not the cut network
	wt.none(t, time.Second)
	bh.setCut(false)
	st := wt.next(t)
	if st.Revision <= first.Revision || len(st.Attachments) != 1 {
		t.Errorf("after the cut: revision %d with %d attachments, want revision > %d with 1", st.Revision, len(st.Attachments), first.Revision)
	}
}
