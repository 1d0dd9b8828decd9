// Package dummy is the dataplane driver that forwards nothing: it records the
// state it is asked to apply, for tests and for control-plane-only nodes.
package dummy

import (
	"context"
	"sync"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

func init() {
	dataplane.Register("dummy", func(opts map[string]string) (dataplane.Driver, error) {
		d := New()
		if opts[dataplane.OptVPNType] == "evpn" {
			d.encaps = []uint16{8}
		}
		// Built by name, for a node without forwarding: keep nothing.
		d.noState = opts["record"] != "true"
		return d, nil
	})
}

// Driver records applied states.
type Driver struct {
	mu      sync.Mutex
	state   dataplane.State
	applies int
	encaps  []uint16
	noState bool
}

var _ dataplane.Driver = (*Driver)(nil)

// New returns a dummy driver for IP VPNs (MPLS, like bagpipe's) that
// records what it is asked to apply.
func New() *Driver { return &Driver{encaps: []uint16{10}} }

// Info says what bagpipe's dummy drivers say: MPLS for IP VPNs, VXLAN for
// EVPN; ECMP is claimed so that tests see every equal path.
func (d *Driver) Info() dataplane.Info {
	return dataplane.Info{Name: "dummy", Encaps: d.encaps, ECMP: true, NoState: d.noState}
}

// Apply records s.
func (d *Driver) Apply(_ context.Context, s dataplane.State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state = s
	d.applies++
	return nil
}

// State returns the last applied state.
func (d *Driver) State() dataplane.State {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.state
}

// Applies counts the Apply calls.
func (d *Driver) Applies() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.applies
}

// Close does nothing.
func (d *Driver) Close() error { return nil }
