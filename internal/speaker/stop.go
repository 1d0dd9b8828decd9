package speaker

import (
	"context"
	"net/netip"
	"slices"
	"time"

	"github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
)

// sessionConn is the TCP connection of an established session, as GoBGP's
// peer events report it: they give the configured local address, so an
// unspecified one (a passive peer's) matches any.
type sessionConn struct {
	local, remote netip.AddrPort
}

// matches reports whether the socket addresses s are those of c.
func (c sessionConn) matches(s sessionConn) bool {
	if c.remote != s.remote || c.local.Port() != s.local.Port() {
		return false
	}
	la := c.local.Addr()
	return !la.IsValid() || la.IsUnspecified() || la == s.local.Addr()
}

// graceful reports whether both ends offered graceful restart: the peer
// then keeps our routes when the session closes without a NOTIFICATION.
func graceful(local, remote []bgp.ParameterCapabilityInterface) bool {
	has := func(caps []bgp.ParameterCapabilityInterface) bool {
		return slices.ContainsFunc(caps, func(c bgp.ParameterCapabilityInterface) bool {
			_, ok := c.(*bgp.CapGracefulRestart)
			return ok
		})
	}
	return has(local) && has(remote)
}

// catchUpWait bounds how long a stop waits for the peer watcher to report
// sessions GoBGP already has established, and closeWait how long it waits
// for GoBGP to close their connections.
const (
	catchUpWait = 2 * time.Second
	closeWait   = 2 * time.Second
)

// stop ends every session, then GoBGP.
//
// GoBGP's StopBgp, peer by peer, first drops what the peer sent us and
// only then ends its session; then it closes its listener, which closes
// the connections it accepted. Two things go wrong with that. With route
// target constraint, dropping a peer's RT membership routes makes GoBGP
// queue withdrawals of our routes toward that peer (and, in a reflector,
// of that peer's routes toward the others), and its sender may write them
// before the session closes: on a graceful stop the peer then forgets
// routes it should keep, stale, while we restart. And the listener may
// close an accepted connection before the session's goroutine has
// written its NOTIFICATION: on a hard stop the peer then sees a silent
// close, takes it for a restart and keeps our routes.
//
// So, on a graceful stop, the connections of sessions where graceful
// restart was negotiated are first shut for writing at the socket:
// nothing more leaves on them (GoBGP's API has no way to end a session
// without a NOTIFICATION: DisablePeer sends a Cease that RFC 8538 makes a
// Hard Reset, ResetPeer sends one and drops the peer's routes, whose
// withdrawals go to the other peers), and the peers see the end of the
// connection as a restart. Then every peer is deleted (a NOTIFICATION on
// the connections still open), GoBGP is given time to close their
// connections, and only then is it stopped. A session being established
// meanwhile cannot come up before the peer is deleted: GoBGP holds a
// peer idle for five seconds after its session ends.
func (sp *Speaker) stop(graceful bool) {
	ctx := context.Background()
	conns, restart := sp.sessionConns(ctx)
	if graceful && len(restart) > 0 {
		n, err := shutdownWrite(restart)
		if err != nil {
			sp.log.Warn("closing BGP sessions for a graceful restart", "error", err)
		}
		sp.log.Info("BGP sessions closed for a graceful restart", "sessions", n)
	}
	sp.cancel() // the watchers end before GoBGP stops
	sp.deleteAllPeers(ctx)
	deadline := time.Now().Add(closeWait)
	for len(conns) > 0 && countSockets(conns) > 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if err := sp.s.StopBgp(ctx, &api.StopBgpRequest{AllowGracefulRestart: graceful}); err != nil {
		sp.log.Warn("stopping BGP", "error", err)
	}
}

// sessionConns returns the connections of the established sessions, and
// among them those where graceful restart was negotiated.
func (sp *Speaker) sessionConns(ctx context.Context) (all, restart []sessionConn) {
	up := sp.establishedInGoBGP(ctx)
	deadline := time.Now().Add(catchUpWait)
	for {
		var missing bool
		all, restart = all[:0], restart[:0]
		sp.mu.Lock()
		for _, addr := range up {
			e, ok := sp.peers[addr]
			if !ok || e.state != "Established" || !e.conn.remote.IsValid() {
				missing = true
				continue
			}
			all = append(all, e.conn)
			if e.graceful {
				restart = append(restart, e.conn)
			}
		}
		sp.mu.Unlock()
		if !missing || time.Now().After(deadline) {
			return all, restart
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// establishedInGoBGP lists the peers whose session GoBGP has established,
// which the peer watcher may not have reported yet.
func (sp *Speaker) establishedInGoBGP(ctx context.Context) []netip.Addr {
	var out []netip.Addr
	// Not under gobgpGlobals, as all of stop (see globals.go).
	err := sp.s.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		if p.GetState().GetSessionState() != api.PeerState_SESSION_STATE_ESTABLISHED {
			return
		}
		if a, err := netip.ParseAddr(p.GetState().GetNeighborAddress()); err == nil {
			out = append(out, a)
		}
	})
	if err != nil {
		sp.log.Warn("listing peers before stopping", "error", err)
	}
	return out
}

// deleteAllPeers deletes every peer GoBGP has, dynamic ones included.
func (sp *Speaker) deleteAllPeers(ctx context.Context) {
	var addrs []netip.Addr
	err := sp.s.ListPeer(ctx, &api.ListPeerRequest{}, func(p *api.Peer) {
		// A dynamic neighbour has no configured address ("invalid IP",
		// on which GoBGP's DeletePeer panics): its session's is in State.
		for _, s := range []string{p.GetState().GetNeighborAddress(), p.GetConf().GetNeighborAddress()} {
			if a, err := netip.ParseAddr(s); err == nil {
				addrs = append(addrs, a)
				return
			}
		}
	})
	if err != nil {
		sp.log.Warn("listing peers before stopping", "error", err)
	}
	for _, a := range addrs {
		if err := sp.s.DeletePeer(ctx, &api.DeletePeerRequest{Address: a.String()}); err != nil {
			sp.log.Warn("deleting peer before stopping", "peer", a, "error", err)
		}
	}
}
