package speaker

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/osrg/gobgp/v4/api"
	"github.com/osrg/gobgp/v4/pkg/apiutil"
	"github.com/osrg/gobgp/v4/pkg/packet/bgp"
	"github.com/osrg/gobgp/v4/pkg/server"
)

// Config is what the speaker needs to start.
type Config struct {
	ASN      uint32
	RouterID netip.Addr
	// ListenPort is the TCP port for inbound sessions: 0 means 179, -1
	// means do not listen (unit tests).
	ListenPort int32
	// ListenAddresses default to all addresses.
	ListenAddresses []netip.Addr
	// GracefulRestart, when above zero, is the restart time (seconds) we
	// advertise; peers then keep our routes that long while we restart.
	GracefulRestart uint32
	// RouteReflector makes every peer a route reflector client, with the
	// router ID as cluster ID.
	RouteReflector bool
	// Logger receives the speaker's and GoBGP's logs; LogLevel sets GoBGP's
	// level (nil: warnings and errors only).
	Logger   *slog.Logger
	LogLevel *slog.LevelVar
}

// Peer is a configured BGP neighbour.
type Peer struct {
	Address netip.Addr
	ASN     uint32
	// Port is the peer's TCP port when we dial out (0: 179).
	Port         uint16
	LocalAddress netip.Addr
	// Passive: wait for the peer to connect; otherwise we dial out and also
	// accept its connections.
	Passive  bool
	Families []Family // nil: AllFamilies
	// HoldTime in seconds (0: GoBGP's default, 90).
	HoldTime uint32
	// ConnectRetry in seconds (0: GoBGP's default).
	ConnectRetry uint32
}

// PeerStatus is a peer as the looking glass shows it.
type PeerStatus struct {
	Address       netip.Addr
	ASN           uint32
	LocalAddress  netip.Addr
	Passive       bool
	State         string // Idle, Connect, Active, OpenSent, OpenConfirm, Established
	PreviousState string
	// LastTransition is when State was entered.
	LastTransition time.Time
	HoldTime       uint32
	// Families lists the configured families; Negotiated those the peer
	// also offered (only while established).
	Families   []Family
	Negotiated []Family
	// Received counts the routes received per family.
	Received map[Family]uint64
}

// RTCActive reports whether route target constraint is in use on the
// session.
func (p PeerStatus) RTCActive() bool { return slices.Contains(p.Negotiated, RTC) }

// ErrStopped is returned by calls made after Stop.
var ErrStopped = errors.New("speaker stopped")

// Speaker is a running BGP speaker.
type Speaker struct {
	cfg Config
	s   *server.BgpServer
	log *slog.Logger

	cancel context.CancelFunc // stops the watchers

	mu    sync.Mutex
	peers map[netip.Addr]*peerEntry

	updErr *updateErrorCounts
}

type peerEntry struct {
	conf       Peer
	state      string
	prev       string
	since      time.Time
	negotiated []Family
	// conn and graceful describe the session while it is established.
	conn     sessionConn
	graceful bool
}

