package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

// fakeNeutron is a small in-memory Neutron: enough of the BGPVPN and core
// APIs for the commands to run, and a log of what they sent.
type fakeNeutron struct {
	mu       sync.Mutex
	next     int
	objs     map[string][]map[string]any // collection path -> objects
	requests []fakeRequest
}

type fakeRequest struct {
	Method, Path, Query string
	Header              http.Header
	Body                map[string]any
}

// collections: path suffix -> singular key, and defaults of a new object.
var fakeKinds = map[string]struct {
	key      string
	defaults map[string]any
}{
	"bgpvpns": {"bgpvpn", map[string]any{"name": "", "type": "l3", "route_targets": []any{}, "import_targets": []any{},
		"export_targets": []any{}, "route_distinguishers": []any{}, "networks": []any{}, "routers": []any{}, "ports": []any{},
		"vni": nil, "local_pref": nil, "tenant_id": "admin-project", "project_id": "admin-project"}},
	"network_associations": {"network_association", map[string]any{"tenant_id": "admin-project", "project_id": "admin-project"}},
	"router_associations":  {"router_association", map[string]any{"advertise_extra_routes": true, "tenant_id": "admin-project", "project_id": "admin-project"}},
	"port_associations":    {"port_association", map[string]any{"advertise_fixed_ips": true, "routes": []any{}, "tenant_id": "admin-project", "project_id": "admin-project"}},
	"networks":             {"network", map[string]any{"admin_state_up": true, "subnets": []any{}, "status": "ACTIVE", "tenant_id": "admin-project"}},
	"subnets":              {"subnet", map[string]any{"tenant_id": "admin-project"}},
	"ports":                {"port", map[string]any{"admin_state_up": true, "fixed_ips": []any{}, "status": "DOWN", "tenant_id": "admin-project"}},
	"routers":              {"router", map[string]any{"admin_state_up": true, "routes": []any{}, "status": "ACTIVE", "tenant_id": "admin-project"}},
}

