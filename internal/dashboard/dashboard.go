// Package dashboard is bgpvpn-server's browser interface: sign-in, the
// BGPVPNs and their network, router and port associations (with live
// status), the agents, and a picture of what each BGPVPN joins.
//
// Every action goes through the server's own API handler, in process, as
// the signed-in identity: policy, validation and error messages are
// exactly what every other client gets, and attributes the API gains show
// up without change here. The dashboard reads the store directly only for
// what the API does not serve (agent liveness, for admins). Pages are
// html/template with embedded assets; forms work without JavaScript, which
// only adds live status updates and confirmations. It must never keep a
// credential anywhere but in its server-side sessions.
package dashboard

import (
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// basePath is where the dashboard is served.
const basePath = "/dashboard/"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Liveness tells which agents are silent (the bagpipe driver's feed hub).
type Liveness interface {
	Silent(tx store.Tx, hosts []string) (dead, never []string, err error)
}

// Options configure the dashboard.
type Options struct {
	// API is the server's API handler, called in process.
	API http.Handler
	// Policy decides which actions are offered (the API decides what is
	// done).
	Policy *policy.Enforcer
	// SignIn checks the sign-in form: NoAuth or Keystone.
	SignIn SignIn
	// Store and Liveness feed the agents page; Liveness is nil when the
	// driver has no agents.
	Store    store.Store
	Liveness Liveness
	// SessionIdle and SessionMax end sessions (defaults 1 h and 12 h).
	SessionIdle, SessionMax time.Duration
	Logger                  *slog.Logger
}

// Dashboard is the dashboard's HTTP handler, serving basePath.
type Dashboard struct {
	api      http.Handler
	policy   *policy.Enforcer
	signIn   SignIn
	store    store.Store
	liveness Liveness
	sessions *sessions
	log      *slog.Logger
	pages    map[string]*template.Template
	mux      *http.ServeMux
}

// New builds the dashboard.
func New(o Options) *Dashboard {
	if o.SessionIdle == 0 {
		o.SessionIdle = time.Hour
	}
	if o.SessionMax == 0 {
		o.SessionMax = 12 * time.Hour
	}
	if o.SignIn == nil {
		o.SignIn = NoAuth{}
	}
	d := &Dashboard{api: o.API, policy: o.Policy, signIn: o.SignIn, store: o.Store, liveness: o.Liveness,
		sessions: newSessions(o.SessionIdle, o.SessionMax), log: o.Logger, pages: parsePages()}
	d.routes()
	return d
}

// Mount serves the dashboard under /dashboard/ beside api, and sends a
// browser asking for / (Accept: text/html) to it; API clients asking for
// / still get the version document. Every other request reaches api as
// it came (no path cleaning).
func Mount(api http.Handler, d *Dashboard) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case strings.HasPrefix(p, basePath):
			d.ServeHTTP(w, r)
		case p == "/dashboard" || (p == "/" && r.Method == http.MethodGet && strings.Contains(r.Header.Get("Accept"), "text/html")):
			http.Redirect(w, r, basePath, http.StatusFound)
		default:
			api.ServeHTTP(w, r)
		}
	})
}

// ServeHTTP implements http.Handler.
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("X-Frame-Options", "DENY")
	d.mux.ServeHTTP(w, r)
}

