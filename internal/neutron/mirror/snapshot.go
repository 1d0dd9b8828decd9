package mirror

import (
	"context"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Snapshot is Neutron's core model at one time, in the store's types.
// Network.SegmentationID is not mirrored: the store allocates the VNIs of
// its own networks.
type Snapshot struct {
	Networks []*store.Network
	Subnets  []*store.Subnet
	Ports    []*store.Port
	Routers  []*store.Router
}

// Source reads a whole Snapshot (Neutron's API, or a test's fixture).
type Source interface {
	Snapshot(ctx context.Context) (*Snapshot, error)
}

// SourceFunc adapts a function to Source.
type SourceFunc func(ctx context.Context) (*Snapshot, error)

// Snapshot calls f.
func (f SourceFunc) Snapshot(ctx context.Context) (*Snapshot, error) { return f(ctx) }