// Start starts a speaker. Stop it with Stop.
func Start(ctx context.Context, cfg Config) (*Speaker, error) {
	if !cfg.RouterID.Is4() {
		return nil, fmt.Errorf("%w: router ID %s is not an IPv4 address", ErrBadValue, cfg.RouterID)
	}
	if cfg.ASN == 0 {
		return nil, fmt.Errorf("%w: ASN 0", ErrBadValue)
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	counts := new(updateErrorCounts)
	gobgpLog := slog.New(countingHandler{log.Handler(), counts}).With("component", "gobgp")
	log = log.With("component", "speaker")
	lvl := cfg.LogLevel
	if lvl == nil {
		lvl = new(slog.LevelVar)
		lvl.Set(slog.LevelWarn)
	}
	bs := server.NewBgpServer(server.LoggerOption(gobgpLog, lvl))
	go bs.Serve()

	g := &api.Global{
		Asn:        cfg.ASN,
		RouterId:   cfg.RouterID.String(),
		ListenPort: cfg.ListenPort,
	}
	if g.ListenPort == 0 {
		g.ListenPort = 179
	}
	for _, a := range cfg.ListenAddresses {
		g.ListenAddresses = append(g.ListenAddresses, a.String())
	}
	gobgpGlobals.Lock()
	err := bs.StartBgp(ctx, &api.StartBgpRequest{Global: g})
	gobgpGlobals.Unlock()
	if err != nil {
		bs.Stop()
		return nil, fmt.Errorf("starting BGP: %w", err)
	}
	wctx, cancel := context.WithCancel(context.Background())
	sp := &Speaker{cfg: cfg, s: bs, log: log, cancel: cancel, peers: map[netip.Addr]*peerEntry{}, updErr: counts}
	if err := bs.WatchEvent(wctx, server.WatchEventMessageCallbacks{OnPeerUpdate: sp.onPeer}, server.WatchPeer()); err != nil {
		cancel()
		bs.Stop()
		return nil, fmt.Errorf("watching peers: %w", err)
	}
	return sp, nil
}

// Stop closes every session with a NOTIFICATION (a Hard Reset where RFC
// 8538 was negotiated), so that peers drop our routes at once, and stops
// the speaker. Watchers end first, as GoBGP wants.
func (sp *Speaker) Stop() { sp.stop(false) }

// StopGraceful stops the speaker for a restart: sessions where graceful
// restart was negotiated close without a NOTIFICATION, and nothing is sent
// on them from the moment StopGraceful is called (no withdrawal), so those
// peers keep our routes, marked stale, for the restart time or until we
// are back and have sent them again; the others get a NOTIFICATION as
// with Stop. It serves a process about to exit as well as one that goes
// on.
func (sp *Speaker) StopGraceful() { sp.stop(true) }

// RouterID is the speaker's router ID.
func (sp *Speaker) RouterID() netip.Addr { return sp.cfg.RouterID }

// AddPeer configures a neighbour.
func (sp *Speaker) AddPeer(ctx context.Context, p Peer) error {
	if !p.Address.IsValid() {
		return fmt.Errorf("%w: peer without an address", ErrBadValue)
	}
	fams := p.Families
	if fams == nil {
		fams = AllFamilies
	}
	p.Families = slices.Clone(fams)
	ap := &api.Peer{
		Conf: &api.PeerConf{NeighborAddress: p.Address.String(), PeerAsn: p.ASN},
		Transport: &api.Transport{
			PassiveMode: p.Passive,
			RemotePort:  uint32(p.Port),
		},
		Timers: &api.Timers{Config: &api.TimersConfig{
			HoldTime:          uint64(p.HoldTime),
			KeepaliveInterval: uint64(p.HoldTime / 3),
			ConnectRetry:      uint64(p.ConnectRetry),
		}},
	}
	if p.LocalAddress.IsValid() {
		ap.Transport.LocalAddress = p.LocalAddress.String()
	}
	if sp.cfg.RouteReflector {
		ap.RouteReflector = &api.RouteReflector{RouteReflectorClient: true, RouteReflectorClusterId: sp.cfg.RouterID.String()}
	}
	ap.GracefulRestart = sp.gracefulRestart()
	var err error
	if ap.AfiSafis, err = sp.afiSafis(fams); err != nil {
		return err
	}
	sp.mu.Lock()
	sp.peers[p.Address] = &peerEntry{conf: p, state: "Idle", since: time.Now()}
	sp.mu.Unlock()
	defer shared()()
	if err := sp.s.AddPeer(ctx, &api.AddPeerRequest{Peer: ap}); err != nil {
		sp.mu.Lock()
		delete(sp.peers, p.Address)
		sp.mu.Unlock()
		return fmt.Errorf("adding peer %s: %w", p.Address, err)
	}
	sp.log.Info("peer added", "peer", p.Address, "asn", p.ASN, "passive", p.Passive)
	return nil
}

// gracefulRestart is a peer's graceful restart configuration, nil when
// it is off. NotificationEnabled (RFC 8538): a plain Cease keeps our
// routes at the peer; only a Hard Reset flushes them.
func (sp *Speaker) gracefulRestart() *api.GracefulRestart {
	if sp.cfg.GracefulRestart == 0 {
		return nil
	}
	return &api.GracefulRestart{Enabled: true, RestartTime: sp.cfg.GracefulRestart, NotificationEnabled: true}
}

// afiSafis configures fams, with graceful restart for each when it is on.
func (sp *Speaker) afiSafis(fams []Family) ([]*api.AfiSafi, error) {
	var l []*api.AfiSafi
	for _, f := range fams {
		gf := f.gobgp()
		if gf == 0 {
			return nil, fmt.Errorf("%w: family %d", ErrBadValue, f)
		}
		as := &api.AfiSafi{Config: &api.AfiSafiConfig{Family: apiutil.ToApiFamily(gf.Afi(), gf.Safi()), Enabled: true}}
		if sp.cfg.GracefulRestart > 0 {
			as.MpGracefulRestart = &api.MpGracefulRestart{Config: &api.MpGracefulRestartConfig{Enabled: true}}
		}
		l = append(l, as)
	}
	return l, nil
}

// DeletePeer removes a neighbour and its routes.
func (sp *Speaker) DeletePeer(ctx context.Context, addr netip.Addr) error {
	defer shared()()
	if err := sp.s.DeletePeer(ctx, &api.DeletePeerRequest{Address: addr.String()}); err != nil {
		return fmt.Errorf("deleting peer %s: %w", addr, err)
	}
	sp.mu.Lock()
	delete(sp.peers, addr)
	sp.mu.Unlock()
	return nil
}

// ResetPeer closes the session with a peer; it comes back by itself.
func (sp *Speaker) ResetPeer(ctx context.Context, addr netip.Addr) error {
	defer shared()()
	if err := sp.s.ResetPeer(ctx, &api.ResetPeerRequest{Address: addr.String()}); err != nil {
		return fmt.Errorf("resetting peer %s: %w", addr, err)
	}
	return nil
}

// AddDynamicNeighbors accepts sessions from any address of prefix with the
// given AS (route reflector mode), with the same families as AddPeer.
func (sp *Speaker) AddDynamicNeighbors(ctx context.Context, prefix netip.Prefix, asn uint32) error {
	group := "dyn-" + prefix.String()
	pg := &api.PeerGroup{
		Conf:      &api.PeerGroupConf{PeerGroupName: group, PeerAsn: asn},
		Transport: &api.Transport{PassiveMode: true},
	}
	if sp.cfg.RouteReflector {
		pg.RouteReflector = &api.RouteReflector{RouteReflectorClient: true, RouteReflectorClusterId: sp.cfg.RouterID.String()}
	}
	pg.GracefulRestart = sp.gracefulRestart()
	var err error
	if pg.AfiSafis, err = sp.afiSafis(AllFamilies); err != nil {
		return err
	}
	defer shared()()
	if err := sp.s.AddPeerGroup(ctx, &api.AddPeerGroupRequest{PeerGroup: pg}); err != nil {
		return fmt.Errorf("adding peer group %s: %w", group, err)
	}
	if err := sp.s.AddDynamicNeighbor(ctx, &api.AddDynamicNeighborRequest{DynamicNeighbor: &api.DynamicNeighbor{Prefix: prefix.String(), PeerGroup: group}}); err != nil {
		return fmt.Errorf("adding dynamic neighbours %s: %w", prefix, err)
	}
	return nil
}

// Advertise originates routes (or replaces those with the same Key).
func (sp *Speaker) Advertise(routes ...Route) error {
	if len(routes) == 0 {
		return nil
	}
	paths := make([]*apiutil.Path, 0, len(routes))
	for i := range routes {
		p, err := routes[i].toPath(false)
		if err != nil {
			return fmt.Errorf("advertising %s: %w", &routes[i], err)
		}
		paths = append(paths, p)
	}
	defer shared()()
	if _, err := sp.s.AddPath(apiutil.AddPathRequest{Paths: paths}); err != nil {
		return fmt.Errorf("advertising %d routes: %w", len(routes), err)
	}
	return nil
}

// Withdraw stops originating routes; only their NLRI fields matter.
func (sp *Speaker) Withdraw(routes ...Route) error {
	if len(routes) == 0 {
		return nil
	}
	paths := make([]*apiutil.Path, 0, len(routes))
	for i := range routes {
		p, err := routes[i].toPath(true)
		if err != nil {
			return fmt.Errorf("withdrawing %s: %w", &routes[i], err)
		}
		paths = append(paths, p)
	}
	defer shared()()
	if err := sp.s.DeletePath(apiutil.DeletePathRequest{Paths: paths}); err != nil {
		return fmt.Errorf("withdrawing %d routes: %w", len(routes), err)
	}
	return nil
}

// WatchBest calls fn with every change of best path, starting with the
// current table, until ctx ends. Locally originated routes are included
// (their Peer is the zero Addr) so that the instances of one agent see each
// other's routes without a round trip through a reflector. fn runs on one
// goroutine, in order; it must not block for long, nor keep the slice it
// is given, which is reused: GoBGP calls back once per UPDATE received,
// and a new slice each time was 40 of the 900 MB a 100,000-route table
// dump allocates.
func (sp *Speaker) WatchBest(ctx context.Context, fn func([]Update)) error {
	var buf []Update
	cb := func(paths []*apiutil.Path, _ time.Time) {
		ups := buf[:0]
		for _, p := range paths {
			if p == nil {
				continue
			}
			r, ok := routeFrom(p)
			if !ok {
				continue
			}
			ups = append(ups, Update{Route: r, Withdraw: p.Withdrawal})
		}
		if len(ups) > 0 {
			fn(ups)
		}
		clear(ups) // let the routes' slices go
		// The initial table comes in one call: do not keep its size.
		if cap(ups) <= 256 {
			buf = ups
		} else {
			buf = nil
		}
	}
	defer shared()()
	if err := sp.s.WatchEvent(ctx, server.WatchEventMessageCallbacks{OnBestPath: cb}, server.WatchBestPath(true)); err != nil {
		return fmt.Errorf("watching best paths: %w", err)
	}
	return nil
}

// Best calls fn with the best path of every NLRI of a family, ours
// included (their Peer is the zero Addr).
func (sp *Speaker) Best(f Family, fn func(*Route)) error {
	defer shared()()
	err := sp.s.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_GLOBAL, Family: f.gobgp()}, func(_ bgp.NLRI, paths []*apiutil.Path) {
		for _, p := range paths {
			if !p.Best {
				continue
			}
			if r, ok := routeFrom(p); ok {
				fn(&r)
			}
		}
	})
	if err != nil {
		return fmt.Errorf("listing %s routes: %w", f, err)
	}
	return nil
}

