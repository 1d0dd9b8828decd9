package api

import (
	"context"
	"errors"
	"net/netip"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

func projectAttrs() []resource.Attr {
	return []resource.Attr{
		{Name: "tenant_id", Post: true, Policy: true, Convert: resource.String(255)},
		{Name: "project_id", Post: true, Convert: resource.String(255)},
	}
}

func stdAttrs() []resource.Attr {
	return []resource.Attr{
		{Name: "description", Post: true, Put: true, Default: "", Convert: resource.String(255)},
		{Name: "created_at"}, {Name: "updated_at"}, {Name: "revision_number"},
	}
}

func stdFields(s store.Std) Fields {
	return Fields{{"description", s.Description}, {"created_at", s.CreatedAt}, {"updated_at", s.UpdatedAt}, {"revision_number", s.Revision}}
}

var rtList = resource.StringList(rtrd.Valid)

// BGPVPNSpec is the attribute map of a BGPVPN (bgpvpn, bgpvpn-vni,
// bgpvpn-routes-control and the standard attributes).
func BGPVPNSpec() *resource.Spec {
	attrs := []resource.Attr{{Name: "id"}}
	attrs = append(attrs, projectAttrs()...)
	attrs = append(attrs,
		resource.Attr{Name: "name", Post: true, Put: true, Default: "", Policy: true, Convert: resource.String(255)},
		resource.Attr{Name: "type", Post: true, Default: "l3", Policy: true, Convert: resource.Values("l3", "l2")},
		resource.Attr{Name: "route_targets", Post: true, Put: true, Default: []string{}, Policy: true, Convert: rtList},
		resource.Attr{Name: "import_targets", Post: true, Put: true, Default: []string{}, Policy: true, Convert: rtList},
		resource.Attr{Name: "export_targets", Post: true, Put: true, Default: []string{}, Policy: true, Convert: rtList},
		resource.Attr{Name: "route_distinguishers", Post: true, Put: true, Default: []string{}, Policy: true, Convert: rtList},
		resource.Attr{Name: "networks"}, resource.Attr{Name: "routers"}, resource.Attr{Name: "ports"},
		resource.Attr{Name: "local_pref", Post: true, Put: true, Default: (*int64)(nil), Policy: true,
			Convert: resource.IntRange(0, 4294967295, true, false)},
		resource.Attr{Name: "vni", Post: true, Default: (*int64)(nil), Policy: true,
			Convert: resource.IntRange(1, 16777215, true, true)},
	)
	attrs = append(attrs, specifiedAttrs()...)
	attrs = append(attrs, stdAttrs()...)
	return &resource.Spec{Singular: "bgpvpn", Plural: "bgpvpns", Attrs: attrs}
}

func renderBGPVPN(o any) Fields {
	v := o.(*store.BGPVPN)
	f := Fields{
		{"id", v.ID}, {"tenant_id", v.ProjectID}, {"networks", v.Networks}, {"routers", v.Routers}, {"ports", v.Ports},
		{"name", v.Name}, {"type", v.Type}, {"route_targets", v.RouteTargets}, {"route_distinguishers", v.RouteDistinguishers},
		{"import_targets", v.ImportTargets}, {"export_targets", v.ExportTargets}, {"vni", v.VNI}, {"local_pref", v.LocalPref},
		{"project_id", v.ProjectID},
	}
	f = append(f, specifiedFields(v)...)
	return append(f, stdFields(v.Std)...)
}

func stringFilters(names ...string) map[string]func(string) (any, bool) {
	m := map[string]func(string) (any, bool){}
	for _, n := range append(names, "id", "tenant_id", "project_id", "description", "created_at", "updated_at") {
		m[n] = filterString
	}
	m["revision_number"] = filterInt
	return m
}

func (a *API) bgpvpnKind() *kind {
	filters := stringFilters("name", "route_targets", "import_targets", "export_targets", "route_distinguishers")
	filters["type"] = filterValues("l3", "l2")
	filters["vni"], filters["local_pref"] = filterInt, filterInt
	specifiedFilters(filters)
	return a.sharedBGPVPNs(&kind{
		spec:       BGPVPNSpec(),
		policy:     "bgpvpn",
		filters:    filters,
		unsortable: map[string]bool{"route_targets": true, "import_targets": true, "export_targets": true, "route_distinguishers": true, "shared": true},
		special: func(name string, values []string, q *store.Query) bool {
			switch name {
			case "networks":
				q.Networks = append(q.Networks, values...)
			case "routers":
				q.Routers = append(q.Routers, values...)
			case "ports":
				q.Ports = append(q.Ports, values...)
			default:
				return false
			}
			return true
		},
		render:   renderBGPVPN,
		notFound: func(_, id string) error { return bgpvpn.BGPVPNNotFound(id) },
		get:      func(_ *call, tx store.Tx, _, id string) (any, error) { return tx.GetBGPVPN(id) },
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			vs, err := tx.ListBGPVPNs(q)
			return anys(vs), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, _ string, b resource.Body) (any, error) {
			val := b.Values
			v := &store.BGPVPN{
				ID: newID(), ProjectID: val["tenant_id"].(string), Name: val["name"].(string), Type: val["type"].(string),
				RouteTargets: val["route_targets"].([]string), ImportTargets: val["import_targets"].([]string),
				ExportTargets: val["export_targets"].([]string), RouteDistinguishers: val["route_distinguishers"].([]string),
				LocalPref: val["local_pref"].(*int64), VNI: val["vni"].(*int64),
				AdminStateDown: !val["admin_state_up"].(bool), Technique: val["technique"].(string),
				AutoAggregate: val["auto_aggregate"].(bool),
				Std:           store.Std{Description: val["description"].(string)},
			}
			return v, a.service.CreateBGPVPN(ctx, &c.Call, tx, v)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any, b resource.Body) (any, error) {
			old := orig.(*store.BGPVPN)
			v := *old
			for name, val := range b.Values {
				switch name {
				case "name":
					v.Name = val.(string)
				case "route_targets":
					v.RouteTargets = val.([]string)
				case "import_targets":
					v.ImportTargets = val.([]string)
				case "export_targets":
					v.ExportTargets = val.([]string)
				case "route_distinguishers":
					v.RouteDistinguishers = val.([]string)
				case "local_pref":
					v.LocalPref = val.(*int64)
				case "description":
					v.Description = val.(string)
				default:
					updateSpecified(&v, name, val)
				}
			}
			return &v, a.service.UpdateBGPVPN(ctx, &c.Call, tx, old, &v)
		},
		del: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any) error {
			return a.service.DeleteBGPVPN(ctx, &c.Call, tx, orig.(*store.BGPVPN))
		},
	})
}

