package dashboard_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/server"
)

// BenchmarkList1000 renders the list page of 1,000 BGPVPNs (each with
// route targets, a local_pref and a network association), as an admin,
// in process: the API call, policy per row, the template.
func BenchmarkList1000(b *testing.B) {
	v, err := server.Schema().Parse("bench.conf", strings.NewReader("[DEFAULT]\ndata_dir = "+b.TempDir()+"\n"))
	if err != nil {
		b.Fatal(err)
	}
	s, err := server.New(context.Background(), v, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	h := s.Handler
	do := func(r *http.Request) *httptest.ResponseRecorder {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	w := do(httptest.NewRequest("POST", "/v2.0/networks", strings.NewReader(`{"network": {"name": "net"}}`)))
	netID := regexp.MustCompile(`"id": "([^"]+)"`).FindStringSubmatch(w.Body.String())[1]
	for i := range 1000 {
		w := do(httptest.NewRequest("POST", "/v2.0/bgpvpn/bgpvpns", strings.NewReader(fmt.Sprintf(
			`{"bgpvpn": {"name": "vpn-%04d", "route_targets": ["64512:%d"], "local_pref": 100}}`, i, i))))
		if w.Code != http.StatusCreated {
			b.Fatalf("create: %d %s", w.Code, w.Body)
		}
		id := regexp.MustCompile(`"id": "([^"]+)"`).FindStringSubmatch(w.Body.String())[1]
		if w := do(httptest.NewRequest("POST", "/v2.0/bgpvpn/bgpvpns/"+id+"/network_associations",
			strings.NewReader(`{"network_association": {"network_id": "`+netID+`"}}`))); w.Code != http.StatusCreated {
			b.Fatalf("associate: %d %s", w.Code, w.Body)
		}
	}
	w = do(httptest.NewRequest("GET", "/dashboard/login", nil))
	token := csrfRE.FindStringSubmatch(w.Body.String())[1]
	login := httptest.NewRequest("POST", "/dashboard/login", strings.NewReader(url.Values{"csrf_token": {token},
		"project": {"admin-project"}, "user": {"admin-user"}, "roles": {"admin"}}.Encode()))
	login.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for _, c := range w.Result().Cookies() {
		login.AddCookie(c)
	}
	w = do(login)
	var cookies []*http.Cookie
	for _, c := range w.Result().Cookies() {
		if c.Name == "bgpvpn_session" {
			cookies = append(cookies, c)
		}
	}
	page := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/dashboard/bgpvpns?limit=1000", nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		return do(r)
	}
	if w := page(); w.Code != http.StatusOK || strings.Count(w.Body.String(), "<tr>") != 1001 || !strings.Contains(w.Body.String(), "vpn-0999") {
		b.Fatalf("the page of 1,000: %d, %d rows", w.Code, strings.Count(w.Body.String(), "<tr>"))
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		page()
	}
}
