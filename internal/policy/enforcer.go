package policy

import (
	"fmt"
)

const (
	// defaultRule is oslo's policy_default_rule: what an undefined rule means.
	defaultRule = "default"
	// contextIsAdmin is Neutron's admin rule, behind IsAdmin and is_admin.
	contextIsAdmin = "context_is_admin"
)

// Default is a rule shipped in code, as oslo's DocumentedRuleDefault.
// Description and Operations only feed SampleYAML.
type Default struct {
	Name        string
	Check       string
	Description string
	Operations  []Operation
}

// Operation is an API call a rule governs, for the sample file.
type Operation struct {
	Method string
	Path   string
}

// Enforcer holds the parsed rules: the defaults with the operator's file laid
// over them. It is immutable after New and safe for concurrent use.
type Enforcer struct {
	rules    map[string]Check
	fallback Check // rules["default"], or nil when there is none
	maxDepth int   // longer rule chains than this can only be cycles
}

// New parses defaults, then overrides them with the rules of the policy file
// at path (YAML or JSON, oslo format: rule name -> check string; "" means no
// file). Rule names the defaults do not know are kept: that is how operators
// add per-attribute rules such as create_bgpvpn:route_targets. Any rule that
// does not parse, and any reference cycle, is an error naming the rule.
func New(defaults []Default, path string) (*Enforcer, error) {
	e := &Enforcer{rules: make(map[string]Check, len(defaults))}
	for _, d := range defaults {
		if _, dup := e.rules[d.Name]; dup {
			return nil, fmt.Errorf("default policy rule %q is defined twice", d.Name)
		}
		c, err := Parse(d.Check)
		if err != nil {
			return nil, fmt.Errorf("default policy rule %q: %w", d.Name, err)
		}
		e.rules[d.Name] = c
	}
	if path != "" {
		overrides, err := readPolicyFile(path)
		if err != nil {
			return nil, err
		}
		for _, o := range overrides {
			c, err := Parse(o.check)
			if err != nil {
				return nil, fmt.Errorf("policy file %s line %d: rule %q: %w", path, o.line, o.name, err)
			}
			e.rules[o.name] = c
		}
	}
	e.fallback = e.rules[defaultRule]
	e.maxDepth = len(e.rules) + 1
	if err := e.findCycle(); err != nil {
		if path != "" {
			return nil, fmt.Errorf("policy file %s: %w", path, err)
		}
		return nil, err
	}
	return e, nil
}

// Enforce evaluates c. A nil check denies.
func (e *Enforcer) Enforce(c Check, target Target, creds Credentials) bool {
	if c == nil {
		return false
	}
	ev := evaluation{e: e, target: target, creds: &creds}
	return ev.check(c)
}

// Authorize is Neutron's policy.enforce for an action on an object: it checks
// rule:<action> and rule:<action>:<attr> for every attr, nested left to
// right like Neutron's AndCheck, so that the error message is the one Neutron
// gives, e.g. "((rule:create_bgpvpn and rule:create_bgpvpn:tenant_id) and
// rule:create_bgpvpn:name) is disallowed by policy".
//
// attrs are the attributes the request sets that have enforce_policy, in the
// resource's attribute order. The error is a *NotAuthorizedError.
func (e *Enforcer) Authorize(action string, attrs []string, target Target, creds Credentials) error {
	var c Check = ruleCheck{name: action}
	for _, a := range attrs {
		c = andCheck{checks: []Check{c, ruleCheck{name: action + ":" + a}}}
	}
	if e.Enforce(c, target, creds) {
		return nil
	}
	return &NotAuthorizedError{Rule: c.String()}
}

// Visible reports whether rule (get_<resource>:<attr>) lets the caller read
// the attribute. An undefined rule means visible: Neutron checks these with
// might_not_exist=True, so they do not fall back to the default rule.
func (e *Enforcer) Visible(rule string, target Target, creds Credentials) bool {
	c, ok := e.rules[rule]
	if !ok {
		return true
	}
	ev := evaluation{e: e, target: target, creds: &creds}
	ev.depth = 1
	return ev.check(c)
}

// IsAdmin evaluates context_is_admin the way Neutron does when it builds a
// request context: with the credentials themselves as the target. Without a
// context_is_admin rule nobody is admin.
func (e *Enforcer) IsAdmin(creds Credentials) bool {
	return e.isAdmin(&creds, 0)
}

func (e *Enforcer) isAdmin(creds *Credentials, depth int) bool {
	c, ok := e.rules[contextIsAdmin]
	if !ok || depth >= e.maxDepth {
		return false
	}
	// is_admin reads as None while it is being computed, as in Neutron.
	ev := evaluation{e: e, target: credsTarget(creds), creds: creds, depth: depth + 1, admin: adminComputing}
	return ev.check(c)
}

// Defined reports whether a rule of that name exists (in the defaults or the
// policy file), as opposed to falling back to the default rule.
func (e *Enforcer) Defined(rule string) bool {
	_, ok := e.rules[rule]
	return ok
}
