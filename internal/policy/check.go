package policy

import (
	"regexp"
	"strings"
)

// Check is a parsed rule: a tree of checks combined with and, or and not.
// String renders it the way oslo.policy does, which is also what Neutron puts
// in a PolicyNotAuthorized message.
//
// The set of checks is closed: only this package makes them (Parse, Rule, And).
type Check interface {
	String() string
	sealed()
}

// trueCheck is "@" (and the empty rule): always passes.
type trueCheck struct{}

// falseCheck is "!": never passes.
type falseCheck struct{}

// andCheck passes when every check passes; oslo renders it "(a and b)".
type andCheck struct{ checks []Check }

// orCheck passes when any check passes; oslo renders it "(a or b)".
type orCheck struct{ checks []Check }

// notCheck inverts its check.
type notCheck struct{ check Check }

// ruleCheck is "rule:NAME": evaluates another named rule, or the default rule
// when NAME is not defined.
type ruleCheck struct{ name string }

// roleCheck is "role:NAME": the caller holds role NAME (case-insensitively).
// NAME may be a %(attr)s template filled from the target, as in oslo.
type roleCheck struct {
	match string
	tmpl  template
}

// fieldCheck is Neutron's "field:RESOURCE:FIELD=VALUE": the target's FIELD
// equals VALUE (converted to the target value's type), or matches the regular
// expression after a leading "~".
type fieldCheck struct {
	match    string // RESOURCE:FIELD=VALUE, as written
	field    string
	parent   string // "<singular resource>:<field>", where a child object carries its parent's field
	value    string
	re       *regexp.Regexp
	boolVal  bool
	boolOK   bool
	numVal   float64
	numOK    bool
	hasRegex bool
}

// genericCheck is oslo's GenericCheck "KIND:MATCH": MATCH, with %(attr)s
// filled from the target, equals the credential KIND (a dotted path) or the
// literal KIND ('quoted', True, False, None, an integer).
type genericCheck struct {
	kind      string
	match     string
	tmpl      template
	path      []string // credential key path, when kind is not a literal
	literal   string
	isLiteral bool
}

func (trueCheck) sealed()    {}
func (falseCheck) sealed()   {}
func (andCheck) sealed()     {}
func (orCheck) sealed()      {}
func (notCheck) sealed()     {}
func (ruleCheck) sealed()    {}
func (roleCheck) sealed()    {}
func (fieldCheck) sealed()   {}
func (genericCheck) sealed() {}

func (trueCheck) String() string      { return "@" }
func (falseCheck) String() string     { return "!" }
func (c andCheck) String() string     { return joinChecks(c.checks, " and ") }
func (c orCheck) String() string      { return joinChecks(c.checks, " or ") }
func (c notCheck) String() string     { return "not " + c.check.String() }
func (c ruleCheck) String() string    { return "rule:" + c.name }
func (c roleCheck) String() string    { return "role:" + c.match }
func (c fieldCheck) String() string   { return "field:" + c.match }
func (c genericCheck) String() string { return c.kind + ":" + c.match }

func joinChecks(checks []Check, sep string) string {
	var b strings.Builder
	b.WriteByte('(')
	for i, c := range checks {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(c.String())
	}
	b.WriteByte(')')
	return b.String()
}

// Rule returns the check "rule:<name>".
func Rule(name string) Check { return ruleCheck{name: name} }

// And returns a check that passes when all checks pass, rendered "(a and b)".
// Like oslo's AndCheck it does not flatten: And(And(a, b), c) renders
// "((a and b) and c)", which is what Neutron's messages show.
func And(checks ...Check) Check {
	return andCheck{checks: append([]Check(nil), checks...)}
}
