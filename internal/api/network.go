package api

import (
	"context"
	"errors"
	"net/http"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

func coreSpec(singular, plural string, own ...resource.Attr) *resource.Spec {
	attrs := []resource.Attr{{Name: "id"}}
	attrs = append(attrs, projectAttrs()...)
	attrs = append(attrs, own...)
	attrs = append(attrs, stdAttrs()...)
	return &resource.Spec{Singular: singular, Plural: plural, Attrs: attrs, Bulk: true}
}

func nameAttr() resource.Attr {
	return resource.Attr{Name: "name", Post: true, Put: true, Default: "", Convert: resource.String(255)}
}

func adminStateAttr() resource.Attr {
	return resource.Attr{Name: "admin_state_up", Post: true, Put: true, Default: true, Policy: true, Convert: resource.ToBool}
}

func notFoundOf(f func(string) error) func(string, string) error {
	return func(_, id string) error { return f(id) }
}

func (a *API) networkKind() *kind {
	return &kind{
		spec: coreSpec("network", "networks", nameAttr(), adminStateAttr(),
			resource.Attr{Name: "shared", Post: true, Put: true, Default: false, Policy: true, Convert: resource.ToBool},
			resource.Attr{Name: "router:external", Post: true, Put: true, Default: false, Policy: true, Convert: resource.ToBool},
			resource.Attr{Name: "mtu", Post: true, Put: true, Default: ptr(1450), Convert: resource.IntRange(68, 9216, false, true)},
			resource.Attr{Name: "status"}, resource.Attr{Name: "subnets"},
			resource.Attr{Name: "port_security_enabled", Post: true, Put: true, Default: true, Convert: resource.ToBool},
			resource.Attr{Name: "availability_zone_hints", Post: true, Default: []string{}, Convert: resource.StringList(func(string) bool { return true })},
		),
		policy:  "network",
		filters: withBool(withInt(stringFilters("name", "status"), "mtu"), "admin_state_up", "shared", "router:external"),
		render: func(o any) Fields {
			n := o.(*store.Network)
			return append(Fields{{"id", n.ID}, {"name", n.Name}, {"tenant_id", n.ProjectID}, {"admin_state_up", n.AdminStateUp},
				{"mtu", n.MTU}, {"status", n.Status}, {"subnets", n.Subnets}, {"shared", n.Shared},
				{"availability_zone_hints", []string{}}, {"availability_zones", []string{}},
				{"ipv4_address_scope", nil}, {"ipv6_address_scope", nil}, {"router:external", n.External}, {"is_default", false},
				{"port_security_enabled", true}, {"tags", []string{}}, {"project_id", n.ProjectID},
				// Read-only; the get_network:provider:* rules show them to admins only.
				{"provider:network_type", "vxlan"}, {"provider:physical_network", nil},
				{"provider:segmentation_id", n.SegmentationID}}, stdFields(n.Std)...)
		},
		notFound: notFoundOf(network.NetworkNotFound),
		get:      func(_ *call, tx store.Tx, _, id string) (any, error) { return a.core.Network(tx, id) },
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := a.core.Networks(tx, q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, _ string, b resource.Body) (any, error) {
			v := b.Values
			n := &store.Network{ID: newID(), ProjectID: v["tenant_id"].(string), Name: v["name"].(string),
				AdminStateUp: v["admin_state_up"].(bool), Shared: v["shared"].(bool), External: v["router:external"].(bool),
				MTU: *v["mtu"].(*int64), Status: "ACTIVE", Std: store.Std{Description: v["description"].(string)}}
			return n, a.core.CreateNetwork(ctx, &c.Call, tx, n)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any, b resource.Body) (any, error) {
			n := *orig.(*store.Network)
			for k, v := range b.Values {
				switch k {
				case "name":
					n.Name = v.(string)
				case "admin_state_up":
					n.AdminStateUp = v.(bool)
				case "shared":
					n.Shared = v.(bool)
				case "router:external":
					n.External = v.(bool)
				case "mtu":
					n.MTU = *v.(*int64)
				case "description":
					n.Description = v.(string)
				}
			}
			return &n, a.core.UpdateNetwork(ctx, &c.Call, tx, orig.(*store.Network), &n)
		},
		del: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any) error {
			return a.core.DeleteNetwork(ctx, &c.Call, tx, orig.(*store.Network))
		},
	}
}

