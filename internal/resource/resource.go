// Package resource describes API resources the way Neutron's attribute maps
// do (which attributes may be posted, updated, seen, defaulted, checked by
// policy) and turns a raw request body into converted, validated values with
// the original's checks, in the original's order and with its messages.
//
// It knows nothing of storage or HTTP routing: it is the parsing edge.
package resource

import (
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
)

// Convert turns a decoded JSON value into the Go value the service uses.
// It returns a *fault.Fault (usually fault.InvalidInput) or an Invalid
// reason, which becomes "Invalid input for <attr>. Reason: <reason>.".
type Convert func(v jsonv.Value) (any, error)

// Invalid is a validator's reason; Prepare wraps it with the attribute name.
type Invalid string

func (r Invalid) Error() string { return string(r) }

// Invalidf formats an Invalid reason.
func Invalidf(format string, args ...any) error { return Invalid(fmt.Sprintf(format, args...)) }

// Attr is one attribute of a resource.
type Attr struct {
	Name string
	// Post and Put say whether a client may set the attribute on create and
	// on update (allow_post, allow_put).
	Post, Put bool
	// Required means a POST must carry it (no default).
	Required bool
	// Default is used on POST when the attribute is absent (after which
	// Convert is not applied: it must already be the service's Go value).
	Default any
	// Policy marks attributes checked with "<action>:<name>" rules
	// (enforce_policy).
	Policy bool
	// Hidden attributes are never rendered (is_visible false).
	Hidden bool
	// Convert converts and validates a client value; nil keeps it as is.
	Convert Convert
}

// Spec is a resource's attribute map.
type Spec struct {
	Singular, Plural string
	// Attrs in the original's attribute-map order, which decides the order
	// of checks and of the attributes named in policy messages.
	Attrs []Attr
	// Bulk allows a list under the plural key on POST.
	Bulk bool

	// index is built on first use, which may come from concurrent
	// requests: once, or two of them write the map at the same time (a
	// crash the race detector showed when creates raced for a quota).
	indexOnce sync.Once
	index     map[string]int
}

// Attr returns the named attribute.
func (s *Spec) Attr(name string) (*Attr, bool) {
	s.indexOnce.Do(func() {
		s.index = make(map[string]int, len(s.Attrs))
		for i, a := range s.Attrs {
			s.index[a.Name] = i
		}
	})
	i, ok := s.index[name]
	if !ok {
		return nil, false
	}
	return &s.Attrs[i], true
}

// Body is one prepared resource body.
type Body struct {
	// Values holds converted values: every Post attribute on create (given
	// or defaulted), only the given ones on update.
	Values map[string]any
	// Given lists the attributes the client sent, in attribute-map order.
	Given []string
}

// Has reports whether the client sent name.
func (b *Body) Has(name string) bool {
	for _, g := range b.Given {
		if g == name {
			return true
		}
	}
	return false
}

// ErrNUL refuses a body with a NUL character in a string or key: valid
// JSON that PostgreSQL cannot store and SQLite would, so both refuse it.
var ErrNUL = fault.BadRequest("The request body holds a NUL character (\\u0000) in a string")

