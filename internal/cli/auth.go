package cli

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/spf13/pflag"
	"gopkg.in/yaml.v3"
)

// Auth holds the connection settings, resolved the way python-openstackclient
// resolves them: --os-* flags, else OS_* variables, else the cloud named by
// --os-cloud/OS_CLOUD in clouds.yaml.
type Auth struct {
	Cloud             string
	AuthType          string
	AuthURL           string
	Endpoint          string
	Username          string
	UserID            string
	Password          string
	ProjectName       string
	ProjectID         string
	UserDomainName    string
	UserDomainID      string
	ProjectDomainName string
	ProjectDomainID   string
	RegionName        string
	Interface         string
	Token             string
	AppCredID         string
	AppCredName       string
	AppCredSecret     string
	Roles             string
	CACert            string
	Insecure          bool
	// Timeout is --timeout: seconds each wait for the server may last
	// (empty: api_timeout of the cloud, else defaultTimeout).
	Timeout string
}

// authFlag ties a flag to its environment variable.
type authFlag struct {
	name, env, usage string
	dst              *string
}

func (a *Auth) flags() []authFlag {
	return []authFlag{
		{"os-cloud", "OS_CLOUD", "cloud name in clouds.yaml", &a.Cloud},
		{"os-auth-type", "OS_AUTH_TYPE", "authentication type: password, token, v3password, v3token, v3applicationcredential or none (noauth server)", &a.AuthType},
		{"os-auth-url", "OS_AUTH_URL", "identity (Keystone) URL", &a.AuthURL},
		{"os-endpoint", "OS_ENDPOINT", "network API endpoint, e.g. http://127.0.0.1:9696 (required with --os-auth-type none)", &a.Endpoint},
		{"os-username", "OS_USERNAME", "user name", &a.Username},
		{"os-user-id", "OS_USER_ID", "user ID (with auth type none: sent as X-User-Id)", &a.UserID},
		{"os-password", "OS_PASSWORD", "password", &a.Password},
		{"os-project-name", "OS_PROJECT_NAME", "project name to scope to", &a.ProjectName},
		{"os-project-id", "OS_PROJECT_ID", "project ID to scope to (with auth type none: sent as X-Project-Id)", &a.ProjectID},
		{"os-user-domain-name", "OS_USER_DOMAIN_NAME", "domain name of the user", &a.UserDomainName},
		{"os-user-domain-id", "OS_USER_DOMAIN_ID", "domain ID of the user", &a.UserDomainID},
		{"os-project-domain-name", "OS_PROJECT_DOMAIN_NAME", "domain name of the project", &a.ProjectDomainName},
		{"os-project-domain-id", "OS_PROJECT_DOMAIN_ID", "domain ID of the project", &a.ProjectDomainID},
		{"os-region-name", "OS_REGION_NAME", "region of the network endpoint", &a.RegionName},
		{"os-interface", "OS_INTERFACE", "endpoint interface: public, internal or admin", &a.Interface},
		{"os-token", "OS_TOKEN", "existing token (auth type token)", &a.Token},
		{"os-application-credential-id", "OS_APPLICATION_CREDENTIAL_ID", "application credential ID (auth type v3applicationcredential)", &a.AppCredID},
		{"os-application-credential-name", "OS_APPLICATION_CREDENTIAL_NAME", "application credential name (with --os-username or --os-user-id)", &a.AppCredName},
		{"os-application-credential-secret", "OS_APPLICATION_CREDENTIAL_SECRET", "application credential secret", &a.AppCredSecret},
		{"os-roles", "OS_ROLES", "comma-separated roles, sent as X-Roles with auth type none (e.g. member)", &a.Roles},
		{"os-cacert", "OS_CACERT", "CA bundle to verify the server's TLS certificate", &a.CACert},
	}
}

// AddFlags registers the --os-* flags; each defaults to its OS_* variable.
func (a *Auth) AddFlags(fs *pflag.FlagSet) {
	for _, f := range a.flags() {
		fs.StringVar(f.dst, f.name, os.Getenv(f.env), fmt.Sprintf("%s (env %s)", f.usage, f.env))
	}
	fs.BoolVar(&a.Insecure, "insecure", os.Getenv("OS_INSECURE") == "true", "do not verify the server's TLS certificate (env OS_INSECURE)")
	fs.StringVar(&a.Timeout, "timeout", os.Getenv("OS_TIMEOUT"), fmt.Sprintf("seconds to wait for the server: to connect, for an answer, between two reads of it (env OS_TIMEOUT; default %g)", defaultTimeout.Seconds()))
}