func anys[T any](l []T) []any {
	out := make([]any, len(l))
	for i, v := range l {
		out[i] = v
	}
	return out
}

// assocSpec is the attribute map of an association with its own attrs.
func assocSpec(singular string, own ...resource.Attr) *resource.Spec {
	attrs := []resource.Attr{{Name: "id"}}
	attrs = append(attrs, projectAttrs()...)
	attrs = append(attrs, own...)
	attrs = append(attrs, stdAttrs()...)
	return &resource.Spec{Singular: singular, Plural: singular + "s", Attrs: attrs, Bulk: true}
}

func assocNotFound(typ, what string) func(parent, id string) error {
	return func(parent, id string) error {
		return fault.NotFound(typ, "BGPVPN %s association %s could not be found for BGPVPN %s", what, id, parent)
	}
}

func bulkParent(_ any, parent string) Fields { return Fields{{"bgpvpn_id", parent}} }

// parentFor loads the BGPVPN of an existing association for the driver.
func parentFor(tx store.Tx, id string) (*store.BGPVPN, error) {
	v, err := tx.GetBGPVPN(id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, bgpvpn.BGPVPNNotFound(id)
	}
	return v, err
}

func (a *API) networkAssociationKind() *kind {
	return a.withStatus(&kind{
		spec: assocSpec("network_association",
			resource.Attr{Name: "network_id", Post: true, Required: true, Policy: true, Convert: resource.UUID}),
		policy:  "bgpvpn_network_association",
		refs:    map[string]string{"network_id": "networks"},
		parents: assocParents,
		filters: stringFilters("network_id"),
		render: func(o any) Fields {
			n := o.(*store.NetworkAssociation)
			return append(Fields{{"id", n.ID}, {"tenant_id", n.ProjectID}, {"network_id", n.NetworkID}, {"project_id", n.ProjectID}}, stdFields(n.Std)...)
		},
		notFound:  assocNotFound("BGPVPNNetAssocNotFound", "network"),
		bulkExtra: bulkParent,
		get: func(_ *call, tx store.Tx, parent, id string) (any, error) {
			return tx.GetNetworkAssociation(parent, id)
		},
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := tx.ListNetworkAssociations(q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, parent string, b resource.Body) (any, error) {
			n := &store.NetworkAssociation{ID: newID(), ProjectID: b.Values["tenant_id"].(string), BGPVPNID: parent,
				NetworkID: b.Values["network_id"].(string), Std: store.Std{Description: b.Values["description"].(string)}}
			return n, a.service.CreateNetworkAssociation(ctx, &c.Call, tx, n)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, parent string, orig any, b resource.Body) (any, error) {
			n := *orig.(*store.NetworkAssociation)
			if v, ok := b.Values["description"]; ok {
				n.Description = v.(string)
				return &n, a.service.UpdateNetworkAssociation(ctx, &c.Call, tx, &n)
			}
			return &n, nil
		},
		del: func(ctx context.Context, c *call, tx store.Tx, parent string, orig any) error {
			v, err := parentFor(tx, parent)
			if err != nil {
				return err
			}
			return a.service.DeleteNetworkAssociation(ctx, &c.Call, tx, v, orig.(*store.NetworkAssociation))
		},
	})
}

