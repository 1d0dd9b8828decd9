package dataplane

// InstanceError is a failure of Apply that concerns one VRF or EVI. Drivers
// wrap per-instance failures in it (and join them), so that the agent can
// tell which instances' associations failed and which are fine.
type InstanceError struct {
	// Instance is the VRF's or EVI's ID.
	Instance string
	Err      error
}

func (e *InstanceError) Error() string { return e.Err.Error() }

func (e *InstanceError) Unwrap() error { return e.Err }

// SplitByInstance takes an error of Apply apart: the failures each
// instance claims, and the others, which may concern any instance. Joined
// errors are split; a wrapped one belongs to the first instance error it
// wraps, with its whole message.
func SplitByInstance(err error) (byInstance map[string][]error, other []error) {
	byInstance = map[string][]error{}
	var walk func(top error)
	walk = func(top error) {
		for cur := top; ; {
			switch e := cur.(type) {
			case *InstanceError:
				byInstance[e.Instance] = append(byInstance[e.Instance], top)
				return
			case interface{ Unwrap() []error }:
				for _, part := range e.Unwrap() {
					if part != nil {
						walk(part)
					}
				}
				return
			case interface{ Unwrap() error }:
				if cur = e.Unwrap(); cur != nil {
					continue
				}
			}
			other = append(other, top)
			return
		}
	}
	if err != nil {
		walk(err)
	}
	return byInstance, other
}