// cloudConfig is the part of a clouds.yaml entry we read.
type cloudConfig struct {
	AuthType                string            `yaml:"auth_type"`
	Auth                    map[string]string `yaml:"auth"`
	RegionName              string            `yaml:"region_name"`
	Interface               string            `yaml:"interface"`
	EndpointType            string            `yaml:"endpoint_type"`
	NetworkEndpointOverride string            `yaml:"network_endpoint_override"`
	CACert                  string            `yaml:"cacert"`
	Verify                  *bool             `yaml:"verify"`
	APITimeout              string            `yaml:"api_timeout"`
}

// cloudsFiles lists where clouds.yaml is looked for, in OSC's order.
func cloudsFiles() []string {
	if p := os.Getenv("OS_CLIENT_CONFIG_FILE"); p != "" {
		return []string{p}
	}
	files := []string{"clouds.yaml"}
	cfg := os.Getenv("XDG_CONFIG_HOME")
	if cfg == "" {
		if home, err := os.UserHomeDir(); err == nil {
			cfg = filepath.Join(home, ".config")
		}
	}
	if cfg != "" {
		files = append(files, filepath.Join(cfg, "openstack", "clouds.yaml"))
	}
	return append(files, "/etc/openstack/clouds.yaml")
}

func loadCloud(name string) (cloudConfig, error) {
	for _, p := range cloudsFiles() {
		data, err := os.ReadFile(p)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return cloudConfig{}, fmt.Errorf("reading %s: %w", p, err)
		}
		var doc struct {
			Clouds map[string]cloudConfig `yaml:"clouds"`
		}
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return cloudConfig{}, fmt.Errorf("parsing %s: %w", p, err)
		}
		c, ok := doc.Clouds[name]
		if !ok {
			return cloudConfig{}, fmt.Errorf("cloud %s was not found in %s", name, p)
		}
		return c, nil
	}
	return cloudConfig{}, fmt.Errorf("cloud %s was not found: no clouds.yaml in %s", name, strings.Join(cloudsFiles(), ", "))
}

// resolve fills unset fields from the named cloud.
func (a Auth) resolve() (Auth, error) {
	if a.Cloud == "" {
		return a, nil
	}
	c, err := loadCloud(a.Cloud)
	if err != nil {
		return a, err
	}
	set := func(dst *string, vals ...string) {
		if *dst != "" {
			return
		}
		for _, v := range vals {
			if v != "" {
				*dst = v
				return
			}
		}
	}
	set(&a.AuthType, c.AuthType)
	set(&a.AuthURL, c.Auth["auth_url"])
	set(&a.Endpoint, c.NetworkEndpointOverride, c.Auth["endpoint"])
	set(&a.Username, c.Auth["username"])
	set(&a.UserID, c.Auth["user_id"])
	set(&a.Password, c.Auth["password"])
	set(&a.ProjectName, c.Auth["project_name"])
	set(&a.ProjectID, c.Auth["project_id"])
	set(&a.UserDomainName, c.Auth["user_domain_name"], c.Auth["domain_name"])
	set(&a.UserDomainID, c.Auth["user_domain_id"], c.Auth["domain_id"])
	set(&a.ProjectDomainName, c.Auth["project_domain_name"], c.Auth["domain_name"])
	set(&a.ProjectDomainID, c.Auth["project_domain_id"], c.Auth["domain_id"])
	set(&a.Token, c.Auth["token"])
	set(&a.AppCredID, c.Auth["application_credential_id"])
	set(&a.AppCredName, c.Auth["application_credential_name"])
	set(&a.AppCredSecret, c.Auth["application_credential_secret"])
	set(&a.Roles, c.Auth["roles"])
	set(&a.RegionName, c.RegionName)
	set(&a.Interface, c.Interface, c.EndpointType)
	set(&a.CACert, c.CACert)
	set(&a.Timeout, c.APITimeout)
	if c.Verify != nil && !*c.Verify {
		a.Insecure = true
	}
	return a, nil
}