func ptr(n int64) *int64 { return &n }

// parseIP is neutron-lib's type:ip_address: an IPv4 or IPv6 address
// without a zone (netaddr knows no zones; an address with one would be
// stored and reach the agents).
func parseIP(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err == nil && a.Zone() != "" {
		return netip.Addr{}, errors.New("an address with a zone")
	}
	return a, err
}

func withInt(m map[string]func(string) (any, bool), names ...string) map[string]func(string) (any, bool) {
	for _, n := range names {
		m[n] = filterInt
	}
	return m
}

func convertPools(v jsonv.Value) (any, error) {
	l, ok := v.([]jsonv.Value)
	if !ok {
		return nil, resource.Invalidf("Invalid data format for IP pool: '%s'", jsonv.Str(v))
	}
	out := []store.IPRange{}
	for _, item := range l {
		o, ok := item.(*jsonv.Object)
		if !ok {
			return nil, resource.Invalidf("Invalid data format for IP pool: '%s'", jsonv.Str(item))
		}
		s, _ := o.Get("start")
		e, _ := o.Get("end")
		ss, ok1 := s.(string)
		es, ok2 := e.(string)
		_, err1 := parseIP(ss)
		_, err2 := parseIP(es)
		if !ok1 || !ok2 || err1 != nil || err2 != nil || o.Len() != 2 {
			return nil, resource.Invalidf("Invalid data format for IP pool: '%s'", jsonv.Str(item))
		}
		out = append(out, store.IPRange{Start: ss, End: es})
	}
	return out, nil
}

func convertRoutesList(v jsonv.Value) (any, error) {
	if v == nil {
		return []store.Route{}, nil
	}
	l, ok := v.([]jsonv.Value)
	if !ok {
		return nil, resource.Invalidf("'%s' is not a list", jsonv.Str(v))
	}
	out := []store.Route{}
	for _, item := range l {
		o, ok := item.(*jsonv.Object)
		if !ok {
			return nil, resource.Invalidf("Invalid data format for hostroute: '%s'", jsonv.Str(item))
		}
		d, _ := o.Get("destination")
		n, _ := o.Get("nexthop")
		ds, ok1 := d.(string)
		ns, ok2 := n.(string)
		if !ok1 || !ok2 || !validSubnet(ds) {
			return nil, resource.Invalidf("Invalid data format for hostroute: '%s'", jsonv.Str(item))
		}
		if _, err := parseIP(ns); err != nil {
			return nil, resource.Invalidf("Invalid data format for hostroute: '%s'", jsonv.Str(item))
		}
		out = append(out, store.Route{Destination: ds, NextHop: ns})
	}
	return out, nil
}

func renderPools(p []store.IPRange) []Fields {
	out := make([]Fields, len(p))
	for i, r := range p {
		out[i] = Fields{{"start", r.Start}, {"end", r.End}}
	}
	return out
}

