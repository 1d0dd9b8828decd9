package front

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/fault"
)

// Front is the handler.
type Front struct {
	api     http.Handler
	neutron *url.URL
	proxy   *httputil.ReverseProxy
	client  *http.Client
	log     *slog.Logger
	// InterfaceAllowed, when set, vetoes adding an interface to a router
	// (the original's check on router interfaces of networks and routers
	// in L3 BGPVPNs). A *fault.Fault error is the client's answer.
	InterfaceAllowed func(ctx context.Context, routerID, subnetID, portID string) error
	// AwaitMirrored, when set, is called before an association is created
	// with the kind ("network", "router", "port") and id of what it
	// associates, so that an object just created in Neutron is mirrored
	// before the API looks for it. It returns when the mirror has it or
	// has read Neutron for it.
	AwaitMirrored func(ctx context.Context, kind, id string)
}

// New fronts neutron (its base URL, e.g. http://neutron:9696) with api,
// our own handler. client reads Neutron's extension list.
func New(api http.Handler, neutron *url.URL, client *http.Client, log *slog.Logger) *Front {
	f := &Front{api: api, neutron: neutron, client: client, log: log}
	f.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(neutron)
			r.SetXForwarded()
		},
		Transport:     client.Transport,
		FlushInterval: -1, // stream as Neutron writes
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			log.Warn("neutron unreachable", "method", r.Method, "path", r.URL.Path, "error", err)
			writeFault(w, fault.New(http.StatusServiceUnavailable, "ServiceUnavailable", "Neutron is unavailable."))
		},
	}
	return f
}

// ServeHTTP routes a request.
func (f *Front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case r.Method == http.MethodPost && associationKind(p) != "":
		f.association(w, r, associationKind(p))
	case p == "/v2.0/bgpvpn" || strings.HasPrefix(p, "/v2.0/bgpvpn/"):
		f.api.ServeHTTP(w, r)
	case r.Method == http.MethodGet && (p == "/v2.0/extensions" || p == "/v2.0/extensions.json"):
		f.extensions(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(p, "/v2.0/extensions/") && isOurs(strings.TrimSuffix(p[len("/v2.0/extensions/"):], ".json")):
		f.api.ServeHTTP(w, r)
	case r.Method == http.MethodPut && strings.HasPrefix(p, "/v2.0/routers/") && strings.HasSuffix(p, "/add_router_interface"):
		f.addInterface(w, r)
	default:
		f.proxy.ServeHTTP(w, r)
	}
}

// isOurs reports whether alias is a BGPVPN extension (not one of the core
// extensions our standalone API also lists, which are Neutron's here).
func isOurs(alias string) bool {
	return strings.HasPrefix(alias, "bgpvpn") || strings.HasPrefix(alias, "standard-attr-bgpvpn")
}

// addInterface checks add_router_interface before Neutron sees it.
func (f *Front) addInterface(w http.ResponseWriter, r *http.Request) {
	if f.InterfaceAllowed == nil {
		f.proxy.ServeHTTP(w, r)
		return
	}
	routerID := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/v2.0/routers/"), "/add_router_interface")
	// An interface request is a few ids; a body past maxBody is refused
	// rather than cut (Neutron's own limit, oslo.middleware's
	// max_request_body_size, is 112 KiB).
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeFault(w, fault.BadRequest("Malformed request body"))
		return
	}
	if len(body) > maxBody {
		writeFault(w, fault.New(http.StatusRequestEntityTooLarge, "HTTPRequestEntityTooLarge", "Request is too large."))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var b struct {
		SubnetID string `json:"subnet_id"`
		PortID   string `json:"port_id"`
	}
	// A body Neutron would refuse goes to Neutron, which says why.
	if json.Unmarshal(body, &b) == nil && !strings.Contains(routerID, "/") && (b.SubnetID != "") != (b.PortID != "") {
		if err := f.InterfaceAllowed(r.Context(), routerID, b.SubnetID, b.PortID); err != nil {
			if ft, ok := fault.As(err); ok {
				writeFault(w, ft)
				return
			}
			f.log.Error("checking a router interface", "router_id", routerID, "error", err)
			writeFault(w, fault.New(http.StatusInternalServerError, "HTTPInternalServerError",
				"Request Failed: internal server error while processing your request."))
			return
		}
	}
	f.proxy.ServeHTTP(w, r)
}

// associationKind is "network", "router" or "port" for the path of an
// association collection (/v2.0/bgpvpn/bgpvpns/{id}/network_associations),
// "" for any other path.
func associationKind(p string) string {
	rest, ok := strings.CutPrefix(p, "/v2.0/bgpvpn/bgpvpns/")
	if !ok {
		return ""
	}
	parts := strings.Split(strings.TrimSuffix(rest, ".json"), "/")
	if len(parts) != 2 || parts[0] == "" {
		return ""
	}
	switch parts[1] {
	case "network_associations":
		return "network"
	case "router_associations":
		return "router"
	case "port_associations":
		return "port"
	}
	return ""
}