// httpClient is the client of every request: bounded by the timeout, and
// checking answers (guardedTransport).
func (a Auth) httpClient() (http.Client, error) {
	timeout, err := parseTimeout(a.Timeout)
	if err != nil {
		return http.Client{}, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	if a.CACert != "" || a.Insecure {
		if tr.TLSClientConfig, err = a.tlsConfig(); err != nil {
			return http.Client{}, err
		}
	}
	return http.Client{Transport: newGuardedTransport(tr, timeout)}, nil
}

func (a Auth) tlsConfig() (*tls.Config, error) {
	cfg := &tls.Config{InsecureSkipVerify: a.Insecure} //nolint:gosec // asked for with --insecure
	if a.CACert != "" {
		pem, err := os.ReadFile(a.CACert)
		if err != nil {
			return nil, fmt.Errorf("reading CA bundle: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate found in %s", a.CACert)
		}
		cfg.RootCAs = pool
	}
	return cfg, nil
}

// NetworkClient returns a client of the network (Neutron) API.
func (a Auth) NetworkClient(ctx context.Context) (*gophercloud.ServiceClient, error) {
	a, err := a.resolve()
	if err != nil {
		return nil, err
	}
	hc, err := a.httpClient()
	if err != nil {
		return nil, err
	}
	switch strings.ToLower(a.AuthType) {
	case "none", "noauth":
		return a.noauthClient(hc)
	case "", "password", "v3password", "token", "v3token", "v2password", "v2token", "v3applicationcredential", "applicationcredential":
	default:
		return nil, fmt.Errorf("unsupported auth type %q (use password, token, v3applicationcredential or none)", a.AuthType)
	}
	if a.AuthURL == "" {
		return nil, errors.New("missing authentication: set --os-cloud, --os-auth-url (OS_AUTH_URL), or --os-auth-type none with --os-endpoint")
	}
	pc, err := openstack.NewClient(a.AuthURL)
	if err != nil {
		return nil, fmt.Errorf("creating client: %w", err)
	}
	pc.HTTPClient = hc
	pc.UserAgent.Prepend("bgpvpn-cli")
	opts := gophercloud.AuthOptions{
		IdentityEndpoint: a.AuthURL,
		Username:         a.Username,
		UserID:           a.UserID,
		Password:         a.Password,
		DomainName:       a.UserDomainName,
		DomainID:         a.UserDomainID,
		TokenID:          a.Token,
		AllowReauth:      true,
	}
	appCred := a.AppCredID != "" || a.AppCredName != "" || strings.Contains(strings.ToLower(a.AuthType), "applicationcredential")
	switch {
	case appCred:
		// An application credential carries its own project scope.
		opts.Password, opts.TokenID = "", ""
		opts.ApplicationCredentialID, opts.ApplicationCredentialName, opts.ApplicationCredentialSecret = a.AppCredID, a.AppCredName, a.AppCredSecret
	case a.ProjectID != "":
		opts.Scope = &gophercloud.AuthScope{ProjectID: a.ProjectID}
	case a.ProjectName != "":
		opts.Scope = &gophercloud.AuthScope{ProjectName: a.ProjectName, DomainName: a.ProjectDomainName, DomainID: a.ProjectDomainID}
	}
	if err := openstack.Authenticate(ctx, pc, opts); err != nil {
		return nil, keystoneRefusal(a.AuthURL, err)
	}
	eo := gophercloud.EndpointOpts{Region: a.RegionName}
	switch strings.TrimSuffix(strings.ToLower(a.Interface), "url") {
	case "internal":
		eo.Availability = gophercloud.AvailabilityInternal
	case "admin":
		eo.Availability = gophercloud.AvailabilityAdmin
	}
	if a.Endpoint != "" {
		return withEndpoint(pc, a.Endpoint), nil
	}
	sc, err := openstack.NewNetworkV2(pc, eo)
	if err != nil {
		return nil, fmt.Errorf("finding the network endpoint: %w", err)
	}
	return sc, nil
}

// noauthClient talks to a server without Keystone. The identity it asks for,
// if any, goes in the headers a noauth Neutron reads.
func (a Auth) noauthClient(hc http.Client) (*gophercloud.ServiceClient, error) {
	if a.Endpoint == "" {
		return nil, errors.New("--os-endpoint (OS_ENDPOINT) is required with --os-auth-type none")
	}
	pc, err := openstack.NewClient(a.Endpoint)
	if err != nil {
		return nil, fmt.Errorf("creating client: %w", err)
	}
	pc.HTTPClient = hc
	pc.UserAgent.Prepend("bgpvpn-cli")
	sc := withEndpoint(pc, a.Endpoint)
	sc.MoreHeaders = map[string]string{}
	for h, v := range map[string]string{"X-User-Id": a.UserID, "X-Project-Id": a.ProjectID, "X-Roles": a.Roles} {
		if v != "" {
			sc.MoreHeaders[h] = v
		}
	}
	return sc, nil
}

// withEndpoint builds a network client on a fixed endpoint; a trailing
// /v2.0 is accepted and not doubled.
func withEndpoint(pc *gophercloud.ProviderClient, endpoint string) *gophercloud.ServiceClient {
	base := strings.TrimSuffix(strings.TrimSuffix(endpoint, "/"), "/v2.0")
	return &gophercloud.ServiceClient{
		ProviderClient: pc,
		Endpoint:       base + "/",
		ResourceBase:   base + "/v2.0/",
		Type:           "network",
	}
}

// keystoneRefusal says why Keystone did not give a token, with its own
// message (e.g. "The request you have made requires authentication." for a
// wrong password), instead of gophercloud's dump of the exchange.
func keystoneRefusal(authURL string, err error) error {
	var uc gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &uc) {
		return fmt.Errorf("keystone at %s refused the credentials (HTTP %d): %s", authURL, uc.Actual, errorMessage(uc.Actual, uc.Body))
	}
	return fmt.Errorf("authenticating at %s: %w", authURL, err)
}
