package dashboard_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/dummy"
	"github.com/bgpvpn/bgpvpn/internal/server"
)

// startServer runs a whole bgpvpn-server (dummy driver, SQLite in a
// temporary directory) with extra configuration lines.
func startServer(t testing.TB, extra string) *httptest.Server {
	t.Helper()
	v, err := server.Schema().Parse("test.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+t.TempDir()+"\n"+extra))
	if err != nil {
		t.Fatal(err)
	}
	s, err := server.New(context.Background(), v, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(s.Handler)
	t.Cleanup(func() { hs.Close(); s.Close() })
	return hs
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t    testing.TB
	base string
	c    *http.Client
}

func newBrowser(t testing.TB, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) (int, http.Header, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.base+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	return res.StatusCode, res.Header, string(raw)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// csrf is the form token of a page.
func csrf(t testing.TB, html string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(html)
	if m == nil {
		t.Fatalf("no csrf_token in the page:\n%s", html)
	}
	return m[1]
}

// signIn signs in with a noauth identity and returns a page's CSRF token.
func (b *browser) signIn(project, user, roles string) string {
	b.t.Helper()
	_, _, page := b.do("GET", "/dashboard/login", nil)
	code, h, _ := b.do("POST", "/dashboard/login", url.Values{"csrf_token": {csrf(b.t, page)},
		"project": {project}, "user": {user}, "roles": {roles}})
	if code != http.StatusSeeOther || h.Get("Location") != "/dashboard/bgpvpns" {
		b.t.Fatalf("sign-in: %d to %q, want 303 to /dashboard/bgpvpns", code, h.Get("Location"))
	}
	_, _, page = b.do("GET", "/dashboard/bgpvpns", nil)
	return csrf(b.t, page)
}

// api calls the REST API with noauth headers (none: the admin).
func api(t testing.TB, base, method, path, body string, hdr ...string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, base+"/v2.0"+path, strings.NewReader(body))
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	return res.StatusCode, m
}

func tenant(project string) []string {
	return []string{"X-User-Id", "user-" + project, "X-Project-Id", project, "X-Roles", "member"}
}
