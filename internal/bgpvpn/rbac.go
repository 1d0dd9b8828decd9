package bgpvpn

import (
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// AccessAsShared is the one RBAC action on BGPVPNs: the target project may
// see the BGPVPN and associate its own networks, routers and ports with it.
const AccessAsShared = "access_as_shared"

// RBACObjectTypes are the RBAC object types served.
var RBACObjectTypes = []string{"bgpvpn"}

func notOwner() error {
	return fault.InvalidInput("Only admins can manipulate policies on objects they do not own")
}

// rbacObject loads the BGPVPN of a policy being created or updated: an
// admin's, or one the caller owns. A tenant cannot tell a BGPVPN of
// another project from a missing one.
func rbacObject(c *Call, tx store.Tx, id string) (*store.BGPVPN, error) {
	v, err := tx.GetBGPVPN(id)
	switch {
	case errors.Is(err, store.ErrNotFound) && c.Caller.Admin:
		return nil, BGPVPNNotFound(id)
	case errors.Is(err, store.ErrNotFound):
		return nil, notOwner()
	case err != nil:
		return nil, err
	case !c.Caller.Admin && v.ProjectID != c.Caller.ProjectID:
		return nil, notOwner()
	}
	return v, nil
}

// CreateRBACPolicy shares a BGPVPN, as Neutron's RBAC plugin does: the
// object's owner or an admin, one action, no duplicates.
func (s *Service) CreateRBACPolicy(ctx context.Context, c *Call, tx store.Tx, p *store.RBACPolicy) error {
	if _, err := rbacObject(c, tx, p.ObjectID); err != nil {
		return err
	}
	if p.Action != AccessAsShared {
		return fault.New(http.StatusBadRequest, "InvalidActionForType",
			"Invalid action '%s' for object type 'bgpvpn'. Valid actions: ('%s',)", p.Action, AccessAsShared)
	}
	if err := tx.CreateRBACPolicy(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fault.Conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
		}
		return err
	}
	return nil
}

// UpdateRBACPolicy changes the target of a policy; a project that still
// has associations through the old target keeps it (409).
func (s *Service) UpdateRBACPolicy(ctx context.Context, c *Call, tx store.Tx, old, p *store.RBACPolicy) error {
	v, err := rbacObject(c, tx, old.ObjectID)
	if err != nil {
		return err
	}
	if old.TargetTenant != p.TargetTenant && p.TargetTenant != "*" {
		if err := checkRBACInUse(tx, v, old); err != nil {
			return err
		}
	}
	if err := tx.UpdateRBACPolicy(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fault.Conflict("DuplicateRbacPolicy", "An RBAC policy already exists with those values.")
		}
		return err
	}
	return nil
}

// DeleteRBACPolicy removes a policy unless a project still has
// associations through it (409 RbacPolicyInUse, as Neutron answers for
// networks with ports).
func (s *Service) DeleteRBACPolicy(ctx context.Context, c *Call, tx store.Tx, p *store.RBACPolicy) error {
	v, err := tx.GetBGPVPN(p.ObjectID)
	if err != nil {
		return err
	}
	if err := checkRBACInUse(tx, v, p); err != nil {
		return err
	}
	return tx.DeleteRBACPolicy(p.ID)
}

// checkRBACInUse refuses to take away the access p gives when a project
// that is not v's owner has associations with v and no other policy
// would still give it access (Neutron's _validate_rbac_policy_delete).
func checkRBACInUse(tx store.Tx, v *store.BGPVPN, p *store.RBACPolicy) error {
	if p.Action != AccessAsShared || p.TargetTenant == v.ProjectID {
		return nil
	}
	bound, err := boundProjects(tx, v)
	if err != nil {
		return err
	}
	others, err := tx.ListRBACPolicies(store.Query{Filters: map[string][]any{"object_id": {v.ID}, "action": {AccessAsShared}}})
	if err != nil {
		return err
	}
	still := map[string]bool{}
	for _, o := range others {
		if o.ID != p.ID {
			still[o.TargetTenant] = true
		}
	}
	inUse := fault.Conflict("RbacPolicyInUse",
		"RBAC policy on object %s cannot be removed because other objects depend on it.\nDetails: project_id=%s", v.ID, p.TargetTenant)
	if p.TargetTenant != "*" {
		if !still["*"] && slices.Contains(bound, p.TargetTenant) {
			return inUse
		}
		return nil
	}
	for _, b := range bound {
		if !still[b] {
			return inUse
		}
	}
	return nil
}

// boundProjects lists the projects other than v's owner that have
// associations with v.
func boundProjects(tx store.Tx, v *store.BGPVPN) ([]string, error) {
	q := store.Query{Parent: v.ID}
	var out []string
	add := func(p string) {
		if p != v.ProjectID && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	nas, err := tx.ListNetworkAssociations(q)
	if err != nil {
		return nil, err
	}
	for _, a := range nas {
		add(a.ProjectID)
	}
	ras, err := tx.ListRouterAssociations(q)
	if err != nil {
		return nil, err
	}
	for _, a := range ras {
		add(a.ProjectID)
	}
	pas, err := tx.ListPortAssociations(q)
	if err != nil {
		return nil, err
	}
	for _, a := range pas {
		add(a.ProjectID)
	}
	return out, nil
}