// AdjOut lists the routes sent to a peer in a family.
func (sp *Speaker) AdjOut(peer netip.Addr, f Family) ([]Route, error) {
	var out []Route
	defer shared()()
	err := sp.s.ListPath(apiutil.ListPathRequest{TableType: api.TableType_TABLE_TYPE_ADJ_OUT, Name: peer.String(), Family: f.gobgp()}, func(_ bgp.NLRI, paths []*apiutil.Path) {
		for _, p := range paths {
			if r, ok := routeFrom(p); ok {
				out = append(out, r)
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("listing routes sent to %s: %w", peer, err)
	}
	return out, nil
}

func (sp *Speaker) onPeer(ev *apiutil.WatchEventMessage_PeerEvent, ts time.Time) {
	if ev.Type != apiutil.PEER_EVENT_STATE {
		return
	}
	st := ev.Peer.State
	addr := st.NeighborAddress
	state := stateName(st.SessionState)
	var neg []Family
	var conn sessionConn
	var gr bool
	if st.SessionState == bgp.BGP_FSM_ESTABLISHED {
		neg = negotiated(st.LocalCap, st.RemoteCap)
		gr = graceful(st.LocalCap, st.RemoteCap)
		tr := ev.Peer.Transport
		conn = sessionConn{
			local:  netip.AddrPortFrom(tr.LocalAddress.Unmap().WithZone(""), uint16(tr.LocalPort)),
			remote: netip.AddrPortFrom(addr.Unmap().WithZone(""), uint16(tr.RemotePort)),
		}
	}
	sp.mu.Lock()
	e, ok := sp.peers[addr]
	if !ok {
		// A dynamic neighbour.
		e = &peerEntry{conf: Peer{Address: addr, ASN: st.PeerASN, Passive: true, Families: AllFamilies}}
		sp.peers[addr] = e
	}
	if e.state != state {
		e.prev, e.state, e.since = e.state, state, ts
	}
	e.negotiated, e.conn, e.graceful = neg, conn, gr
	sp.mu.Unlock()
	sp.log.Info("peer state", "peer", addr, "state", state, "reason", st.DisconnectMessage)
}

func negotiated(local, remote []bgp.ParameterCapabilityInterface) []Family {
	mp := func(caps []bgp.ParameterCapabilityInterface) map[bgp.Family]bool {
		m := map[bgp.Family]bool{}
		for _, c := range caps {
			if c, ok := c.(*bgp.CapMultiProtocol); ok {
				m[c.CapValue] = true
			}
		}
		return m
	}
	l, r := mp(local), mp(remote)
	var out []Family
	for _, f := range AllFamilies {
		if l[f.gobgp()] && r[f.gobgp()] {
			out = append(out, f)
		}
	}
	return out
}

func stateName(s bgp.FSMState) string {
	switch s {
	case bgp.BGP_FSM_IDLE:
		return "Idle"
	case bgp.BGP_FSM_CONNECT:
		return "Connect"
	case bgp.BGP_FSM_ACTIVE:
		return "Active"
	case bgp.BGP_FSM_OPENSENT:
		return "OpenSent"
	case bgp.BGP_FSM_OPENCONFIRM:
		return "OpenConfirm"
	case bgp.BGP_FSM_ESTABLISHED:
		return "Established"
	}
	return "Unknown"
}

// Peers reports every peer, configured or dynamic, sorted by address,
// without route counts: it costs nothing, so the looking glass summary may
// be polled often.
func (sp *Speaker) Peers(ctx context.Context) ([]PeerStatus, error) {
	sp.mu.Lock()
	out := make([]PeerStatus, 0, len(sp.peers))
	for addr, e := range sp.peers {
		out = append(out, PeerStatus{
			Address:        addr,
			ASN:            e.conf.ASN,
			LocalAddress:   e.conf.LocalAddress,
			Passive:        e.conf.Passive,
			State:          e.state,
			PreviousState:  e.prev,
			LastTransition: e.since,
			HoldTime:       e.conf.HoldTime,
			Families:       slices.Clone(e.conf.Families),
			Negotiated:     slices.Clone(e.negotiated),
		})
	}
	sp.mu.Unlock()
	slices.SortFunc(out, func(a, b PeerStatus) int { return a.Address.Compare(b.Address) })
	return out, nil
}

// PeerDetail reports one peer with its negotiated hold time and the routes
// received per family. Counting walks the peer's table: do not poll it.
func (sp *Speaker) PeerDetail(ctx context.Context, addr netip.Addr) (PeerStatus, bool, error) {
	all, _ := sp.Peers(ctx)
	i := slices.IndexFunc(all, func(p PeerStatus) bool { return p.Address == addr })
	if i < 0 {
		return PeerStatus{}, false, nil
	}
	ps := all[i]
	ps.Received = map[Family]uint64{}
	defer shared()()
	err := sp.s.ListPeer(ctx, &api.ListPeerRequest{Address: addr.String()}, func(p *api.Peer) {
		if h := p.GetTimers().GetState().GetNegotiatedHoldTime(); h != 0 {
			ps.HoldTime = uint32(h)
		}
		for _, as := range p.AfiSafis {
			st := as.GetState()
			if st == nil || st.Family == nil {
				continue
			}
			if f, ok := familyOf(apiutil.ToFamily(st.Family)); ok {
				ps.Received[f] = st.Received
			}
		}
	})
	if err != nil {
		return PeerStatus{}, false, fmt.Errorf("listing peer %s: %w", addr, err)
	}
	return ps, true, nil
}

func timeUnix(s int64) time.Time { return time.Unix(s, 0) }
