package api

import (
	"context"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// convertObjectType is Neutron's convert_valid_object_type, for the one
// object type served.
func convertObjectType(v jsonv.Value) (any, error) {
	if s, ok := v.(string); ok {
		n := strings.ToLower(strings.TrimSpace(s))
		for _, t := range bgpvpn.RBACObjectTypes {
			if n == t {
				return n, nil
			}
		}
	}
	return nil, fault.InvalidInput("'" + jsonv.Str(v) + "' is not a valid RBAC object type")
}

// RBACPolicySpec is the attribute map of Neutron's rbac-policies.
func RBACPolicySpec() *resource.Spec {
	attrs := []resource.Attr{
		{Name: "id"},
		{Name: "object_type", Post: true, Required: true, Policy: true, Convert: convertObjectType},
		{Name: "object_id", Post: true, Required: true, Policy: true, Convert: resource.UUID},
		{Name: "target_tenant", Post: true, Put: true, Required: true, Policy: true, Convert: resource.String(255)},
	}
	attrs = append(attrs, projectAttrs()...)
	attrs = append(attrs, resource.Attr{Name: "action", Post: true, Required: true, Policy: true, Convert: resource.String(255)})
	return &resource.Spec{Singular: "rbac_policy", Plural: "rbac_policies", Attrs: attrs, Bulk: true}
}

func renderRBACPolicy(o any) Fields {
	p := o.(*store.RBACPolicy)
	return Fields{{"id", p.ID}, {"project_id", p.ProjectID}, {"action", p.Action}, {"object_id", p.ObjectID},
		{"target_tenant", p.TargetTenant}, {"object_type", "bgpvpn"}, {"tenant_id", p.ProjectID}}
}

func (a *API) rbacKind() *kind {
	filters := map[string]func(string) (any, bool){}
	for _, n := range []string{"id", "tenant_id", "project_id", "object_type", "object_id", "target_tenant", "action"} {
		filters[n] = filterString
	}
	return &kind{
		spec:    RBACPolicySpec(),
		policy:  "rbac_policy",
		filters: filters,
		render:  renderRBACPolicy,
		notFound: func(_, id string) error {
			return fault.NotFound("RbacPolicyNotFound", "RBAC policy of type unknown with ID %s not found", id)
		},
		get: func(_ *call, tx store.Tx, _, id string) (any, error) { return tx.GetRBACPolicy(id) },
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := tx.ListRBACPolicies(q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, _ string, b resource.Body) (any, error) {
			p := &store.RBACPolicy{ID: newID(), ProjectID: b.Values["tenant_id"].(string), ObjectID: b.Values["object_id"].(string),
				TargetTenant: b.Values["target_tenant"].(string), Action: b.Values["action"].(string)}
			return p, a.service.CreateRBACPolicy(ctx, &c.Call, tx, p)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any, b resource.Body) (any, error) {
			old := orig.(*store.RBACPolicy)
			p := *old
			if v, ok := b.Values["target_tenant"]; ok {
				p.TargetTenant = v.(string)
			}
			return &p, a.service.UpdateRBACPolicy(ctx, &c.Call, tx, old, &p)
		},
		del: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any) error {
			return a.service.DeleteRBACPolicy(ctx, &c.Call, tx, orig.(*store.RBACPolicy))
		},
	}
}
