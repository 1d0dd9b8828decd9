package policy

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writePolicy(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// Terraform's CI loosens every bgpvpn rule to admin_or_owner, including
// per-attribute create rules (user-needs.md §5).
const terraformYAML = `# loosen bgpvpn policy for functional tests
"create_bgpvpn": "rule:admin_or_owner"
"create_bgpvpn:route_targets": "rule:admin_or_owner"
"update_bgpvpn:route_targets": "rule:admin_or_owner"
get_bgpvpn:route_targets: rule:admin_or_owner
"delete_bgpvpn": "rule:admin_or_owner"
`

const terraformJSON = "{\n\t\"create_bgpvpn\": \"rule:admin_or_owner\",\n\t\"create_bgpvpn:route_targets\": \"rule:admin_or_owner\",\n" +
	"\t\"update_bgpvpn:route_targets\": \"rule:admin_or_owner\",\n\t\"get_bgpvpn:route_targets\": \"rule:admin_or_owner\",\n" +
	"\t\"delete_bgpvpn\": \"rule:admin_or_owner\"\n}\n"

func TestOverrideFile(t *testing.T) {
	for _, tc := range []struct{ name, file, content string }{
		{"yaml", "policy.yaml", terraformYAML},
		{"json with tabs", "policy.json", terraformJSON},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, err := New(Defaults(), writePolicy(t, tc.file, tc.content))
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			own := Target{"tenant_id": "project-a"}
			if err := e.Authorize("create_bgpvpn", []string{"tenant_id", "name", "route_targets"}, own, tenantA); err != nil {
				t.Errorf("owner create after override: %v", err)
			}
			if err := e.Authorize("update_bgpvpn", []string{"route_targets"}, own, tenantA); err != nil {
				t.Errorf("owner RT update after override: %v", err)
			}
			if err := e.Authorize("delete_bgpvpn", nil, own, tenantA); err != nil {
				t.Errorf("owner delete after override: %v", err)
			}
			if !e.Visible("get_bgpvpn:route_targets", own, tenantA) {
				t.Error("owner cannot see route_targets after override")
			}
			// Untouched defaults stay.
			if e.Visible("get_bgpvpn:vni", own, tenantA) {
				t.Error("owner sees vni, which the file did not override")
			}
			if e.Enforce(Rule("create_bgpvpn"), own, tenantB) {
				t.Error("other tenant may create for project-a")
			}
		})
	}
}

func TestOverrideFileNewRuleAndRoleBased(t *testing.T) {
	// SAP-style: a network_admin role manages router associations.
	p := writePolicy(t, "policy.yaml", `
admin_or_owner: "rule:context_is_admin or tenant_id:%(tenant_id)s or project_id:%(project_id)s"
create_bgpvpn_router_association: "role:network_admin and rule:admin_or_owner"
"create_bgpvpn:route_targets": "!"
`)
	e, err := New(Defaults(), p)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	netAdmin := Credentials{UserID: "u", ProjectID: "project-a", Roles: []string{"Network_Admin"}}
	own := Target{"project_id": "project-a"}
	if err := e.Authorize("create_bgpvpn_router_association", []string{"router_id"}, own, netAdmin); err != nil {
		t.Errorf("network_admin: %v", err)
	}
	if err := e.Authorize("create_bgpvpn_router_association", []string{"router_id"}, own, tenantA); err == nil {
		t.Error("plain member may create a router association")
	}
	if !e.Defined("create_bgpvpn:route_targets") {
		t.Error("a rule only the file defines is not Defined")
	}
	want := "((rule:create_bgpvpn and rule:create_bgpvpn:name) and rule:create_bgpvpn:route_targets) is disallowed by policy"
	if err := e.Authorize("create_bgpvpn", []string{"name", "route_targets"}, own, admin); err == nil || err.Error() != want {
		t.Errorf("admin create with RTs forbidden by file: got %v, want %q", err, want)
	}
}

func TestOverrideFileEmpty(t *testing.T) {
	for _, content := range []string{"", "# nothing overridden\n", "{}"} {
		if _, err := New(Defaults(), writePolicy(t, "policy.yaml", content)); err != nil {
			t.Errorf("New with file %q: %v", content, err)
		}
	}
}

func TestBadPolicyFiles(t *testing.T) {
	tests := []struct {
		name    string
		content string
		isErr   error
		want    []string // substrings the operator needs to see
	}{
		{"not yaml", "a: [b\n", ErrPolicyFile, nil},
		{"not a mapping", "- rule:a\n", ErrPolicyFile, []string{"mapping"}},
		{"null check", "get_bgpvpn:\n", ErrPolicyFile, []string{`"get_bgpvpn"`, "line 1"}},
		{"bool check", "get_bgpvpn: true\n", ErrPolicyFile, []string{`"get_bgpvpn"`}},
		{"list check", "get_bgpvpn: [\"role:admin\"]\n", ErrPolicyFile, []string{`"get_bgpvpn"`}},
		{"yaml tag instead of !", "a: \"@\"\nget_bgpvpn: !\n", ErrPolicyFile, []string{`"get_bgpvpn"`, "line 2"}},
		{"duplicate", "a: \"@\"\nb: \"@\"\na: \"!\"\n", ErrPolicyFile, []string{`"a"`, "line 3", "line 1"}},
		{"bad json", `{"a": "@"`, ErrPolicyFile, nil},
		{"unparsable rule", "ok: \"@\"\nupdate_bgpvpn: \"rule:admin_only or\"\n", ErrSyntax, []string{`"update_bgpvpn"`, "line 2"}},
		{"cycle", "admin_only: rule:admin_or_owner\nadmin_or_owner: rule:admin_only\n", ErrCycle, []string{"admin_or_owner -> admin_only -> admin_or_owner"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := writePolicy(t, "policy.yaml", tt.content)
			_, err := New(Defaults(), p)
			if !errors.Is(err, tt.isErr) {
				t.Fatalf("New error = %v, want errors.Is %v", err, tt.isErr)
			}
			for _, w := range append(tt.want, p) {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("New error = %q, want it to contain %q", err, w)
				}
			}
		})
	}
}

func TestMissingPolicyFile(t *testing.T) {
	_, err := New(Defaults(), filepath.Join(t.TempDir(), "absent.yaml"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("New error = %v, want fs.ErrNotExist", err)
	}
}
