package keystone

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

var (
	// ErrInvalidToken means Keystone refused the token: unknown, malformed,
	// expired or revoked.
	ErrInvalidToken = errors.New("invalid token")
	// ErrUnavailable means Keystone could not answer.
	ErrUnavailable = errors.New("keystone unavailable")
)

// maxBody bounds what we read of one Keystone answer.
const maxBody = 4 << 20

// client talks to Keystone for the server: it keeps the service user's
// token, renewing it before it expires, and validates user tokens with it.
type client struct {
	cfg  Config
	http *http.Client
	now  func() time.Time

	mu           sync.Mutex
	serviceToken string
	renewAt      time.Time
	expires      time.Time
	identityURL  string // v3 root that validates tokens
}

func newHTTPClient(cfg Config) (*http.Client, error) {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	if cfg.CAFile != "" || cfg.Insecure || cfg.CertFile != "" {
		tc := &tls.Config{InsecureSkipVerify: cfg.Insecure} //nolint:gosec // the operator's [keystone_authtoken] insecure
		if cfg.CAFile != "" {
			pem, err := os.ReadFile(cfg.CAFile)
			if err != nil {
				return nil, fmt.Errorf("[%s] cafile: %w", Section, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return nil, fmt.Errorf("[%s] cafile %s: no PEM certificate", Section, cfg.CAFile)
			}
			tc.RootCAs = pool
		}
		if cfg.CertFile != "" {
			cert, err := tls.LoadX509KeyPair(cfg.CertFile, cfg.KeyFile)
			if err != nil {
				return nil, fmt.Errorf("[%s] certfile/keyfile: %w", Section, err)
			}
			tc.Certificates = []tls.Certificate{cert}
		}
		tr.TLSClientConfig = tc
	}
	return &http.Client{Transport: tr, Timeout: cfg.Timeout}, nil
}

// v3Root turns an auth_url (with or without /v3) into the v3 API root.
func v3Root(u string) string {
	u = strings.TrimSuffix(u, "/")
	if strings.HasSuffix(u, "/v3") {
		return u
	}
	return strings.TrimSuffix(u, "/v2.0") + "/v3"
}

// service returns the service user's token, authenticating first when there
// is none or it is due for renewal (half its life, at most a minute before
// it expires).
func (c *client) service(ctx context.Context) (string, string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.serviceToken != "" && c.now().Before(c.renewAt) {
		return c.serviceToken, c.identityURL, nil
	}
	req := PasswordRequest{
		AuthURL: c.cfg.AuthURL, Username: c.cfg.Username, UserID: c.cfg.UserID, Password: c.cfg.Password,
		UserDomainName: c.cfg.UserDomainName, UserDomainID: c.cfg.UserDomainID,
		ProjectName: c.cfg.ProjectName, ProjectID: c.cfg.ProjectID,
		ProjectDomainName: c.cfg.ProjectDomainName, ProjectDomainID: c.cfg.ProjectDomainID,
	}
	tok, body, err := passwordToken(ctx, c.http, req, true)
	if err != nil {
		// A refusal of the service user's password is Keystone not
		// serving us: the callers' tokens cannot be checked.
		return "", "", fmt.Errorf("%w: authenticating the service user: %v", ErrUnavailable, err) //nolint:errorlint // a refused service user is not a refused caller
	}
	now := c.now()
	life := tok.ExpiresAt.Sub(now)
	renew := now.Add(life / 2)
	if late := tok.ExpiresAt.Add(-time.Minute); life > 2*time.Minute && renew.After(late) {
		renew = late
	}
	c.serviceToken, c.expires, c.renewAt = tok.ID, tok.ExpiresAt, renew
	c.identityURL = v3Root(c.cfg.AuthURL)
	if u := endpoint(body.Token.Catalog, "identity", c.cfg.Interface, c.cfg.RegionName); u != "" {
		c.identityURL = v3Root(u)
	}
	return c.serviceToken, c.identityURL, nil
}

// forget drops the service token after Keystone refused it.
func (c *client) forget(tok string) {
	c.mu.Lock()
	if c.serviceToken == tok {
		c.serviceToken = ""
	}
	c.mu.Unlock()
}

// validate asks Keystone about a user token. A refused service token is
// renewed and the question asked once more.
func (c *client) validate(ctx context.Context, token string) (tokenBody, error) {
	for attempt := 0; ; attempt++ {
		svc, root, err := c.service(ctx)
		if err != nil {
			return tokenBody{}, err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, root+"/auth/tokens?nocatalog", nil)
		if err != nil {
			return tokenBody{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		req.Header.Set("X-Auth-Token", svc)
		req.Header.Set("X-Subject-Token", token)
		req.Header.Set("Accept", "application/json")
		resp, err := c.http.Do(req)
		if err != nil {
			return tokenBody{}, fmt.Errorf("%w: validating a token: %w", ErrUnavailable, err)
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		resp.Body.Close()
		if err != nil {
			return tokenBody{}, fmt.Errorf("%w: reading a validation: %w", ErrUnavailable, err)
		}
		switch {
		case resp.StatusCode == http.StatusOK:
			t, err := parseToken(data)
			if err != nil {
				return tokenBody{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
			}
			return t, nil
		case resp.StatusCode == http.StatusNotFound:
			return tokenBody{}, ErrInvalidToken
		case resp.StatusCode == http.StatusUnauthorized && attempt == 0:
			c.forget(svc)
			continue
		}
		return tokenBody{}, fmt.Errorf("%w: token validation answered %s", ErrUnavailable, resp.Status)
	}
}

// Token is a Keystone token obtained with a password.
type Token struct {
	ID        string // the X-Subject-Token: a secret, never log it
	ExpiresAt time.Time
	UserID    string
	ProjectID string
	Roles     []string
}

// PasswordRequest names a user and the project its token is for.
// ProjectName needs ProjectDomainName or ProjectDomainID; Username needs
// UserDomainName or UserDomainID ("Default" is Keystone's default domain).
// An empty project asks for the user's default scope.
type PasswordRequest struct {
	AuthURL           string // Keystone, e.g. http://127.0.0.1:5000 or …/v3
	Username, UserID  string
	Password          string
	UserDomainName    string
	UserDomainID      string
	ProjectName       string
	ProjectID         string
	ProjectDomainName string
	ProjectDomainID   string
}

// PasswordToken obtains a project-scoped token for a user and password
// (POST /v3/auth/tokens), e.g. for a dashboard's login form. hc nil means
// http.DefaultClient. A refusal by Keystone (wrong password, no role on the
// project) returns an error wrapping ErrInvalidToken, with Keystone's
// message; an unreachable Keystone one wrapping ErrUnavailable.
func PasswordToken(ctx context.Context, hc *http.Client, r PasswordRequest) (Token, error) {
	if hc == nil {
		hc = http.DefaultClient
	}
	t, _, err := passwordToken(ctx, hc, r, false)
	return t, err
}

func passwordToken(ctx context.Context, hc *http.Client, r PasswordRequest, catalog bool) (Token, tokenBody, error) {
	type domain struct {
		ID   string `json:"id,omitempty"`
		Name string `json:"name,omitempty"`
	}
	type user struct {
		ID       string  `json:"id,omitempty"`
		Name     string  `json:"name,omitempty"`
		Password string  `json:"password"`
		Domain   *domain `json:"domain,omitempty"`
	}
	u := user{ID: r.UserID, Name: r.Username, Password: r.Password}
	if r.UserID == "" {
		u.Domain = &domain{ID: r.UserDomainID, Name: r.UserDomainName}
	}
	auth := map[string]any{"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{"user": u}}}
	switch {
	case r.ProjectID != "":
		auth["scope"] = map[string]any{"project": map[string]any{"id": r.ProjectID}}
	case r.ProjectName != "":
		auth["scope"] = map[string]any{"project": map[string]any{"name": r.ProjectName,
			"domain": domain{ID: r.ProjectDomainID, Name: r.ProjectDomainName}}}
	}
	body, err := json.Marshal(map[string]any{"auth": auth})
	if err != nil {
		return Token{}, tokenBody{}, fmt.Errorf("encoding the authentication: %w", err)
	}
	url := v3Root(r.AuthURL) + "/auth/tokens"
	if !catalog {
		url += "?nocatalog"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Token{}, tokenBody{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return Token{}, tokenBody{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Token{}, tokenBody{}, fmt.Errorf("%w: reading Keystone's answer: %w", ErrUnavailable, err)
	}
	if resp.StatusCode != http.StatusCreated {
		var e struct {
			Error struct {
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(data, &e)
		if resp.StatusCode >= 500 {
			return Token{}, tokenBody{}, fmt.Errorf("%w: keystone answered %s", ErrUnavailable, resp.Status)
		}
		return Token{}, tokenBody{}, fmt.Errorf("%w: keystone answered %s: %s", ErrInvalidToken, resp.Status, e.Error.Message)
	}
	t, err := parseToken(data)
	if err != nil {
		return Token{}, tokenBody{}, fmt.Errorf("%w: %w", ErrUnavailable, err)
	}
	id := resp.Header.Get("X-Subject-Token")
	if id == "" {
		return Token{}, tokenBody{}, fmt.Errorf("%w: keystone answered without X-Subject-Token", ErrUnavailable)
	}
	creds := t.credentials()
	return Token{ID: id, ExpiresAt: t.Token.ExpiresAt, UserID: creds.UserID, ProjectID: creds.ProjectID, Roles: creds.Roles}, t, nil
}
