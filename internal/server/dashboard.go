package server

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/config"
	"github.com/bgpvpn/bgpvpn/internal/dashboard"
	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/feed/hub"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// newDashboard builds the dashboard over the API handler. Sign-in is
// noauth's identity choice, or a Keystone password with auth_strategy =
// keystone.
func newDashboard(v *config.Values, api http.Handler, enf *policy.Enforcer, st store.Store, drv driver.Driver, log *slog.Logger) *dashboard.Dashboard {
	o := dashboard.Options{API: api, Policy: enf, SignIn: dashboard.NoAuth{}, Store: st,
		SessionIdle: time.Duration(v.Float("dashboard", "session_idle_timeout") * float64(time.Second)),
		Logger:      log.With("component", "dashboard")}
	if v.String("DEFAULT", "auth_strategy") == "keystone" {
		// Users sign in where keystonemiddleware sends clients
		// (www_authenticate_uri), else at the service's own auth_url.
		u := v.String("keystone_authtoken", "www_authenticate_uri")
		if u == "" {
			u = v.String("keystone_authtoken", "auth_url")
		}
		o.SignIn = dashboard.Keystone{AuthURL: u}
	}
	if h, ok := drv.(interface{ Hub() *hub.Hub }); ok {
		o.Liveness = h.Hub()
	}
	return dashboard.New(o)
}
