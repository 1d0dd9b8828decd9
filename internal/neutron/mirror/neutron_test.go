package mirror_test

import (
	"context"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// fakeNeutron answers from the fixture's snapshot, whole or one object at
// a time, as Neutron's API would.
type fakeNeutron struct{ f *fixture }

var (
	_ mirror.Source       = (*fakeNeutron)(nil)
	_ mirror.ObjectSource = (*fakeNeutron)(nil)
)

func (n *fakeNeutron) Snapshot(context.Context) (*mirror.Snapshot, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.down != nil {
		return nil, n.f.down
	}
	n.f.fullReads++
	// A copy, as a fresh read of Neutron would be.
	c := *n.f.snap
	c.Networks, c.Subnets, c.Ports, c.Routers = clone(c.Networks), clone(c.Subnets), clone(c.Ports), clone(c.Routers)
	return &c, nil
}

// one finds the object with id among objs, a copy.
func one[T any](n *fakeNeutron, objs []*T, id string, idOf func(*T) string) (*T, error) {
	if n.f.down != nil {
		return nil, n.f.down
	}
	for _, o := range objs {
		if idOf(o) == id {
			c := *o
			return &c, nil
		}
	}
	return nil, mirror.ErrGone
}

func (n *fakeNeutron) Network(_ context.Context, id string) (*store.Network, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	return one(n, n.f.snap.Networks, id, func(o *store.Network) string { return o.ID })
}

func (n *fakeNeutron) Subnet(_ context.Context, id string) (*store.Subnet, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	return one(n, n.f.snap.Subnets, id, func(o *store.Subnet) string { return o.ID })
}

func (n *fakeNeutron) Port(_ context.Context, id string) (*store.Port, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	return one(n, n.f.snap.Ports, id, func(o *store.Port) string { return o.ID })
}

func (n *fakeNeutron) Router(_ context.Context, id string) (*store.Router, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	return one(n, n.f.snap.Routers, id, func(o *store.Router) string { return o.ID })
}

func (n *fakeNeutron) DevicePorts(_ context.Context, id string) ([]*store.Port, error) {
	n.f.mu.Lock()
	defer n.f.mu.Unlock()
	if n.f.down != nil {
		return nil, n.f.down
	}
	var out []*store.Port
	for _, p := range n.f.snap.Ports {
		if p.DeviceID == id {
			c := *p
			out = append(out, &c)
		}
	}
	return out, nil
}

// edit changes Neutron while Run may read it.
func (f *fixture) edit(change func(s *mirror.Snapshot)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f.snap)
}

// reads is how many times Neutron was read whole.
func (f *fixture) reads() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fullReads
}