func renderRouteList(rs []store.Route) []Fields {
	out := make([]Fields, len(rs))
	for i, r := range rs {
		out[i] = Fields{{"destination", r.Destination}, {"nexthop", r.NextHop}}
	}
	return out
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (a *API) subnetKind() *kind {
	return &kind{
		spec: coreSpec("subnet", "subnets", nameAttr(),
			resource.Attr{Name: "network_id", Post: true, Required: true, Policy: true, Convert: resource.UUID},
			resource.Attr{Name: "ip_version", Post: true, Required: true, Convert: func(v jsonv.Value) (any, error) {
				n, err := resource.IntRange(4, 6, false, true)(v)
				if err != nil || (*n.(*int64) != 4 && *n.(*int64) != 6) {
					return nil, resource.Invalidf("%s is not in [4, 6]", jsonv.Str(v))
				}
				return n, nil
			}},
			resource.Attr{Name: "cidr", Post: true, Required: true, Convert: func(v jsonv.Value) (any, error) {
				s, ok := v.(string)
				if !ok || !validSubnet(s) {
					return nil, resource.Invalidf("'%s' is not a valid IP subnet", jsonv.Str(v))
				}
				return s, nil
			}},
			resource.Attr{Name: "gateway_ip", Post: true, Put: true, Default: "", Convert: func(v jsonv.Value) (any, error) {
				if v == nil {
					return "", nil
				}
				s, ok := v.(string)
				if _, err := parseIP(s); !ok || err != nil {
					return nil, resource.Invalidf("'%s' is not a valid IP address", jsonv.Str(v))
				}
				return s, nil
			}},
			resource.Attr{Name: "allocation_pools", Post: true, Put: true, Default: []store.IPRange(nil), Convert: convertPools},
			resource.Attr{Name: "dns_nameservers", Post: true, Put: true, Default: []string{}, Convert: resource.StringList(func(s string) bool {
				_, err := parseIP(s)
				return err == nil
			})},
			resource.Attr{Name: "host_routes", Post: true, Put: true, Default: []store.Route{}, Convert: convertRoutesList},
			resource.Attr{Name: "enable_dhcp", Post: true, Put: true, Default: true, Convert: resource.ToBool},
			resource.Attr{Name: "ipv6_ra_mode", Post: true, Default: "", Convert: resource.StringOrNone(32)},
			resource.Attr{Name: "ipv6_address_mode", Post: true, Default: "", Convert: resource.StringOrNone(32)},
			resource.Attr{Name: "subnetpool_id", Post: true, Default: "", Convert: resource.UUIDOrNone},
		),
		policy:     "subnet",
		parents:    a.networkParent,
		refs:       map[string]string{"network_id": "networks"},
		filters:    withBool(withInt(stringFilters("name", "network_id", "cidr", "gateway_ip", "ipv6_ra_mode", "ipv6_address_mode"), "ip_version"), "enable_dhcp"),
		unsortable: map[string]bool{},
		render: func(o any) Fields {
			s := o.(*store.Subnet)
			return append(Fields{{"id", s.ID}, {"name", s.Name}, {"tenant_id", s.ProjectID}, {"network_id", s.NetworkID},
				{"ip_version", s.IPVersion}, {"subnetpool_id", nil}, {"enable_dhcp", s.EnableDHCP},
				{"ipv6_ra_mode", nullable(s.IPv6RAMode)}, {"ipv6_address_mode", nullable(s.IPv6AddressMode)},
				{"gateway_ip", nullable(s.GatewayIP)}, {"cidr", s.CIDR}, {"allocation_pools", renderPools(s.AllocationPools)},
				{"host_routes", renderRouteList(s.HostRoutes)}, {"dns_nameservers", s.DNSNameservers},
				{"service_types", []string{}}, {"tags", []string{}}, {"project_id", s.ProjectID}}, stdFields(s.Std)...)
		},
		notFound: notFoundOf(network.SubnetNotFound),
		get:      func(_ *call, tx store.Tx, _, id string) (any, error) { return a.core.Subnet(tx, id) },
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := a.core.Subnets(tx, q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, _ string, b resource.Body) (any, error) {
			v := b.Values
			if _, err := a.visibleNetwork(c, tx, v["network_id"].(string)); err != nil {
				return nil, err
			}
			pools, _ := v["allocation_pools"].([]store.IPRange)
			s := &store.Subnet{ID: newID(), ProjectID: v["tenant_id"].(string), NetworkID: v["network_id"].(string),
				Name: v["name"].(string), IPVersion: *v["ip_version"].(*int64), CIDR: v["cidr"].(string),
				GatewayIP: v["gateway_ip"].(string), EnableDHCP: v["enable_dhcp"].(bool), AllocationPools: pools,
				DNSNameservers: v["dns_nameservers"].([]string), HostRoutes: v["host_routes"].([]store.Route),
				IPv6RAMode: v["ipv6_ra_mode"].(string), IPv6AddressMode: v["ipv6_address_mode"].(string),
				Std: store.Std{Description: v["description"].(string)}}
			return s, a.core.CreateSubnet(ctx, &c.Call, tx, s, b.Has("gateway_ip"), b.Has("allocation_pools"))
		},
		update: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any, b resource.Body) (any, error) {
			s := *orig.(*store.Subnet)
			for k, v := range b.Values {
				switch k {
				case "name":
					s.Name = v.(string)
				case "gateway_ip":
					s.GatewayIP = v.(string)
				case "allocation_pools":
					s.AllocationPools = v.([]store.IPRange)
				case "dns_nameservers":
					s.DNSNameservers = v.([]string)
				case "host_routes":
					s.HostRoutes = v.([]store.Route)
				case "enable_dhcp":
					s.EnableDHCP = v.(bool)
				case "description":
					s.Description = v.(string)
				}
			}
			return &s, a.core.UpdateSubnet(ctx, &c.Call, tx, orig.(*store.Subnet), &s, b.Has("gateway_ip") || b.Has("allocation_pools"))
		},
		del: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any) error {
			return a.core.DeleteSubnet(ctx, &c.Call, tx, orig.(*store.Subnet))
		},
	}
}

