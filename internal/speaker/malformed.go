package speaker

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// UpdateErrors count the received UPDATE messages that were malformed but
// handled as RFC 7606 asks, without resetting the session: GoBGP treats
// the message's routes as withdrawn, or drops a malformed optional
// attribute and keeps the routes.
type UpdateErrors struct {
	TreatAsWithdraw  uint64
	AttributeDiscard uint64
}

// GoBGP reports both cases only as a log record (pkg/server/fsm.go,
// handlingError); these are its messages. TestMalformedUpdate fails if a
// GoBGP upgrade changes them.
const (
	msgTreatAsWithdraw  = "the received Update message was treated as withdraw"
	msgAttributeDiscard = "Some attributes were discarded"
)

type updateErrorCounts struct{ withdraw, discard atomic.Uint64 }

// countingHandler counts GoBGP's RFC 7606 records whatever the log level
// (so the counters stay right when an operator logs errors only) and
// passes on what the wrapped handler wants.
type countingHandler struct {
	next   slog.Handler
	counts *updateErrorCounts
}

func (h countingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return l == slog.LevelWarn || h.next.Enabled(ctx, l)
}

func (h countingHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Level == slog.LevelWarn {
		switch r.Message {
		case msgTreatAsWithdraw:
			h.counts.withdraw.Add(1)
		case msgAttributeDiscard:
			h.counts.discard.Add(1)
		}
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

func (h countingHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return countingHandler{h.next.WithAttrs(as), h.counts}
}

func (h countingHandler) WithGroup(name string) slog.Handler {
	return countingHandler{h.next.WithGroup(name), h.counts}
}

// UpdateErrors returns how many malformed UPDATEs were received since
// the speaker started.
func (sp *Speaker) UpdateErrors() UpdateErrors {
	return UpdateErrors{TreatAsWithdraw: sp.updErr.withdraw.Load(), AttributeDiscard: sp.updErr.discard.Load()}
}
