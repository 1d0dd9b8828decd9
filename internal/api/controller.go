package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"reflect"
	"unicode/utf8"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// kind is one collection of the API: its attribute map, how to render it
// and the service calls behind each verb. Handlers are generic over kinds,
// like Neutron's controllers.
type kind struct {
	spec *resource.Spec
	// policy is the resource name in rule names: "<verb>_<policy>".
	policy string
	// filters maps filterable attributes to their value converter.
	filters map[string]func(string) (any, bool)
	// unsortable lists filterable attributes that cannot be sort keys.
	unsortable map[string]bool
	// special handles list parameters that are not plain attributes
	// (networks/routers/ports on BGPVPNs); true if it consumed the name.
	special func(name string, values []string, q *store.Query) bool

	render   func(o any) Fields
	notFound func(parent, id string) error
	// parents adds to a policy target the attributes of the objects it
	// hangs from ("network:tenant_id" of a subnet or port), which rules
	// such as admin_or_network_owner read, as Neutron's OwnerCheck
	// fetches them. Nil for kinds whose rules need none.
	parents func(tx store.Tx, t policy.Target, memo map[string]any) error
	// refs maps the body attributes that name other objects to the
	// collection (a key of API.kinds) they name: resolveRefs reads them
	// with the caller's visibility before any rule runs.
	refs map[string]string

	get    func(c *call, tx store.Tx, parent, id string) (any, error)
	list   func(c *call, tx store.Tx, q store.Query) ([]any, error)
	create func(ctx context.Context, c *call, tx store.Tx, parent string, b resource.Body) (any, error)
	update func(ctx context.Context, c *call, tx store.Tx, parent string, orig any, b resource.Body) (any, error)
	del    func(ctx context.Context, c *call, tx store.Tx, parent string, orig any) error
	// bulkExtra adds attributes that the original shows in bulk answers.
	bulkExtra func(o any, parent string) Fields

	// getRules caches "get_<policy>:<attr>" per attribute, and getRule the
	// "get_<policy>" check, so that lists build no rule names per object.
	getRules map[string]string
	getRule  policy.Check
}

// prepare fills the caches of k.
func (k *kind) prepare() *kind {
	k.getRules = make(map[string]string, len(k.spec.Attrs))
	for _, at := range k.spec.Attrs {
		k.getRules[at.Name] = "get_" + k.policy + ":" + at.Name
	}
	k.getRule = policy.Rule("get_" + k.policy)
	return k
}

func (k *kind) sortable(attr string) bool { return !k.unsortable[attr] }

// call is one request on its way through the API.
type call struct {
	bgpvpn.Call
	creds policy.Credentials
	admin bool
}

// target is what policy rules see of a rendered object.
func target(f Fields) policy.Target {
	return fillTarget(make(policy.Target, len(f)), f)
}

// withParent tells the parents hook of an association which BGPVPN it
// hangs from.
func withParent(t policy.Target, parent string) {
	if parent != "" {
		t["bgpvpn_id"] = parent
	}
}

// fillTarget reuses t (cleared) for f: lists evaluate policy for many
// objects in a row.
func fillTarget(t policy.Target, f Fields) policy.Target {
	clear(t)
	for _, kv := range f {
		t[kv.Key] = kv.Val
	}
	return t
}

// bodyTarget is what policy rules see of a prepared request body.
func bodyTarget(values map[string]any) policy.Target {
	t := make(policy.Target, len(values))
	for k, v := range values {
		if p, ok := v.(*int64); ok {
			if p == nil {
				t[k] = nil
				continue
			}
			t[k] = *p
			continue
		}
		t[k] = v
	}
	return t
}