// networkParent gives policy rules the network of a subnet or port
// (admin_or_network_owner reads "network:tenant_id"). Like Neutron's
// OwnerCheck it reads the network whoever asks; a network that does not
// exist is not found.
func (a *API) networkParent(tx store.Tx, t policy.Target, memo map[string]any) error {
	id, _ := t["network_id"].(string)
	if id == "" {
		return nil
	}
	n, ok := memo[id].(*store.Network)
	if !ok {
		var err error
		n, err = a.core.Network(tx, id)
		if errors.Is(err, store.ErrNotFound) {
			return network.NetworkNotFound(id)
		}
		if err != nil {
			return err
		}
		if memo != nil {
			memo[id] = n
		}
	}
	t["network:tenant_id"], t["network:shared"] = n.ProjectID, n.Shared
	return nil
}

// visibleNetwork loads a network the caller may use.
func (a *API) visibleNetwork(c *call, tx store.Tx, id string) (*store.Network, error) {
	return network.VisibleNetwork(tx, id, c.creds.ProjectID, c.admin)
}

func convertFixedIPs(v jsonv.Value) (any, error) {
	l, ok := v.([]jsonv.Value)
	if !ok {
		return nil, resource.Invalidf("Invalid data format for fixed IP: '%s'", jsonv.Str(v))
	}
	out := []network.Request{}
	for _, item := range l {
		o, ok := item.(*jsonv.Object)
		if !ok {
			return nil, resource.Invalidf("Invalid data format for fixed IP: '%s'", jsonv.Str(item))
		}
		var r network.Request
		for _, k := range o.Keys {
			val, _ := o.Get(k)
			s, isStr := val.(string)
			switch {
			case k == "subnet_id" && isStr && resource.IsUUID(s):
				r.SubnetID = s
			case k == "ip_address" && isStr:
				if _, err := parseIP(s); err != nil {
					return nil, resource.Invalidf("'%s' is not a valid IP address", s)
				}
				r.IPAddress = s
			default:
				return nil, resource.Invalidf("Invalid data format for fixed IP: '%s'", jsonv.Str(item))
			}
		}
		out = append(out, r)
	}
	return out, nil
}

func renderFixedIPs(ips []store.FixedIP) []Fields {
	out := make([]Fields, len(ips))
	for i, ip := range ips {
		out[i] = Fields{{"subnet_id", ip.SubnetID}, {"ip_address", ip.IPAddress}}
	}
	return out
}

