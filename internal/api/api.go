// Package api serves the Neutron-compatible REST API: the BGPVPN extension
// resources and the core network model they point at.
//
// Requests are handled like Neutron's controllers do it: identity, body
// preparation against the attribute map, policy (with per-attribute rules
// and hidden attributes), one store transaction that runs the business
// rules and the driver's precommit, then the driver's postcommit. Handlers
// return errors; one adapter renders them as Neutron faults.
package api

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/identity"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Options configure the API.
type Options struct {
	Store   store.Store
	Policy  *policy.Enforcer
	Auth    identity.Authenticator
	Service *bgpvpn.Service
	// Core is the core network model: the standalone tables, or Neutron's
	// mirror (read-only).
	Core   CoreModel
	Logger *slog.Logger
	// QuotaDefaults are the default limits by quota resource ([quotas]);
	// a resource without one is unlimited.
	QuotaDefaults map[string]int64
}

// API is the HTTP handler.
type API struct {
	store   store.Store
	policy  *policy.Enforcer
	auth    identity.Authenticator
	service *bgpvpn.Service
	core    CoreModel
	log     *slog.Logger
	defined sync.Map

	kinds      map[string]*kind // top-level collections by URL segment
	assocKinds map[string]*kind // BGPVPN sub-collections
	extensions []extension

	quotaDefaults map[string]int64
	quotaSpec     *resource.Spec
}

// New builds the API.
func New(o Options) *API {
	a := &API{store: o.Store, policy: o.Policy, auth: o.Auth, service: o.Service, core: o.Core, log: o.Logger}
	a.kinds = map[string]*kind{
		"bgpvpns":  a.bgpvpnKind(),
		"networks": a.networkKind(),
		"subnets":  a.subnetKind(),
		"ports":    a.portKind(),
		"routers":  a.routerKind(),
		// rbac-bgpvpn
		"rbac-policies": a.rbacKind(),
	}
	a.assocKinds = map[string]*kind{
		"network_associations": a.networkAssociationKind(),
		"router_associations":  a.routerAssociationKind(),
		"port_associations":    a.portAssociationKind(),
	}
	for _, k := range a.kinds {
		k.prepare()
	}
	for _, k := range a.assocKinds {
		k.prepare()
	}
	a.extensions = extensions()
	a.quotaDefaults, a.quotaSpec = o.QuotaDefaults, quotaSpec()
	return a
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// ServeHTTP routes a request.
func (a *API) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := time.Now()
	reqID := "req-" + newID()
	rw.Header().Set(requestIDHeader, reqID)
	w := &statusWriter{ResponseWriter: rw, status: http.StatusOK}
	defer func() {
		if p := recover(); p != nil {
			writeError(w, r, a.log, fmt.Errorf("panic serving request: %v", p))
		}
		a.log.Debug("request", "method", r.Method, "path", r.URL.Path, "status", w.status,
			"duration_ms", float64(time.Since(start).Microseconds())/1000, "request_id", reqID)
	}()
	if strings.TrimSuffix(strings.Trim(r.URL.Path, "/"), ".json") == "" {
		// Neutron's version list is outside its authenticated pipeline:
		// clients discover versions before, or without, a token.
		if err := a.versions(w, r); err != nil {
			writeError(w, r, a.log, err)
		}
		return
	}
	creds, err := a.auth.Authenticate(r)
	if err != nil {
		var rw identity.ResponseWriter
		if errors.As(err, &rw) {
			rw.WriteResponse(w, r)
			return
		}
		if errors.Is(err, identity.ErrUnauthenticated) {
			w.Header().Set("Content-Type", "text/plain; charset=UTF-8")
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, "401 Unauthorized\n\nThis server could not verify that you are authorized to access the document you requested. Either you supplied the wrong credentials (e.g., bad password), or your browser does not understand how to supply the credentials required.\n\n")
			return
		}
		writeError(w, r, a.log, err)
		return
	}
	if err := checkEdge(r, creds); err != nil {
		writeError(w, r, a.log, err)
		return
	}
	c := &call{creds: creds, admin: a.policy.IsAdmin(creds)}
	c.Caller = bgpvpn.Caller{ProjectID: creds.ProjectID, Admin: c.admin}
	c.RequestID = reqID
	if err := a.route(w, r, c); err != nil {
		writeError(w, r, a.log, err)
	}
}