// Prepare parses a request body for create (POST) or update (PUT). It
// returns one Body, or several for a bulk create.
func (s *Spec) Prepare(raw []byte, create bool) ([]Body, bool, error) {
	if len(strings.TrimSpace(string(raw))) == 0 {
		return nil, false, fault.BadRequest("Resource body required")
	}
	v, err := jsonv.Decode(raw)
	if err != nil {
		return nil, false, fault.New(400, "MalformedRequestBody", "Malformed request body: Cannot understand JSON.")
	}
	if jsonv.HasNUL(v) {
		return nil, false, ErrNUL
	}
	// Neutron's prepare_request_body, including what Python makes of
	// bodies that are not objects.
	if falsy(v) {
		return nil, false, fault.BadRequest("Resource body required")
	}
	top, ok := v.(*jsonv.Object)
	if !ok {
		return nil, false, fault.BadRequest("Body contains invalid data")
	}
	if items, ok := top.Get(s.Plural); ok && (create || !s.Bulk) {
		if !s.Bulk {
			return nil, false, fault.BadRequest("Bulk operation not supported")
		}
		if falsy(items) {
			return nil, false, fault.BadRequest("Resources required")
		}
		list, ok := items.([]jsonv.Value)
		if !ok {
			return nil, false, fault.BadRequest("Body contains invalid data")
		}
		bodies := make([]Body, 0, len(list))
		for _, item := range list {
			var res jsonv.Value = item
			switch t := item.(type) {
			case nil, bool, jsonv.Number:
				// "resource in item" raises TypeError.
				return nil, false, fault.BadRequest("Body contains invalid data")
			case *jsonv.Object:
				if t.Has(s.Singular) {
					res, _ = t.Get(s.Singular)
				}
			}
			b, err := s.prepareWrapped(res, create)
			if err != nil {
				return nil, false, err
			}
			bodies = append(bodies, b)
		}
		return bodies, true, nil
	}
	res, _ := top.Get(s.Singular)
	b, err := s.prepareWrapped(res, create)
	if err != nil {
		return nil, false, err
	}
	return []Body{b}, false, nil
}

// prepareWrapped prepares the value found under the singular key.
func (s *Spec) prepareWrapped(res jsonv.Value, create bool) (Body, error) {
	if res == nil {
		return Body{}, fault.BadRequest("Unable to find '%s' in request body", s.Singular)
	}
	obj, ok := res.(*jsonv.Object)
	if !ok {
		return Body{}, fault.BadRequest("Object '%s' contains invalid data", s.Singular)
	}
	return s.prepareOne(obj, create)
}

// falsy is Python's "not v" for a decoded JSON value.
func falsy(v jsonv.Value) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case string:
		return t == ""
	case jsonv.Number:
		f, err := strconv.ParseFloat(string(t), 64)
		return err == nil && f == 0
	case []jsonv.Value:
		return len(t) == 0
	case *jsonv.Object:
		return t.Len() == 0
	}
	return false
}

func (s *Spec) prepareOne(obj *jsonv.Object, create bool) (Body, error) {
	if err := mirrorProject(obj); err != nil {
		return Body{}, err
	}
	var unknown []string
	for _, k := range obj.Keys {
		if _, ok := s.Attr(k); !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return Body{}, fault.BadRequest("Unrecognized attribute(s) '%s'", strings.Join(unknown, ", "))
	}
	b := Body{Values: make(map[string]any, len(s.Attrs))}
	for _, a := range s.Attrs {
		_, given := obj.Get(a.Name)
		switch {
		case create && !a.Post && given:
			return Body{}, fault.BadRequest("Attribute '%s' not allowed in POST", a.Name)
		case create && a.Post && !given && a.Required:
			return Body{}, fault.BadRequest("Failed to parse request. Required attribute '%s' not specified", a.Name)
		case create && a.Post && !given:
			b.Values[a.Name] = a.Default
		case !create && !a.Put && given:
			return Body{}, fault.BadRequest("Cannot update read-only attribute %s", a.Name)
		}
	}
	for _, a := range s.Attrs {
		raw, given := obj.Get(a.Name)
		if !given {
			continue
		}
		b.Given = append(b.Given, a.Name)
		if a.Convert == nil {
			b.Values[a.Name] = raw
			continue
		}
		v, err := a.Convert(raw)
		if err != nil {
			var reason Invalid
			if errors.As(err, &reason) {
				return Body{}, fault.BadRequest("Invalid input for %s. Reason: %s.", a.Name, string(reason))
			}
			return Body{}, err
		}
		b.Values[a.Name] = v
	}
	return b, nil
}

// mirrorProject copies tenant_id to project_id or back, as Neutron's
// populate_project_info does, and refuses two different values.
func mirrorProject(obj *jsonv.Object) error {
	t, hasT := obj.Get("tenant_id")
	p, hasP := obj.Get("project_id")
	switch {
	case hasT && hasP:
		if jsonv.Repr(t) != jsonv.Repr(p) {
			return fault.BadRequest("'project_id' and 'tenant_id' do not match")
		}
	case hasT:
		obj.Set("project_id", t)
	case hasP:
		obj.Set("tenant_id", p)
	}
	return nil
}
