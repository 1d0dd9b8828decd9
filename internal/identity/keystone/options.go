package keystone

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/config"
)

// Section is the configuration section, keystonemiddleware's.
const Section = "keystone_authtoken"

// Opts are the [keystone_authtoken] options read by the server:
// keystonemiddleware's and keystoneauth's password plugin's, under their
// names, so that an operator copies the section from neutron.conf. Options
// that only tune keystonemiddleware's own machinery (memcached, retries)
// are accepted and ignored, so a copied section loads; any other name is
// refused by Check.
func Opts() []config.Opt {
	opt := func(name, help string) config.Opt {
		return config.Opt{Section: Section, Name: name, Help: help}
	}
	opts := []config.Opt{
		opt("www_authenticate_uri", "Public Identity API endpoint sent to clients in the WWW-Authenticate header of a 401 (e.g. http://keystone:5000/v3). Default: auth_url."),
		opt("auth_url", "Identity API endpoint of the service user's authentication (e.g. http://keystone:5000). Required with auth_strategy = keystone."),
		{Section: Section, Name: "auth_type", Default: "password", Choices: []string{"password", "v3password"},
			Help: "Authentication plugin of the service user; password only."},
		opt("username", "Service user's name (required unless user_id is set)."),
		opt("user_id", "Service user's ID."),
		{Section: Section, Name: "password", Secret: true, Help: "Service user's password. Required."},
		opt("user_domain_name", "Domain name of the service user (or user_domain_id)."),
		opt("user_domain_id", "Domain ID of the service user."),
		opt("project_name", "Project the service user's token is scoped to (or project_id). Required."),
		opt("project_id", "Project ID the service user's token is scoped to."),
		opt("project_domain_name", "Domain name of project_name (or project_domain_id)."),
		opt("project_domain_id", "Domain ID of project_name."),
		opt("region_name", "Region of the identity endpoint taken from the catalog."),
		{Section: Section, Name: "interface", Default: "internal", Choices: []string{"public", "internal", "admin"},
			Help: "Interface of the identity endpoint, from the service user's catalog, that validates tokens; auth_url when the catalog has none."},
		{Section: Section, Name: "token_cache_time", Type: config.Int, Default: "300", Min: config.Bound(-1),
			Help: "Seconds a validated (or refused) token is cached; never past the token's expiry. -1 disables the cache."},
		opt("cafile", "PEM bundle of CAs that verify Keystone's HTTPS certificate."),
		opt("certfile", "PEM client certificate presented to Keystone."),
		opt("keyfile", "PEM key of certfile."),
		{Section: Section, Name: "insecure", Type: config.Bool, Default: "false", Help: "Do not verify Keystone's HTTPS certificate."},
		{Section: Section, Name: "http_connect_timeout", Type: config.Int, Min: config.Bound(1),
			Help: "Seconds a request to Keystone may take. Default 10."},
		{Section: Section, Name: "service_token_roles", Type: config.List, Default: "service",
			Help: "Roles of which an X-Service-Token must hold one to be a service token."},
		{Section: Section, Name: "service_token_roles_required", Type: config.Bool, Default: "false",
			Help: "Refuse (401) an X-Service-Token without one of service_token_roles."},
		{Section: Section, Name: "service_type", Help: "Service type of this API in the catalog (network); accepted for access rules, which are not enforced."},
		{Section: Section, Name: "delay_auth_decision", Type: config.Bool, Default: "false",
			Help: "Must be false: unauthenticated requests are always refused."},
	}
	for _, name := range ignoredOpts {
		opts = append(opts, config.Opt{Section: Section, Name: name, Secret: strings.Contains(name, "secret") || strings.Contains(name, "password"),
			Help: "keystonemiddleware option accepted for compatibility and ignored (the cache is in process)."})
	}
	return opts
}

// ignoredOpts are keystonemiddleware's and keystoneauth's other option
// names, found in neutron.conf files, that change nothing here.
var ignoredOpts = []string{
	"auth_uri", "auth_version", "auth_section", "http_request_max_retries", "cache",
	"memcached_servers", "memcache_security_strategy", "memcache_secret_key",
	"memcache_pool_dead_retry", "memcache_pool_maxsize", "memcache_pool_socket_timeout",
	"memcache_pool_unused_timeout", "memcache_pool_conn_get_timeout", "memcache_use_advanced_pool",
	"memcache_tls_enabled", "memcache_tls_cafile", "memcache_tls_certfile", "memcache_tls_keyfile",
	"memcache_tls_allowed_ciphers", "memcache_sasl_enabled", "memcache_username", "memcache_password",
	"include_service_catalog", "enforce_token_bind", "timeout", "collect_timing", "split_loggers",
	"default_domain_id", "default_domain_name", "system_scope", "domain_id", "domain_name", "trust_id",
}

