package source

import (
	"slices"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// The fields asked for; Neutron sends null for unset optional ones.
var (
	networkFields = []string{"id", "project_id", "tenant_id", "name", "admin_state_up", "shared", "router:external", "mtu",
		"status", "description"}
	subnetFields = []string{"id", "project_id", "tenant_id", "network_id", "name", "ip_version", "cidr", "gateway_ip",
		"enable_dhcp", "allocation_pools", "dns_nameservers", "host_routes", "ipv6_ra_mode", "ipv6_address_mode", "description"}
	routerFields = []string{"id", "project_id", "tenant_id", "name", "admin_state_up", "status", "external_gateway_info",
		"routes", "description"}
	portFields = []string{"id", "project_id", "tenant_id", "network_id", "name", "mac_address", "admin_state_up", "status",
		"device_owner", "device_id", "binding:host_id", "fixed_ips", "description"}
)

type owned struct {
	ProjectID string `json:"project_id"`
	TenantID  string `json:"tenant_id"`
}

// project is the owner; Neutron before Newton only sends tenant_id.
func (o owned) project() string {
	if o.ProjectID != "" {
		return o.ProjectID
	}
	return o.TenantID
}

type network struct {
	owned
	ID           string  `json:"id"`
	Name         *string `json:"name"`
	AdminStateUp bool    `json:"admin_state_up"`
	Shared       bool    `json:"shared"`
	External     bool    `json:"router:external"`
	MTU          *int64  `json:"mtu"`
	Status       string  `json:"status"`
	Description  *string `json:"description"`
}

func (n *network) model() *store.Network {
	return &store.Network{ID: n.ID, ProjectID: n.project(), Name: str(n.Name), AdminStateUp: n.AdminStateUp, Shared: n.Shared,
		External: n.External, MTU: num(n.MTU), Status: n.Status, Std: store.Std{Description: str(n.Description)}}
}

type subnet struct {
	owned
	ID              string          `json:"id"`
	NetworkID       string          `json:"network_id"`
	Name            *string         `json:"name"`
	IPVersion       int64           `json:"ip_version"`
	CIDR            string          `json:"cidr"`
	GatewayIP       *string         `json:"gateway_ip"`
	EnableDHCP      bool            `json:"enable_dhcp"`
	AllocationPools []store.IPRange `json:"allocation_pools"`
	DNSNameservers  []string        `json:"dns_nameservers"`
	HostRoutes      []route         `json:"host_routes"`
	IPv6RAMode      *string         `json:"ipv6_ra_mode"`
	IPv6AddressMode *string         `json:"ipv6_address_mode"`
	Description     *string         `json:"description"`
}

type route struct {
	Destination string `json:"destination"`
	NextHop     string `json:"nexthop"`
}

func routes(rs []route) []store.Route {
	out := make([]store.Route, len(rs))
	for i, r := range rs {
		out[i] = store.Route{Destination: r.Destination, NextHop: r.NextHop}
	}
	// Neutron's order of a router's routes is its database's.
	slices.SortFunc(out, func(a, b store.Route) int {
		return strings.Compare(a.Destination+" "+a.NextHop, b.Destination+" "+b.NextHop)
	})
	return out
}

func (s *subnet) model() *store.Subnet {
	pools := s.AllocationPools
	if pools == nil {
		pools = []store.IPRange{}
	}
	dns := s.DNSNameservers
	if dns == nil {
		dns = []string{}
	}
	return &store.Subnet{ID: s.ID, ProjectID: s.project(), NetworkID: s.NetworkID, Name: str(s.Name), IPVersion: s.IPVersion,
		CIDR: s.CIDR, GatewayIP: str(s.GatewayIP), EnableDHCP: s.EnableDHCP, AllocationPools: pools, DNSNameservers: dns,
		HostRoutes: routes(s.HostRoutes), IPv6RAMode: str(s.IPv6RAMode), IPv6AddressMode: str(s.IPv6AddressMode),
		Std: store.Std{Description: str(s.Description)}}
}

type router struct {
	owned
	ID           string  `json:"id"`
	Name         *string `json:"name"`
	AdminStateUp bool    `json:"admin_state_up"`
	Status       string  `json:"status"`
	Gateway      *struct {
		NetworkID string `json:"network_id"`
	} `json:"external_gateway_info"`
	Routes      []route `json:"routes"`
	Description *string `json:"description"`
}

func (r *router) model() *store.Router {
	m := &store.Router{ID: r.ID, ProjectID: r.project(), Name: str(r.Name), AdminStateUp: r.AdminStateUp, Status: r.Status,
		Routes: routes(r.Routes), Std: store.Std{Description: str(r.Description)}}
	if r.Gateway != nil {
		m.GatewayNetworkID = r.Gateway.NetworkID
	}
	return m
}

type port struct {
	owned
	ID           string  `json:"id"`
	NetworkID    string  `json:"network_id"`
	Name         *string `json:"name"`
	MACAddress   string  `json:"mac_address"`
	AdminStateUp bool    `json:"admin_state_up"`
	Status       string  `json:"status"`
	DeviceOwner  *string `json:"device_owner"`
	DeviceID     *string `json:"device_id"`
	HostID       *string `json:"binding:host_id"`
	FixedIPs     []struct {
		SubnetID  string `json:"subnet_id"`
		IPAddress string `json:"ip_address"`
	} `json:"fixed_ips"`
	Description *string `json:"description"`
}

// routerInterfaceOwners are the device owners of the ports that plug a
// subnet into a router: a distributed (DVR) or HA router's are the
// interfaces of a router as much as a legacy one's.
var routerInterfaceOwners = []string{
	"network:router_interface", "network:router_interface_distributed", "network:ha_router_replicated_interface",
}

func (p *port) model() *store.Port {
	m := &store.Port{ID: p.ID, ProjectID: p.project(), NetworkID: p.NetworkID, Name: str(p.Name),
		MACAddress: strings.ToLower(p.MACAddress), AdminStateUp: p.AdminStateUp, Status: p.Status, DeviceOwner: str(p.DeviceOwner),
		DeviceID: str(p.DeviceID), HostID: str(p.HostID), FixedIPs: []store.FixedIP{}, Std: store.Std{Description: str(p.Description)}}
	if slices.Contains(routerInterfaceOwners, m.DeviceOwner) {
		m.DeviceOwner = routerInterfaceOwners[0]
	}
	for _, ip := range p.FixedIPs {
		m.FixedIPs = append(m.FixedIPs, store.FixedIP{SubnetID: ip.SubnetID, IPAddress: ip.IPAddress})
	}
	return m
}

func str(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func num(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
