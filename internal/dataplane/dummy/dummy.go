// Package dummy is the dataplane driver that forwards nothing: it records the
// state it is asked to apply, for tests and for control-plane-only nodes,
// and fails on demand for tests of how the agent reports failures.
package dummy

import (
	"context"
	"errors"
	"sync"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

func init() {
	dataplane.Register("dummy", func(o dataplane.Options) (dataplane.Driver, error) {
		d := New()
		if o.Config[dataplane.OptVPNType] == "evpn" {
			d.encaps = []uint16{8}
		}
		// Built by name, for a node without forwarding: keep nothing.
		d.noState = o.Config["record"] != "true"
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
	// failing are the instances whose Apply fails, with the reason.
	failing map[string]error
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

// Apply records s. It fails for every instance of s made to fail, with
// one dataplane.InstanceError each, as a real driver that programs what it
// can and reports what it could not.
func (d *Driver) Apply(_ context.Context, s dataplane.State) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.state = s
	d.applies++
	var errs []error
	fail := func(id string) {
		if err := d.failing[id]; err != nil {
			errs = append(errs, &dataplane.InstanceError{Instance: id, Err: err})
		}
	}
	for _, v := range s.VRFs {
		fail(v.ID)
	}
	for _, e := range s.EVIs {
		fail(e.ID)
	}
	return errors.Join(errs...)
}

// Fail makes every later Apply fail for instance id with err, until
// Fail(id, nil).
func (d *Driver) Fail(id string, err error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.failing == nil {
		d.failing = map[string]error{}
	}
	if err == nil {
		delete(d.failing, id)
		return
	}
	d.failing[id] = err
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
