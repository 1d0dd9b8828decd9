package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

// object is one API resource as the server sent it: every attribute is kept,
// so that show prints what the server returns, like the openstack CLI does.
type object map[string]any

func (o object) str(key string) string {
	s, _ := o[key].(string)
	return s
}

// body is a request body {key: attrs}; it satisfies every gophercloud
// options builder we use, so the request carries exactly the attributes
// the user gave and nothing else.
type body struct {
	key   string
	attrs map[string]any
}

func (b body) toMap() (map[string]any, error) { return map[string]any{b.key: b.attrs}, nil }

func (b body) ToBGPVPNCreateMap() (map[string]any, error)             { return b.toMap() }
func (b body) ToBGPVPNUpdateMap() (map[string]any, error)             { return b.toMap() }
func (b body) ToNetworkAssociationCreateMap() (map[string]any, error) { return b.toMap() }
func (b body) ToRouterAssociationCreateMap() (map[string]any, error)  { return b.toMap() }
func (b body) ToRouterAssociationUpdateMap() (map[string]any, error)  { return b.toMap() }
func (b body) ToPortAssociationCreateMap() (map[string]any, error)    { return b.toMap() }
func (b body) ToPortAssociationUpdateMap() (map[string]any, error)    { return b.toMap() }
func (b body) ToNetworkCreateMap() (map[string]any, error)            { return b.toMap() }
func (b body) ToNetworkUpdateMap() (map[string]any, error)            { return b.toMap() }
func (b body) ToSubnetCreateMap() (map[string]any, error)             { return b.toMap() }
func (b body) ToSubnetUpdateMap() (map[string]any, error)             { return b.toMap() }
func (b body) ToPortCreateMap() (map[string]any, error)               { return b.toMap() }
func (b body) ToPortUpdateMap() (map[string]any, error)               { return b.toMap() }
func (b body) ToRouterCreateMap() (map[string]any, error)             { return b.toMap() }
func (b body) ToRouterUpdateMap() (map[string]any, error)             { return b.toMap() }
func (b body) ToRouterAddInterfaceMap() (map[string]any, error)       { return b.attrs, nil }
func (b body) ToRouterRemoveInterfaceMap() (map[string]any, error)    { return b.attrs, nil }

// query is a list query; it satisfies every gophercloud list options builder
// we use, so any filter (--property k=v) can be sent.
type query url.Values

func (q query) str() (string, error) {
	if len(q) == 0 {
		return "", nil
	}
	return "?" + url.Values(q).Encode(), nil
}

func (q query) ToBGPVPNListQuery() (string, error)              { return q.str() }
func (q query) ToNetworkAssociationsListQuery() (string, error) { return q.str() }
func (q query) ToRouterAssociationsListQuery() (string, error)  { return q.str() }
func (q query) ToPortAssociationsListQuery() (string, error)    { return q.str() }
func (q query) ToNetworkListQuery() (string, error)             { return q.str() }
func (q query) ToSubnetListQuery() (string, error)              { return q.str() }
func (q query) ToPortListQuery() (string, error)                { return q.str() }
func (q query) ToRouterListQuery() (string, error)              { return q.str() }

// extract takes the resource under key from a gophercloud result body.
func extract(res gophercloud.Result, key string) (object, error) {
	if res.Err != nil {
		return nil, serverError(res.Err)
	}
	m, ok := res.Body.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unexpected response: no %q object", key)
	}
	o, ok := m[key].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("unexpected response: no %q object", key)
	}
	return object(normalize(o).(map[string]any)), nil
}

// extractAll reads every page of a list.
func extractAll(ctx context.Context, pager pagination.Pager, key string) ([]object, error) {
	var out []object
	err := pager.EachPage(ctx, func(_ context.Context, page pagination.Page) (bool, error) {
		getter, ok := page.(interface{ GetBody() any })
		if !ok {
			return false, fmt.Errorf("unexpected page type %T", page)
		}
		raw, err := json.Marshal(getter.GetBody())
		if err != nil {
			return false, err
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(raw, &m); err != nil {
			return false, fmt.Errorf("unexpected response: %w", err)
		}
		var items []map[string]any
		if len(m[key]) > 0 {
			if err := json.Unmarshal(m[key], &items); err != nil {
				return false, fmt.Errorf("unexpected response: %w", err)
			}
		}
		for _, it := range items {
			out = append(out, object(normalize(it).(map[string]any)))
		}
		return true, nil
	})
	return out, serverError(err)
}

// normalize turns JSON numbers that are integers into int64, so that they
// print as 150, not 150.0.
func normalize(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
		return x
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		for i := range x {
			x[i] = normalize(x[i])
		}
		return x
	case map[string]any:
		for k := range x {
			x[k] = normalize(x[k])
		}
		return x
	}
	return v
}

var uuidPattern = regexp.MustCompile(`^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$`)

// finder looks a resource up by name or ID like the openstack CLI does: an
// ID first (GET by id), then a unique name (GET ?name=).
type finder struct {
	kind string // "bgpvpn", "network", ...
	get  func(ctx context.Context, id string) (object, error)
	list func(ctx context.Context, q query) ([]object, error)
}

func (f finder) find(ctx context.Context, nameOrID string) (object, error) {
	if uuidPattern.MatchString(nameOrID) {
		o, err := f.get(ctx, nameOrID)
		if err == nil {
			return o, nil
		}
		if !isNotFound(err) {
			return nil, err
		}
	}
	found, err := f.list(ctx, query{"name": {nameOrID}})
	if err != nil {
		return nil, err
	}
	// A server that ignores the name filter must not make us pick a wrong one.
	var match []object
	for _, o := range found {
		if o.str("name") == nameOrID {
			match = append(match, o)
		}
	}
	switch len(match) {
	case 0:
		return nil, &notFoundError{msg: fmt.Sprintf("Unable to find %s with name or id '%s'", f.kind, nameOrID)}
	case 1:
		return match[0], nil
	}
	return nil, &notFoundError{msg: fmt.Sprintf("Multiple %s matches found for name '%s', use an ID to be more specific.", f.kind, nameOrID)}
}

func (f finder) findID(ctx context.Context, nameOrID string) (string, error) {
	o, err := f.find(ctx, nameOrID)
	if err != nil {
		return "", err
	}
	return o.str("id"), nil
}

// splitKeyValues parses "k1=v1,k2=v2" as osc-lib's MultiKeyValueAction does.
func splitKeyValues(opt, s string, required, optional []string) (map[string]string, error) {
	out := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, usagef("invalid %s %q: expected %s", opt, s, expectedKeys(required, optional))
		}
		valid := false
		for _, name := range append(append([]string{}, required...), optional...) {
			if k == name {
				valid = true
			}
		}
		if !valid {
			return nil, usagef("invalid key %q in %s %q: expected %s", k, opt, s, expectedKeys(required, optional))
		}
		out[k] = v
	}
	for _, k := range required {
		if _, ok := out[k]; !ok {
			return nil, usagef("missing key %q in %s %q: expected %s", k, opt, s, expectedKeys(required, optional))
		}
	}
	return out, nil
}

func expectedKeys(required, optional []string) string {
	var parts []string
	for _, k := range required {
		parts = append(parts, k+"=<value>")
	}
	for _, k := range optional {
		parts = append(parts, "["+k+"=<value>]")
	}
	return strings.Join(parts, ",")
}
