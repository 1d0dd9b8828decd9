package policy

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func defaultEnforcer(t testing.TB) *Enforcer {
	t.Helper()
	e, err := New(Defaults(), "")
	if err != nil {
		t.Fatalf("New(Defaults()): %v", err)
	}
	return e
}

// Messages recorded from the reference server (reference-api-transcript.md).
func TestAuthorizeMessages(t *testing.T) {
	e := defaultEnforcer(t)
	ownedByA := Target{"tenant_id": "project-a", "project_id": "project-a", "name": "mine"}
	tests := []struct {
		name    string
		action  string
		attrs   []string
		creds   Credentials
		wantErr string // "" means allowed
	}{
		{"[28] tenant create", "create_bgpvpn", []string{"tenant_id", "name"}, tenantA,
			"((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name) is disallowed by policy"},
		{"[29] tenant create with route_targets", "create_bgpvpn", []string{"tenant_id", "name", "route_targets"}, tenantA,
			"(((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name) and rule:create_bgpvpn:route_targets) is disallowed by policy"},
		{"[30] tenant renames own", "update_bgpvpn", []string{"name"}, tenantA, ""},
		{"[31] tenant updates route_targets", "update_bgpvpn", []string{"route_targets"}, tenantA,
			"(rule:update_bgpvpn and rule:update_bgpvpn:route_targets) is disallowed by policy"},
		{"[32] tenant updates local_pref", "update_bgpvpn", []string{"local_pref"}, tenantA, ""},
		{"[33] tenant updates route_distinguishers", "update_bgpvpn", []string{"route_distinguishers"}, tenantA,
			"(rule:update_bgpvpn and rule:update_bgpvpn:route_distinguishers) is disallowed by policy"},
		{"[36] tenant deletes own", "delete_bgpvpn", nil, tenantA, "rule:delete_bgpvpn is disallowed by policy"},
		{"admin create", "create_bgpvpn", []string{"tenant_id", "name", "route_targets", "vni"}, admin, ""},
		{"admin updates route_targets", "update_bgpvpn", []string{"route_targets", "import_targets"}, admin, ""},
		{"admin deletes", "delete_bgpvpn", nil, admin, ""},
		{"other tenant renames", "update_bgpvpn", []string{"name"}, tenantB,
			"(rule:update_bgpvpn and rule:update_bgpvpn:name) is disallowed by policy"},
		{"tenant associates network", "create_bgpvpn_network_association", []string{"tenant_id", "network_id"}, tenantA, ""},
		{"other tenant associates", "create_bgpvpn_router_association", []string{"router_id"}, tenantB,
			"(rule:create_bgpvpn_router_association and rule:create_bgpvpn_router_association:router_id) is disallowed by policy"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := e.Authorize(tt.action, tt.attrs, ownedByA, tt.creds)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("Authorize(%s, %v) = %v, want nil", tt.action, tt.attrs, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Authorize(%s, %v) = nil, want %q", tt.action, tt.attrs, tt.wantErr)
			}
			if got := err.Error(); got != tt.wantErr {
				t.Errorf("Authorize(%s, %v) error = %q, want %q", tt.action, tt.attrs, got, tt.wantErr)
			}
			if !errors.Is(err, ErrNotAuthorized) {
				t.Errorf("errors.Is(%v, ErrNotAuthorized) = false", err)
			}
			var nae *NotAuthorizedError
			if !errors.As(err, &nae) || nae.Rule+" is disallowed by policy" != tt.wantErr {
				t.Errorf("errors.As(%v) = %+v, want *NotAuthorizedError with the rule", err, nae)
			}
		})
	}
}

// visibleAttrs lists which of attrs Visible lets creds read on target.
func visibleAttrs(e *Enforcer, resource string, attrs []string, target Target, creds Credentials) []string {
	var out []string
	for _, a := range attrs {
		if e.Visible("get_"+resource+":"+a, target, creds) {
			out = append(out, a)
		}
	}
	return out
}