func (a *API) routerAssociationKind() *kind {
	return a.withStatus(&kind{
		spec: assocSpec("router_association",
			resource.Attr{Name: "router_id", Post: true, Required: true, Policy: true, Convert: resource.UUID},
			resource.Attr{Name: "advertise_extra_routes", Post: true, Put: true, Default: true, Policy: true, Convert: resource.ToBool}),
		policy:  "bgpvpn_router_association",
		refs:    map[string]string{"router_id": "routers"},
		parents: assocParents,
		filters: withBool(stringFilters("router_id"), "advertise_extra_routes"),
		render: func(o any) Fields {
			r := o.(*store.RouterAssociation)
			return append(Fields{{"id", r.ID}, {"tenant_id", r.ProjectID}, {"router_id", r.RouterID},
				{"advertise_extra_routes", r.AdvertiseExtraRoutes}, {"project_id", r.ProjectID}}, stdFields(r.Std)...)
		},
		notFound:  assocNotFound("BGPVPNRouterAssocNotFound", "router"),
		bulkExtra: bulkParent,
		get: func(_ *call, tx store.Tx, parent, id string) (any, error) {
			return tx.GetRouterAssociation(parent, id)
		},
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := tx.ListRouterAssociations(q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, parent string, b resource.Body) (any, error) {
			r := &store.RouterAssociation{ID: newID(), ProjectID: b.Values["tenant_id"].(string), BGPVPNID: parent,
				RouterID: b.Values["router_id"].(string), AdvertiseExtraRoutes: b.Values["advertise_extra_routes"].(bool),
				Std: store.Std{Description: b.Values["description"].(string)}}
			return r, a.service.CreateRouterAssociation(ctx, &c.Call, tx, r)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, parent string, orig any, b resource.Body) (any, error) {
			old := orig.(*store.RouterAssociation)
			r := *old
			if v, ok := b.Values["advertise_extra_routes"]; ok {
				r.AdvertiseExtraRoutes = v.(bool)
			}
			if v, ok := b.Values["description"]; ok {
				r.Description = v.(string)
			}
			v, err := parentFor(tx, parent)
			if err != nil {
				return nil, err
			}
			return &r, a.service.UpdateRouterAssociation(ctx, &c.Call, tx, v, old, &r)
		},
		del: func(ctx context.Context, c *call, tx store.Tx, parent string, orig any) error {
			v, err := parentFor(tx, parent)
			if err != nil {
				return err
			}
			return a.service.DeleteRouterAssociation(ctx, &c.Call, tx, v, orig.(*store.RouterAssociation))
		},
	})
}

