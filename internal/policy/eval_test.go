package policy

import (
	"testing"
)

var (
	admin   = Credentials{UserID: "admin-user", ProjectID: "admin-project", Roles: []string{"admin"}}
	tenantA = Credentials{UserID: "user-a", ProjectID: "project-a", Roles: []string{"member"}}
	tenantB = Credentials{UserID: "user-b", ProjectID: "project-b", Roles: []string{"member"}}
	nobody  = Credentials{}

	systemAdmin     = Credentials{UserID: "admin-user", Roles: []string{"admin"}, SystemScope: "all"}
	domainAdmin     = Credentials{UserID: "admin-user", Roles: []string{"admin"}, DomainID: "d", UserDomainID: "default"}
	notAdminProject = Credentials{UserID: "admin-user", ProjectID: "p", Roles: []string{"admin"}, NotAdminProject: true}
)

// testEnforcer has Neutron's base rules and nothing else.
func testEnforcer(t testing.TB, extra ...Default) *Enforcer {
	t.Helper()
	e, err := New(append(baseDefaults(), extra...), "")
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return e
}

func TestEnforceCheckKinds(t *testing.T) {
	e := testEnforcer(t)
	ownedByA := Target{"tenant_id": "project-a", "project_id": "project-a"}
	tests := []struct {
		name   string
		rule   string
		target Target
		creds  Credentials
		want   bool
	}{
		{"always", "@", nil, nobody, true},
		{"empty", "", nil, nobody, true},
		{"never", "!", nil, admin, false},

		{"role", "role:admin", nil, admin, true},
		{"role case-insensitive", "role:ADMIN", nil, admin, true},
		{"role missing", "role:admin", nil, tenantA, false},
		{"role no roles", "role:member", nil, nobody, false},
		{"role from target", "role:%(needed)s", Target{"needed": "Member"}, tenantA, true},
		{"role target key missing", "role:%(needed)s", nil, tenantA, false},

		{"owner", "tenant_id:%(tenant_id)s", ownedByA, tenantA, true},
		{"not owner", "tenant_id:%(tenant_id)s", ownedByA, tenantB, false},
		{"owner via project_id key", "project_id:%(project_id)s", ownedByA, tenantA, true},
		{"owner target has only project_id", "tenant_id:%(tenant_id)s", Target{"project_id": "project-a"}, tenantA, true},
		{"owner target has only tenant_id", "project_id:%(project_id)s", Target{"tenant_id": "project-a"}, tenantA, true},
		{"owner target key missing", "tenant_id:%(tenant_id)s", Target{"name": "x"}, tenantA, false},
		{"nil target", "tenant_id:%(tenant_id)s", nil, tenantA, false},
		{"no project never owns empty tenant", "tenant_id:%(tenant_id)s", Target{"tenant_id": ""}, nobody, false},
		{"network owner", "tenant_id:%(network:tenant_id)s", Target{"network:tenant_id": "project-a"}, tenantA, true},
		{"network owner via project alias", "tenant_id:%(network:tenant_id)s", Target{"network:project_id": "project-a"}, tenantA, true},
		{"user_id", "user_id:%(user_id)s", Target{"user_id": "user-a"}, tenantA, true},
		{"generic literal match", "tenant_id:project-a", nil, tenantA, true},
		{"generic literal mismatch", "tenant_id:project-b", nil, tenantA, false},
		{"generic composite template", "user_id:user-%(suffix)s", Target{"suffix": "a"}, tenantA, true},
		{"generic roles list, exact case", "roles:member", nil, tenantA, true},
		{"generic roles list, other case", "roles:Member", nil, tenantA, false},
		{"generic unknown cred", "domain:%(domain_id)s", Target{"domain_id": "d"}, tenantA, false},
		{"domain_id unset", "domain_id:%(domain_id)s", Target{"domain_id": "d"}, tenantA, false},
		{"domain_id of a domain token", "domain_id:%(domain_id)s", Target{"domain_id": "d"}, domainAdmin, true},
		{"system_scope all", "system_scope:all", nil, systemAdmin, true},
		{"system_scope of a project token", "system_scope:all", nil, admin, false},
		{"is_admin_project by default", "is_admin_project:True", nil, tenantA, true},
		{"is_admin_project False", "is_admin_project:True", nil, notAdminProject, false},
		{"user_domain_id", "user_domain_id:default", nil, domainAdmin, true},
		{"project_domain_id unset is None", "project_domain_id:None", nil, tenantA, true},
		{"service_roles", "service_roles:service", nil, Credentials{ServiceRoles: []string{"service"}}, true},
		{"generic dotted path", "roles.name:member", nil, tenantA, false},
		{"is_admin true", "is_admin:True", nil, admin, true},
		{"is_admin false", "is_admin:False", nil, tenantA, true},
		{"quoted literal", "'member':%(role)s", Target{"role": "member"}, nobody, true},
		{"double-quoted literal", `"member":%(role)s`, Target{"role": "other"}, nobody, false},
		{"True literal vs bool", "True:%(enabled)s", Target{"enabled": true}, nobody, true},
		{"True literal vs false", "True:%(enabled)s", Target{"enabled": false}, nobody, false},
		{"None literal vs nil", "None:%(x)s", Target{"x": nil}, nobody, true},
		{"int literal vs float64", "5:%(n)s", Target{"n": float64(5)}, nobody, true},
		{"int literal vs int", "5:%(n)s", Target{"n": 5}, nobody, true},
		{"user_id vs list", "user_id:%(l)s", Target{"l": []any{"user-a"}}, tenantA, false},
		{"True literal missing key", "True:%(enabled)s", nil, nobody, false},

		{"field bool", "field:networks:shared=True", Target{"shared": true}, nobody, true},
		{"field bool false", "field:networks:shared=True", Target{"shared": false}, nobody, false},
		{"field bool lowercase value", "field:networks:shared=true", Target{"shared": true}, nobody, true},
		{"field bool vs non-bool value", "field:networks:shared=yes", Target{"shared": true}, nobody, false},
		{"field colon field", "field:networks:router:external=True", Target{"router:external": true}, nobody, true},
		{"field parent attribute", "field:networks:shared=True", Target{"network:shared": true}, nobody, true},
		{"field own attribute wins", "field:networks:shared=True", Target{"shared": false, "network:shared": true}, nobody, false},
		{"field missing", "field:networks:shared=True", Target{}, nobody, false},
		{"field nil", "field:networks:shared=True", Target{"shared": nil}, nobody, false},
		{"field string", "field:bgpvpns:type=l3", Target{"type": "l3"}, nobody, true},
		{"field string mismatch", "field:bgpvpns:type=l3", Target{"type": "l2"}, nobody, false},
		{"field number", "field:bgpvpns:local_pref=100", Target{"local_pref": float64(100)}, nobody, true},
		{"field int", "field:bgpvpns:local_pref=100", Target{"local_pref": 100}, nobody, true},
		{"field number mismatch", "field:bgpvpns:local_pref=100", Target{"local_pref": 99}, nobody, false},
		{"field regex anchored at start", "field:port:device_owner=~^network:", Target{"device_owner": "network:router_interface"}, nobody, true},
		{"field regex like re.match", "field:port:device_owner=~network", Target{"device_owner": "compute:nova network"}, nobody, false},
		{"field regex prefix", "field:port:device_owner=~network", Target{"device_owner": "network:dhcp"}, nobody, true},
		{"field regex non-string", "field:port:device_owner=~^network:", Target{"device_owner": true}, nobody, false},
		{"field list", "field:bgpvpns:route_targets=64512:1", Target{"route_targets": []string{"64512:1"}}, nobody, false},

		{"and both", "role:member and tenant_id:%(tenant_id)s", ownedByA, tenantA, true},
		{"and one", "role:admin and tenant_id:%(tenant_id)s", ownedByA, tenantA, false},
		{"or one", "role:admin or tenant_id:%(tenant_id)s", ownedByA, tenantA, true},
		{"or none", "role:admin or tenant_id:%(tenant_id)s", ownedByA, tenantB, false},
		{"not", "not role:admin", nil, tenantA, true},
		{"not admin", "not role:admin", nil, admin, false},
		// "@ or ! and !" is "@ or (! and !)": true. Read left to right it
		// would be "(@ or !) and !": false.
		{"precedence and over or", "@ or ! and !", nil, nobody, true},
		{"precedence not over and", "not ! and !", nil, nobody, false},
		{"parens override", "(@ or !) and !", nil, nobody, false},

		{"rule", "rule:admin_or_owner", ownedByA, tenantA, true},
		{"rule admin", "rule:admin_or_owner", ownedByA, admin, true},
		{"rule other tenant", "rule:admin_or_owner", ownedByA, tenantB, false},
		{"rule regular_user is anyone", "rule:regular_user", nil, nobody, true},
		{"undefined rule falls back to default", "rule:no_such_rule", ownedByA, tenantA, true},
		{"undefined rule default denies others", "rule:no_such_rule", ownedByA, tenantB, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.rule)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.rule, err)
			}
			if got := e.Enforce(c, tt.target, tt.creds); got != tt.want {
				t.Errorf("Enforce(%q, %v, %+v) = %v, want %v", tt.rule, tt.target, tt.creds, got, tt.want)
			}
		})
	}
}