// association has the mirror read what an association names, then lets
// our API create it. A body it cannot read goes to the API, which says why.
func (f *Front) association(w http.ResponseWriter, r *http.Request, kind string) {
	if f.AwaitMirrored == nil {
		f.api.ServeHTTP(w, r)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	if err != nil {
		writeFault(w, fault.BadRequest("Malformed request body"))
		return
	}
	if len(body) > maxBody {
		writeFault(w, fault.New(http.StatusRequestEntityTooLarge, "HTTPRequestEntityTooLarge", "Request is too large."))
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	var b map[string]map[string]json.RawMessage
	if json.Unmarshal(body, &b) == nil {
		var id string
		if json.Unmarshal(b[kind+"_association"][kind+"_id"], &id) == nil && id != "" {
			f.AwaitMirrored(r.Context(), kind, id)
		}
	}
	f.api.ServeHTTP(w, r)
}

// maxBody is the largest add_router_interface body read for the check.
const maxBody = 1 << 20

func writeFault(w http.ResponseWriter, f *fault.Fault) {
	b, _ := json.Marshal(map[string]any{"NeutronError": map[string]string{"type": f.Type, "message": f.Message, "detail": ""}})
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(f.Status)
	w.Write(b)
}

// neutronURL is path on Neutron, with the query of r.
func (f *Front) neutronURL(path string, r *http.Request) string {
	u := *f.neutron
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	u.RawQuery = r.URL.RawQuery
	return u.String()
}

// extensions answers Neutron's list with the BGPVPN extensions added. A
// failure of Neutron is passed through as it is.
func (f *Front) extensions(w http.ResponseWriter, r *http.Request) {
	req, err := http.NewRequestWithContext(r.Context(), http.MethodGet, f.neutronURL("/v2.0/extensions", r), nil)
	if err != nil {
		writeFault(w, fault.New(http.StatusInternalServerError, "HTTPInternalServerError", "Request Failed: internal server error while processing your request."))
		return
	}
	req.Header = r.Header.Clone()
	req.Header.Del("Accept-Encoding") // read it here, whatever the client accepts
	res, err := f.client.Do(req)
	if err != nil {
		f.proxy.ErrorHandler(w, r, err)
		return
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	var list struct {
		Extensions []json.RawMessage `json:"extensions"`
	}
	if err != nil || res.StatusCode != http.StatusOK || json.Unmarshal(body, &list) != nil {
		copyHeader(w.Header(), res.Header)
		w.WriteHeader(res.StatusCode)
		w.Write(body)
		return
	}
	ours, err := f.ourExtensions(r)
	if err != nil {
		f.log.Error("listing our extensions", "error", err)
	}
	have := map[string]bool{}
	for _, e := range list.Extensions {
		var a struct {
			Alias string `json:"alias"`
		}
		json.Unmarshal(e, &a)
		have[a.Alias] = true
	}
	for _, e := range ours {
		var a struct {
			Alias string `json:"alias"`
		}
		if json.Unmarshal(e, &a) == nil && isOurs(a.Alias) && !have[a.Alias] {
			list.Extensions = append(list.Extensions, e)
		}
	}
	out, _ := json.Marshal(list)
	copyHeader(w.Header(), res.Header)
	w.Header().Del("Content-Length")
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	w.Write(out)
}

// ourExtensions asks our own API for its list, with the caller's
// identity.
func (f *Front) ourExtensions(r *http.Request) ([]json.RawMessage, error) {
	req := r.Clone(r.Context())
	req.URL = &url.URL{Path: "/v2.0/extensions"}
	req.RequestURI = "/v2.0/extensions"
	rec := &recorder{header: http.Header{}}
	f.api.ServeHTTP(rec, req)
	if rec.status != http.StatusOK {
		return nil, fmt.Errorf("our extensions: status %d: %s", rec.status, rec.body.Bytes())
	}
	var list struct {
		Extensions []json.RawMessage `json:"extensions"`
	}
	if err := json.Unmarshal(rec.body.Bytes(), &list); err != nil {
		return nil, fmt.Errorf("our extensions: %w", err)
	}
	return list.Extensions, nil
}

func copyHeader(dst, src http.Header) {
	for k, vs := range src {
		dst[k] = append([]string(nil), vs...)
	}
}

// recorder keeps what our own handler answers an internal request.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }
func (r *recorder) WriteHeader(s int) {
	if r.status == 0 {
		r.status = s
	}
}
func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}
