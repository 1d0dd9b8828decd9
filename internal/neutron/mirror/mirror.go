package mirror

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/driver"
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
}

// readCounts counts successful reads of Neutron written into the mirror.
type readCounts struct{ full, targeted int64 }

// New builds a mirror that writes into st and hands every change to svc's
// driver.
func New(st store.Store, svc *bgpvpn.Service, src Source, log *slog.Logger) *Mirror {
	return &Mirror{store: st, service: svc, source: src, log: log, now: time.Now}
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
	m.mu.Lock()
	defer m.mu.Unlock()
	var (
		call  *bgpvpn.Call
		stats Stats
	)
	err := m.store.Update(ctx, func(tx store.Tx) error {
		call = &bgpvpn.Call{Ctx: ctx, Caller: bgpvpn.Caller{Admin: true}}
		a := &applier{tx: tx, emit: func(ev driver.Event) error { return m.service.CoreChanged(call, tx, ev) }}
		err := a.apply(snap)
		stats = a.stats
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("writing the neutron mirror: %w", err)
	}
	m.service.Committed(call)
	m.stateMu.Lock()
	m.lastSync = m.now()
	m.stateMu.Unlock()
	return stats, nil
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

// Run syncs now, then every interval and whenever trigger receives, until
// ctx ends. A failed sync is logged with the mirror's age and retried at
// the next tick (sooner, at most every interval/10, while it fails).
func (m *Mirror) Run(ctx context.Context, interval time.Duration, trigger <-chan struct{}) error {
	retry := max(interval/10, 100*time.Millisecond)
	for {
		wait := interval
		if _, err := m.syncLogged(ctx); err != nil {
			if ctx.Err() != nil {
				return nil
			}
			wait = retry
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		case <-trigger:
			t.Stop()
		}
	}
}

func (m *Mirror) syncLogged(ctx context.Context) (Stats, error) {
	stats, err := m.Sync(ctx)
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
		m.log.Info("neutron mirror synced", "created", stats.Created, "updated", stats.Updated, "deleted", stats.Deleted, "skipped", stats.Skipped)
	}
	return stats, nil
}