func withBool(m map[string]func(string) (any, bool), names ...string) map[string]func(string) (any, bool) {
	for _, n := range names {
		m[n] = filterBool
	}
	return m
}

// convertRoutes validates a port association's routes like neutron-lib's
// list_of_any_key_specs_or_none with the original's two route specs.
func convertRoutes(v jsonv.Value) (any, error) {
	if v == nil {
		return []store.PortRoute{}, nil
	}
	l, ok := v.([]jsonv.Value)
	if !ok {
		return nil, fault.InvalidInput("'" + jsonv.Str(v) + "' is not a list")
	}
	if d := resource.Duplicates(l); len(d) > 0 {
		return nil, fault.InvalidInput("Duplicate items in the list: '" + strings.Join(d, ", ") + "'")
	}
	out := make([]store.PortRoute, 0, len(l))
	for _, item := range l {
		r, ok := routeSpec(item)
		if !ok {
			return nil, fault.InvalidInput("No valid key specs matched for: " + jsonv.Str(item))
		}
		out = append(out, r)
	}
	return out, nil
}

func routeSpec(item jsonv.Value) (store.PortRoute, bool) {
	o, ok := item.(*jsonv.Object)
	if !ok {
		return store.PortRoute{}, false
	}
	typ, _ := o.Get("type")
	var r store.PortRoute
	r.Type, _ = typ.(string)
	var key string
	switch r.Type {
	case "prefix":
		key = "prefix"
	case "bgpvpn":
		key = "bgpvpn_id"
	default:
		return r, false
	}
	for _, k := range o.Keys {
		if k != "type" && k != key && k != "local_pref" {
			return r, false
		}
	}
	val, ok := o.Get(key)
	if !ok {
		return r, false
	}
	s, ok := val.(string)
	if !ok {
		return r, false
	}
	if key == "prefix" {
		if !validSubnet(s) {
			return r, false
		}
		r.Prefix = s
	} else {
		if !resource.IsUUID(s) {
			return r, false
		}
		r.BGPVPNID = s
	}
	if lp, ok := o.Get("local_pref"); ok {
		p, err := resource.IntRange(0, 4294967295, false, false)(lp)
		if err != nil {
			return r, false
		}
		r.LocalPref = p.(*int64)
	}
	return r, true
}

// validSubnet is neutron-lib's type:subnet: an address with a prefix
// length; host bits may be set.
func validSubnet(s string) bool {
	if strings.ContainsAny(s, " \t\n") || !strings.Contains(s, "/") {
		return false
	}
	p, err := netip.ParsePrefix(s)
	return err == nil && p.Addr().Zone() == ""
}

func renderRoutes(routes []store.PortRoute) []Fields {
	out := make([]Fields, len(routes))
	for i, r := range routes {
		f := Fields{{"type", r.Type}, {"local_pref", r.LocalPref}}
		if r.Type == "prefix" {
			f = append(f, Field{"prefix", r.Prefix})
		} else {
			f = append(f, Field{"bgpvpn_id", r.BGPVPNID})
		}
		out[i] = f
	}
	return out
}

// PortAssociationSpec is the attribute map of a port association
// (bgpvpn-routes-control); routes convert to []store.PortRoute.
func PortAssociationSpec() *resource.Spec {
	return assocSpec("port_association",
		resource.Attr{Name: "port_id", Post: true, Required: true, Policy: true, Convert: resource.UUID},
		resource.Attr{Name: "routes", Post: true, Put: true, Default: []store.PortRoute{}, Policy: true, Convert: convertRoutes},
		resource.Attr{Name: "advertise_fixed_ips", Post: true, Put: true, Default: true, Policy: true, Convert: resource.ToBool})
}

