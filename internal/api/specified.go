package api

import (
	"errors"
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// The attributes of a BGPVPN that networking-bgpvpn's specification
// defines and no release built (extensions bgpvpn-admin-state,
// bgpvpn-technique, bgpvpn-auto-aggregate), and rbac-bgpvpn's shared.

// techniqueNames lists the specification's techniques in its order.
var techniqueNames = []string{"ipvpn", "evpn-prefix", "evpn"}

// convertTechnique accepts null (the driver's default) or a technique the
// specification defines; whether it fits the type and the driver is the
// service's check.
func convertTechnique(v jsonv.Value) (any, error) {
	if v == nil {
		return "", nil
	}
	if s, ok := v.(string); ok {
		if _, known := bgpvpn.TechniqueTypes[s]; known {
			return s, nil
		}
	}
	return nil, resource.Invalidf("%s is not a technique: ipvpn or evpn-prefix (l3), evpn (l2), or null for the driver's default", jsonv.Repr(v))
}

func specifiedAttrs() []resource.Attr {
	return []resource.Attr{
		{Name: "admin_state_up", Post: true, Put: true, Default: true, Policy: true, Convert: resource.ToBool},
		{Name: "technique", Post: true, Put: true, Default: "", Policy: true, Convert: convertTechnique},
		{Name: "auto_aggregate", Post: true, Put: true, Default: false, Policy: true, Convert: resource.ToBool},
		{Name: "shared", Policy: true},
	}
}

func specifiedFields(v *store.BGPVPN) Fields {
	return Fields{{"admin_state_up", !v.AdminStateDown}, {"technique", nullable(v.Technique)},
		{"auto_aggregate", v.AutoAggregate}, {"shared", v.Shared}}
}

func specifiedFilters(m map[string]func(string) (any, bool)) {
	m["admin_state_up"], m["auto_aggregate"] = filterBool, filterBool
	m["technique"] = filterValues(techniqueNames...)
	// shared reads per caller: the store takes it relative to SharedFor.
	m["shared"] = filterBool
}

func updateSpecified(v *store.BGPVPN, name string, val any) {
	switch name {
	case "admin_state_up":
		v.AdminStateDown = !val.(bool)
	case "technique":
		v.Technique = val.(string)
	case "auto_aggregate":
		v.AutoAggregate = val.(bool)
	}
}

// sharedBGPVPNs makes the BGPVPN kind show what a caller sees of a BGPVPN
// shared with it: shared as Neutron computes it for the caller, and, to a
// project that is neither the owner nor an admin, only its own networks,
// routers and ports among the associated ones.
func (a *API) sharedBGPVPNs(k *kind) *kind {
	get, list := k.get, k.list
	k.get = func(c *call, tx store.Tx, parent, id string) (any, error) {
		o, err := get(c, tx, parent, id)
		if err != nil {
			return nil, err
		}
		return o, forCaller(c, tx, o.(*store.BGPVPN))
	}
	k.list = func(c *call, tx store.Tx, q store.Query) ([]any, error) {
		q.SharedFor = c.creds.ProjectID
		l, err := list(c, tx, q)
		if err != nil {
			return nil, err
		}
		for _, o := range l {
			if err := forCaller(c, tx, o.(*store.BGPVPN)); err != nil {
				return nil, err
			}
		}
		return l, nil
	}
	return k
}

func forCaller(c *call, tx store.Tx, v *store.BGPVPN) error {
	project := c.creds.ProjectID
	v.Shared = false
	for _, t := range v.SharedWith {
		v.Shared = v.Shared || t == "*" || t == project
	}
	if c.admin || v.ProjectID == project {
		return nil
	}
	q := store.Query{Parent: v.ID, Filters: map[string][]any{"project_id": {project}}}
	v.Networks, v.Routers, v.Ports = []string{}, []string{}, []string{}
	nas, err := tx.ListNetworkAssociations(q)
	if err != nil {
		return err
	}
	for _, n := range nas {
		v.Networks = append(v.Networks, n.NetworkID)
	}
	ras, err := tx.ListRouterAssociations(q)
	if err != nil {
		return err
	}
	for _, r := range ras {
		v.Routers = append(v.Routers, r.RouterID)
	}
	pas, err := tx.ListPortAssociations(q)
	if err != nil {
		return err
	}
	for _, p := range pas {
		v.Ports = append(v.Ports, p.PortID)
	}
	return nil
}

// assocParents adds "bgpvpn:tenant_id" (the owner of the association's
// BGPVPN) to an association's policy target, which the rules that let a
// shared BGPVPN's owner see other projects' associations read.
func assocParents(tx store.Tx, t policy.Target, memo map[string]any) error {
	id, _ := t["bgpvpn_id"].(string)
	if id == "" {
		return nil
	}
	key := "bgpvpn:" + id
	owner, ok := memo[key]
	if !ok {
		v, err := tx.GetBGPVPN(id)
		switch {
		case err == nil:
			owner = v.ProjectID
		case errors.Is(err, store.ErrNotFound):
			owner = nil
		default:
			return err
		}
		if memo != nil {
			memo[key] = owner
		}
	}
	if owner != nil {
		t["bgpvpn:tenant_id"] = owner
	}
	return nil
}

// techniques answers GET /v2.0/bgpvpn/techniques[/{type}] with what the
// configured driver implements, as the specification's examples show.
func (a *API) techniques(w http.ResponseWriter, r *http.Request, seg []string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed()
	}
	f := a.service.Driver.Features()
	byType := Fields{}
	for _, typ := range []string{"l3", "l2"} {
		if f.SupportsType(typ) {
			l := f.Techniques[typ]
			if l == nil {
				l = []string{}
			}
			byType = append(byType, Field{typ, l})
		}
	}
	switch len(seg) {
	case 0:
		writeJSON(w, http.StatusOK, Fields{{"techniques", byType}})
		return nil
	case 1:
		if l, ok := byType.Get(seg[0]); ok {
			writeJSON(w, http.StatusOK, Fields{{seg[0], l}})
			return nil
		}
	}
	return notFoundPath()
}
