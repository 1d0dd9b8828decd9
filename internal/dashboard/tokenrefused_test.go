package dashboard

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// tokenSignIn signs anyone in with a Keystone-like token.
type tokenSignIn struct{}

func (tokenSignIn) Fields() string { return "password" }
func (tokenSignIn) SignIn(context.Context, SignInForm) (Identity, error) {
	return Identity{UserID: "u", UserName: "demo", ProjectID: "p", ProjectName: "demo", Roles: []string{"member"}, Token: "tok"}, nil
}

// TestRefusedTokenEndsTheSession: when the API refuses the session's
// token (revoked in Keystone), the session ends and the user is asked to
// sign in again; when Keystone is unreachable, its message is shown.
func TestRefusedTokenEndsTheSession(t *testing.T) {
	enf, err := policy.New(policy.Defaults(), "")
	if err != nil {
		t.Fatal(err)
	}
	answer := `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`
	status := http.StatusUnauthorized
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	})
	hs := httptest.NewServer(New(Options{API: api, Policy: enf, SignIn: tokenSignIn{}, Logger: slog.New(slog.DiscardHandler)}))
	defer hs.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (string, string) {
		t.Helper()
		res, err := c.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.Request.URL.RequestURI(), string(b)
	}
	signIn := func() {
		t.Helper()
		_, login := get("/dashboard/login")
		res, err := c.PostForm(hs.URL+"/dashboard/login", url.Values{"csrf_token": {tokenRE.FindStringSubmatch(login)[1]},
			"user": {"demo"}, "password": {"demo"}, "project": {"demo"}})
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}

	status = http.StatusServiceUnavailable
	answer = `{"message": "The server is currently unavailable. Please try again at a later time.<br /><br />\nThe Keystone service is temporarily unavailable.\n\n", "code": "503 Service Unavailable", "title": "Service Unavailable"}`
	signIn()
	if _, page := get("/dashboard/bgpvpns"); !strings.Contains(page, "Please try again at a later time. The Keystone service is temporarily unavailable.") {
		t.Errorf("Keystone unreachable: the page does not show the API's message:\n%s", page)
	}

	status = http.StatusUnauthorized
	answer = `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`
	where, page := get("/dashboard/bgpvpns?name=x")
	if !strings.HasPrefix(where, "/dashboard/login?ended=1&next=") || !strings.Contains(page, "Please sign in again.") {
		t.Errorf("a refused token leads to %s:\n%s", where, page)
	}
	// The session and its cookie are gone: the next page asks to sign
	// in, as for anyone.
	if where, _ = get("/dashboard/bgpvpns"); !strings.HasPrefix(where, "/dashboard/login?next=") {
		t.Errorf("after the refused token, /dashboard/bgpvpns leads to %s, want the sign-in page", where)
	}
	// A session cookie the dashboard does not know (expired, or from
	// before a restart) says the session ended.
	u, _ := url.Parse(hs.URL + "/dashboard/")
	jar.SetCookies(u, []*http.Cookie{{Name: cookieName, Value: "gone", Path: "/dashboard/"}})
	if where, page = get("/dashboard/bgpvpns"); !strings.HasPrefix(where, "/dashboard/login?ended=1&next=") || !strings.Contains(page, "Your session has ended.") {
		t.Errorf("with an unknown session cookie, /dashboard/bgpvpns leads to %s", where)
	}
}
