package keystone

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/bgpvpn/bgpvpn/internal/identity"
	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// Authenticator validates X-Auth-Token with Keystone.
type Authenticator struct {
	cfg    Config
	client *client
	cache  *cache
	group  singleflight.Group
	log    *slog.Logger
	now    func() time.Time
}

var _ identity.Authenticator = (*Authenticator)(nil)

// New builds an Authenticator; it does not contact Keystone until the
// first request.
func New(cfg Config, log *slog.Logger) (*Authenticator, error) {
	hc, err := newHTTPClient(cfg)
	if err != nil {
		return nil, err
	}
	a := &Authenticator{cfg: cfg, cache: newCache(), log: log, now: time.Now}
	a.client = &client{cfg: cfg, http: hc, now: func() time.Time { return a.now() }}
	return a, nil
}

// Authenticate returns the credentials of the request's X-Auth-Token (and
// X-Service-Token, when present). Refusals are errors that write
// keystonemiddleware's answer (see Refusal).
func (a *Authenticator) Authenticate(r *http.Request) (policy.Credentials, error) {
	token := r.Header.Get("X-Auth-Token")
	if token == "" {
		return policy.Credentials{}, a.unauthorized("no X-Auth-Token")
	}
	user, err := a.check(r.Context(), token)
	if err != nil {
		return policy.Credentials{}, a.refusal(err)
	}
	creds := user.creds
	if st := r.Header.Get("X-Service-Token"); st != "" {
		svc, err := a.check(r.Context(), st)
		if err != nil {
			return policy.Credentials{}, a.refusal(err)
		}
		if a.cfg.ServiceRolesReq && !hasAnyRole(svc.creds.Roles, a.cfg.ServiceRoles) {
			return policy.Credentials{}, a.unauthorized("X-Service-Token without a service role")
		}
		creds.ServiceUserID, creds.ServiceRoles = svc.creds.UserID, svc.creds.Roles
	}
	return creds, nil
}

func hasAnyRole(have, want []string) bool {
	for _, h := range have {
		if slices.ContainsFunc(want, func(w string) bool { return strings.EqualFold(h, w) }) {
			return true
		}
	}
	return false
}

// check validates a token through the cache; concurrent checks of one
// token not in the cache share one validation.
func (a *Authenticator) check(ctx context.Context, token string) (validToken, error) {
	if len(token) > 8192 || strings.ContainsAny(token, " \t\r\n") {
		return validToken{}, ErrInvalidToken
	}
	key := cacheKey(sha256.Sum256([]byte(token)))
	if e, ok := a.cache.get(key, a.now()); ok {
		if !e.valid {
			return validToken{}, ErrInvalidToken
		}
		return e.tok, nil
	}
	v, err, _ := a.group.Do(string(key[:]), func() (any, error) {
		// One caller's cancellation must not fail the others.
		vctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.Timeout+time.Second)
		defer cancel()
		return a.validate(vctx, key, token)
	})
	if err != nil {
		return validToken{}, err
	}
	return v.(validToken), nil
}

// validate asks Keystone and caches the answer, valid or not, for at most
// token_cache_time and never past the token's expiry.
func (a *Authenticator) validate(ctx context.Context, key cacheKey, token string) (validToken, error) {
	t, err := a.client.validate(ctx, token)
	now := a.now()
	until := now.Add(a.cfg.CacheTime)
	switch {
	case errors.Is(err, ErrInvalidToken):
		if a.cfg.CacheTime > 0 {
			a.cache.put(key, entry{until: until}, now)
		}
		return validToken{}, err
	case err != nil:
		a.log.Error("cannot validate a token", "error", err)
		return validToken{}, err
	}
	if !now.Before(t.Token.ExpiresAt) {
		return validToken{}, ErrInvalidToken
	}
	v := validToken{creds: t.credentials(), expires: t.Token.ExpiresAt}
	if t.Token.ExpiresAt.Before(until) {
		until = t.Token.ExpiresAt
	}
	if a.cfg.CacheTime > 0 {
		a.cache.put(key, entry{tok: v, valid: true, until: until}, now)
	}
	return v, nil
}

func (a *Authenticator) refusal(err error) error {
	if errors.Is(err, ErrInvalidToken) {
		return a.unauthorized("invalid token")
	}
	return &Refusal{Status: http.StatusServiceUnavailable, Err: err}
}

func (a *Authenticator) unauthorized(why string) error {
	return &Refusal{Status: http.StatusUnauthorized, wwwAuthenticate: a.cfg.WWWAuthenticateURI,
		Err: fmt.Errorf("%w: %s", identity.ErrUnauthenticated, why)}
}

// Refusal is a request keystonemiddleware would not let through: 401 with
// WWW-Authenticate, or 503 when Keystone could not be asked.
type Refusal struct {
	Status          int
	Err             error
	wwwAuthenticate string
}

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// The bodies keystonemiddleware (through webob) answers.
const (
	body401 = `{"error": {"code": 401, "title": "Unauthorized", "message": "The request you have made requires authentication."}}`
	// webob's HTTPServiceUnavailable with keystonemiddleware's detail, as
	// plain text and as JSON (when the client accepts JSON).
	body503Plain = "503 Service Unavailable\n\nThe server is currently unavailable. Please try again at a later time.\n\n The Keystone service is temporarily unavailable.  "
	body503JSON  = `{"message": "The server is currently unavailable. Please try again at a later time.<br /><br />\nThe Keystone service is temporarily unavailable.\n\n", "code": "503 Service Unavailable", "title": "Service Unavailable"}`
)

// WriteResponse writes the refusal as keystonemiddleware does.
func (r *Refusal) WriteResponse(w http.ResponseWriter, req *http.Request) {
	h := w.Header()
	if r.Status == http.StatusUnauthorized {
		// Spelt as keystonemiddleware does (Go would write Www-Authenticate).
		h["WWW-Authenticate"] = []string{`Keystone uri="` + r.wwwAuthenticate + `"`}
		h.Set("Content-Type", "application/json; charset=UTF-8")
		w.WriteHeader(r.Status)
		fmt.Fprint(w, body401)
		return
	}
	if strings.Contains(req.Header.Get("Accept"), "application/json") {
		h.Set("Content-Type", "application/json")
		w.WriteHeader(r.Status)
		fmt.Fprint(w, body503JSON)
		return
	}
	h.Set("Content-Type", "text/plain; charset=UTF-8")
	w.WriteHeader(r.Status)
	fmt.Fprint(w, body503Plain)
}
