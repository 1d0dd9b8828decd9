package dashboard

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// fakeRBACAPI stands for a server that has what the rbac branch adds:
// "shared" and "admin_state_up" on BGPVPNs and /v2.0/rbac-policies.
type fakeRBACAPI struct {
	mu       sync.Mutex
	policies []map[string]any
	puts     []string
}

const fakeVPN = "11111111-1111-4111-8111-111111111111"

func (f *fakeRBACAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	switch p := r.URL.Path; {
	case p == "/v2.0/bgpvpn/bgpvpns/"+fakeVPN && r.Method == "GET":
		enc.Encode(map[string]any{"bgpvpn": map[string]any{"id": fakeVPN, "name": "shared-vpn", "type": "l3",
			"tenant_id": "admin-project", "project_id": "admin-project", "shared": false, "admin_state_up": true,
			"networks": []any{}, "routers": []any{}, "ports": []any{}}})
	case p == "/v2.0/bgpvpn/bgpvpns/"+fakeVPN && r.Method == "PUT":
		raw, _ := io.ReadAll(r.Body)
		f.puts = append(f.puts, string(raw))
		enc.Encode(map[string]any{"bgpvpn": map[string]any{"id": fakeVPN}})
	case strings.HasSuffix(p, "_associations"):
		kind := p[strings.LastIndex(p, "/")+1:]
		enc.Encode(map[string]any{kind: []any{}})
	case p == "/v2.0/networks" || p == "/v2.0/routers" || p == "/v2.0/ports":
		enc.Encode(map[string]any{p[len("/v2.0/"):]: []any{}})
	case p == rbacPath && r.Method == "GET":
		if r.URL.Query().Get("object_type") != "bgpvpn" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		enc.Encode(map[string]any{"rbac_policies": f.policies})
	case p == rbacPath && r.Method == "POST":
		var body struct {
			Policy map[string]any `json:"rbac_policy"`
		}
		json.NewDecoder(r.Body).Decode(&body)
		if body.Policy["target_tenant"] == "bad project" {
			w.WriteHeader(http.StatusBadRequest)
			enc.Encode(map[string]any{"NeutronError": map[string]any{"type": "InvalidInput", "message": "Invalid input for target_tenant.", "detail": ""}})
			return
		}
		body.Policy["id"] = "rbac-1"
		f.policies = append(f.policies, body.Policy)
		w.WriteHeader(http.StatusCreated)
		enc.Encode(map[string]any{"rbac_policy": body.Policy})
	case p == rbacPath+"/rbac-1" && r.Method == "DELETE":
		f.policies = nil
		w.WriteHeader(http.StatusNoContent)
	default:
		w.WriteHeader(http.StatusNotFound)
		enc.Encode(map[string]any{"NeutronError": map[string]any{"type": "HTTPNotFound", "message": "The resource could not be found.", "detail": ""}})
	}
}

var tokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func TestSharingAndOptionalAttributes(t *testing.T) {
	enf, err := policy.New(policy.Defaults(), "")
	if err != nil {
		t.Fatal(err)
	}
	api := &fakeRBACAPI{}
	d := New(Options{API: api, Policy: enf, Logger: slog.New(slog.DiscardHandler)})
	hs := httptest.NewServer(d)
	defer hs.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) string {
		res, err := c.Get(hs.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	post := func(path string, form url.Values) string {
		res, err := c.PostForm(hs.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	login := get("/dashboard/login")
	post("/dashboard/login", url.Values{"csrf_token": {tokenRE.FindStringSubmatch(login)[1]}, "project": {"admin-project"},
		"user": {"admin-user"}, "roles": {"admin"}})
	page := get("/dashboard/bgpvpns/" + fakeVPN)
	if !strings.Contains(page, `id="sharing"`) || !strings.Contains(page, "Not shared.") {
		t.Fatalf("no sharing section on a server with RBAC:\n%s", page)
	}
	tok := tokenRE.FindStringSubmatch(page)[1]
	page = post("/dashboard/bgpvpns/"+fakeVPN+"/share", url.Values{"csrf_token": {tok}, "target_tenant": {"project-b"}})
	if len(api.policies) != 1 || api.policies[0]["object_id"] != fakeVPN || api.policies[0]["action"] != "access_as_shared" ||
		api.policies[0]["object_type"] != "bgpvpn" || !strings.Contains(page, `data-rbac="rbac-1"`) || !strings.Contains(page, "project-b") {
		t.Errorf("after sharing: policies %v; page shows it: %v", api.policies, strings.Contains(page, "project-b"))
	}
	if page = post("/dashboard/bgpvpns/"+fakeVPN+"/share", url.Values{"csrf_token": {tok}, "target_tenant": {"bad project"}}); !strings.Contains(page, "Invalid input for target_tenant.") {
		t.Errorf("a refused share does not show the server's message")
	}
	post("/dashboard/bgpvpns/"+fakeVPN+"/share/rbac-1/delete", url.Values{"csrf_token": {tok}})
	if len(api.policies) != 0 {
		t.Errorf("after unsharing: %v", api.policies)
	}
	// The edit form offers the attributes the API returns, and sends
	// only what changed: shared turned on, admin_state_up left on, then
	// turned off.
	edit := get("/dashboard/bgpvpns/" + fakeVPN + "/edit")
	for _, name := range []string{`name="shared"`, `name="admin_state_up" value="1" checked`} {
		if !strings.Contains(edit, name) {
			t.Errorf("the edit form lacks %s", name)
		}
	}
	post("/dashboard/bgpvpns/"+fakeVPN+"/edit", url.Values{"csrf_token": {tok}, "name": {"shared-vpn"}, "shared": {"1"}, "admin_state_up": {"1"}})
	post("/dashboard/bgpvpns/"+fakeVPN+"/edit", url.Values{"csrf_token": {tok}, "name": {"shared-vpn"}})
	want := []string{`{"bgpvpn":{"shared":true}}`, `{"bgpvpn":{"admin_state_up":false}}`}
	if strings.Join(api.puts, " ") != strings.Join(want, " ") {
		t.Errorf("PUT bodies = %q, want %q", api.puts, want)
	}
}