func (a *API) portKind() *kind {
	return &kind{
		spec: coreSpec("port", "ports", nameAttr(), adminStateAttr(),
			resource.Attr{Name: "network_id", Post: true, Required: true, Policy: true, Convert: resource.UUID},
			resource.Attr{Name: "mac_address", Post: true, Put: true, Default: "", Policy: true, Convert: convertMAC},
			resource.Attr{Name: "fixed_ips", Post: true, Put: true, Default: []network.Request(nil), Policy: true, Convert: convertFixedIPs},
			resource.Attr{Name: "device_id", Post: true, Put: true, Default: "", Convert: resource.String(255)},
			resource.Attr{Name: "device_owner", Post: true, Put: true, Default: "", Policy: true, Convert: resource.String(255)},
			resource.Attr{Name: "binding:host_id", Post: true, Put: true, Default: "", Policy: true, Convert: resource.StringOrNone(255)},
			resource.Attr{Name: "status"},
			resource.Attr{Name: "security_groups", Post: true, Put: true, Default: []string{}, Convert: resource.StringList(resource.IsUUID)},
			resource.Attr{Name: "port_security_enabled", Post: true, Put: true, Default: true, Convert: resource.ToBool},
			resource.Attr{Name: "binding:vnic_type", Post: true, Put: true, Default: "normal", Convert: resource.String(64)},
		),
		policy:  "port",
		parents: a.networkParent,
		refs:    map[string]string{"network_id": "networks"},
		filters: withBool(stringFilters("name", "network_id", "mac_address", "device_id", "device_owner", "binding:host_id", "status"), "admin_state_up"),
		render: func(o any) Fields {
			p := o.(*store.Port)
			return append(Fields{{"id", p.ID}, {"name", p.Name}, {"network_id", p.NetworkID}, {"tenant_id", p.ProjectID},
				{"mac_address", p.MACAddress}, {"admin_state_up", p.AdminStateUp}, {"status", p.Status},
				{"device_id", p.DeviceID}, {"device_owner", p.DeviceOwner}, {"fixed_ips", renderFixedIPs(p.FixedIPs)},
				{"allowed_address_pairs", []Fields{}}, {"extra_dhcp_opts", []Fields{}}, {"security_groups", []string{}},
				{"binding:host_id", p.HostID}, {"binding:vif_type", "unbound"}, {"binding:vif_details", Fields{}},
				{"binding:vnic_type", "normal"}, {"binding:profile", Fields{}}, {"port_security_enabled", true},
				{"tags", []string{}}, {"project_id", p.ProjectID}}, stdFields(p.Std)...)
		},
		notFound: notFoundOf(network.PortNotFound),
		get:      func(_ *call, tx store.Tx, _, id string) (any, error) { return a.core.Port(tx, id) },
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := a.core.Ports(tx, q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, _ string, b resource.Body) (any, error) {
			v := b.Values
			n, err := a.visibleNetwork(c, tx, v["network_id"].(string))
			if err != nil {
				return nil, err
			}
			reqs, _ := v["fixed_ips"].([]network.Request)
			if err := a.fixedIPSubnets(c, tx, n.ID, reqs); err != nil {
				return nil, err
			}
			p := &store.Port{ID: newID(), ProjectID: v["tenant_id"].(string), NetworkID: n.ID, Name: v["name"].(string),
				MACAddress: v["mac_address"].(string), AdminStateUp: v["admin_state_up"].(bool), Status: "DOWN", DeviceID: v["device_id"].(string),
				DeviceOwner: v["device_owner"].(string), HostID: v["binding:host_id"].(string),
				Std: store.Std{Description: v["description"].(string)}}
			return p, a.core.CreatePort(ctx, &c.Call, tx, p, reqs, b.Has("fixed_ips"))
		},
		update: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any, b resource.Body) (any, error) {
			p := *orig.(*store.Port)
			for k, v := range b.Values {
				switch k {
				case "name":
					p.Name = v.(string)
				case "admin_state_up":
					p.AdminStateUp = v.(bool)
				case "mac_address":
					p.MACAddress = v.(string)
				case "device_id":
					p.DeviceID = v.(string)
				case "device_owner":
					p.DeviceOwner = v.(string)
				case "binding:host_id":
					p.HostID = v.(string)
				case "description":
					p.Description = v.(string)
				}
			}
			reqs, given := b.Values["fixed_ips"].([]network.Request)
			if given {
				if err := a.fixedIPSubnets(c, tx, p.NetworkID, reqs); err != nil {
					return nil, err
				}
			}
			return &p, a.core.UpdatePort(ctx, &c.Call, tx, orig.(*store.Port), &p, reqs, given)
		},
		del: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any) error {
			return a.core.DeletePort(ctx, &c.Call, tx, orig.(*store.Port))
		},
	}
}

