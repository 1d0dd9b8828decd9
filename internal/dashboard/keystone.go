package dashboard

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Keystone signs in with a user name and password: a project-scoped token
// from Keystone's POST /v3/auth/tokens, which the session keeps
// server-side and sends to the API as X-Auth-Token.
type Keystone struct {
	// AuthURL is Keystone's public endpoint ([keystone_authtoken]
	// auth_url), with or without the trailing /v3.
	AuthURL string
	// Client defaults to one with a 10 s timeout.
	Client *http.Client
}

var _ SignIn = Keystone{}

// Fields implements SignIn.
func (Keystone) Fields() string { return "password" }

// SignIn implements SignIn.
func (k Keystone) SignIn(ctx context.Context, f SignInForm) (Identity, error) {
	domain := strings.TrimSpace(f.Domain)
	if domain == "" {
		domain = "Default"
	}
	if strings.TrimSpace(f.User) == "" || f.Password == "" || strings.TrimSpace(f.Project) == "" {
		return Identity{}, fmt.Errorf("%w: a user name, a password and a project are required", ErrBadCredentials)
	}
	type named struct {
		Name   string  `json:"name"`
		Domain *named  `json:"domain,omitempty"`
		Pass   *string `json:"password,omitempty"`
	}
	var body struct {
		Auth struct {
			Identity struct {
				Methods  []string `json:"methods"`
				Password struct {
					User named `json:"user"`
				} `json:"password"`
			} `json:"identity"`
			Scope struct {
				Project named `json:"project"`
			} `json:"scope"`
		} `json:"auth"`
	}
	pw := f.Password
	body.Auth.Identity.Methods = []string{"password"}
	body.Auth.Identity.Password.User = named{Name: strings.TrimSpace(f.User), Domain: &named{Name: domain}, Pass: &pw}
	body.Auth.Scope.Project = named{Name: strings.TrimSpace(f.Project), Domain: &named{Name: domain}}
	raw, err := json.Marshal(body)
	if err != nil {
		return Identity{}, fmt.Errorf("encoding the token request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, k.tokensURL(), bytes.NewReader(raw))
	if err != nil {
		return Identity{}, fmt.Errorf("keystone auth_url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	c := k.Client
	if c == nil {
		c = &http.Client{Timeout: 10 * time.Second}
	}
	res, err := c.Do(req)
	if err != nil {
		return Identity{}, fmt.Errorf("asking keystone for a token: %w", err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		return Identity{}, fmt.Errorf("reading keystone's answer: %w", err)
	}
	switch {
	case res.StatusCode == http.StatusUnauthorized || res.StatusCode == http.StatusNotFound:
		return Identity{}, ErrBadCredentials
	case res.StatusCode/100 != 2:
		return Identity{}, fmt.Errorf("keystone answered %s", res.Status)
	}
	var tok struct {
		Token struct {
			ExpiresAt time.Time `json:"expires_at"`
			User      struct{ ID, Name string }
			Project   *struct{ ID, Name string }
			Roles     []struct{ ID, Name string }
		} `json:"token"`
	}
	if err := json.Unmarshal(data, &tok); err != nil {
		return Identity{}, fmt.Errorf("decoding keystone's token: %w", err)
	}
	subject := res.Header.Get("X-Subject-Token")
	if subject == "" || tok.Token.Project == nil {
		return Identity{}, fmt.Errorf("keystone returned no project-scoped token")
	}
	id := Identity{UserID: tok.Token.User.ID, UserName: tok.Token.User.Name,
		ProjectID: tok.Token.Project.ID, ProjectName: tok.Token.Project.Name,
		Token: subject, Expires: tok.Token.ExpiresAt}
	for _, r := range tok.Token.Roles {
		id.Roles = append(id.Roles, r.Name)
	}
	return id, nil
}

func (k Keystone) tokensURL() string {
	u := strings.TrimRight(k.AuthURL, "/")
	if !strings.HasSuffix(u, "/v3") {
		u += "/v3"
	}
	return u + "/auth/tokens"
}
