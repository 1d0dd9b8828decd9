package keystone

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// clock is a settable time source shared by the fake and the code.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixNano())
	return c
}
func (c *clock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *clock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// fakeToken is what the fake Keystone knows of a token.
type fakeToken struct {
	user, userDomain string
	project          string
	domain           string
	system           bool
	roles            []string
	expires          time.Time
	adminProject     *bool
}

// fakeKeystone is a unit-test stand-in for Keystone's token API: it issues
// service tokens for the password "secret" and validates the tokens a test
// registers. The real Keystone is used by the keystone CI stage.
type fakeKeystone struct {
	t     testing.TB
	srv   *httptest.Server
	clock *clock

	mu            sync.Mutex
	tokens        map[string]fakeToken
	service       string // the service token Keystone currently accepts
	serviceLife   time.Duration
	down          bool
	block         chan struct{} // when set, validations wait on it
	serviceAuths  atomic.Int32
	validations   atomic.Int32
	validateEnter chan struct{}
}

func newFakeKeystone(t testing.TB, c *clock) *fakeKeystone {
	f := &fakeKeystone{t: t, clock: c, tokens: map[string]fakeToken{}, serviceLife: time.Hour, validateEnter: make(chan struct{}, 100)}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeKeystone) add(id string, tok fakeToken) {
	f.mu.Lock()
	f.tokens[id] = tok
	f.mu.Unlock()
}

func (f *fakeKeystone) revoke(id string) {
	f.mu.Lock()
	delete(f.tokens, id)
	f.mu.Unlock()
}

func (f *fakeKeystone) setDown(down bool) {
	f.mu.Lock()
	f.down = down
	f.mu.Unlock()
}

func (f *fakeKeystone) serve(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	down, block := f.down, f.block
	f.mu.Unlock()
	if down {
		panic(http.ErrAbortHandler) // the connection drops: unreachable
	}
	switch {
	case r.Method == http.MethodPost && r.URL.Path == "/v3/auth/tokens":
		f.authenticate(w, r)
	case r.Method == http.MethodGet && r.URL.Path == "/v3/auth/tokens":
		f.validations.Add(1)
		f.validateEnter <- struct{}{}
		if block != nil {
			<-block
		}
		f.validate(w, r)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeKeystone) authenticate(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Auth struct {
			Identity struct {
				Password struct {
					User struct {
						Name, Password string
					}
				}
			}
		}
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	u := body.Auth.Identity.Password.User
	if u.Password != "secret" {
		w.WriteHeader(http.StatusUnauthorized)
		w.Write([]byte(`{"error": {"code": 401, "message": "The request you have made requires authentication.", "title": "Unauthorized"}}`))
		return
	}
	n := f.serviceAuths.Add(1)
	id := "svc-" + u.Name + "-" + string(rune('a'+n))
	exp := f.clock.now().Add(f.serviceLife)
	tok := fakeToken{user: u.Name + "-id", userDomain: "default", project: "service-id", roles: []string{"admin", "member", "reader"}, expires: exp}
	f.mu.Lock()
	f.service = id
	f.tokens[id] = tok
	f.mu.Unlock()
	w.Header().Set("X-Subject-Token", id)
	w.WriteHeader(http.StatusCreated)
	w.Write(f.render(tok))
}

func (f *fakeKeystone) validate(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	svcOK := r.Header.Get("X-Auth-Token") == f.service
	tok, ok := f.tokens[r.Header.Get("X-Subject-Token")]
	f.mu.Unlock()
	if !svcOK {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if !ok || !f.clock.now().Before(tok.expires) {
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"error": {"code": 404, "message": "Could not find token.", "title": "Not Found"}}`))
		return
	}
	w.Header().Set("X-Subject-Token", r.Header.Get("X-Subject-Token"))
	w.Write(f.render(tok))
}

func (f *fakeKeystone) render(t fakeToken) []byte {
	tok := map[string]any{
		"expires_at": t.expires.Format("2006-01-02T15:04:05.000000Z"),
		"issued_at":  f.clock.now().Format("2006-01-02T15:04:05.000000Z"),
		"user":       map[string]any{"id": t.user, "name": t.user + "-name", "domain": map[string]string{"id": t.userDomain, "name": "Default"}},
		"methods":    []string{"password"},
	}
	var roles []map[string]string
	for _, r := range t.roles {
		roles = append(roles, map[string]string{"id": r + "-id", "name": r})
	}
	tok["roles"] = roles
	switch {
	case t.project != "":
		tok["project"] = map[string]any{"id": t.project, "name": t.project + "-name", "domain": map[string]string{"id": "default", "name": "Default"}}
	case t.domain != "":
		tok["domain"] = map[string]string{"id": t.domain, "name": t.domain + "-name"}
	case t.system:
		tok["system"] = map[string]bool{"all": true}
	}
	if t.adminProject != nil {
		tok["is_admin_project"] = *t.adminProject
	}
	tok["catalog"] = []any{}
	b, err := json.Marshal(map[string]any{"token": tok})
	if err != nil {
		f.t.Fatal(err)
	}
	return b
}

// url is the fake's auth_url, as operators write it (no /v3).
func (f *fakeKeystone) url() string { return strings.TrimSuffix(f.srv.URL, "/") }