func newFakeNeutron(t *testing.T) (*fakeNeutron, *httptest.Server) {
	f := &fakeNeutron{objs: map[string][]map[string]any{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeNeutron) newID() string {
	f.next++
	return fmt.Sprintf("00000000-0000-4000-8000-%012d", f.next)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func notFound(w http.ResponseWriter, msg string) {
	writeJSON(w, 404, map[string]any{"NeutronError": map[string]any{"type": "NotFound", "message": msg, "detail": ""}})
}

func (f *fakeNeutron) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var body map[string]any
	raw, _ := io.ReadAll(r.Body)
	_ = json.Unmarshal(raw, &body)
	f.requests = append(f.requests, fakeRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), body})

	path := strings.TrimPrefix(r.URL.Path, "/v2.0/")
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	if parts[0] == "bgpvpn" {
		parts = parts[1:]
	}
	// Router interface actions.
	if len(parts) == 3 && parts[0] == "routers" && strings.HasSuffix(parts[2], "_router_interface") {
		writeJSON(w, 200, map[string]any{"id": parts[1], "subnet_id": body["subnet_id"], "port_id": f.newID()})
		return
	}
	var coll, id string
	switch len(parts) {
	case 1:
		coll = parts[0]
	case 2:
		coll, id = parts[0], parts[1]
	case 3:
		coll = parts[0] + "/" + parts[1] + "/" + parts[2]
	case 4:
		coll, id = parts[0]+"/"+parts[1]+"/"+parts[2], parts[3]
	}
	kindName := coll[strings.LastIndex(coll, "/")+1:]
	kind, ok := fakeKinds[kindName]
	if !ok {
		notFound(w, "The resource could not be found.")
		return
	}
	find := func() (int, bool) {
		for i, o := range f.objs[coll] {
			if o["id"] == id {
				return i, true
			}
		}
		return 0, false
	}
	switch {
	case r.Method == http.MethodPost && id == "":
		attrs, _ := body[kind.key].(map[string]any)
		if attrs == nil {
			writeJSON(w, 400, map[string]any{"NeutronError": map[string]any{"type": "HTTPBadRequest", "message": "Resource body required", "detail": ""}})
			return
		}
		if v, ok := attrs["vni"].(float64); ok && v > 16777215 {
			writeJSON(w, 400, map[string]any{"NeutronError": map[string]any{"type": "HTTPBadRequest",
				"message": "Invalid input for vni. Reason: '16777216' is too large - must be no larger than '16777215'.", "detail": ""}})
			return
		}
		o := map[string]any{"id": f.newID()}
		for k, v := range kind.defaults {
			o[k] = v
		}
		for k, v := range attrs {
			o[k] = v
		}
		f.objs[coll] = append(f.objs[coll], o)
		writeJSON(w, 201, map[string]any{kind.key: o})
	case r.Method == http.MethodGet && id == "":
		var out []any
		for _, o := range f.objs[coll] {
			match := true
			for k, vs := range r.URL.Query() {
				if k == "fields" || k == "limit" || k == "marker" {
					continue
				}
				if fmt.Sprint(o[k]) != vs[len(vs)-1] {
					match = false
				}
			}
			if match {
				out = append(out, o)
			}
		}
		if out == nil {
			out = []any{}
		}
		writeJSON(w, 200, map[string]any{kindName: out})
	case r.Method == http.MethodGet:
		i, ok := find()
		if !ok {
			notFound(w, fmt.Sprintf("%s %s could not be found", strings.ToUpper(kind.key), id))
			return
		}
		writeJSON(w, 200, map[string]any{kind.key: f.objs[coll][i]})
	case r.Method == http.MethodPut:
		i, ok := find()
		if !ok {
			notFound(w, fmt.Sprintf("%s %s could not be found", strings.ToUpper(kind.key), id))
			return
		}
		attrs, _ := body[kind.key].(map[string]any)
		if _, ok := attrs["vni"]; ok {
			writeJSON(w, 400, map[string]any{"NeutronError": map[string]any{"type": "HTTPBadRequest", "message": "Cannot update read-only attribute vni", "detail": ""}})
			return
		}
		for k, v := range attrs {
			f.objs[coll][i][k] = v
		}
		writeJSON(w, 200, map[string]any{kind.key: f.objs[coll][i]})
	case r.Method == http.MethodDelete:
		i, ok := find()
		if !ok {
			notFound(w, fmt.Sprintf("BGPVPN %s could not be found", id))
			return
		}
		f.objs[coll] = slices.Delete(f.objs[coll], i, i+1)
		w.WriteHeader(204)
	default:
		w.WriteHeader(405)
	}
}

// add puts an object straight into a collection, e.g. "bgpvpn/bgpvpns".
func (f *fakeNeutron) add(coll string, o map[string]any) map[string]any {
	f.mu.Lock()
	defer f.mu.Unlock()
	kind := fakeKinds[coll[strings.LastIndex(coll, "/")+1:]]
	full := map[string]any{"id": f.newID()}
	for k, v := range kind.defaults {
		full[k] = v
	}
	for k, v := range o {
		full[k] = v
	}
	// Round-trip through JSON so values look like decoded ones.
	b, _ := json.Marshal(full)
	var dec map[string]any
	_ = json.Unmarshal(b, &dec)
	f.objs[strings.TrimPrefix(coll, "bgpvpn/")] = append(f.objs[strings.TrimPrefix(coll, "bgpvpn/")], dec)
	return dec
}

// last returns the last request with the given method.
func (f *fakeNeutron) last(method string) fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := len(f.requests) - 1; i >= 0; i-- {
		if f.requests[i].Method == method {
			return f.requests[i]
		}
	}
	return fakeRequest{}
}

func (f *fakeNeutron) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, r := range f.requests {
		if r.Method == method {
			n++
		}
	}
	return n
}

// runCLI runs the command line against srv with auth type none.
func runCLI(t *testing.T, srv *httptest.Server, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, newClient: func(ctx context.Context, au Auth) (*gophercloud.ServiceClient, error) {
		return au.NetworkClient(ctx)
	}}
	full := append([]string{"--os-auth-type", "none", "--os-endpoint", srv.URL}, args...)
	code = a.run(context.Background(), full)
	return out.String(), errb.String(), code
}
