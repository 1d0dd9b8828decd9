package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Mirror copies a Source into a store.
type Mirror struct {
	store   store.Store
	service *bgpvpn.Service
	source  Source
	log     *slog.Logger

	mu sync.Mutex // serialises syncs

	stateMu  sync.Mutex
	lastSync time.Time // of the last successful sync; under stateMu
	reads    readCounts
	failures int64
	now      func() time.Time

	// What Notify queued for Run, and Run's wake-up.
	pendingMu   sync.Mutex
	pending     []Ref
	pendingFull bool
	waiters     []chan struct{} // of Await, released after the next read
	wake        chan struct{}
}

// readCounts counts successful reads of Neutron written into the mirror.
type readCounts struct{ full, targeted int64 }

// New builds a mirror that writes into st and hands every change to svc's
// driver.
func New(st store.Store, svc *bgpvpn.Service, src Source, log *slog.Logger) *Mirror {
	return &Mirror{store: st, service: svc, source: src, log: log, now: time.Now, wake: make(chan struct{}, 1)}
}

// Stats counts what one sync changed.
type Stats struct {
	Created, Updated, Deleted int
	// Skipped objects point at what the snapshot lacks (a port of a
	// network created after the networks were read); the next sync takes
	// them.
	Skipped int
}

// Sync reads a snapshot and makes the store match it.
func (m *Mirror) Sync(ctx context.Context) (Stats, error) {
	snap, err := m.source.Snapshot(ctx)
	if err != nil {
		m.failed()
		return Stats{}, fmt.Errorf("reading neutron: %w", err)
	}
	stats, err := m.Apply(ctx, snap)
	if err != nil {
		m.failed()
		return stats, err
	}
	m.stateMu.Lock()
	m.reads.full++
	m.stateMu.Unlock()
	return stats, nil
}

func (m *Mirror) failed() {
	m.stateMu.Lock()
	m.failures++
	m.stateMu.Unlock()
}

// Apply makes the store match snap, in one transaction.
func (m *Mirror) Apply(ctx context.Context, snap *Snapshot) (Stats, error) {
	return m.write(ctx, func(a *applier) error { return a.apply(snap) })
}

// Age is how long ago the mirror last matched Neutron; false before the
// first sync.
func (m *Mirror) Age() (time.Duration, bool) {
	m.stateMu.Lock()
	defer m.stateMu.Unlock()
	if m.lastSync.IsZero() {
		return 0, false
	}
	return m.now().Sub(m.lastSync), true
}

// Notify queues what a notification names for Run to read at once; nil
// (what was sent may be lost: a reconnected bus) queues a full read. It
// never blocks.
func (m *Mirror) Notify(refs []Ref) {
	m.pendingMu.Lock()
	if refs == nil {
		m.pendingFull = true
	}
	m.queue(refs)
	m.pendingMu.Unlock()
	m.wakeUp()
}

// queue adds refs to the pending ones; pendingMu held.
func (m *Mirror) queue(refs []Ref) {
	for _, r := range refs {
		if !slices.Contains(m.pending, r) {
			m.pending = append(m.pending, r)
		}
	}
}

func (m *Mirror) wakeUp() {
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// takePending empties the queue Notify and Await fill: the refs, whether
// a full read is wanted, and the waiters to release once they are read.
func (m *Mirror) takePending() ([]Ref, bool, []chan struct{}) {
	m.pendingMu.Lock()
	defer m.pendingMu.Unlock()
	refs, full, waiters := m.pending, m.pendingFull, m.waiters
	m.pending, m.pendingFull, m.waiters = nil, false, nil
	return refs, full, waiters
}

// Run syncs now, then every interval and whenever trigger receives, until
// ctx ends; what Notify queues meanwhile is read alone (Refresh), the
// periodic full read staying the safety net for whatever a notification
// missed. A failed read is logged with the mirror's age and the full read
// retried sooner (every interval/10, at least 100 ms) while it fails.
func (m *Mirror) Run(ctx context.Context, interval time.Duration, trigger <-chan struct{}) error {
	retry := max(interval/10, 100*time.Millisecond)
	full := true
	var next time.Time // of the next full read
	for {
		refs, all, waiters := m.takePending()
		if full || all {
			next = m.now().Add(interval)
			if _, err := m.syncLogged(ctx, m.Sync); err != nil {
				if ctx.Err() != nil {
					release(waiters)
					return nil
				}
				next = m.now().Add(retry)
			}
		} else if len(refs) > 0 {
			if _, err := m.syncLogged(ctx, func(ctx context.Context) (Stats, error) { return m.Refresh(ctx, refs) }); err != nil {
				if ctx.Err() != nil {
					release(waiters)
					return nil
				}
				next = m.now().Add(retry)
			}
		}
		release(waiters)
		full = false
		t := time.NewTimer(next.Sub(m.now()))
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
			full = true
		case <-trigger:
			t.Stop()
			full = true
		case <-m.wake:
			t.Stop()
		}
	}
}

// release lets Await's callers go.
func release(waiters []chan struct{}) {
	for _, w := range waiters {
		close(w)
	}
}

// syncLogged runs sync (a full or a targeted read) and logs its outcome.
func (m *Mirror) syncLogged(ctx context.Context, sync func(context.Context) (Stats, error)) (Stats, error) {
	start := m.now()
	stats, err := sync(ctx)
	if err != nil {
		if errors.Is(err, context.Canceled) && ctx.Err() != nil {
			return stats, err
		}
		age, ok := m.Age()
		if !ok {
			m.log.Error("neutron mirror not synced yet", "error", err)
		} else {
			m.log.Warn("neutron mirror is stale", "age_seconds", age.Seconds(), "error", err)
		}
		return stats, err
	}
	if stats != (Stats{}) {
		m.log.Info("neutron mirror synced", "created", stats.Created, "updated", stats.Updated, "deleted", stats.Deleted,
			"skipped", stats.Skipped, "seconds", m.now().Sub(start).Seconds())
	}
	return stats, nil
}

// Await queues refs as Notify does and returns once Run has read them
// (whether or not Neutron had them, or could be reached), or when ctx
// ends. A client that creates an object in Neutron and associates it at
// once then finds it mirrored, without waiting for resync_interval.
func (m *Mirror) Await(ctx context.Context, refs []Ref) error {
	done := make(chan struct{})
	m.pendingMu.Lock()
	m.queue(refs)
	m.waiters = append(m.waiters, done)
	m.pendingMu.Unlock()
	m.wakeUp()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("waiting for the neutron mirror: %w", ctx.Err())
	}
}
