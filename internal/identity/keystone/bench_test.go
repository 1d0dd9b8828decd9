package keystone_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/dummy"
	"github.com/bgpvpn/bgpvpn/internal/identity/keystone"
	"github.com/bgpvpn/bgpvpn/internal/server"
)

// benchServer is bgpvpn-server in process, noauth or with Keystone auth
// against the fake Keystone, holding ten BGPVPNs.
func benchServer(b *testing.B, ks *keystone.TestKeystone) http.Handler {
	ini := "[DEFAULT]\ndata_dir = " + b.TempDir() + "\n"
	if ks != nil {
		ini += "auth_strategy = keystone\n[keystone_authtoken]\nauth_url = " + ks.URL() +
			"\nusername = neutron\npassword = secret\nproject_name = service\nuser_domain_name = Default\nproject_domain_name = Default\n"
		ks.Add("admin-token", "admin-user", "admin-project", []string{"admin", "member", "reader"})
	}
	v, err := server.Schema().Parse("bench.conf", strings.NewReader(ini))
	if err != nil {
		b.Fatal(err)
	}
	s, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	for i := range 10 {
		do(b, s.Handler, "POST", "/v2.0/bgpvpn/bgpvpns", fmt.Sprintf(`{"bgpvpn": {"name": "vpn%d", "route_targets": ["64512:%d"]}}`, i, i), "admin-token", http.StatusCreated)
	}
	return s.Handler
}

func do(b *testing.B, h http.Handler, method, path, body, token string, want int) {
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	r.Header.Set("X-Auth-Token", token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != want {
		b.Fatalf("%s %s: %d %s", method, path, w.Code, w.Body)
	}
}

// BenchmarkListBGPVPNs compares a list of ten BGPVPNs in noauth mode with
// the same request carrying a Keystone token already validated (cached).
func BenchmarkListBGPVPNs(b *testing.B) {
	for _, mode := range []string{"noauth", "keystone-cached"} {
		b.Run(mode, func(b *testing.B) {
			var ks *keystone.TestKeystone
			if mode != "noauth" {
				k := keystone.NewTestKeystone(b)
				ks = &k
			}
			h := benchServer(b, ks)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				do(b, h, "GET", "/v2.0/bgpvpn/bgpvpns", "", "admin-token", http.StatusOK)
			}
		})
	}
}

// BenchmarkFirstRequestNewToken is a list whose token the server has not
// seen: one validation with Keystone (here the fake, over loopback HTTP)
// before the answer.
func BenchmarkFirstRequestNewToken(b *testing.B) {
	ks := keystone.NewTestKeystone(b)
	h := benchServer(b, &ks)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		tok := fmt.Sprintf("new-token-%d", i)
		ks.Add(tok, "admin-user", "admin-project", []string{"admin"})
		b.StartTimer()
		do(b, h, "GET", "/v2.0/bgpvpn/bgpvpns", "", tok, http.StatusOK)
	}
}
