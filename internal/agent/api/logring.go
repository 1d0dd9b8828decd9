package api

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// LogRing keeps the last records at WARNING and above for the looking
// glass's logs and summary, and passes every record on.
type LogRing struct {
	mu   sync.Mutex
	recs []LogRecord
	next int
	full bool
	n    int // records ever kept
}

// LogRecord is one kept record.
type LogRecord struct {
	Time    time.Time      `json:"time"`
	Level   string         `json:"level"`
	Message string         `json:"message"`
	Attrs   map[string]any `json:"attributes,omitempty"`
}

// NewLogRing keeps up to size records.
func NewLogRing(size int) *LogRing { return &LogRing{recs: make([]LogRecord, size)} }

// Handler wraps next so that warnings and errors are also kept.
func (r *LogRing) Handler(next slog.Handler) slog.Handler { return &ringHandler{ring: r, next: next} }

// Records returns the kept records, oldest first.
func (r *LogRing) Records() []LogRecord {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.full {
		return append([]LogRecord{}, r.recs[:r.next]...)
	}
	return append(append([]LogRecord{}, r.recs[r.next:]...), r.recs[:r.next]...)
}

// Count is how many records were kept since start.
func (r *LogRing) Count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

func (r *LogRing) add(rec LogRecord) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.recs[r.next] = rec
	r.next++
	r.n++
	if r.next == len(r.recs) {
		r.next, r.full = 0, true
	}
}

type ringHandler struct {
	ring  *LogRing
	next  slog.Handler
	attrs []slog.Attr
}

func (h *ringHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn || h.next.Enabled(ctx, l)
}

func (h *ringHandler) Handle(ctx context.Context, rec slog.Record) error {
	if rec.Level >= slog.LevelWarn {
		lr := LogRecord{Time: rec.Time, Level: rec.Level.String(), Message: rec.Message, Attrs: map[string]any{}}
		for _, a := range h.attrs {
			lr.Attrs[a.Key] = a.Value.String()
		}
		rec.Attrs(func(a slog.Attr) bool { lr.Attrs[a.Key] = a.Value.String(); return true })
		h.ring.add(lr)
	}
	if h.next.Enabled(ctx, rec.Level) {
		return h.next.Handle(ctx, rec)
	}
	return nil
}

func (h *ringHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return &ringHandler{ring: h.ring, next: h.next.WithAttrs(as), attrs: append(append([]slog.Attr{}, h.attrs...), as...)}
}

func (h *ringHandler) WithGroup(name string) slog.Handler {
	return &ringHandler{ring: h.ring, next: h.next.WithGroup(name), attrs: h.attrs}
}
