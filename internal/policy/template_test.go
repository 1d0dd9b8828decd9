package policy

import (
	"testing"
)

func TestTemplateExpand(t *testing.T) {
	target := Target{
		"s": "str", "t": true, "f": false, "n": nil, "i": 7, "whole": float64(100), "frac": 0.5,
		"big": 1e20, "l": []string{"a", "b"}, "anys": []any{"a", true, float64(2)},
		"network:tenant_id": "net-owner", "project_id": "p",
	}
	tests := []struct {
		match  string
		want   string
		wantOK bool
	}{
		{"", "", true},
		{"literal", "literal", true},
		{"%(s)s", "str", true},
		{"%(t)s", "True", true},
		{"%(f)s", "False", true},
		{"%(n)s", "None", true},
		{"%(i)s", "7", true},
		{"%(whole)s", "100", true},
		{"%(frac)s", "0.5", true},
		{"%(big)s", "1e+20", true},
		{"%(l)s", "['a', 'b']", true},
		{"%(anys)s", "['a', True, 2]", true},
		{"%(network:tenant_id)s", "net-owner", true},
		{"%(tenant_id)s", "p", true}, // owner alias
		{"pre-%(s)s-%%-%(i)s", "pre-str-%-7", true},
		{"%(missing)s", "", false},
		{"x%(missing)s", "", false},
	}
	for _, tt := range tests {
		tmpl, err := parseTemplate(tt.match)
		if err != nil {
			t.Fatalf("parseTemplate(%q): %v", tt.match, err)
		}
		got, ok := tmpl.expand(target)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("expand(%q) = %q, %v, want %q, %v", tt.match, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestOwnerAlias(t *testing.T) {
	tests := map[string]string{
		"tenant_id":          "project_id",
		"project_id":         "tenant_id",
		"network:tenant_id":  "network:project_id",
		"network:project_id": "network:tenant_id",
		"my_tenant_id":       "",
		"name":               "",
	}
	for in, want := range tests {
		if got := ownerAlias(in); got != want {
			t.Errorf("ownerAlias(%q) = %q, want %q", in, got, want)
		}
	}
}
