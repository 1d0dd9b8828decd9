// Package policy decides who may do what to which API object, with the
// semantics of oslo.policy as Neutron uses it, so that an operator's existing
// policy.yaml for networking-bgpvpn keeps meaning the same thing here.
//
// It parses oslo check strings ("rule:admin_or_owner", "role:admin",
// "tenant_id:%(tenant_id)s", "field:networks:shared=True", "not", "and",
// "or", parentheses), merges an operator's override file over the built-in
// defaults, and evaluates rules against a caller's credentials and an object's
// attributes. Authorize builds Neutron's per-attribute AND check for create
// and update, Visible answers whether a get_<resource>:<attribute> rule lets
// the caller read an attribute.
//
// It must never fail open: a rule it cannot parse refuses to load (the server
// does not start), and anything it cannot evaluate (a missing attribute, a
// reference cycle) denies. It does no I/O after New and holds no globals.
package policy