func (d *Dashboard) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /dashboard/static/", http.StripPrefix("/dashboard/static/", cacheStatic(http.FileServerFS(static))))
	m.HandleFunc("GET /dashboard/{$}", d.home)
	m.HandleFunc("GET /dashboard/login", d.loginPage)
	m.HandleFunc("POST /dashboard/login", d.login)
	m.HandleFunc("POST /dashboard/logout", d.authed(d.logout))
	m.HandleFunc("GET /dashboard/bgpvpns", d.authed(d.listBGPVPNs))
	m.HandleFunc("GET /dashboard/bgpvpns/new", d.authed(d.newBGPVPN))
	m.HandleFunc("POST /dashboard/bgpvpns", d.authed(d.createBGPVPN))
	m.HandleFunc("GET /dashboard/bgpvpns/{id}", d.authed(d.showBGPVPN))
	m.HandleFunc("GET /dashboard/bgpvpns/{id}/edit", d.authed(d.editBGPVPN))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/edit", d.authed(d.updateBGPVPN))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/delete", d.authed(d.deleteBGPVPN))
	m.HandleFunc("GET /dashboard/bgpvpns/{id}/status", d.authed(d.statusJSON))
	m.HandleFunc("GET /dashboard/bgpvpns/{id}/graph.svg", d.authed(d.graphSVG))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/share", d.authed(d.share))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/share/{pid}/delete", d.authed(d.unshare))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/{kind}", d.authed(d.associate))
	m.HandleFunc("GET /dashboard/bgpvpns/{id}/{kind}/{aid}/edit", d.authed(d.editAssociation))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/{kind}/{aid}/edit", d.authed(d.updateAssociation))
	m.HandleFunc("POST /dashboard/bgpvpns/{id}/{kind}/{aid}/delete", d.authed(d.disassociate))
	m.HandleFunc("GET /dashboard/agents", d.authed(d.agents))
	m.HandleFunc("/dashboard/", func(w http.ResponseWriter, r *http.Request) {
		d.notFound(w, r, d.sessions.get(r), "There is no such page.")
	})
	d.mux = m
}

func cacheStatic(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		h.ServeHTTP(w, r)
	})
}

// authed runs h for a signed-in session, checking the CSRF token of
// every POST; others go to the sign-in page.
func (d *Dashboard) authed(h func(http.ResponseWriter, *http.Request, *session)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ss := d.sessions.get(r)
		if ss == nil {
			if strings.HasSuffix(r.URL.Path, "/status") {
				http.Error(w, "signed out", http.StatusUnauthorized)
				return
			}
			// A session cookie without a live session: it ended (expiry,
			// its token's end, a restart); say so on the sign-in page.
			login := basePath + "login?"
			if _, err := r.Cookie(cookieName); err == nil {
				clearCookie(w, r)
				login += "ended=1&"
			}
			if r.Method == http.MethodGet {
				login += "next=" + urlQueryEscape(r.URL.RequestURI())
			}
			http.Redirect(w, r, strings.TrimRight(login, "?&"), http.StatusSeeOther)
			return
		}
		// An id is one path segment of the API: "a%2Fb" must not reach
		// another resource than the page names.
		for _, k := range []string{"id", "aid", "pid"} {
			if v := r.PathValue(k); strings.ContainsAny(v, "/?#\\") || v == "." || v == ".." {
				d.notFound(w, r, ss, "There is no such page.")
				return
			}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err != nil || !validCSRF(ss, r.PostForm.Get("csrf_token")) {
				d.renderStatus(w, r, ss, http.StatusForbidden, "error", page{Title: "Refused",
					Error: "This form has expired or did not come from this dashboard; open the page again and retry."})
				return
			}
		}
		h(w, r, ss)
	}
}

func (d *Dashboard) home(w http.ResponseWriter, r *http.Request) {
	if d.sessions.get(r) == nil {
		http.Redirect(w, r, basePath+"login", http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, basePath+"bgpvpns", http.StatusSeeOther)
}

// admin reports whether the session's identity is an admin for policy.
func (d *Dashboard) admin(ss *session) bool { return d.policy.IsAdmin(ss.who.Credentials()) }

// may reports whether policy lets the session do action (with attrs set)
// on target; the API still decides.
func (d *Dashboard) may(ss *session, action string, target obj, attrs ...string) bool {
	t := policy.Target{}
	for k, v := range target {
		switch v.(type) {
		case string, bool:
			t[k] = v
		}
	}
	// What a caller sees without its owner was readable to it: its own
	// (project_id is hidden from non-admins on BGPVPNs).
	if _, ok := t["tenant_id"]; !ok {
		t["tenant_id"], t["project_id"] = ss.who.ProjectID, ss.who.ProjectID
	}
	return d.policy.Authorize(action, attrs, t, ss.who.Credentials()) == nil
}
