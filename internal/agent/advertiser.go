package agent

import (
	"context"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// Routes go to the speaker through a queue, not from within Attach and
// Detach: a GoBGP call waits for GoBGP's server loop, which during a table
// dump is busy for tens of milliseconds at a time, and the manager's lock
// would be held all that while. Attach returns once the route is queued,
// as bagpipe's did; one goroutine of Run hands the queue to GoBGP in
// batches, in order.

// bgpOp is a queued advertisement or withdrawal.
type bgpOp struct {
	route    speaker.Route
	withdraw bool
}

// send queues advertisements then withdrawals; m.mu is held.
func (m *Manager) send(adv, wd []speaker.Route) {
	if len(adv)+len(wd) == 0 {
		return
	}
	for _, r := range adv {
		m.pending = append(m.pending, bgpOp{route: r})
	}
	for _, r := range wd {
		m.pending = append(m.pending, bgpOp{route: r, withdraw: true})
	}
	select {
	case m.flush <- struct{}{}:
	default:
	}
}

// advertise hands queued operations to the speaker until ctx ends.
func (m *Manager) advertise(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-m.flush:
		}
		m.mu.Lock()
		ops := m.pending
		m.pending = nil
		m.mu.Unlock()
		for len(ops) > 0 {
			// A run of one kind is one call.
			n := 1 + slices.IndexFunc(ops[1:], func(o bgpOp) bool { return o.withdraw != ops[0].withdraw })
			if n == 0 {
				n = len(ops)
			}
			routes := make([]speaker.Route, n)
			for i := range n {
				routes[i] = ops[i].route
			}
			var err error
			if ops[0].withdraw {
				err = m.bgp.Withdraw(routes...)
			} else {
				err = m.bgp.Advertise(routes...)
			}
			if err != nil {
				m.log.Error("updating BGP routes", "withdraw", ops[0].withdraw, "routes", n, "error", err)
			}
			ops = ops[n:]
		}
	}
}
