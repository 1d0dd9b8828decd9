package dashboard

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// Identity is who a session acts as.
type Identity struct {
	UserID, UserName       string
	ProjectID, ProjectName string
	Roles                  []string
	// Token, when set, is sent as X-Auth-Token instead of the noauth
	// identity headers; Expires is when it ends (the session ends then).
	Token   string
	Expires time.Time
}

// Credentials are what policy sees of the identity.
func (i Identity) Credentials() policy.Credentials {
	return policy.Credentials{UserID: i.UserID, ProjectID: i.ProjectID, Roles: i.Roles}
}

// apply puts the identity on a request to the API.
func (i Identity) apply(r *http.Request) {
	if i.Token != "" {
		r.Header.Set("X-Auth-Token", i.Token)
		return
	}
	r.Header.Set("X-User-Id", i.UserID)
	r.Header.Set("X-Project-Id", i.ProjectID)
	r.Header.Set("X-Roles", strings.Join(i.Roles, ","))
}

// SignInForm is what the sign-in page posted.
type SignInForm struct {
	User, Password, Project, Domain, Roles string
}

// SignIn turns a sign-in form into an identity. ErrBadCredentials (or an
// error wrapping it) means the form was refused; its message is shown.
type SignIn interface {
	// Fields says which form fields the page shows: "password" for a
	// user name and password, "identity" to choose a noauth identity.
	Fields() string
	SignIn(ctx context.Context, f SignInForm) (Identity, error)
}

// ErrBadCredentials is a refused sign-in.
var ErrBadCredentials = errors.New("the user name, password or project is not right")

// NoAuth signs in as any identity, as the API's noauth headers allow.
type NoAuth struct{}

var _ SignIn = NoAuth{}

// Fields implements SignIn.
func (NoAuth) Fields() string { return "identity" }

// SignIn implements SignIn: the user and project are required, the roles
// a comma-separated list.
func (NoAuth) SignIn(_ context.Context, f SignInForm) (Identity, error) {
	user, project := strings.TrimSpace(f.User), strings.TrimSpace(f.Project)
	if user == "" || project == "" {
		return Identity{}, errors.New("a user and a project are required")
	}
	id := Identity{UserID: user, UserName: user, ProjectID: project, ProjectName: project}
	for _, r := range strings.Split(f.Roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			id.Roles = append(id.Roles, r)
		}
	}
	return id, nil
}
