package server

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

const keystoneINI = `auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:1/v3
auth_url = http://127.0.0.1:1
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = hidden-pass
`

func TestKeystoneStartupErrors(t *testing.T) {
	tests := []struct{ name, ini, want string }{
		{"no section", "auth_strategy = keystone\n", "[keystone_authtoken] auth_url: required"},
		{"unknown option", keystoneINI + "passwrd = x\n", "[keystone_authtoken] passwrd: unknown option"},
		{"no password", strings.Replace(keystoneINI, "password = hidden-pass\n", "", 1), "[keystone_authtoken] password: required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := newFromINI(t, tt.ini)
			if err == nil {
				s.Close()
				t.Fatalf("New succeeded, want an error containing %q", tt.want)
			}
			if !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "hidden-pass") {
				t.Errorf("error = %v, want one containing %q and not the password", err, tt.want)
			}
		})
	}
}

// TestKeystoneModeKeepsAgentFeedSecret: with Keystone auth, API requests
// need a token while agents keep using the feed's shared secret.
func TestKeystoneModeKeepsAgentFeedSecret(t *testing.T) {
	s, err := newFromINI(t, keystoneINI+"[service_providers]\nservice_provider = BGPVPN:BaGPipe:bagpipe:default\n[agent_feed]\nshared_secret = feed-secret\n")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := httptest.NewRecorder()
	s.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/v2.0/bgpvpn/bgpvpns", nil))
	if w.Code != http.StatusUnauthorized || strings.Join(w.Header()["WWW-Authenticate"], "") != `Keystone uri="http://127.0.0.1:1/v3"` {
		t.Errorf("API without a token: %d %q, want 401 with WWW-Authenticate", w.Code, w.Header().Get("WWW-Authenticate"))
	}
	w = httptest.NewRecorder()
	s.Handler.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/", nil))
	if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"v2.0"`) {
		t.Errorf("version list without a token: %d %s, want 200 as from Neutron", w.Code, w.Body)
	}
	r := httptest.NewRequest(http.MethodPost, "/v2.0/agent-feed/hosts/h1/alive", nil)
	r.Header.Set("Authorization", "Bearer feed-secret")
	w = httptest.NewRecorder()
	s.Handler.ServeHTTP(w, r)
	if w.Code != http.StatusNoContent {
		t.Errorf("agent feed with the shared secret: %d %s, want 204", w.Code, w.Body)
	}
}
