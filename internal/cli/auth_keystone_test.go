package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// fakeIdentity answers POST /v3/auth/tokens like Keystone: 401 for the
// password "wrong", else a token whose catalog has network endpoints in
// two regions and three interfaces. It records the last auth request body.
func fakeIdentity(t *testing.T, last *map[string]any) *httptest.Server {
	t.Helper()
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet { // the network endpoint's version document
			io.WriteString(w, `{"versions": [{"id": "v2.0", "status": "CURRENT"}]}`)
			return
		}
		if r.URL.Path != "/v3/auth/tokens" {
			http.NotFound(w, r)
			return
		}
		b, _ := io.ReadAll(r.Body)
		var body map[string]any
		json.Unmarshal(b, &body)
		*last = body
		if strings.Contains(string(b), `"wrong"`) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":{"code":401,"message":"The request you have made requires authentication.","title":"Unauthorized"}}`)
			return
		}
		var eps []map[string]string
		for _, region := range []string{"R1", "R2"} {
			for _, iface := range []string{"public", "internal", "admin"} {
				eps = append(eps, map[string]string{"interface": iface, "region": region, "region_id": region, "url": srv.URL + "/net-" + region + "-" + iface})
			}
		}
		tok := map[string]any{"token": map[string]any{
			"expires_at": "2099-01-01T00:00:00.000000Z", "methods": []string{"password"},
			"user":    map[string]any{"id": "u", "name": "demo", "domain": map[string]string{"id": "default", "name": "Default"}},
			"catalog": []any{map[string]any{"type": "network", "name": "neutron", "id": "n", "endpoints": eps}},
		}}
		w.Header().Set("X-Subject-Token", "tok")
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		json.NewEncoder(w).Encode(tok)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestKeystoneCatalogLookup(t *testing.T) {
	var last map[string]any
	srv := fakeIdentity(t, &last)
	tests := []struct {
		region, iface, want string
	}{
		{"R1", "", "/net-R1-public/"},
		{"R2", "internal", "/net-R2-internal/"},
		{"R2", "adminURL", "/net-R2-admin/"},
	}
	for _, tt := range tests {
		a := Auth{AuthURL: srv.URL + "/v3", Username: "demo", Password: "demo", UserDomainName: "Default",
			ProjectName: "demo", ProjectDomainName: "Default", RegionName: tt.region, Interface: tt.iface}
		sc, err := a.NetworkClient(t.Context())
		if err != nil {
			t.Fatalf("%s/%s: %v", tt.region, tt.iface, err)
		}
		if sc.Endpoint != srv.URL+tt.want {
			t.Errorf("region %s interface %q: endpoint %s, want %s", tt.region, tt.iface, sc.Endpoint, tt.want)
		}
	}
}

func TestKeystoneRefusalIsClear(t *testing.T) {
	var last map[string]any
	srv := fakeIdentity(t, &last)
	a := Auth{AuthURL: srv.URL + "/v3", Username: "demo", Password: "wrong", UserDomainName: "Default", ProjectName: "demo", ProjectDomainName: "Default"}
	_, err := a.NetworkClient(t.Context())
	want := "keystone at " + srv.URL + "/v3 refused the credentials (HTTP 401): The request you have made requires authentication."
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %q", err, want)
	}
}

func TestApplicationCredential(t *testing.T) {
	var last map[string]any
	srv := fakeIdentity(t, &last)
	a := Auth{AuthURL: srv.URL + "/v3", AuthType: "v3applicationcredential", AppCredID: "cred-id", AppCredSecret: "cred-secret",
		ProjectName: "ignored", ProjectDomainName: "Default"}
	if _, err := a.NetworkClient(t.Context()); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"auth": map[string]any{"identity": map[string]any{
		"methods":                []any{"application_credential"},
		"application_credential": map[string]any{"id": "cred-id", "secret": "cred-secret"},
	}}}
	if diff := cmp.Diff(want, last); diff != "" {
		t.Errorf("auth request (-want +got):\n%s", diff)
	}
}
