// Package identity tells who is calling. In noauth mode the caller says it
// with the headers that Neutron's keystonecontext reads (X-User-Id,
// X-Project-Id or X-Tenant-Id, X-Roles); a request with none of them is the
// configured admin, which is what `openstack --os-auth-type none` needs.
// Keystone tokens (package identity/keystone) plug in behind the same
// Authenticator interface.
package identity

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/policy"
)

// ErrUnauthenticated means the request must be refused with 401.
var ErrUnauthenticated = errors.New("unauthenticated")

// ResponseWriter is an authentication error that knows the exact answer to
// give (status, headers, body), e.g. keystonemiddleware's 401 and 503.
type ResponseWriter interface {
	error
	WriteResponse(w http.ResponseWriter, r *http.Request)
}

// Authenticator turns a request into credentials.
type Authenticator interface {
	Authenticate(r *http.Request) (policy.Credentials, error)
}

// NoAuth trusts the identity headers.
type NoAuth struct {
	// Admin is who a request without identity headers is.
	Admin policy.Credentials
}

var _ Authenticator = NoAuth{}

// DefaultAdmin is the identity of a header-less request by default.
var DefaultAdmin = policy.Credentials{UserID: "admin-user", ProjectID: "admin-project", Roles: []string{"admin"}}

// Authenticate reads the identity headers.
func (n NoAuth) Authenticate(r *http.Request) (policy.Credentials, error) {
	user := r.Header.Get("X-User-Id")
	project := r.Header.Get("X-Project-Id")
	if project == "" {
		project = r.Header.Get("X-Tenant-Id")
	}
	roles := r.Header.Get("X-Roles")
	if user == "" && project == "" && roles == "" {
		return n.Admin, nil
	}
	if user == "" {
		// keystonecontext refuses a project without a user.
		return policy.Credentials{}, ErrUnauthenticated
	}
	c := policy.Credentials{UserID: user, ProjectID: project}
	for _, role := range strings.Split(roles, ",") {
		if role = strings.TrimSpace(role); role != "" {
			c.Roles = append(c.Roles, role)
		}
	}
	return c, nil
}
