package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/api"
	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/config"
	"github.com/bgpvpn/bgpvpn/internal/core"
	"github.com/bgpvpn/bgpvpn/internal/dashboard"
	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/identity"
	"github.com/bgpvpn/bgpvpn/internal/identity/keystone"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/slowbody"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

// Server is a configured, not yet listening, bgpvpn-server.
type Server struct {
	Addr    string
	Handler http.Handler
	// Driver is the service driver (tests and benchmarks read its
	// counters).
	Driver  driver.Driver
	log     *slog.Logger
	closers []func() error
	// endStreams ends the long-lived streams (the agent feed), which a
	// graceful shutdown would otherwise wait for.
	endStreams func()
}

// OpenStore opens the configured database and applies migrations:
// [database] connection (postgresql://… for several replicas on one
// database, or sqlite:///path), else a SQLite file in data_dir.
func OpenStore(ctx context.Context, v *config.Values) (*sqlstore.Store, error) {
	if conn := v.String("database", "connection"); conn != "" {
		if p, ok := strings.CutPrefix(conn, "sqlite:///"); ok {
			if err := os.MkdirAll(filepath.Dir("/"+p), 0o750); err != nil {
				return nil, fmt.Errorf("creating the database directory: %w", err)
			}
		}
		st, err := sqlstore.Open(ctx, conn)
		if err != nil {
			return nil, fmt.Errorf("[database] connection: %w", err)
		}
		return st, nil
	}
	path := filepath.Join(v.String("DEFAULT", "data_dir"), "bgpvpn.db")
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, fmt.Errorf("creating data directory: %w", err)
	}
	return sqlstore.OpenSQLite(ctx, path)
}

// authenticator is [DEFAULT] auth_strategy: noauth's identity headers, or
// Keystone tokens checked as [keystone_authtoken] says.
func authenticator(v *config.Values, log *slog.Logger) (identity.Authenticator, error) {
	if v.String("DEFAULT", "auth_strategy") != "keystone" {
		admin := policy.Credentials{UserID: v.String("noauth", "admin_user_id"), ProjectID: v.String("noauth", "admin_project_id"), Roles: []string{"admin"}}
		return identity.NoAuth{Admin: admin}, nil
	}
	cfg, err := keystone.ConfigFrom(v, v.Unknown())
	if err != nil {
		return nil, err
	}
	return keystone.New(cfg, log.With("component", "keystone"))
}

// coreModel is the core network model: our own tables, or in Neutron
// mode the mirror's, which API callers only read (Neutron owns them).
func coreModel(v *config.Values, svc *bgpvpn.Service) api.CoreModel {
	if neutronMode(v) {
		return core.Mirrored{}
	}
	return core.NewStandalone(&network.Service{RouterInterfaceAllowed: svc.RouterInterfaceAllowed}, svc)
}

// New builds the server from configuration values.
func New(ctx context.Context, v *config.Values, log *slog.Logger) (*Server, error) {
	prov, err := ParseProvider(v.Multi("service_providers", "service_provider"))
	if err != nil {
		return nil, err
	}
	enf, err := policy.New(policy.Defaults(), v.String("oslo_policy", "policy_file"))
	if err != nil {
		return nil, fmt.Errorf("loading policy: %w", err)
	}
	st, err := OpenStore(ctx, v)
	if err != nil {
		return nil, err
	}
	if err := st.Warm(ctx); err != nil {
		st.Close()
		return nil, fmt.Errorf("reading the database: %w", err)
	}
	drv, err := driver.New(prov.Driver, driver.Options{Name: prov.Name, Logger: log.With("component", "driver"), Store: st,
		Config: driverConfig(v)})
	if err != nil {
		st.Close()
		return nil, err
	}
	svc := &bgpvpn.Service{Driver: drv, Log: log.With("component", "bgpvpn")}
	auth, err := authenticator(v, log)
	if err != nil {
		drv.Close()
		st.Close()
		return nil, err
	}
	h := api.New(api.Options{Store: st, Policy: enf, Auth: auth, Service: svc, Core: coreModel(v, svc),
		Logger: log.With("component", "api"), QuotaDefaults: quotaDefaults(v)})
	var handler http.Handler = h
	closers := []func() error{drv.Close, st.Close}
	if neutronMode(v) {
		f, stop, err := neutronFront(ctx, v, log, st, svc, h)
		if err != nil {
			drv.Close()
			st.Close()
			return nil, err
		}
		handler, closers = f, append([]func() error{stop}, closers...)
	}
	if v.Bool("dashboard", "enabled") {
		handler = dashboard.Mount(handler, newDashboard(v, h, enf, st, drv, log))
	}
	endStreams := func() {}
	if feed, ok := drv.(driver.HTTPHandler); ok {
		mux := http.NewServeMux()
		mux.Handle(feed.PathPrefix(), feed)
		mux.Handle("/", handler)
		handler = mux
		// Closing is idempotent; Close closes it again.
		endStreams = func() { drv.Close() }
	}
	handler = slowbody.Limit(handler, time.Duration(v.Float("DEFAULT", "client_body_timeout")*float64(time.Second)))
	addr := net.JoinHostPort(v.String("DEFAULT", "bind_host"), strconv.FormatInt(v.Int("DEFAULT", "bind_port"), 10))
	return &Server{Addr: addr, Handler: handler, Driver: drv, log: log, closers: closers, endStreams: endStreams}, nil
}

// Run serves until ctx is cancelled, then drains requests and closes.
func (s *Server) Run(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{Handler: s.Handler, ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	hs.RegisterOnShutdown(s.endStreams)
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	s.log.Info("serving", "addr", ln.Addr().String())
	var err error
	select {
	case err = <-errc:
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = hs.Shutdown(shutdownCtx)
		cancel()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return errors.Join(err, s.Close())
}

// Close releases the driver and the store of a server that Run does not
// serve (Run closes them itself), e.g. one whose Handler a test mounts.
func (s *Server) Close() error {
	var err error
	for _, c := range s.closers {
		err = errors.Join(err, c())
	}
	s.closers = nil
	return err
}