func (a *API) route(w http.ResponseWriter, r *http.Request, c *call) error {
	path := strings.Trim(r.URL.Path, "/")
	path = strings.TrimSuffix(path, ".json")
	seg := strings.Split(path, "/")
	if path == "" {
		return a.versions(w, r)
	}
	if seg[0] != "v2.0" {
		return notFoundPath()
	}
	seg = seg[1:]
	if len(seg) == 0 {
		return a.resourcesIndex(w, r)
	}
	if seg[0] == "extensions" {
		return a.extensionsHandler(w, r, seg[1:])
	}
	if seg[0] == "quotas" {
		return a.quotas(w, r, c, seg[1:])
	}
	if seg[0] == "bgpvpn" {
		seg = seg[1:]
		if len(seg) > 0 && seg[0] == "techniques" {
			return a.techniques(w, r, seg[1:])
		}
		if len(seg) == 0 || seg[0] != "bgpvpns" {
			return notFoundPath()
		}
	}
	k, ok := a.kinds[seg[0]]
	if !ok {
		return notFoundPath()
	}
	switch len(seg) {
	case 1:
		switch r.Method {
		case http.MethodGet:
			return a.index(k, w, r, c, "")
		case http.MethodPost:
			return a.createItems(k, w, r, c, "")
		case http.MethodPut, http.MethodDelete:
			return k.notFound("", "None")
		}
		return methodNotAllowed()
	case 2:
		return a.member(k, w, r, c, "", seg[1])
	}
	if seg[0] == "routers" && len(seg) == 3 {
		return a.routerAction(w, r, c, seg[1], seg[2])
	}
	if seg[0] != "bgpvpns" {
		return notFoundPath()
	}
	sub, ok := a.assocKinds[seg[2]]
	if !ok {
		return notFoundPath()
	}
	parent := seg[1]
	switch len(seg) {
	case 3:
		switch r.Method {
		case http.MethodGet:
			return a.index(sub, w, r, c, parent)
		case http.MethodPost:
			return a.createItems(sub, w, r, c, parent)
		}
		return methodNotAllowed()
	case 4:
		return a.member(sub, w, r, c, parent, seg[3])
	}
	return notFoundPath()
}

func (a *API) member(k *kind, w http.ResponseWriter, r *http.Request, c *call, parent, id string) error {
	switch r.Method {
	case http.MethodGet:
		return a.show(k, w, r, c, parent, id)
	case http.MethodPut:
		if k.update == nil {
			return methodNotAllowed()
		}
		return a.updateItem(k, w, r, c, parent, id)
	case http.MethodDelete:
		return a.deleteItem(k, w, r, c, parent, id)
	}
	return methodNotAllowed()
}

func (a *API) versions(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed()
	}
	href := requestBase(r) + "/v2.0/"
	writeJSON(w, http.StatusOK, Fields{{"versions", []Fields{{
		{"id", "v2.0"}, {"status", "CURRENT"}, {"links", []Fields{{{"href", href}, {"rel", "self"}}}},
	}}}})
	return nil
}

func (a *API) resourcesIndex(w http.ResponseWriter, r *http.Request) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed()
	}
	var res []Fields
	for _, name := range []string{"networks", "subnets", "ports", "routers"} {
		k := a.kinds[name]
		res = append(res, Fields{{"name", k.spec.Singular}, {"collection", name},
			{"links", []Fields{{{"href", requestBase(r) + "/v2.0/" + name}, {"rel", "self"}}}}})
	}
	writeJSON(w, http.StatusOK, Fields{{"resources", res}})
	return nil
}

// newID returns a random (version 4) UUID.
func newID() string { return network.NewID() }