func TestVisibleWithDefaults(t *testing.T) {
	e := defaultEnforcer(t)
	bgpvpnAttrs := []string{"id", "tenant_id", "project_id", "name", "type", "route_targets", "import_targets",
		"export_targets", "route_distinguishers", "networks", "routers", "ports", "local_pref", "vni"}
	assocAttrs := []string{"id", "tenant_id", "project_id", "network_id"}
	ownedByA := Target{"tenant_id": "project-a", "project_id": "project-a"}
	tests := []struct {
		name     string
		resource string
		attrs    []string
		creds    Credentials
		want     []string
	}{
		// Transcript: "On its own BGPVPN a tenant sees only id, networks,
		// routers, ports, name, type, local_pref."
		{"owner bgpvpn", "bgpvpn", bgpvpnAttrs, tenantA,
			[]string{"id", "name", "type", "networks", "routers", "ports", "local_pref"}},
		{"admin bgpvpn", "bgpvpn", bgpvpnAttrs, admin, bgpvpnAttrs},
		{"owner network association", "bgpvpn_network_association", assocAttrs, tenantA, []string{"id", "network_id"}},
		{"admin network association", "bgpvpn_network_association", assocAttrs, admin, assocAttrs},
		{"owner port association", "bgpvpn_port_association", []string{"id", "project_id", "port_id", "routes"}, tenantA,
			[]string{"id", "port_id", "routes"}},
		{"owner router association", "bgpvpn_router_association", []string{"id", "tenant_id", "router_id"}, tenantA,
			[]string{"id", "router_id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := visibleAttrs(e, tt.resource, tt.attrs, ownedByA, tt.creds)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("visible attributes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultsObjectAccess(t *testing.T) {
	e := defaultEnforcer(t)
	ownedByA := Target{"tenant_id": "project-a", "project_id": "project-a"}
	tests := []struct {
		name   string
		rule   string
		target Target
		creds  Credentials
		want   bool
	}{
		{"owner gets bgpvpn", "get_bgpvpn", ownedByA, tenantA, true},
		{"other tenant cannot get bgpvpn", "get_bgpvpn", ownedByA, tenantB, false},
		{"admin gets any bgpvpn", "get_bgpvpn", ownedByA, admin, true},
		{"tenant cannot create bgpvpn", "create_bgpvpn", ownedByA, tenantA, false},
		{"other tenant sees shared network", "get_network", Target{"tenant_id": "project-a", "shared": true}, tenantB, true},
		{"other tenant sees external network", "get_network", Target{"tenant_id": "project-a", "router:external": true}, tenantB, true},
		{"other tenant cannot see private network", "get_network", Target{"tenant_id": "project-a", "shared": false, "router:external": false}, tenantB, false},
		{"subnet of shared network", "get_subnet", Target{"tenant_id": "project-a", "network:shared": true}, tenantB, true},
		{"network owner creates subnet", "create_subnet", Target{"tenant_id": "project-b", "network:tenant_id": "project-a"}, tenantA, true},
		{"non network owner creates subnet", "create_subnet", Target{"tenant_id": "project-b", "network:tenant_id": "project-a"}, tenantB, false},
		{"anyone creates port", "create_port", ownedByA, tenantB, true},
		{"network owner sees port", "get_port", Target{"tenant_id": "project-b", "network:tenant_id": "project-a"}, tenantA, true},
		{"plain device_owner", "create_port:device_owner", Target{"device_owner": "compute:nova", "network:tenant_id": "project-a"}, tenantB, true},
		{"network device_owner needs network owner", "create_port:device_owner", Target{"device_owner": "network:dhcp", "network:tenant_id": "project-a"}, tenantB, false},
		{"tenant cannot bind host", "create_port:binding:host_id", ownedByA, tenantA, false},
		{"tenant cannot read binding host", "get_port:binding:host_id", ownedByA, tenantA, false},
		{"tenant cannot share network", "create_network:shared", ownedByA, tenantA, false},
		{"tenant cannot make external network", "update_network:router:external", ownedByA, tenantA, false},
		{"owner adds router interface", "add_router_interface", ownedByA, tenantA, true},
		{"other cannot remove router interface", "remove_router_interface", ownedByA, tenantB, false},
		{"anyone creates router", "create_router", nil, tenantB, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.Enforce(Rule(tt.rule), tt.target, tt.creds); got != tt.want {
				t.Errorf("Enforce(rule:%s, %v, %s) = %v, want %v", tt.rule, tt.target, tt.creds.UserID, got, tt.want)
			}
		})
	}
}

func TestDefaultsAreComplete(t *testing.T) {
	e := defaultEnforcer(t)
	var missing []string
	for _, name := range []string{
		"context_is_admin", "owner", "admin_or_owner", "context_is_advsvc", "admin_or_network_owner",
		"admin_only", "regular_user", "shared", "external", "default",
		"create_bgpvpn", "update_bgpvpn", "delete_bgpvpn", "get_bgpvpn",
		"update_bgpvpn:project_id", "update_bgpvpn:tenant_id", "update_bgpvpn:route_targets",
		"update_bgpvpn:import_targets", "update_bgpvpn:export_targets", "update_bgpvpn:route_distinguishers", "update_bgpvpn:vni",
		"get_bgpvpn:project_id", "get_bgpvpn:tenant_id", "get_bgpvpn:route_targets", "get_bgpvpn:import_targets",
		"get_bgpvpn:export_targets", "get_bgpvpn:route_distinguishers", "get_bgpvpn:vni",
		"create_bgpvpn_network_association", "update_bgpvpn_network_association", "delete_bgpvpn_network_association",
		"get_bgpvpn_network_association", "get_bgpvpn_network_association:project_id",
		"create_bgpvpn_router_association", "update_bgpvpn_router_association", "delete_bgpvpn_router_association",
		"get_bgpvpn_router_association", "get_bgpvpn_router_association:project_id",
		"create_bgpvpn_port_association", "update_bgpvpn_port_association", "delete_bgpvpn_port_association",
		"get_bgpvpn_port_association", "get_bgpvpn_port_association:project_id",
		"create_network", "get_network", "update_network", "delete_network",
		"create_subnet", "get_subnet", "update_subnet", "delete_subnet",
		"create_port", "get_port", "update_port", "delete_port",
		"create_router", "get_router", "update_router", "delete_router",
		"add_router_interface", "remove_router_interface",
	} {
		if !e.Defined(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		t.Errorf("Defaults() lacks %v", missing)
	}
	if e.Defined("create_bgpvpn:name") {
		t.Error(`Defined("create_bgpvpn:name") = true, want false (it falls back to "default")`)
	}
	// Operations and descriptions of the bgpvpn rules feed the sample file.
	for _, d := range Defaults() {
		if strings.Contains(d.Name, "bgpvpn") && (d.Description == "" || len(d.Operations) == 0) {
			t.Errorf("default %q lacks a description or operations", d.Name)
		}
	}
}

func TestCycles(t *testing.T) {
	tests := []struct {
		name  string
		rules []Default
		want  string // "" means no error
	}{
		{"self", []Default{{Name: "a", Check: "rule:a"}}, "a -> a"},
		{"two", []Default{{Name: "a", Check: "rule:b"}, {Name: "b", Check: "role:x or rule:a"}}, "a -> b -> a"},
		{"through not", []Default{{Name: "a", Check: "not rule:a"}}, "a -> a"},
		{"through default fallback", []Default{{Name: "default", Check: "rule:undefined"}}, "default -> default"},
		{"default via other", []Default{{Name: "default", Check: "rule:a"}, {Name: "a", Check: "rule:nope"}}, "a -> default -> a"},
		{"diamond is fine", []Default{{Name: "a", Check: "rule:b and rule:c"}, {Name: "b", Check: "rule:c"}, {Name: "c", Check: "@"}}, ""},
		{"undefined without default is fine", []Default{{Name: "a", Check: "rule:nope"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.rules, "")
			if tt.want == "" {
				if err != nil {
					t.Fatalf("New: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrCycle) {
				t.Fatalf("New error = %v, want ErrCycle", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %q, want it to name %q", err, tt.want)
			}
		})
	}
}

// A check built outside the rule set can still meet a cycle only if New
// missed one; the depth bound must turn it into a denial, not a crash.
func TestEvaluationDepthBound(t *testing.T) {
	e := testEnforcer(t)
	e.rules["loop"] = ruleCheck{name: "loop"} // bypasses New's cycle check
	if e.Enforce(Rule("loop"), nil, admin) {
		t.Error("Enforce(rule:loop) = true, want false")
	}
	if !e.Enforce(mustParse(t, "rule:loop or @"), nil, admin) {
		t.Error("Enforce(rule:loop or @) = false, want true")
	}
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		name  string
		rules []Default
		want  string
	}{
		{"bad default", []Default{{Name: "x", Check: "rule:a and"}}, `default policy rule "x"`},
		{"duplicate default", []Default{{Name: "x", Check: "@"}, {Name: "x", Check: "!"}}, `"x" is defined twice`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.rules, "")
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("New error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// mustParse parses a check a test knows to be valid.
func mustParse(t testing.TB, rule string) Check {
	t.Helper()
	c, err := Parse(rule)
	if err != nil {
		t.Fatalf("Parse(%q): %v", rule, err)
	}
	return c
}
