// Package daemon wires bgpvpn-agent together from its settings: the BGP
// speaker, the VPN manager with its dataplane drivers, the REST API and,
// when configured, the agent feed; or,
// in route reflector mode, a speaker alone. It owns their goroutines and
// stops them when its context ends.
package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/agent/agentconf"
	"github.com/bgpvpn/bgpvpn/internal/agent/api"
	"github.com/bgpvpn/bgpvpn/internal/agent/feedsync"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/feed/client"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// Options are what the command line adds to the settings.
type Options struct {
	Logger   *slog.Logger
	Logs     *api.LogRing
	BGPLevel *slog.LevelVar
	Version  string
	// Ready, if set, is called once the API listens (tests, benchmarks).
	Ready func(apiAddr string)
}

func (o *Options) speakerConfig(s *agentconf.Settings) speaker.Config {
	port := int32(s.BGPPort)
	if !s.Listen {
		port = -1
	}
	return speaker.Config{
		ASN: s.ASN, RouterID: s.LocalAddress, ListenPort: port, ListenAddresses: []netip.Addr{s.LocalAddress},
		GracefulRestart: s.GracefulRestart, Logger: o.Logger, LogLevel: o.BGPLevel,
	}
}

func (o *Options) peer(s *agentconf.Settings, p netip.Addr) speaker.Peer {
	fams := speaker.AllFamilies
	if !s.EnableRTC {
		fams = []speaker.Family{speaker.VPNv4, speaker.VPNv6, speaker.EVPN}
	}
	asn := s.ASN
	if a, ok := s.PeerASN[p]; ok {
		asn = a
	}
	return speaker.Peer{Address: p, ASN: asn, Port: s.BGPPort, LocalAddress: s.LocalAddress, Families: fams, HoldTime: s.HoldTime, ConnectRetry: 5}
}

// Run runs the agent until ctx ends. Every goroutine it starts has ended
// when it closes the dataplane drivers and then stops the speaker, so
// that nothing applies a state to a closed driver or gives routes to a
// stopped speaker.
func Run(ctx context.Context, s *agentconf.Settings, o Options) error {
	log := o.Logger
	for _, u := range s.Unknown {
		log.Warn("unknown option ignored", "option", u)
	}
	sp, err := speaker.Start(ctx, o.speakerConfig(s))
	if err != nil {
		return err
	}
	// For a restart: peers that do graceful restart keep our routes
	// (stale) until we are back, as the dataplane keeps forwarding
	// (adopt_grace), so a restart interrupts no traffic.
	defer sp.StopGraceful()

	ipvpn, err := dataplane.New(s.IPVPNDriver, o.dataplaneOptions(s.IPVPNOptions, "ipvpn"))
	if err != nil {
		return fmt.Errorf("IP VPN dataplane: %w", err)
	}
	defer ipvpn.Close()
	evpn := ipvpn
	if s.EVPNDriver != s.IPVPNDriver || s.IPVPNDriver == "dummy" {
		if evpn, err = dataplane.New(s.EVPNDriver, o.dataplaneOptions(s.EVPNOptions, "evpn")); err != nil {
			return fmt.Errorf("EVPN dataplane: %w", err)
		}
		defer evpn.Close()
	}
	m, err := agent.New(agent.Config{
		ASN: s.ASN, LocalAddress: s.LocalAddress, NextHop: s.IPVPNNextHop, EnableRTC: s.EnableRTC,
		StrictVNI: s.StrictVNI, EVPNType5: s.EVPNType5, IPVPNDriver: ipvpn, EVPNDriver: evpn, Logger: log,
	}, sp)
	if err != nil {
		return err
	}
	for _, p := range s.Peers {
		if err := sp.AddPeer(ctx, o.peer(s, p)); err != nil {
			return err
		}
	}
	var follow *feedsync.Syncer
	if s.Feed.URL != "" {
		fc, err := client.New(client.Config{URL: s.Feed.URL, Host: s.Feed.Host, Secret: s.Feed.Secret, Logger: log})
		if err != nil {
			return fmt.Errorf("[AGENT_FEED]: %w", err)
		}
		follow = feedsync.New(feedsync.Config{Feed: fc, Manager: m, PortPrefix: s.Feed.PortPrefix, Logger: log})
	}

	srv := &api.Server{Manager: m, BGP: sp, Logs: o.Logs, Config: s.Sections, Version: o.Version, Log: log.With("component", "api")}
	ln, err := net.Listen("tcp", s.APIAddr)
	if err != nil {
		return fmt.Errorf("REST API: %w", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}

	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	errc := make(chan error, 3) // one per goroutine that reports
	wg.Go(func() { errc <- m.Run(ctx) })
	if follow != nil {
		wg.Go(func() {
			if err := follow.Run(ctx); ctx.Err() == nil {
				errc <- fmt.Errorf("agent feed: %w", err)
			}
		})
		log.Info("following the agent feed", "url", s.Feed.URL, "host", s.Feed.Host)
	}
	wg.Go(func() { manageMemory(ctx, m.Churn) })
	wg.Go(func() {
		if err := hs.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			errc <- fmt.Errorf("REST API: %w", err)
		}
	})
	log.Info("bgpvpn-agent started", "api", ln.Addr().String(), "local_address", s.LocalAddress, "peers", fmt.Sprint(s.Peers))
	if o.Ready != nil {
		o.Ready(ln.Addr().String())
	}
	select {
	case <-ctx.Done():
	case err = <-errc:
	}
	cancel()
	shutdownHTTP(hs, log)
	wg.Wait()
	return err
}

// shutdownHTTP lets requests in progress end (for at most five seconds),
// then closes what is left, so that no handler outlives Run.
func shutdownHTTP(hs *http.Server, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(ctx); err != nil {
		log.Warn("REST API: requests still running at shutdown", "error", err)
		_ = hs.Close()
	}
}

// dataplaneOptions are the options of a dataplane driver for VPN type t:
// its section and the agent's logger.
func (o *Options) dataplaneOptions(section map[string]string, t string) dataplane.Options {
	return dataplane.Options{Config: withType(section, t), Logger: o.Logger.With("vpn_type", t)}
}

func withType(opts map[string]string, t string) map[string]string {
	out := map[string]string{dataplane.OptVPNType: t}
	for k, v := range opts {
		out[k] = v
	}
	return out
}

// RunReflector runs a route reflector until ctx ends: every configured peer
// and any speaker of our AS from the client prefixes is a client.
func RunReflector(ctx context.Context, s *agentconf.Settings, o Options) error {
	cfg := o.speakerConfig(s)
	cfg.RouteReflector = true
	sp, err := speaker.Start(ctx, cfg)
	if err != nil {
		return err
	}
	defer sp.StopGraceful()
	for _, p := range s.Peers {
		if err := sp.AddPeer(ctx, o.peer(s, p)); err != nil {
			return err
		}
	}
	for _, pf := range s.RRClients {
		if err := sp.AddDynamicNeighbors(ctx, pf, s.ASN); err != nil {
			return err
		}
	}
	o.Logger.Info("route reflector started", "local_address", s.LocalAddress, "port", s.BGPPort, "clients", fmt.Sprint(s.RRClients))
	if o.Ready != nil {
		o.Ready("")
	}
	<-ctx.Done()
	return nil
}
