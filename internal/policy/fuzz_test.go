package policy

import (
	"testing"
)

// FuzzParse: the parser must never panic, and a parsed check's String()
// must parse again to the same String() (it is what we put in messages and
// what an operator may paste back into a policy file).
func FuzzParse(f *testing.F) {
	for _, d := range Defaults() {
		f.Add(d.Check)
	}
	for _, s := range []string{
		"", "@", "!", "not", "()", "((", "))", "rule:a or (rule:b and rule:c) and rule:d",
		"'member':%(role)s", "True:%(x)s", "field:networks:shared=~(", "role:%(a(b)c)s",
		"tenant_id:%(tenant_id)d", "a:'b'", "\"a\"", "(not not (@))", "x:%%%(y)s%%",
		"('a:b')", "('a':x')",
	} {
		f.Add(s)
	}
	e, err := New(Defaults(), "")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, rule string) {
		c, err := Parse(rule)
		if err != nil {
			return
		}
		s := c.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) = %q, which does not parse: %v", rule, s, err)
		}
		if got := again.String(); got != s {
			t.Fatalf("Parse(%q) = %q, re-parsed %q", rule, s, got)
		}
		// Evaluating any parsed check must not panic either.
		target := Target{"tenant_id": "p", "shared": true, "n": 1.5, "l": []string{"x"}, "z": nil}
		e.Enforce(c, target, tenantA)
		e.Enforce(c, nil, Credentials{})
	})
}