func (a *API) portAssociationKind() *kind {
	return a.withStatus(&kind{
		spec:       PortAssociationSpec(),
		policy:     "bgpvpn_port_association",
		refs:       map[string]string{"port_id": "ports"},
		parents:    assocParents,
		filters:    withBool(stringFilters("port_id"), "advertise_fixed_ips"),
		unsortable: map[string]bool{"routes": true},
		render: func(o any) Fields {
			p := o.(*store.PortAssociation)
			return append(Fields{{"id", p.ID}, {"tenant_id", p.ProjectID}, {"port_id", p.PortID},
				{"advertise_fixed_ips", p.AdvertiseFixedIPs}, {"routes", renderRoutes(p.Routes)}, {"project_id", p.ProjectID}}, stdFields(p.Std)...)
		},
		notFound:  assocNotFound("BGPVPNPortAssocNotFound", "port"),
		bulkExtra: bulkParent,
		get: func(_ *call, tx store.Tx, parent, id string) (any, error) {
			return tx.GetPortAssociation(parent, id)
		},
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := tx.ListPortAssociations(q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, parent string, b resource.Body) (any, error) {
			p := &store.PortAssociation{ID: newID(), ProjectID: b.Values["tenant_id"].(string), BGPVPNID: parent,
				PortID: b.Values["port_id"].(string), AdvertiseFixedIPs: b.Values["advertise_fixed_ips"].(bool),
				Routes: b.Values["routes"].([]store.PortRoute), Std: store.Std{Description: b.Values["description"].(string)}}
			return p, a.service.CreatePortAssociation(ctx, &c.Call, tx, p)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, parent string, orig any, b resource.Body) (any, error) {
			old := orig.(*store.PortAssociation)
			p := *old
			// Unlike the original, a PUT without routes keeps them.
			if v, ok := b.Values["routes"]; ok {
				p.Routes = v.([]store.PortRoute)
			}
			if v, ok := b.Values["advertise_fixed_ips"]; ok {
				p.AdvertiseFixedIPs = v.(bool)
			}
			if v, ok := b.Values["description"]; ok {
				p.Description = v.(string)
			}
			v, err := parentFor(tx, parent)
			if err != nil {
				return nil, err
			}
			return &p, a.service.UpdatePortAssociation(ctx, &c.Call, tx, v, old, &p)
		},
		del: func(ctx context.Context, c *call, tx store.Tx, parent string, orig any) error {
			v, err := parentFor(tx, parent)
			if err != nil {
				return err
			}
			return a.service.DeletePortAssociation(ctx, &c.Call, tx, v, orig.(*store.PortAssociation))
		},
	})
}

// withStatus makes an association kind show the driver's realisation
// status (status, status_reason) when the driver can tell it: extra,
// read-only attributes that the original does not have.
func (a *API) withStatus(k *kind) *kind {
	get, list, create, update, render := k.get, k.list, k.create, k.update, k.render
	fill := func(tx store.Tx, o any, err error) (any, error) {
		if err != nil || o == nil {
			return o, err
		}
		return o, a.service.FillStatus(tx, o)
	}
	k.get = func(c *call, tx store.Tx, parent, id string) (any, error) {
		o, err := get(c, tx, parent, id)
		return fill(tx, o, err)
	}
	k.list = func(c *call, tx store.Tx, q store.Query) ([]any, error) {
		l, err := list(c, tx, q)
		if err != nil {
			return nil, err
		}
		return l, a.service.FillStatus(tx, l...)
	}
	k.create = func(ctx context.Context, c *call, tx store.Tx, parent string, b resource.Body) (any, error) {
		o, err := create(ctx, c, tx, parent, b)
		return fill(tx, o, err)
	}
	k.update = func(ctx context.Context, c *call, tx store.Tx, parent string, orig any, b resource.Body) (any, error) {
		o, err := update(ctx, c, tx, parent, orig, b)
		return fill(tx, o, err)
	}
	k.render = func(o any) Fields {
		f := render(o)
		r, ok := o.(interface{ RealisationStatus() (string, string) })
		if !ok {
			return f
		}
		status, reason := r.RealisationStatus()
		if status == "" {
			return f
		}
		return append(f, Field{"status", status}, Field{"status_reason", nullable(reason)})
	}
	return k
}
