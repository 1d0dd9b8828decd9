package mirror

import (
	"context"
	"errors"
	"fmt"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Kind is the kind of Neutron object a Ref names.
type Kind string

// The kinds a notification names.
const (
	Network Kind = "network"
	Subnet  Kind = "subnet"
	Port    Kind = "port"
	Router  Kind = "router"
)

// Ref names one object a notification says changed.
type Ref struct {
	Kind Kind
	ID   string
	// Gone: Neutron deleted it; the mirror drops it without asking.
	Gone bool
	// Interfaces (routers): an interface was added or removed; the
	// router's ports are read as well.
	Interfaces bool
}

// ErrGone is what an ObjectSource answers for an object Neutron does not
// have (any more).
var ErrGone = errors.New("not in neutron")

// errNeedFull says refs cannot be applied alone (they point at what the
// mirror lacks); a full read converges.
var errNeedFull = errors.New("needs a full read")

// ObjectSource reads single objects. A Source that is one lets the mirror
// read only what a notification names.
type ObjectSource interface {
	Network(ctx context.Context, id string) (*store.Network, error)
	Subnet(ctx context.Context, id string) (*store.Subnet, error)
	Port(ctx context.Context, id string) (*store.Port, error)
	Router(ctx context.Context, id string) (*store.Router, error)
	// DevicePorts lists the ports whose device_id is id (a router's
	// interfaces and gateway).
	DevicePorts(ctx context.Context, id string) ([]*store.Port, error)
}

// read is what one Ref read from Neutron: the object, nil when gone, and
// for a router's interfaces its ports and the mirrored interface ports
// Neutron no longer lists.
type read struct {
	ref       Ref
	network   *store.Network
	subnet    *store.Subnet
	port      *store.Port
	router    *store.Router
	ports     []*store.Port
	lostPorts []string
}

// Refresh reads from Neutron only the objects refs name and writes them in
// one transaction, with the same driver events as a full sync. When refs
// cannot be applied alone (a port of a network the mirror lacks, a source
// that reads no single object) it does a full sync instead.
func (m *Mirror) Refresh(ctx context.Context, refs []Ref) (Stats, error) {
	os, ok := m.source.(ObjectSource)
	if !ok {
		return m.Sync(ctx)
	}
	reads, err := m.readRefs(ctx, os, refs)
	if err != nil {
		m.failed()
		return Stats{}, fmt.Errorf("reading neutron: %w", err)
	}
	stats, err := m.write(ctx, func(a *applier) error { return a.refresh(reads) })
	if errors.Is(err, errNeedFull) {
		m.log.Info("neutron notification needs a full read", "error", err)
		return m.Sync(ctx)
	}
	if err != nil {
		m.failed()
		return Stats{}, err
	}
	m.stateMu.Lock()
	m.reads.targeted++
	m.stateMu.Unlock()
	return stats, nil
}

func (m *Mirror) readRefs(ctx context.Context, os ObjectSource, refs []Ref) ([]read, error) {
	var out []read
	for _, ref := range refs {
		r := read{ref: ref}
		var err error
		if !ref.Gone {
			switch ref.Kind {
			case Network:
				r.network, err = os.Network(ctx, ref.ID)
			case Subnet:
				r.subnet, err = os.Subnet(ctx, ref.ID)
			case Port:
				r.port, err = os.Port(ctx, ref.ID)
			case Router:
				r.router, err = os.Router(ctx, ref.ID)
			default:
				return nil, fmt.Errorf("%w: kind %q", errNeedFull, ref.Kind)
			}
			if errors.Is(err, ErrGone) {
				r.ref.Gone, err = true, nil
			}
			if err != nil {
				return nil, fmt.Errorf("reading %s %s: %w", ref.Kind, ref.ID, err)
			}
		}
		if ref.Kind == Router && ref.Interfaces && !r.ref.Gone {
			if err := m.readInterfaces(ctx, os, &r); err != nil {
				return nil, err
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// readInterfaces reads a router's ports, and which of the interfaces the
// mirror has Neutron no longer has.
func (m *Mirror) readInterfaces(ctx context.Context, os ObjectSource, r *read) error {
	ports, err := os.DevicePorts(ctx, r.ref.ID)
	if err != nil {
		return fmt.Errorf("reading router %s's ports: %w", r.ref.ID, err)
	}
	r.ports = ports
	listed := make(map[string]bool, len(ports))
	for _, p := range ports {
		listed[p.ID] = true
	}
	var mirrored []store.RouterPort
	err = m.store.View(ctx, func(tx store.Tx) error {
		mirrored, err = tx.ListRouterPorts([]string{r.ref.ID}, nil)
		return err
	})
	if err != nil {
		return fmt.Errorf("reading the mirror: %w", err)
	}
	for _, rp := range mirrored {
		if listed[rp.Port.ID] {
			continue
		}
		// Gone, or no longer the router's: read it to know which.
		p, err := os.Port(ctx, rp.Port.ID)
		switch {
		case errors.Is(err, ErrGone):
			r.lostPorts = append(r.lostPorts, rp.Port.ID)
		case err != nil:
			return fmt.Errorf("reading port %s: %w", rp.Port.ID, err)
		default:
			r.ports = append(r.ports, p)
		}
	}
	return nil
}

// write runs fn in one transaction of the store, its events handed to the
// service, and records the success.
func (m *Mirror) write(ctx context.Context, fn func(*applier) error) (Stats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var (
		call  *bgpvpn.Call
		stats Stats
	)
	err := m.store.Update(ctx, func(tx store.Tx) error {
		call = &bgpvpn.Call{Caller: bgpvpn.Caller{Admin: true}}
		a := &applier{tx: tx, emit: func(ev driver.Event) error { return m.service.CoreChanged(ctx, call, tx, ev) }}
		err := fn(a)
		stats = a.stats
		return err
	})
	if err != nil {
		return Stats{}, fmt.Errorf("writing the neutron mirror: %w", err)
	}
	m.service.Committed(ctx, call)
	m.stateMu.Lock()
	m.lastSync = m.now()
	m.stateMu.Unlock()
	return stats, nil
}
