package ovs

import (
	"context"
	"fmt"
	"time"
)

// How often the watcher looks for a switch that changed under us, and
// how often it probes the OpenFlow session with an echo request.
const (
	checkEvery = 250 * time.Millisecond
	echoEvery  = time.Second
	echoWait   = 5 * time.Second
	// echoMisses unanswered echo requests in a row end the session: a
	// busy ovs-vswitchd (adding 1,000 ports) can take seconds to answer
	// one, and a stopped one closes the socket at once anyway.
	echoMisses = 3
	// dialAttempt bounds one wait for the bridge's management socket
	// during a recovery.
	dialAttempt = 3 * time.Second
)

// watch recovers, without an agent restart, from what makes the bridge
// lose our flows or their meaning, until Close:
//   - ovs-vswitchd restarts: the OpenFlow session ends (or stops
//     answering echo requests); the new switch has no flows;
//   - the bridge is deleted (and its management socket with it);
//   - an OpenFlow port the flows use is renumbered in OVSDB;
//   - ovsdb-server restarts (the OVSDB client reconnects by itself and
//     its cache starts again; the checks then read the new one).
//
// Each time it reconnects what must be and applies the last state in
// full again. The gap is what ovs-vswitchd takes to start and the
// watcher to notice (at once for a closed session) and re-apply.
func (d *Driver) watch() {
	defer close(d.stopped)
	tick := time.NewTicker(checkEvery)
	defer tick.Stop()
	lastEcho := time.Now()
	misses := 0
	for {
		d.mu.Lock()
		oc := d.of
		d.mu.Unlock()
		if oc == nil {
			return // closed
		}
		var why string
		select {
		case <-d.stop:
			return
		case <-oc.Done():
			why = "the OpenFlow session ended (ovs-vswitchd restarted?)"
		case <-tick.C:
			probe := time.Since(lastEcho) >= echoEvery
			if probe {
				lastEcho = time.Now()
			}
			why = d.check(oc, probe, &misses)
		}
		if why == "" {
			continue
		}
		if !d.recover(why) {
			return
		}
	}
}

// check returns why the bridge needs the state again, or "": the
// session did not answer echoMisses probes in a row, the bridge is gone, or a port
// the flows use has another OpenFlow number than they say.
func (d *Driver) check(oc *ofConn, probe bool, misses *int) string {
	ctx, cancel := context.WithTimeout(context.Background(), echoWait)
	defer cancel()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.of != oc {
		return "" // closed, or replaced meanwhile
	}
	if probe {
		d.askPEs() // keeps the PE MAC table fresh (MPLS over Ethernet)
		err := oc.echo(ctx)
		if err == nil {
			*misses = 0
		} else if *misses++; *misses >= echoMisses {
			*misses = 0
			oc.Close() // Done fires; recover redials
			return fmt.Sprintf("the OpenFlow session did not answer %d echo requests (%v)", echoMisses, err)
		}
	}
	return d.drift(ctx)
}

// drift says how OVSDB no longer matches what the last Apply programmed,
// or "". The caller holds d.mu.
func (d *Driver) drift(ctx context.Context) string {
	if !d.asked {
		return ""
	}
	b, err := d.db.findBridge(ctx)
	if err != nil {
		return ""
	}
	if b == nil {
		return "bridge " + d.o.Bridge + " is gone"
	}
	names := make([]string, 0, len(d.used))
	for n := range d.used {
		names = append(names, n)
	}
	now := d.db.currentOFPorts(ctx, names)
	for n, was := range d.used {
		if is, ok := now[n]; ok && is != was {
			return fmt.Sprintf("port %s is OpenFlow port %d, the flows say %d", n, is, was)
		}
	}
	return ""
}

// recover makes the bridge hold the last state again: the bridge
// re-created when gone, a new OpenFlow session when the old one ended,
// then the whole state applied. It retries until it succeeds or the
// driver is closed (then false).
func (d *Driver) recover(why string) bool {
	d.log.Warn("recovering the bridge's flows", "why", why)
	start := time.Now()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		select {
		case <-d.stop:
			cancel()
		case <-ctx.Done():
		}
	}()
	for attempt := 1; ; attempt++ {
		err := d.recoverOnce(ctx)
		if err == nil {
			d.log.Info("state re-applied", "why", why, "took", time.Since(start).Round(time.Millisecond), "attempts", attempt)
			return true
		}
		if ctx.Err() != nil {
			return false
		}
		d.log.Error("re-applying the state", "why", why, "attempt", attempt, "error", err)
		select {
		case <-ctx.Done():
			return false
		case <-time.After(min(time.Duration(attempt)*100*time.Millisecond, 2*time.Second)):
		}
	}
}

// recoverOnce: bridge, session, state.
func (d *Driver) recoverOnce(ctx context.Context) error {
	bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := d.db.ensureBridge(bctx, d.o.DatapathType, d.log)
	cancel()
	if err != nil {
		return err
	}
	d.mu.Lock()
	oc := d.of
	d.mu.Unlock()
	if oc == nil {
		return context.Canceled
	}
	if sessionEnded(oc) {
		// The management socket comes with the bridge: wait for it a
		// while, then check the bridge again (our OVSDB cache may have
		// shown a deleted bridge still there, and nothing re-created it).
		dctx, cancel := context.WithTimeout(ctx, dialAttempt)
		noc, err := d.dial(dctx)
		cancel()
		if err != nil {
			return err
		}
		d.mu.Lock()
		if d.of == nil { // closed meanwhile
			d.mu.Unlock()
			noc.Close()
			return context.Canceled
		}
		d.of = noc
		d.mu.Unlock()
		oc.Close()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.asked || d.of == nil {
		return nil
	}
	actx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	err = d.apply(actx, d.state)
	if err != nil && !sessionEnded(d.of) {
		// The state's own errors (a VM interface missing, ...): as
		// Apply reports them; trying again would change nothing.
		d.log.Error("the last state applied with errors", "error", err)
		return nil
	}
	return err
}

func sessionEnded(oc *ofConn) bool {
	select {
	case <-oc.Done():
		return true
	default:
		return false
	}
}