// visibleFields strips what the caller may not read, then keeps only the
// requested fields (all when none are asked for).
func (a *API) visibleFields(k *kind, c *call, f Fields, t policy.Target, fields []string) Fields {
	// out stays nil (f is returned whole) until the first dropped field.
	var out Fields
	for i, kv := range f {
		keep := len(fields) == 0 || contains(fields, kv.Key)
		if keep {
			rule, ok := k.getRules[kv.Key]
			if !ok {
				rule = "get_" + k.policy + ":" + kv.Key
			}
			keep = !a.policyHasRule(rule) || a.policy.Visible(rule, t, c.creds)
		}
		switch {
		case !keep && out == nil:
			out = make(Fields, i, len(f))
			copy(out, f[:i])
		case keep && out != nil:
			out = append(out, kv)
		}
	}
	if out == nil {
		return f
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// policyHasRule caches Defined per rule name.
func (a *API) policyHasRule(rule string) bool {
	if v, ok := a.defined.Load(rule); ok {
		return v.(bool)
	}
	d := a.policy.Defined(rule)
	a.defined.Store(rule, d)
	return d
}

func (a *API) authorize(c *call, action string, attrs []string, t policy.Target) error {
	return a.policy.Authorize(action, attrs, t, c.creds)
}

func (a *API) canRead(k *kind, c *call, t policy.Target) bool {
	return a.policy.Enforce(k.getRule, t, c.creds)
}

// getOne loads and authorises a read of one object; an object the caller
// may not read is not found.
func (a *API) getOne(k *kind, c *call, tx store.Tx, parent, id string) (any, Fields, policy.Target, error) {
	o, err := k.get(c, tx, parent, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil, k.notFound(parent, id)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	f := k.render(o)
	t := target(f)
	if k.parents != nil {
		withParent(t, parent)
		if err := k.parents(tx, t, nil); err != nil {
			return nil, nil, nil, err
		}
	}
	if !a.canRead(k, c, t) {
		return nil, nil, nil, k.notFound(parent, id)
	}
	return o, f, t, nil
}

func (a *API) show(k *kind, w http.ResponseWriter, r *http.Request, c *call, parent, id string) error {
	var out Fields
	err := a.store.View(r.Context(), func(tx store.Tx) error {
		_, f, t, err := a.getOne(k, c, tx, parent, id)
		if err != nil {
			return err
		}
		out = a.visibleFields(k, c, f, t, r.URL.Query()["fields"])
		return nil
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, Fields{{k.spec.Singular, out}})
	return nil
}

func (a *API) index(k *kind, w http.ResponseWriter, r *http.Request, c *call, parent string) error {
	p, err := k.parseList(r)
	if err != nil {
		return err
	}
	if err := a.checkHiddenQuery(k, c, r); err != nil {
		return err
	}
	items := []Fields{}
	var ids []string
	if !p.none {
		p.query.Parent = parent
		if !c.admin {
			p.query.Project = c.creds.ProjectID
		}
		err = a.store.View(r.Context(), func(tx store.Tx) error {
			objs, err := k.list(c, tx, p.query)
			if err != nil {
				return err
			}
			items = make([]Fields, 0, len(objs))
			ids = make([]string, 0, len(objs))
			t := make(policy.Target, 24)
			memo := map[string]any{} // parents read once per list
			for _, o := range objs {
				f := k.render(o)
				fillTarget(t, f)
				if k.parents != nil {
					withParent(t, parent)
					if err := k.parents(tx, t, memo); err != nil {
						return err
					}
				}
				if !a.canRead(k, c, t) {
					continue
				}
				id, _ := f.Get("id")
				ids = append(ids, id.(string))
				items = append(items, a.visibleFields(k, c, f, t, p.fields))
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	body := Fields{{k.spec.Plural, items}}
	if l := links(r, p, ids); l != nil {
		body = append(body, Field{k.spec.Plural + "_links", l})
	}
	writeJSONSized(w, http.StatusOK, body, 256+len(items)*600)
	return nil
}

// createAttrs lists the policy-checked attributes of a create, as
// Neutron's _is_attribute_explicitly_set decides: set and not the default.
func createAttrs(spec *resource.Spec, b resource.Body) []string {
	var out []string
	for _, at := range spec.Attrs {
		if !at.Policy {
			continue
		}
		v, ok := b.Values[at.Name]
		if !ok {
			continue
		}
		if at.Name == "tenant_id" || (b.Has(at.Name) && !reflect.DeepEqual(v, at.Default)) {
			out = append(out, at.Name)
		}
	}
	return out
}

func updateAttrs(spec *resource.Spec, b resource.Body) []string {
	var out []string
	for _, name := range b.Given {
		if at, ok := spec.Attr(name); ok && at.Policy {
			out = append(out, name)
		}
	}
	return out
}

func readBody(r *http.Request) ([]byte, error) {
	body, err := io.ReadAll(http.MaxBytesReader(nil, r.Body, 1<<20))
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, fault.New(http.StatusRequestEntityTooLarge, "HTTPRequestEntityTooLarge", "Request is too large.")
	case errors.Is(err, os.ErrDeadlineExceeded):
		return nil, fault.New(http.StatusRequestTimeout, "HTTPRequestTimeout", "The request body was not received in time.")
	case err != nil:
		return nil, fault.BadRequest("The request body could not be read")
	case !utf8.Valid(body):
		return nil, fault.BadRequest("The request body is not valid UTF-8 text")
	}
	return body, nil
}

// fillProject applies Neutron's populate_tenant_id: a missing project is
// the caller's, and only an admin may name another one.
func fillProject(c *call, b *resource.Body) error {
	p, _ := b.Values["tenant_id"].(string)
	if p == "" || !b.Has("tenant_id") {
		b.Values["tenant_id"], b.Values["project_id"] = c.creds.ProjectID, c.creds.ProjectID
		return nil
	}
	if !c.admin && p != c.creds.ProjectID {
		return fault.BadRequest("Specifying 'project_id' or 'tenant_id' other than the authenticated project in request requires admin or advsvc privileges")
	}
	return nil
}

func (a *API) createItems(k *kind, w http.ResponseWriter, r *http.Request, c *call, parent string) error {
	ctx := r.Context()
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	bodies, bulk, err := k.spec.Prepare(raw, true)
	if err != nil {
		return err
	}
	for i := range bodies {
		if err := fillProject(c, &bodies[i]); err != nil {
			return err
		}
	}
	var out []Fields
	err = a.store.Update(ctx, func(tx store.Tx) error {
		// Quota first, as Neutron's hooks run: then policy.
		if err := a.enforceQuota(tx, k, bodies); err != nil {
			return err
		}
		// Every item is authorised before any is created, as Neutron does.
		for _, b := range bodies {
			if err := a.resolveRefs(k, c, tx, b); err != nil {
				return err
			}
			t := bodyTarget(b.Values)
			if k.parents != nil {
				withParent(t, parent)
				if err := k.parents(tx, t, nil); err != nil {
					return err
				}
			}
			if err := a.authorize(c, "create_"+k.policy, createAttrs(k.spec, b), t); err != nil {
				return err
			}
		}
		out = out[:0]
		for _, b := range bodies {
			o, err := k.create(ctx, c, tx, parent, b)
			if err != nil {
				return err
			}
			f := k.render(o)
			if bulk {
				if k.bulkExtra != nil {
					f = append(f, k.bulkExtra(o, parent)...)
				}
				out = append(out, f)
				continue
			}
			out = append(out, a.visibleFields(k, c, f, target(f), nil))
		}
		return nil
	})
	if err != nil {
		return err
	}
	a.service.Committed(ctx, &c.Call)
	if bulk {
		writeJSON(w, http.StatusCreated, Fields{{k.spec.Plural, out}})
	} else {
		writeJSON(w, http.StatusCreated, Fields{{k.spec.Singular, out[0]}})
	}
	return nil
}

func (a *API) updateItem(k *kind, w http.ResponseWriter, r *http.Request, c *call, parent, id string) error {
	ctx := r.Context()
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	bodies, _, err := k.spec.Prepare(raw, false)
	if err != nil {
		return err
	}
	b := bodies[0]
	var out Fields
	err = a.store.Update(ctx, func(tx store.Tx) error {
		orig, _, t, err := a.getOne(k, c, tx, parent, id)
		if err != nil {
			return err
		}
		if err := a.resolveRefs(k, c, tx, b); err != nil {
			return err
		}
		for name, v := range bodyTarget(b.Values) {
			t[name] = v
		}
		if err := a.authorize(c, "update_"+k.policy, updateAttrs(k.spec, b), t); err != nil {
			return err
		}
		o, err := k.update(ctx, c, tx, parent, orig, b)
		if err != nil {
			return err
		}
		f := k.render(o)
		out = a.visibleFields(k, c, f, target(f), nil)
		return nil
	})
	if err != nil {
		return err
	}
	a.service.Committed(ctx, &c.Call)
	writeJSON(w, http.StatusOK, Fields{{k.spec.Singular, out}})
	return nil
}

func (a *API) deleteItem(k *kind, w http.ResponseWriter, r *http.Request, c *call, parent, id string) error {
	ctx := r.Context()
	err := a.store.Update(ctx, func(tx store.Tx) error {
		orig, _, t, err := a.getOne(k, c, tx, parent, id)
		if err != nil {
			return err
		}
		if err := a.authorize(c, "delete_"+k.policy, nil, t); err != nil {
			return err
		}
		return k.del(ctx, c, tx, parent, orig)
	})
	if err != nil {
		return err
	}
	a.service.Committed(ctx, &c.Call)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
