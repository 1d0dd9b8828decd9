package policy

import (
	"slices"
	"strings"
)

// Credentials is who is calling, as the identity layer established it.
type Credentials struct {
	UserID    string
	ProjectID string   // also exposed to rules as "tenant_id" and "project_id"
	Roles     []string // compared case-insensitively by role: checks, like oslo.policy

	// The rest is what a Keystone token adds (oslo.context's
	// to_policy_values); noauth callers leave it empty.
	UserDomainID    string
	ProjectDomainID string
	DomainID        string // the domain of a domain-scoped token
	SystemScope     string // "all" for a system-scoped token
	// NotAdminProject is is_admin_project False: Keystone says the token's
	// project is not its admin project. The zero value is True, oslo.context's
	// default and Keystone's when no admin project is configured.
	NotAdminProject bool
	ServiceUserID   string   // the user of a valid X-Service-Token
	ServiceRoles    []string // its roles
}

// Target is the object's attributes as rendered for the API (string, bool,
// float64 or int, []string, nil). A child object may carry its parent's
// attributes under "<parent>:<attr>" keys, e.g. "network:tenant_id" and
// "network:shared" on a subnet or port, for rules that refer to them.
type Target map[string]any

// admin states of one evaluation; is_admin is computed only when a rule
// asks for it.
const (
	adminUnknown int8 = iota
	adminComputing
	adminNo
	adminYes
)

// evaluation is the state of one Enforce call. It lives on the stack: the
// evaluator is a type switch with static calls, so nothing here escapes.
type evaluation struct {
	e      *Enforcer
	target Target
	creds  *Credentials
	depth  int
	admin  int8
}

func (ev *evaluation) check(c Check) bool {
	switch c := c.(type) {
	case trueCheck:
		return true
	case falseCheck:
		return false
	case andCheck:
		for _, x := range c.checks {
			if !ev.check(x) {
				return false
			}
		}
		return true
	case orCheck:
		for _, x := range c.checks {
			if ev.check(x) {
				return true
			}
		}
		return false
	case notCheck:
		return !ev.check(c.check)
	case ruleCheck:
		return ev.rule(c.name)
	case *roleCheck:
		return ev.role(c)
	case *fieldCheck:
		return ev.field(c)
	case *genericCheck:
		return ev.generic(c)
	}
	return false
}

// rule evaluates a named rule; an undefined name falls back to the default
// rule, like oslo's Rules.__missing__. The depth bound turns any reference
// cycle New failed to reject into a denial instead of a stack overflow.
func (ev *evaluation) rule(name string) bool {
	c, ok := ev.e.rules[name]
	if !ok {
		if c = ev.e.fallback; c == nil {
			return false
		}
	}
	if ev.depth >= ev.e.maxDepth {
		return false
	}
	ev.depth++
	ok = ev.check(c)
	ev.depth--
	return ok
}

func (ev *evaluation) role(c *roleCheck) bool {
	want, ok := c.tmpl.expand(ev.target)
	if !ok {
		return false
	}
	for _, r := range ev.creds.Roles {
		if strings.EqualFold(r, want) {
			return true
		}
	}
	return false
}

func (ev *evaluation) field(c *fieldCheck) bool {
	v, ok := ev.target[c.field]
	if !ok && c.parent != "" {
		v, ok = ev.target[c.parent]
	}
	if !ok || v == nil {
		return false
	}
	if c.hasRegex {
		s, isString := v.(string)
		return isString && c.re.MatchString(s)
	}
	switch x := v.(type) {
	case string:
		return x == c.value
	case bool:
		return c.boolOK && x == c.boolVal
	case float64:
		return c.numOK && x == c.numVal
	case int:
		return c.numOK && float64(x) == c.numVal
	case int64:
		return c.numOK && float64(x) == c.numVal
	}
	return false
}

func (ev *evaluation) generic(c *genericCheck) bool {
	want, ok := c.tmpl.expand(ev.target)
	if !ok {
		return false
	}
	if c.isLiteral {
		return want == c.literal
	}
	// Our credentials are flat: a dotted path of more than one segment
	// indexes into a string or a role name, which oslo cannot match either.
	if len(c.path) != 1 {
		return false
	}
	switch c.path[0] {
	case "user_id":
		return want == pyCred(ev.creds.UserID)
	case "project_id", "tenant_id":
		return want == pyCred(ev.creds.ProjectID)
	case "roles":
		for _, r := range ev.creds.Roles {
			if r == want {
				return true
			}
		}
		return false
	case "is_admin":
		return want == ev.isAdmin()
	case "user_domain_id":
		return want == pyCred(ev.creds.UserDomainID)
	case "project_domain_id":
		return want == pyCred(ev.creds.ProjectDomainID)
	case "domain_id":
		return want == pyCred(ev.creds.DomainID)
	case "system_scope":
		return want == pyCred(ev.creds.SystemScope)
	case "is_admin_project":
		return want == pyBool(!ev.creds.NotAdminProject)
	case "service_user_id":
		return want == pyCred(ev.creds.ServiceUserID)
	case "service_roles":
		return slices.Contains(ev.creds.ServiceRoles, want)
	}
	return false
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// pyCred renders an unset credential as Python's None, so a caller without a
// project does not "own" objects whose tenant_id is empty.
func pyCred(s string) string {
	if s == "" {
		return "None"
	}
	return s
}

// isAdmin is str(context.is_admin). Neutron computes it by evaluating
// context_is_admin with is_admin still None, and the credentials as target.
func (ev *evaluation) isAdmin() string {
	switch ev.admin {
	case adminComputing:
		return "None"
	case adminNo:
		return "False"
	case adminYes:
		return "True"
	}
	ev.admin = adminNo
	if ev.e.isAdmin(ev.creds, ev.depth) {
		ev.admin = adminYes
		return "True"
	}
	return "False"
}

// credsTarget is the target Neutron's check_is_admin passes: the credentials.
func credsTarget(c *Credentials) Target {
	return Target{
		"user_id":    c.UserID,
		"project_id": c.ProjectID,
		"tenant_id":  c.ProjectID,
		"roles":      c.Roles,
		"is_admin":   nil,

		"user_domain_id":    nilIfEmpty(c.UserDomainID),
		"project_domain_id": nilIfEmpty(c.ProjectDomainID),
		"domain_id":         nilIfEmpty(c.DomainID),
		"system_scope":      nilIfEmpty(c.SystemScope),
		"is_admin_project":  !c.NotAdminProject,
	}
}

// nilIfEmpty is an unset credential as the target sees it: Python's None.
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}
