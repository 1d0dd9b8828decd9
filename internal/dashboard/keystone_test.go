package dashboard

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// fakeKeystone answers POST /v3/auth/tokens like Keystone for one user.
func fakeKeystone(t *testing.T) *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.URL.Path != "/identity/v3/auth/tokens" {
			http.NotFound(w, r)
			return
		}
		var body struct {
			Auth struct {
				Identity struct {
					Methods  []string
					Password struct {
						User struct {
							Name, Password string
							Domain         struct{ Name string }
						}
					}
				}
				Scope struct {
					Project struct {
						Name   string
						Domain struct{ Name string }
					}
				}
			}
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		a := body.Auth
		u := a.Identity.Password.User
		if !cmp.Equal(a.Identity.Methods, []string{"password"}) || u.Name != "alice" || u.Password != "s3cret" ||
			u.Domain.Name != "Default" || a.Scope.Project.Name != "demo" || a.Scope.Project.Domain.Name != "Default" {
			w.WriteHeader(http.StatusUnauthorized)
			w.Write([]byte(`{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`))
			return
		}
		w.Header().Set("X-Subject-Token", "gAAAAAB-token")
		w.WriteHeader(http.StatusCreated)
		w.Write([]byte(`{"token": {"methods": ["password"], "expires_at": "2030-01-02T03:04:05.000000Z",
			"user": {"id": "u-1", "name": "alice", "domain": {"id": "default", "name": "Default"}},
			"project": {"id": "p-1", "name": "demo", "domain": {"id": "default", "name": "Default"}},
			"roles": [{"id": "r1", "name": "member"}, {"id": "r2", "name": "reader"}]}}`))
	}))
}

func TestKeystoneSignIn(t *testing.T) {
	ks := fakeKeystone(t)
	defer ks.Close()
	k := Keystone{AuthURL: ks.URL + "/identity/v3/"}
	got, err := k.SignIn(context.Background(), SignInForm{User: "alice", Password: "s3cret", Project: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	want := Identity{UserID: "u-1", UserName: "alice", ProjectID: "p-1", ProjectName: "demo", Roles: []string{"member", "reader"},
		Token: "gAAAAAB-token", Expires: time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SignIn (-want +got):\n%s", d)
	}
	// The same URL without /v3 works too.
	if _, err := (Keystone{AuthURL: ks.URL + "/identity"}).SignIn(context.Background(), SignInForm{User: "alice", Password: "s3cret", Project: "demo"}); err != nil {
		t.Errorf("auth_url without /v3: %v", err)
	}
	for _, f := range []SignInForm{
		{User: "alice", Password: "wrong", Project: "demo"},
		{User: "alice", Password: "s3cret", Project: "other"},
		{User: "", Password: "s3cret", Project: "demo"},
	} {
		if _, err := k.SignIn(context.Background(), f); !errors.Is(err, ErrBadCredentials) {
			t.Errorf("SignIn(%+v) = %v, want ErrBadCredentials", f, err)
		}
	}
	// An unreachable Keystone is an error, not a refusal of the user.
	ks.Close()
	if _, err := k.SignIn(context.Background(), SignInForm{User: "alice", Password: "s3cret", Project: "demo"}); err == nil || errors.Is(err, ErrBadCredentials) {
		t.Errorf("SignIn with Keystone down = %v, want a connection error", err)
	}
}

func TestKeystoneIdentityTravelsAsAToken(t *testing.T) {
	r := httptest.NewRequest("GET", "/v2.0/bgpvpn/bgpvpns", nil)
	Identity{UserID: "u-1", ProjectID: "p-1", Roles: []string{"admin"}, Token: "tok"}.apply(r)
	if r.Header.Get("X-Auth-Token") != "tok" || r.Header.Get("X-Roles") != "" || r.Header.Get("X-User-Id") != "" {
		t.Errorf("headers = %v, want only X-Auth-Token", r.Header)
	}
}

func TestSessionsExpire(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s := newSessions(time.Hour, 12*time.Hour)
	s.now = func() time.Time { return now }
	req := func(ss *session) *http.Request {
		r := httptest.NewRequest("GET", "/dashboard/bgpvpns", nil)
		r.AddCookie(&http.Cookie{Name: cookieName, Value: ss.id})
		return r
	}
	idle := s.start(Identity{UserID: "u"})
	busy := s.start(Identity{UserID: "u"})
	token := s.start(Identity{UserID: "u", Expires: now.Add(30 * time.Minute)})
	for range 14 { // busy is used every 50 minutes, for 11 h 40
		now = now.Add(50 * time.Minute)
		if s.get(req(busy)) == nil {
			t.Fatalf("a session used every 50 minutes ended at %v", now)
		}
	}
	if s.get(req(idle)) != nil {
		t.Errorf("a session idle for more than an hour is still valid")
	}
	if s.get(req(token)) != nil {
		t.Errorf("a session outlived its Keystone token")
	}
	now = now.Add(50 * time.Minute) // past 12 hours though used
	if s.get(req(busy)) != nil {
		t.Errorf("a session outlived its maximum life")
	}
	if idle.id == busy.id || idle.csrf == busy.csrf || idle.id == idle.csrf {
		t.Errorf("session ids or CSRF tokens repeat")
	}
}

// TestKeystoneSessionSendsTheToken: signed in through Keystone, the
// dashboard keeps the token server-side (never in the browser) and calls
// the API with it as X-Auth-Token.
func TestKeystoneSessionSendsTheToken(t *testing.T) {
	ks := fakeKeystone(t)
	defer ks.Close()
	enf, err := policy.New(policy.Defaults(), "")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var tokens []string
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		tokens = append(tokens, r.Header.Get("X-Auth-Token")+"|"+r.Header.Get("X-User-Id")+"|"+r.Header.Get("X-Roles"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"bgpvpns": [], "bgpvpns_links": []}`))
	})
	d := New(Options{API: api, Policy: enf, SignIn: Keystone{AuthURL: ks.URL + "/identity/v3"}, Logger: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(d)
	defer hs.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	res, err := c.Get(hs.URL + "/dashboard/login")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if !strings.Contains(string(page), `type="password"`) {
		t.Fatalf("the Keystone sign-in page asks for no password:\n%s", page)
	}
	tok := tokenRE.FindStringSubmatch(string(page))[1]
	res, err = c.PostForm(hs.URL+"/dashboard/login", url.Values{"csrf_token": {tok}, "user": {"alice"}, "password": {"wrong"}, "project": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusUnauthorized || strings.Contains(string(page), "wrong") {
		t.Errorf("a wrong password: %d (the page must not echo the password)", res.StatusCode)
	}
	tok = tokenRE.FindStringSubmatch(string(page))[1]
	res, err = c.PostForm(hs.URL+"/dashboard/login", url.Values{"csrf_token": {tok}, "user": {"alice"}, "password": {"s3cret"}, "project": {"demo"}})
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK || !strings.Contains(string(page), "alice · demo") {
		t.Fatalf("after signing in: %d\n%s", res.StatusCode, page)
	}
	u, _ := url.Parse(hs.URL + "/dashboard/")
	for _, ck := range jar.Cookies(u) {
		if strings.Contains(ck.Value, "gAAAAAB") {
			t.Errorf("the token is in a cookie: %v", ck)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(tokens) == 0 || tokens[0] != "gAAAAAB-token||" {
		t.Errorf("API calls carried %q, want X-Auth-Token gAAAAAB-token and no noauth headers", tokens)
	}
}
