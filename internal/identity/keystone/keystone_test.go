package keystone

import (
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/identity"
	"github.com/bgpvpn/bgpvpn/internal/policy"
)

type harness struct {
	f     *fakeKeystone
	a     *Authenticator
	clock *clock
}

func newHarness(t *testing.T, mod ...func(*Config)) *harness {
	t.Helper()
	c := newClock()
	f := newFakeKeystone(t, c)
	cfg := Config{
		WWWAuthenticateURI: "http://keystone.example:5000/v3", AuthURL: f.url(), Username: "neutron", Password: "secret",
		UserDomainName: "Default", ProjectName: "service", ProjectDomainName: "Default", Interface: "internal",
		CacheTime: 300 * time.Second, Timeout: 5 * time.Second, ServiceRoles: []string{"service"},
	}
	for _, m := range mod {
		m(&cfg)
	}
	a, err := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	a.now = c.now
	return &harness{f: f, a: a, clock: c}
}

func request(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/v2.0/bgpvpn/bgpvpns", nil)
	if token != "" {
		r.Header.Set("X-Auth-Token", token)
	}
	return r
}

// answer is what a client receives for a refused request.
type answer struct {
	Status          int
	WWWAuthenticate string
	ContentType     string
	Body            string
}

func refusalAnswer(t *testing.T, err error, r *http.Request) answer {
	t.Helper()
	var rw identity.ResponseWriter
	if !errors.As(err, &rw) {
		t.Fatalf("error %v writes no response", err)
	}
	w := httptest.NewRecorder()
	rw.WriteResponse(w, r)
	return answer{w.Code, strings.Join(w.Header()["WWW-Authenticate"], ", "), w.Header().Get("Content-Type"), w.Body.String()}
}

var unauthorized = answer{
	Status:          401,
	WWWAuthenticate: `Keystone uri="http://keystone.example:5000/v3"`,
	ContentType:     "application/json; charset=UTF-8",
	Body:            `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`,
}

