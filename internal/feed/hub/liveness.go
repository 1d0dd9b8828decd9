package hub

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Liveness: a host is alive while its agent keeps making requests (the
// watch itself, status reports, and the POST to feed.AlivePath it makes
// every third of DownTime). Sightings are kept in memory and written in
// one transaction every flush interval, at most one row per host, so that
// 1,000 agents cost one small transaction every few seconds rather than a
// write per request.
//
// Times are this replica's clock, when it heard the agent, and Silent
// compares them with the same replica's clock, as Neutron compares agent
// heartbeats: replicas on different machines need synchronised clocks, and
// their skew shortens or lengthens DownTime. SQLite replicas share one
// machine, hence one clock.

// defaultReplica names this process in liveness records.
func defaultReplica() string {
	name, err := os.Hostname()
	if err != nil {
		name = "unknown"
	}
	return fmt.Sprintf("%s:%d", name, os.Getpid())
}

// AliveInterval is how often agents are asked to say they are alive.
func (h *Hub) AliveInterval() time.Duration { return h.downTime / 3 }

// flushInterval is how often sightings are written: often enough that
// an agent reconnecting shows alive within seconds, never more than a
// tenth of DownTime late.
func (h *Hub) flushInterval() time.Duration { return min(5*time.Second, h.downTime/10) }

// sighted notes that host's agent made request r.
func (h *Hub) sighted(host string, r *http.Request) {
	h.seenMu.Lock()
	defer h.seenMu.Unlock()
	h.sightings[host] = store.AgentSeen{Host: host, At: h.now(), Replica: h.replica, Remote: r.RemoteAddr}
}

// runLiveness writes sightings until the hub closes, and once more then,
// so that a replica shutting down does not make its agents look dead.
func (h *Hub) runLiveness() {
	defer close(h.livenessDone)
	t := time.NewTicker(h.flushInterval())
	defer t.Stop()
	for {
		select {
		case <-h.ctx.Done():
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := h.flushLiveness(ctx); err != nil {
				h.log.Warn("recording agent liveness at shutdown", "error", err)
			}
			return
		case <-t.C:
			if err := h.flushLiveness(h.ctx); err != nil && h.ctx.Err() == nil {
				h.log.Warn("recording agent liveness", "error", err)
			}
		}
	}
}

// flushLiveness writes the sightings made since the last flush; on
// failure they are kept for the next one (unless newer ones came).
func (h *Hub) flushLiveness(ctx context.Context) error {
	h.seenMu.Lock()
	batch := make([]store.AgentSeen, 0, len(h.sightings))
	for _, s := range h.sightings {
		batch = append(batch, s)
	}
	clear(h.sightings)
	h.seenMu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	err := h.store.Update(ctx, func(tx store.Tx) error { return tx.RecordAgentsSeen(batch) })
	if err == nil {
		h.livenessTxs.Add(1)
		h.livenessRows.Add(int64(len(batch)))
		return nil
	}
	if len(batch) == 1 || ctx.Err() != nil {
		h.requeue(batch)
		return err
	}
	// One bad row must not hold back the others, flush after flush: each
	// is written alone, and one that still fails is dropped when others
	// got through (the store works; that row is what it refuses), kept
	// when none did (the store is down).
	var failed []store.AgentSeen
	var errs []error
	for _, s := range batch {
		one := []store.AgentSeen{s}
		if err := h.store.Update(ctx, func(tx store.Tx) error { return tx.RecordAgentsSeen(one) }); err != nil {
			failed = append(failed, s)
			errs = append(errs, fmt.Errorf("host %q: %w", s.Host, err))
			continue
		}
		h.livenessTxs.Add(1)
		h.livenessRows.Add(1)
	}
	if len(failed) == len(batch) {
		h.requeue(batch)
	}
	return errors.Join(errs...)
}

// requeue keeps sightings that could not be written for the next flush,
// unless newer ones came meanwhile.
func (h *Hub) requeue(batch []store.AgentSeen) {
	h.seenMu.Lock()
	defer h.seenMu.Unlock()
	for _, s := range batch {
		if cur, ok := h.sightings[s.Host]; !ok || cur.At.Before(s.At) {
			h.sightings[s.Host] = s
		}
	}
}

// LivenessWrites counts the transactions and rows that liveness wrote
// (benchmarks report the rate).
func (h *Hub) LivenessWrites() (txs, rows int64) { return h.livenessTxs.Load(), h.livenessRows.Load() }

// Silent lists, among hosts, those whose agent has not been heard from
// for longer than DownTime: dead ones were heard from before, never ones
// never were. During this replica's first DownTime every agent counts as
// heard from at its start: none could report to a server that was down,
// and a restart must not make them all look dead.
func (h *Hub) Silent(tx store.Tx, hosts []string) (dead, never []string, err error) {
	limit := h.now().Add(-h.downTime)
	if len(hosts) == 0 || !h.started.Before(limit) {
		return nil, nil, nil
	}
	seen, err := tx.AgentsSeen(hosts)
	if err != nil {
		return nil, nil, err
	}
	for _, host := range hosts {
		s, ok := seen[host]
		switch {
		case !ok:
			never = append(never, host)
		case s.At.Before(limit):
			dead = append(dead, host)
		}
	}
	return dead, never, nil
}
