package policy

import "errors"

// ErrNotAuthorized is matched (errors.Is) by every *NotAuthorizedError. The
// API layer maps it to 403 PolicyNotAuthorized.
var ErrNotAuthorized = errors.New("disallowed by policy")

// NotAuthorizedError is a denied Authorize. Its message is Neutron's
// PolicyNotAuthorized message, meant for the API user as is.
type NotAuthorizedError struct {
	// Rule is the check that failed, rendered oslo style, e.g.
	// "(rule:update_bgpvpn and rule:update_bgpvpn:route_targets)".
	Rule string
}

func (e *NotAuthorizedError) Error() string { return e.Rule + " is disallowed by policy" }

// Is makes errors.Is(err, ErrNotAuthorized) true.
func (e *NotAuthorizedError) Is(target error) bool { return target == ErrNotAuthorized }