func TestEnforceNilCheck(t *testing.T) {
	e := testEnforcer(t)
	if e.Enforce(nil, nil, admin) {
		t.Error("Enforce(nil) = true, want false")
	}
}

func TestUndefinedRuleWithoutDefaultDenies(t *testing.T) {
	e, err := New([]Default{{Name: "context_is_admin", Check: "role:admin"}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if e.Enforce(Rule("missing"), nil, admin) {
		t.Error(`Enforce(rule:missing) without a "default" rule = true, want false`)
	}
	if !e.Visible("get_x:missing", nil, tenantA) {
		t.Error("Visible(undefined rule) = false, want true")
	}
}

func TestIsAdmin(t *testing.T) {
	tests := []struct {
		name  string
		rules []Default
		creds Credentials
		want  bool
	}{
		{"admin role", baseDefaults(), admin, true},
		{"admin role other case", baseDefaults(), Credentials{Roles: []string{"Admin"}}, true},
		{"member", baseDefaults(), tenantA, false},
		{"no rule", []Default{{Name: "default", Check: "@"}}, admin, false},
		{"rule by project", []Default{{Name: "context_is_admin", Check: "project_id:cloud-admin"}}, Credentials{ProjectID: "cloud-admin"}, true},
		// While context_is_admin is computed, is_admin is None, as in Neutron.
		{"self-reference is None", []Default{{Name: "context_is_admin", Check: "is_admin:None"}}, tenantA, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := New(tt.rules, "")
			if err != nil {
				t.Fatal(err)
			}
			if got := e.IsAdmin(tt.creds); got != tt.want {
				t.Errorf("IsAdmin(%+v) = %v, want %v", tt.creds, got, tt.want)
			}
		})
	}
}
