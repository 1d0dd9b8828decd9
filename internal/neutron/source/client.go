package source

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
)

// Auth is the [neutron] section, in the names of Nova's (keystoneauth's).
type Auth struct {
	AuthType, AuthURL, Username, Password, ProjectName, UserDomainName, ProjectDomainName string
	RegionName                                                                            string
	// ValidInterfaces are the catalog interfaces to try, in order
	// (internal, public, admin).
	ValidInterfaces []string
	// EndpointOverride is Neutron's URL, used instead of the catalog's.
	EndpointOverride string
}

// Client connects to Neutron: with auth_type none, to EndpointOverride
// without a token; with password (or v3password), through Keystone, the
// token renewed when it expires.
func Client(ctx context.Context, a Auth, hc *http.Client) (*gophercloud.ServiceClient, error) {
	switch strings.ToLower(a.AuthType) {
	case "none", "noauth":
		if a.EndpointOverride == "" {
			return nil, errors.New("[neutron] auth_type = none needs endpoint_override")
		}
		pc, err := openstack.NewClient(a.EndpointOverride)
		if err != nil {
			return nil, fmt.Errorf("[neutron] endpoint_override: %w", err)
		}
		pc.HTTPClient = *hc
		pc.UserAgent.Prepend("bgpvpn-server")
		return withEndpoint(pc, a.EndpointOverride), nil
	case "password", "v3password":
	default:
		return nil, fmt.Errorf("[neutron] auth_type = %q: want password, v3password or none", a.AuthType)
	}
	if a.AuthURL == "" {
		return nil, errors.New("[neutron] auth_url is required with auth_type = password")
	}
	pc, err := openstack.NewClient(a.AuthURL)
	if err != nil {
		return nil, fmt.Errorf("[neutron] auth_url: %w", err)
	}
	pc.HTTPClient = *hc
	pc.UserAgent.Prepend("bgpvpn-server")
	opts := gophercloud.AuthOptions{
		IdentityEndpoint: a.AuthURL, Username: a.Username, Password: a.Password, DomainName: a.UserDomainName,
		Scope:       &gophercloud.AuthScope{ProjectName: a.ProjectName, DomainName: a.ProjectDomainName},
		AllowReauth: true,
	}
	if err := openstack.Authenticate(ctx, pc, opts); err != nil {
		return nil, fmt.Errorf("authenticating to keystone at %s: %w", a.AuthURL, err)
	}
	if a.EndpointOverride != "" {
		return withEndpoint(pc, a.EndpointOverride), nil
	}
	interfaces := a.ValidInterfaces
	if len(interfaces) == 0 {
		interfaces = []string{"internal", "public"}
	}
	var errs []error
	for _, i := range interfaces {
		sc, err := openstack.NewNetworkV2(pc, gophercloud.EndpointOpts{Region: a.RegionName, Availability: gophercloud.Availability(strings.TrimSuffix(i, "URL"))})
		if err == nil {
			return sc, nil
		}
		errs = append(errs, err)
	}
	return nil, fmt.Errorf("finding neutron in the catalog (interfaces %v): %w", interfaces, errors.Join(errs...))
}

// withEndpoint is a network client on a fixed URL; a trailing /v2.0 is
// accepted and not doubled.
func withEndpoint(pc *gophercloud.ProviderClient, endpoint string) *gophercloud.ServiceClient {
	base := strings.TrimSuffix(strings.TrimSuffix(endpoint, "/"), "/v2.0")
	return &gophercloud.ServiceClient{ProviderClient: pc, Endpoint: base + "/", ResourceBase: base + "/v2.0/", Type: "network"}
}
