package keystone

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/config"
)

// neutronSection is [keystone_authtoken] as Debian's neutron.conf has it.
const neutronSection = `[keystone_authtoken]
www_authenticate_uri = http://controller:5000/v3
auth_url = http://controller:5000
memcached_servers = controller:11211
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = s3cr3t-pass
`

func load(t *testing.T, ini string) (Config, error) {
	t.Helper()
	v, err := config.NewSchema(Opts()...).Parse("neutron.conf", strings.NewReader(ini))
	if err != nil {
		return Config{}, err
	}
	return ConfigFrom(v, v.Unknown())
}

func TestConfigFromNeutronConf(t *testing.T) {
	got, err := load(t, neutronSection+"token_cache_time = 60\nservice_token_roles_required = true\n")
	if err != nil {
		t.Fatal(err)
	}
	want := Config{
		WWWAuthenticateURI: "http://controller:5000/v3", AuthURL: "http://controller:5000", Username: "neutron", Password: "s3cr3t-pass",
		UserDomainName: "Default", ProjectName: "service", ProjectDomainName: "Default", Interface: "internal",
		CacheTime: time.Minute, Timeout: 10 * time.Second, ServiceRoles: []string{"service"}, ServiceRolesReq: true,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config (-want +got):\n%s", diff)
	}
}

func TestConfigErrors(t *testing.T) {
	drop := func(name string) string {
		var out []string
		for _, l := range strings.Split(neutronSection, "\n") {
			if !strings.HasPrefix(l, name+" ") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "\n")
	}
	tests := []struct {
		name, ini, want string
	}{
		{"unknown option", neutronSection + "admin_tenant_nam = service\n", "[keystone_authtoken] admin_tenant_nam: unknown option"},
		{"no auth_url", drop("auth_url"), "[keystone_authtoken] auth_url: required"},
		{"no password", drop("password"), "[keystone_authtoken] password: required"},
		{"no username", drop("username"), "[keystone_authtoken] username: required"},
		{"no project", drop("project_name"), "[keystone_authtoken] project_name: required"},
		{"no user domain", drop("user_domain_name"), "[keystone_authtoken] user_domain_name: required"},
		{"no project domain", drop("project_domain_name"), "[keystone_authtoken] project_domain_name: required"},
		{"other auth type", neutronSection + "auth_type = token\n", "auth_type"},
		{"bad auth_url", strings.Replace(neutronSection, "auth_url = http://controller:5000", "auth_url = controller:5000", 1), "[keystone_authtoken] auth_url"},
		{"bad cache time", neutronSection + "token_cache_time = soon\n", "token_cache_time"},
		{"delay_auth_decision", neutronSection + "delay_auth_decision = true\n", "delay_auth_decision"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, tt.ini)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "s3cr3t-pass") {
				t.Errorf("error shows the password: %v", err)
			}
		})
	}
}

func TestSampleHidesPassword(t *testing.T) {
	sample := config.NewSchema(Opts()...).Sample()
	for _, name := range []string{"www_authenticate_uri", "auth_url", "password", "memcached_servers", "service_token_roles_required"} {
		if !strings.Contains(sample, "#"+name+" =") {
			t.Errorf("sample lacks %s", name)
		}
	}
}