// Config is the validated [keystone_authtoken] section.
type Config struct {
	WWWAuthenticateURI string
	AuthURL            string
	Username, UserID   string
	Password           string
	UserDomainName     string
	UserDomainID       string
	ProjectName        string
	ProjectID          string
	ProjectDomainName  string
	ProjectDomainID    string
	RegionName         string
	Interface          string
	// CacheTime is token_cache_time; 0 or less caches nothing.
	CacheTime         time.Duration
	CAFile            string
	CertFile, KeyFile string
	Insecure          bool
	Timeout           time.Duration
	ServiceRoles      []string
	ServiceRolesReq   bool
}

// ConfigFrom reads and checks the section. unknown is Values.Unknown(): an
// option of the section the schema does not know is an error naming it, as
// is a missing required option. Messages never contain the password.
func ConfigFrom(v *config.Values, unknown []string) (Config, error) {
	for _, u := range unknown {
		if strings.Contains(strings.ToLower(u), "["+Section+"]") {
			return Config{}, fmt.Errorf("%s: unknown option", u)
		}
	}
	s := func(name string) string { return strings.TrimSpace(v.String(Section, name)) }
	c := Config{
		WWWAuthenticateURI: s("www_authenticate_uri"),
		AuthURL:            s("auth_url"),
		Username:           s("username"),
		UserID:             s("user_id"),
		Password:           v.String(Section, "password"),
		UserDomainName:     s("user_domain_name"),
		UserDomainID:       s("user_domain_id"),
		ProjectName:        s("project_name"),
		ProjectID:          s("project_id"),
		ProjectDomainName:  s("project_domain_name"),
		ProjectDomainID:    s("project_domain_id"),
		RegionName:         s("region_name"),
		Interface:          s("interface"),
		CacheTime:          time.Duration(v.Int(Section, "token_cache_time")) * time.Second,
		CAFile:             s("cafile"),
		CertFile:           s("certfile"),
		KeyFile:            s("keyfile"),
		Insecure:           v.Bool(Section, "insecure"),
		Timeout:            10 * time.Second,
		ServiceRoles:       v.List(Section, "service_token_roles"),
		ServiceRolesReq:    v.Bool(Section, "service_token_roles_required"),
	}
	if n := v.Int(Section, "http_connect_timeout"); n > 0 {
		c.Timeout = time.Duration(n) * time.Second
	}
	missing := func(name string) error {
		return fmt.Errorf("[%s] %s: required with [DEFAULT] auth_strategy = keystone", Section, name)
	}
	switch {
	case c.AuthURL == "":
		return Config{}, missing("auth_url")
	case c.Username == "" && c.UserID == "":
		return Config{}, missing("username")
	case c.Password == "":
		return Config{}, missing("password")
	case c.ProjectName == "" && c.ProjectID == "":
		return Config{}, missing("project_name")
	case c.UserID == "" && c.UserDomainName == "" && c.UserDomainID == "":
		return Config{}, missing("user_domain_name")
	case c.ProjectID == "" && c.ProjectDomainName == "" && c.ProjectDomainID == "":
		return Config{}, missing("project_domain_name")
	case v.Bool(Section, "delay_auth_decision"):
		return Config{}, fmt.Errorf("[%s] delay_auth_decision: true is not supported", Section)
	case (c.CertFile == "") != (c.KeyFile == ""):
		return Config{}, fmt.Errorf("[%s] certfile and keyfile: give both or neither", Section)
	}
	for _, o := range []struct{ name, val string }{{"auth_url", c.AuthURL}, {"www_authenticate_uri", c.WWWAuthenticateURI}} {
		if o.val == "" {
			continue
		}
		if u, err := url.Parse(o.val); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Config{}, fmt.Errorf("[%s] %s %q: want an http:// or https:// URL", Section, o.name, o.val)
		}
	}
	if c.WWWAuthenticateURI == "" {
		c.WWWAuthenticateURI = c.AuthURL
	}
	return c, nil
}
