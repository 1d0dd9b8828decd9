package policy

import (
	"errors"
	"testing"
)

func TestParseString(t *testing.T) {
	tests := []struct {
		name string
		rule string
		want string
	}{
		{"empty is always", "", "@"},
		{"always", "@", "@"},
		{"never", "!", "!"},
		{"rule", "rule:admin_only", "rule:admin_only"},
		{"role", "role:admin", "role:admin"},
		{"generic template", "tenant_id:%(tenant_id)s", "tenant_id:%(tenant_id)s"},
		{"parent template", "tenant_id:%(network:tenant_id)s", "tenant_id:%(network:tenant_id)s"},
		{"field with colon in field", "field:networks:router:external=True", "field:networks:router:external=True"},
		{"field regex", "field:port:device_owner=~^network:", "field:port:device_owner=~^network:"},
		{"quoted literal kind", "'member':%(role)s", "'member':%(role)s"},
		{"True literal kind", "True:%(enabled)s", "True:%(enabled)s"},
		{"and", "rule:a and rule:b", "(rule:a and rule:b)"},
		{"and chain flattens", "rule:a and rule:b and rule:c", "(rule:a and rule:b and rule:c)"},
		{"or chain flattens", "rule:a or rule:b or rule:c", "(rule:a or rule:b or rule:c)"},
		{"and binds tighter than or", "rule:a or rule:b and rule:c", "(rule:a or (rule:b and rule:c))"},
		{"and before or", "rule:a and rule:b or rule:c", "((rule:a and rule:b) or rule:c)"},
		{"or then and chain", "rule:a or rule:b and rule:c and rule:d", "(rule:a or (rule:b and rule:c and rule:d))"},
		{"not binds tightest", "not rule:a and rule:b", "(not rule:a and rule:b)"},
		{"not of group", "not (rule:a or rule:b)", "not (rule:a or rule:b)"},
		{"double not", "not not rule:a", "not not rule:a"},
		{"parens group", "(rule:a or rule:b) and rule:c", "((rule:a or rule:b) and rule:c)"},
		{"parenthesised and is not flattened into and", "(rule:a and rule:b) and rule:c", "((rule:a and rule:b) and rule:c)"},
		// oslo's quirk: after "or", an "and" extends a parenthesised and.
		{"or extends parenthesised and", "rule:a or (rule:b and rule:c) and rule:d", "(rule:a or (rule:b and rule:c and rule:d))"},
		{"redundant parens", "((rule:a))", "rule:a"},
		{"parens glued to words", "((rule:a) or (rule:b))", "(rule:a or rule:b)"},
		{"operators case-insensitive", "rule:a AND NOT rule:b OR rule:c", "((rule:a and not rule:b) or rule:c)"},
		{"extra whitespace", "  rule:a \t and\n rule:b  ", "(rule:a and rule:b)"},
		{"neutron port device_owner", "not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner",
			"(not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner)"},
		{"percent escape", "role:100%%", "role:100%%"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.rule)
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.rule, err)
			}
			if got := c.String(); got != tt.want {
				t.Errorf("Parse(%q).String() = %q, want %q", tt.rule, got, tt.want)
			}
			// String() is itself a check string that means the same.
			again, err := Parse(c.String())
			if err != nil {
				t.Fatalf("Parse(%q) (round trip) error: %v", c.String(), err)
			}
			if got := again.String(); got != tt.want {
				t.Errorf("round trip of %q = %q, want %q", tt.rule, got, tt.want)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		rule string
	}{
		{"whitespace only", "   "},
		{"no colon", "admin"},
		{"empty rule name", "rule:"},
		{"empty kind", ":x"},
		{"dangling and", "rule:a and"},
		{"leading or", "or rule:a"},
		{"two checks", "rule:a rule:b"},
		{"unbalanced open", "(rule:a"},
		{"unbalanced close", "rule:a)"},
		{"empty parens", "()"},
		{"bare not", "not"},
		{"quoted word", "'rule:a'"},
		{"field without resource", "field:shared"},
		{"field without value", "field:networks:shared"},
		{"field bad regex", "field:networks:name=~("},
		{"bad percent", "role:50%"},
		{"percent conversion d", "tenant_id:%(tenant_id)d"},
		{"unterminated key", "tenant_id:%(tenant_id"},
		{"http check", "http://example.com/check"},
		{"operator glued to paren", "rule:a or(rule:b)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Parse(tt.rule)
			if err == nil {
				t.Fatalf("Parse(%q) = %v, want error", tt.rule, c)
			}
			if !errors.Is(err, ErrSyntax) {
				t.Errorf("Parse(%q) error %v, want errors.Is ErrSyntax", tt.rule, err)
			}
		})
	}
}

func TestAndRendersLikeNeutron(t *testing.T) {
	c := And(And(Rule("create_bgpvpn"), Rule("create_bgpvpn:tenant_id")), Rule("create_bgpvpn:name"))
	want := "((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and rule:create_bgpvpn:name)"
	if got := c.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