// routesGiven reports whether a router update sets extra routes.
func routesGiven(b resource.Body) bool {
	_, ok := b.Values["routes"]
	return ok
}

func (a *API) routerKind() *kind {
	return &kind{
		spec: coreSpec("router", "routers", nameAttr(), adminStateAttr(),
			resource.Attr{Name: "status"},
			resource.Attr{Name: "external_gateway_info", Post: true, Put: true, Default: "", Policy: true, Convert: func(v jsonv.Value) (any, error) {
				if v == nil {
					return "", nil
				}
				o, ok := v.(*jsonv.Object)
				if !ok {
					return nil, resource.Invalidf("Invalid data format for external_gateway_info: '%s'", jsonv.Str(v))
				}
				id, _ := o.Get("network_id")
				s, ok := id.(string)
				if !ok || !resource.IsUUID(s) {
					return nil, resource.Invalidf("'%s' is not a valid UUID", jsonv.Str(id))
				}
				return s, nil
			}},
			resource.Attr{Name: "routes", Put: true, Default: []store.Route{}, Convert: convertRoutesList},
			resource.Attr{Name: "distributed", Post: true, Default: false, Convert: resource.ToBool},
			resource.Attr{Name: "ha", Post: true, Default: false, Convert: resource.ToBool},
			resource.Attr{Name: "availability_zone_hints", Post: true, Default: []string{}, Convert: resource.StringList(func(string) bool { return true })},
		),
		policy:  "router",
		refs:    map[string]string{"external_gateway_info": "networks"},
		filters: withBool(stringFilters("name", "status"), "admin_state_up"),
		render: func(o any) Fields {
			r := o.(*store.Router)
			var gw any
			if r.GatewayNetworkID != "" {
				gw = Fields{{"network_id", r.GatewayNetworkID}, {"enable_snat", true}, {"external_fixed_ips", []Fields{}}}
			}
			return append(Fields{{"id", r.ID}, {"name", r.Name}, {"tenant_id", r.ProjectID}, {"admin_state_up", r.AdminStateUp},
				{"status", r.Status}, {"external_gateway_info", gw}, {"routes", renderRouteList(r.Routes)},
				{"availability_zone_hints", []string{}}, {"availability_zones", []string{}}, {"flavor_id", nil}, {"tags", []string{}},
				{"project_id", r.ProjectID}}, stdFields(r.Std)...)
		},
		notFound: notFoundOf(network.RouterNotFound),
		get:      func(_ *call, tx store.Tx, _, id string) (any, error) { return a.core.Router(tx, id) },
		list: func(_ *call, tx store.Tx, q store.Query) ([]any, error) {
			l, err := a.core.Routers(tx, q)
			return anys(l), err
		},
		create: func(ctx context.Context, c *call, tx store.Tx, _ string, b resource.Body) (any, error) {
			v := b.Values
			r := &store.Router{ID: newID(), ProjectID: v["tenant_id"].(string), Name: v["name"].(string),
				AdminStateUp: v["admin_state_up"].(bool), Status: "ACTIVE", GatewayNetworkID: v["external_gateway_info"].(string),
				Routes: []store.Route{}, Std: store.Std{Description: v["description"].(string)}}
			if r.GatewayNetworkID != "" {
				if err := a.externalGateway(c, tx, r.GatewayNetworkID); err != nil {
					return nil, err
				}
			}
			return r, a.core.CreateRouter(ctx, &c.Call, tx, r)
		},
		update: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any, b resource.Body) (any, error) {
			r := *orig.(*store.Router)
			for k, v := range b.Values {
				switch k {
				case "name":
					r.Name = v.(string)
				case "admin_state_up":
					r.AdminStateUp = v.(bool)
				case "external_gateway_info":
					r.GatewayNetworkID = v.(string)
					if r.GatewayNetworkID != "" {
						if err := a.externalGateway(c, tx, r.GatewayNetworkID); err != nil {
							return nil, err
						}
					}
				case "routes":
					r.Routes = v.([]store.Route)
				case "description":
					r.Description = v.(string)
				}
			}
			return &r, a.core.UpdateRouter(ctx, &c.Call, tx, orig.(*store.Router), &r, routesGiven(b))
		},
		del: func(ctx context.Context, c *call, tx store.Tx, _ string, orig any) error {
			return a.core.DeleteRouter(ctx, &c.Call, tx, orig.(*store.Router))
		},
	}
}