func TestCredentialsOfScopes(t *testing.T) {
	h := newHarness(t)
	exp := h.clock.now().Add(time.Hour)
	no := false
	h.f.add("project-member", fakeToken{user: "u1", userDomain: "default", project: "p1", roles: []string{"member", "reader"}, expires: exp})
	h.f.add("project-admin", fakeToken{user: "adm", userDomain: "default", project: "p0", roles: []string{"admin", "member", "reader"}, expires: exp, adminProject: &no})
	h.f.add("domain", fakeToken{user: "u2", userDomain: "d1", domain: "d1", roles: []string{"admin"}, expires: exp})
	h.f.add("system", fakeToken{user: "u3", userDomain: "default", system: true, roles: []string{"reader"}, expires: exp})
	tests := []struct {
		token string
		want  policy.Credentials
	}{
		{"project-member", policy.Credentials{UserID: "u1", ProjectID: "p1", Roles: []string{"member", "reader"}, UserDomainID: "default", ProjectDomainID: "default"}},
		{"project-admin", policy.Credentials{UserID: "adm", ProjectID: "p0", Roles: []string{"admin", "member", "reader"}, UserDomainID: "default", ProjectDomainID: "default", NotAdminProject: true}},
		{"domain", policy.Credentials{UserID: "u2", Roles: []string{"admin"}, UserDomainID: "d1", DomainID: "d1"}},
		{"system", policy.Credentials{UserID: "u3", Roles: []string{"reader"}, UserDomainID: "default", SystemScope: "all"}},
	}
	for _, tt := range tests {
		t.Run(tt.token, func(t *testing.T) {
			got, err := h.a.Authenticate(request(tt.token))
			if err != nil {
				t.Fatalf("Authenticate: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("credentials (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNeutronRulesAnswer checks that the credentials of each scope make
// Neutron's rule kinds answer as Neutron 21 does for the same token.
func TestNeutronRulesAnswer(t *testing.T) {
	h := newHarness(t)
	exp := h.clock.now().Add(time.Hour)
	h.f.add("member", fakeToken{user: "u1", userDomain: "default", project: "p1", roles: []string{"member", "reader"}, expires: exp})
	h.f.add("admin", fakeToken{user: "adm", userDomain: "default", project: "p0", roles: []string{"admin", "member", "reader"}, expires: exp})
	h.f.add("system", fakeToken{user: "u3", userDomain: "default", system: true, roles: []string{"admin", "member", "reader"}, expires: exp})
	var defaults []policy.Default
	for _, rule := range []string{"role:admin", "project_id:%(project_id)s", "is_admin_project:True", "system_scope:all", "rule:context_is_admin"} {
		defaults = append(defaults, policy.Default{Name: rule, Check: rule})
	}
	defaults = append(defaults, policy.Default{Name: "context_is_admin", Check: "role:admin"})
	enf, err := policy.New(defaults, "")
	if err != nil {
		t.Fatal(err)
	}
	target := policy.Target{"project_id": "p1", "tenant_id": "p1"}
	want := map[string][]bool{ // per rule above, in order
		"member": {false, true, true, false, false},
		"admin":  {true, false, true, false, true},
		"system": {true, false, true, true, true},
	}
	for token, answers := range want {
		creds, err := h.a.Authenticate(request(token))
		if err != nil {
			t.Fatalf("%s: %v", token, err)
		}
		var got []bool
		for _, d := range defaults[:5] {
			got = append(got, enf.Enforce(policy.Rule(d.Name), target, creds))
		}
		if diff := cmp.Diff(answers, got); diff != "" {
			t.Errorf("%s: rule answers (-want +got):\n%s", token, diff)
		}
	}
}

func TestRefusedTokens(t *testing.T) {
	h := newHarness(t)
	h.f.add("expired", fakeToken{user: "u", project: "p", expires: h.clock.now().Add(-time.Second)})
	for _, tok := range []string{"", "garbage", "expired", "with space", strings.Repeat("x", 10000)} {
		name := tok
		if len(name) > 20 {
			name = "huge"
		}
		t.Run(name, func(t *testing.T) {
			r := request(tok)
			_, err := h.a.Authenticate(r)
			if !errors.Is(err, identity.ErrUnauthenticated) {
				t.Fatalf("Authenticate(%q) error = %v, want ErrUnauthenticated", name, err)
			}
			if diff := cmp.Diff(unauthorized, refusalAnswer(t, err, r)); diff != "" {
				t.Errorf("answer (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCacheUpToCacheTimeAndExpiry(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.CacheTime = 60 * time.Second })
	h.f.add("long", fakeToken{user: "u", project: "p", roles: []string{"member"}, expires: h.clock.now().Add(time.Hour)})
	h.f.add("short", fakeToken{user: "u", project: "p", roles: []string{"member"}, expires: h.clock.now().Add(20 * time.Second)})
	auth := func(tok string) error {
		_, err := h.a.Authenticate(request(tok))
		return err
	}
	for _, tok := range []string{"long", "long", "short", "short"} {
		if err := auth(tok); err != nil {
			t.Fatalf("%s: %v", tok, err)
		}
	}
	if n := h.f.validations.Load(); n != 2 {
		t.Fatalf("validations after two tokens used twice = %d, want 2 (cached)", n)
	}
	// Revoked in Keystone: still accepted while cached, as with keystonemiddleware.
	h.f.revoke("long")
	if err := auth("long"); err != nil {
		t.Fatalf("revoked but cached: %v", err)
	}
	// Past the short token's expiry (within the cache time): refused at once.
	h.clock.advance(21 * time.Second)
	if err := auth("short"); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("expired token served from the cache: err = %v", err)
	}
	// Past the cache time: Keystone is asked again, and the revocation shows.
	h.clock.advance(40 * time.Second)
	if err := auth("long"); !errors.Is(err, identity.ErrUnauthenticated) {
		t.Fatalf("revoked token after the cache time: err = %v", err)
	}
}

func TestNoCacheWhenDisabled(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.CacheTime = -time.Second })
	h.f.add("tok", fakeToken{user: "u", project: "p", expires: h.clock.now().Add(time.Hour)})
	for range 3 {
		if _, err := h.a.Authenticate(request("tok")); err != nil {
			t.Fatal(err)
		}
	}
	if n := h.f.validations.Load(); n != 3 {
		t.Errorf("validations = %d, want 3 with token_cache_time = -1", n)
	}
}

func TestConcurrentNewTokenValidatedOnce(t *testing.T) {
	h := newHarness(t)
	h.f.add("new", fakeToken{user: "u", project: "p", roles: []string{"member"}, expires: h.clock.now().Add(time.Hour)})
	release := make(chan struct{})
	h.f.mu.Lock()
	h.f.block = release
	h.f.mu.Unlock()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := h.a.Authenticate(request("new"))
			errs <- err
		})
	}
	<-h.f.validateEnter // the first validation is under way and held
	// Give the other requests the chance to reach Keystone too; with one
	// validation per token they never do.
	deadline := time.Now().Add(300 * time.Millisecond)
	for time.Now().Before(deadline) && h.f.validations.Load() == 1 {
		time.Sleep(5 * time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := h.f.validations.Load(); got != 1 {
		t.Errorf("validations for %d concurrent requests with one new token = %d, want 1", n, got)
	}
}

func TestKeystoneUnreachable(t *testing.T) {
	h := newHarness(t)
	exp := h.clock.now().Add(time.Hour)
	h.f.add("cached", fakeToken{user: "u", project: "p", roles: []string{"member"}, expires: exp})
	h.f.add("new", fakeToken{user: "u2", project: "p", roles: []string{"member"}, expires: exp})
	if _, err := h.a.Authenticate(request("cached")); err != nil {
		t.Fatal(err)
	}
	h.f.setDown(true)
	if _, err := h.a.Authenticate(request("cached")); err != nil {
		t.Fatalf("cached token while Keystone is down: %v", err)
	}
	r := request("new")
	_, err := h.a.Authenticate(r)
	want := answer{Status: 503, ContentType: "text/plain; charset=UTF-8",
		Body: "503 Service Unavailable\n\nThe server is currently unavailable. Please try again at a later time.\n\n The Keystone service is temporarily unavailable.  "}
	if diff := cmp.Diff(want, refusalAnswer(t, err, r)); diff != "" {
		t.Errorf("new token while Keystone is down (-want +got):\n%s", diff)
	}
	r.Header.Set("Accept", "application/json")
	if got := refusalAnswer(t, err, r); got.ContentType != "application/json" || !strings.Contains(got.Body, `"code": "503 Service Unavailable"`) {
		t.Errorf("503 to a JSON client = %+v", got)
	}
	// Not cached as a refusal: back when Keystone is.
	h.f.setDown(false)
	if _, err := h.a.Authenticate(request("new")); err != nil {
		t.Fatalf("after Keystone is back: %v", err)
	}
}

func TestServiceTokenRenewed(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.CacheTime = time.Second })
	h.f.serviceLife = 10 * time.Minute
	h.f.add("tok", fakeToken{user: "u", project: "p", expires: h.clock.now().Add(24 * time.Hour)})
	auth := func() {
		t.Helper()
		if _, err := h.a.Authenticate(request("tok")); err != nil {
			t.Fatal(err)
		}
	}
	auth()
	h.clock.advance(2 * time.Minute)
	auth()
	if n := h.f.serviceAuths.Load(); n != 1 {
		t.Fatalf("service authentications at 2 of 10 minutes = %d, want 1", n)
	}
	h.clock.advance(4 * time.Minute) // past half its life
	auth()
	if n := h.f.serviceAuths.Load(); n != 2 {
		t.Fatalf("service authentications past half the service token's life = %d, want 2", n)
	}
	// Keystone forgets the service token (e.g. revoked): one new one, and the request passes.
	h.f.mu.Lock()
	h.f.service = "forgotten"
	h.f.mu.Unlock()
	h.clock.advance(2 * time.Second)
	auth()
	if n := h.f.serviceAuths.Load(); n != 3 {
		t.Fatalf("service authentications after Keystone refused ours = %d, want 3", n)
	}
}

func TestWrongServicePasswordIs503(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.Password = "wrong-password" })
	h.f.add("tok", fakeToken{user: "u", project: "p", expires: h.clock.now().Add(time.Hour)})
	r := request("tok")
	_, err := h.a.Authenticate(r)
	if got := refusalAnswer(t, err, r); got.Status != 503 {
		t.Errorf("status = %d, want 503", got.Status)
	}
	if strings.Contains(err.Error(), "wrong-password") {
		t.Errorf("error shows the password: %v", err)
	}
}

func TestServiceToken(t *testing.T) {
	h := newHarness(t, func(c *Config) { c.ServiceRolesReq = true })
	exp := h.clock.now().Add(time.Hour)
	h.f.add("user", fakeToken{user: "u", project: "p", roles: []string{"member"}, expires: exp})
	h.f.add("nova", fakeToken{user: "nova", project: "service", roles: []string{"service"}, expires: exp})
	h.f.add("plain", fakeToken{user: "x", project: "p", roles: []string{"member"}, expires: exp})
	r := request("user")
	r.Header.Set("X-Service-Token", "nova")
	got, err := h.a.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if got.ServiceUserID != "nova" || !cmp.Equal(got.ServiceRoles, []string{"service"}) || got.UserID != "u" {
		t.Errorf("credentials = %+v, want user u with service user nova", got)
	}
	for _, st := range []string{"plain", "garbage"} {
		r := request("user")
		r.Header.Set("X-Service-Token", st)
		if _, err := h.a.Authenticate(r); !errors.Is(err, identity.ErrUnauthenticated) {
			t.Errorf("X-Service-Token %s: err = %v, want 401", st, err)
		}
	}
}

func TestPasswordToken(t *testing.T) {
	h := newHarness(t)
	tok, err := PasswordToken(t.Context(), nil, PasswordRequest{AuthURL: h.f.url() + "/v3", Username: "demo", Password: "secret",
		UserDomainName: "Default", ProjectName: "demo", ProjectDomainName: "Default"})
	if err != nil {
		t.Fatal(err)
	}
	if tok.ID == "" || tok.UserID != "demo-id" || !tok.ExpiresAt.After(h.clock.now()) {
		t.Errorf("token = %+v", tok)
	}
	_, err = PasswordToken(t.Context(), nil, PasswordRequest{AuthURL: h.f.url(), Username: "demo", Password: "bad", UserDomainName: "Default"})
	if !errors.Is(err, ErrInvalidToken) || !strings.Contains(err.Error(), "requires authentication") {
		t.Errorf("wrong password: err = %v, want ErrInvalidToken with Keystone's message", err)
	}
	h.f.setDown(true)
	_, err = PasswordToken(t.Context(), nil, PasswordRequest{AuthURL: h.f.url(), Username: "demo", Password: "secret", UserDomainName: "Default"})
	if !errors.Is(err, ErrUnavailable) {
		t.Errorf("Keystone down: err = %v, want ErrUnavailable", err)
	}
}

// TestIdentityHeadersIgnored: what the client says about itself in the
// noauth headers changes nothing (keystonemiddleware strips them).
func TestIdentityHeadersIgnored(t *testing.T) {
	h := newHarness(t)
	h.f.add("member", fakeToken{user: "u1", userDomain: "default", project: "p1", roles: []string{"member"}, expires: h.clock.now().Add(time.Hour)})
	r := request("member")
	r.Header.Set("X-Roles", "admin")
	r.Header.Set("X-Project-Id", "p0")
	r.Header.Set("X-User-Id", "admin-user")
	got, err := h.a.Authenticate(r)
	if err != nil {
		t.Fatal(err)
	}
	if got.UserID != "u1" || got.ProjectID != "p1" || !cmp.Equal(got.Roles, []string{"member"}) {
		t.Errorf("credentials = %+v, want the token's (u1, p1, member)", got)
	}
}
