// Package hub serves the agent feed of bgpvpn-server: each compute node's
// agent watches its host's desired attachments over one long-lived HTTP
// stream, and reports back whether it realised each association.
//
// State always comes from the database, at a revision of the database: any
// replica serves any agent. A replica hears of its own commits through Wake
// and of other replicas' commits by polling the feed revision. The hub must
// never hold state that another replica would need, and never writes
// anything but agents' status reports.
package hub

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Options configure a Hub.
type Options struct {
	Store  store.Store
	Logger *slog.Logger
	// Secret is the bearer token agents present; empty refuses every
	// request.
	Secret string
	// Heartbeat is how often a quiet stream says it is still current
	// (default 5s); Poll how often the feed revision is read for changes
	// committed by other replicas (default 200ms).
	Heartbeat, Poll time.Duration
	// DownTime is how long an agent may go unheard before its host
	// counts as dead (Neutron's agent_down_time; default 75s).
	DownTime time.Duration
	// Replica names this server in liveness records; default
	// hostname:pid.
	Replica string
	// Now is the clock of liveness; default time.Now.
	Now func() time.Time
}

// Hub wakes the watch streams of hosts whose desired state changed.
type Hub struct {
	store     store.Store
	log       *slog.Logger
	secret    []byte
	heartbeat time.Duration
	poll      time.Duration
	downTime  time.Duration
	replica   string
	now       func() time.Time
	// started is when the hub started: the grace of Silent.
	started time.Time

	kick chan struct{}
	// ctx ends with Close: the dispatch loop and every stream stop.
	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}

	// sightings are the agents heard from since the last liveness flush.
	seenMu                    sync.Mutex
	sightings                 map[string]store.AgentSeen
	livenessDone              chan struct{}
	livenessTxs, livenessRows atomic.Int64

	// reads shares the reads of the streams computing at one revision.
	reads readCache

	mu       sync.Mutex
	watchers map[string]map[*watcher]struct{}
	// seen is the feed revision up to which watchers have been woken;
	// only the dispatch loop touches it after New.
	seen store.FeedRevision
}

// watcher is one open stream.
type watcher struct{ wake chan struct{} }

func (w *watcher) poke() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// New starts a hub; Close stops it.
func New(o Options) *Hub {
	if o.Heartbeat <= 0 {
		o.Heartbeat = 5 * time.Second
	}
	if o.Poll <= 0 {
		o.Poll = 200 * time.Millisecond
	}
	if o.DownTime <= 0 {
		o.DownTime = 75 * time.Second
	}
	if o.Replica == "" {
		o.Replica = defaultReplica()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	ctx, cancel := context.WithCancel(context.Background())
	h := &Hub{store: o.Store, log: o.Logger, secret: []byte(o.Secret), heartbeat: o.Heartbeat, poll: o.Poll,
		downTime: o.DownTime, replica: o.Replica, now: o.Now, started: o.Now(),
		kick: make(chan struct{}, 1), ctx: ctx, cancel: cancel, done: make(chan struct{}),
		watchers: map[string]map[*watcher]struct{}{}, sightings: map[string]store.AgentSeen{}, livenessDone: make(chan struct{})}
	err := h.store.View(ctx, func(tx store.Tx) (err error) {
		h.seen, err = tx.FeedRevision()
		return err
	})
	if err != nil {
		// Streams check on every heartbeat anyway; the loop catches up.
		h.log.Warn("reading the feed revision", "error", err)
	}
	go h.run()
	go h.runLiveness()
	return h
}

// Wake makes the hub look for changes now: the driver calls it after each
// commit.
func (h *Hub) Wake() {
	select {
	case h.kick <- struct{}{}:
	default:
	}
}

// Close ends every stream and stops the hub.
func (h *Hub) Close() error {
	h.cancel()
	<-h.done
	<-h.livenessDone
	return nil
}

// Watchers is how many streams are open.
func (h *Hub) Watchers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, ws := range h.watchers {
		n += len(ws)
	}
	return n
}

func (h *Hub) register(host string) *watcher {
	w := &watcher{wake: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.watchers[host] == nil {
		h.watchers[host] = map[*watcher]struct{}{}
	}
	h.watchers[host][w] = struct{}{}
	return w
}

func (h *Hub) unregister(host string, w *watcher) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.watchers[host], w)
	if len(h.watchers[host]) == 0 {
		delete(h.watchers, host)
	}
}

func (h *Hub) run() {
	defer close(h.done)
	t := time.NewTicker(h.poll)
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			return
		case <-h.kick:
		case <-t.C:
		}
		h.dispatch()
	}
}

// dispatch wakes the streams of the hosts touched since the last look.
func (h *Hub) dispatch() {
	var cur store.FeedRevision
	var touched map[string]int64
	h.mu.Lock()
	idle := len(h.watchers) == 0
	h.mu.Unlock()
	err := h.store.View(h.ctx, func(tx store.Tx) (err error) {
		if cur, err = tx.FeedRevision(); err != nil || cur == h.seen || idle {
			return err
		}
		if cur.Epoch == h.seen.Epoch && cur.Revision > h.seen.Revision {
			touched, err = tx.HostsTouchedAfter(h.seen.Revision)
		}
		return err
	})
	if err != nil {
		if h.ctx.Err() == nil {
			h.log.Warn("looking for feed changes", "error", err)
		}
		return
	}
	if cur == h.seen {
		return
	}
	// Another database (or one restored from a backup): every host may
	// have changed.
	all := cur.Epoch != h.seen.Epoch || cur.Revision < h.seen.Revision
	h.seen = cur
	h.mu.Lock()
	defer h.mu.Unlock()
	for host, ws := range h.watchers {
		if !all && touched[host] == 0 {
			continue
		}
		for w := range ws {
			w.poke()
		}
	}
}