// routerAction serves PUT /v2.0/routers/{id}/add_router_interface and
// remove_router_interface.
func (a *API) routerAction(w http.ResponseWriter, r *http.Request, c *call, id, action string) error {
	ctx := r.Context()
	if action != "add_router_interface" && action != "remove_router_interface" {
		return notFoundPath()
	}
	if r.Method != http.MethodPut {
		return methodNotAllowed()
	}
	raw, err := readBody(r)
	if err != nil {
		return err
	}
	v, err := jsonv.Decode(raw)
	if err != nil {
		return fault.New(http.StatusBadRequest, "MalformedRequestBody", "Malformed request body: Cannot understand JSON.")
	}
	if jsonv.HasNUL(v) {
		return resource.ErrNUL
	}
	o, ok := v.(*jsonv.Object)
	if !ok {
		return fault.BadRequest("Body contains invalid data")
	}
	// Neutron's _validate_interface_info, in its order.
	sub, hasSubnet := o.Get("subnet_id")
	port, hasPort := o.Get("port_id")
	if !hasSubnet && !hasPort {
		return fault.BadResourceRequest("router", "Either subnet_id or port_id must be specified")
	}
	for _, v := range []struct {
		given bool
		val   jsonv.Value
	}{{hasPort, port}, {hasSubnet, sub}} {
		if _, err := resource.UUID(v.val); v.given && err != nil {
			return fault.BadResourceRequest("router", "%s", err.Error())
		}
	}
	if hasSubnet && hasPort && action == "add_router_interface" {
		return fault.BadResourceRequest("router", "Cannot specify both subnet-id and port-id")
	}
	subnetID, _ := sub.(string)
	portID, _ := port.(string)
	k := a.kinds["routers"]
	var out Fields
	err = a.store.Update(ctx, func(tx store.Tx) error {
		o, _, t, err := a.getOne(k, c, tx, "", id)
		if err != nil {
			return err
		}
		if err := a.authorize(c, action, nil, t); err != nil {
			return err
		}
		rt := o.(*store.Router)
		if err := a.interfaceTarget(c, tx, rt, action, subnetID, portID); err != nil {
			return err
		}
		var p *store.Port
		if action == "add_router_interface" {
			p, err = a.core.AddRouterInterface(ctx, &c.Call, tx, rt, subnetID, portID)
		} else {
			p, err = a.core.RemoveRouterInterface(ctx, &c.Call, tx, rt, subnetID, portID)
		}
		if err != nil {
			return err
		}
		ids := make([]string, len(p.FixedIPs))
		for i, ip := range p.FixedIPs {
			ids[i] = ip.SubnetID
		}
		first := ""
		if len(ids) > 0 {
			first = ids[0]
		}
		out = Fields{{"id", rt.ID}, {"tenant_id", rt.ProjectID}, {"port_id", p.ID}, {"network_id", p.NetworkID},
			{"subnet_id", first}, {"subnet_ids", ids}}
		return nil
	})
	if err != nil {
		return err
	}
	a.service.Committed(ctx, &c.Call)
	writeJSON(w, http.StatusOK, out)
	return nil
}
