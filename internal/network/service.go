package network

import (
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Service applies the network model's rules.
type Service struct {
	// RouterInterfaceAllowed vetoes plugging a network into a router (the
	// BGPVPN plugin's check); nil allows everything.
	RouterInterfaceAllowed func(tx store.Tx, routerID, networkID string) error
}

// DeviceOwnerRouterInterface marks router interface ports.
const DeviceOwnerRouterInterface = "network:router_interface"

// RouterInterfaces lists the interfaces of the routers given, as
// add_router_interface made them: never from device_owner and device_id,
// which a tenant may set on its own ports to look like another's router.
func RouterInterfaces(tx store.Tx, routerIDs ...string) ([]store.RouterPort, error) {
	if routerIDs == nil {
		routerIDs = []string{}
	}
	return tx.ListRouterPorts(routerIDs, nil)
}

// NetworkRouterInterfaces lists the router interfaces on the networks
// given.
func NetworkRouterInterfaces(tx store.Tx, networkIDs ...string) ([]store.RouterPort, error) {
	return tx.ListRouterPorts(nil, networkIDs)
}

// NetworkNotFound is the 404 for a network.
func NetworkNotFound(id string) error {
	return fault.NotFound("NetworkNotFound", "Network %s could not be found.", id)
}

// VisibleNetwork loads a network that a caller of project may use (its
// own, a shared or an external one; any for an admin), or NetworkNotFound.
func VisibleNetwork(tx store.Tx, id, project string, admin bool) (*store.Network, error) {
	n, err := tx.GetNetwork(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !admin && n.ProjectID != project && !n.Shared && !n.External) {
		return nil, NetworkNotFound(id)
	}
	return n, err
}

// SubnetNotFound is the 404 for a subnet.
func SubnetNotFound(id string) error {
	return fault.NotFound("SubnetNotFound", "Subnet %s could not be found.", id)
}

// PortNotFound is the 404 for a port.
func PortNotFound(id string) error {
	return fault.NotFound("PortNotFound", "Port %s could not be found.", id)
}

// RouterNotFound is the 404 for a router.
func RouterNotFound(id string) error {
	return fault.NotFound("RouterNotFound", "Router %s could not be found", id)
}

// DeleteNetwork refuses to delete a network that still has ports of
// workloads; the ports of network services go with it.
func (s *Service) DeleteNetwork(tx store.Tx, id string) error {
	ports, err := tx.ListPorts(store.Query{Filters: map[string][]any{"network_id": {id}}})
	if err != nil {
		return err
	}
	for _, p := range ports {
		if !strings.HasPrefix(p.DeviceOwner, "network:") {
			return fault.Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", id)
		}
		if p.DeviceOwner == DeviceOwnerRouterInterface {
			return fault.Conflict("NetworkInUse", "Unable to complete operation on network %s. There are one or more ports still in use on the network.", id)
		}
	}
	return tx.DeleteNetwork(id)
}

// PrepareSubnet fills the defaults of a new subnet and checks it.
func (s *Service) PrepareSubnet(tx store.Tx, sn *store.Subnet, gatewayGiven bool, poolsGiven bool) error {
	prefix, err := netip.ParsePrefix(sn.CIDR)
	if err != nil {
		return fault.BadRequest("Invalid input for cidr. Reason: '%s' is not a valid IP subnet.", sn.CIDR)
	}
	if (prefix.Addr().Is4() && sn.IPVersion != 4) || (prefix.Addr().Is6() && sn.IPVersion != 6) {
		return fault.InvalidInput(fmt.Sprintf("Cidr %s does not match the ip_version %d", sn.CIDR, sn.IPVersion))
	}
	prefix = prefix.Masked()
	sn.CIDR = prefix.String()
	var gw netip.Addr
	if gatewayGiven {
		if sn.GatewayIP != "" {
			gw, err = netip.ParseAddr(sn.GatewayIP)
			if err != nil || !prefix.Contains(gw) || !validGateway(prefix, gw) {
				return fault.InvalidInput("Gateway is not valid on subnet")
			}
			sn.GatewayIP = gw.String()
		}
	} else {
		gw = FirstHost(prefix)
		sn.GatewayIP = gw.String()
	}
	if !poolsGiven {
		sn.AllocationPools = DefaultPools(prefix, gw)
	} else if err := CheckPools(prefix, sn.AllocationPools, sn.GatewayIP); err != nil {
		return err
	}
	others, err := tx.ListSubnets(store.Query{Filters: map[string][]any{"network_id": {sn.NetworkID}}})
	if err != nil {
		return err
	}
	for _, o := range others {
		op, err := netip.ParsePrefix(o.CIDR)
		if err == nil && op.Overlaps(prefix) {
			return fault.InvalidInput(fmt.Sprintf("Requested subnet with cidr: %s for network: %s overlaps with another subnet", sn.CIDR, sn.NetworkID))
		}
	}
	return nil
}

// CheckSubnetUpdate applies Neutron's checks to a subnet's new gateway
// and allocation pools: a gateway valid on the subnet and outside every
// pool, pools as CheckPools wants them.
func (s *Service) CheckSubnetUpdate(sn *store.Subnet) error {
	prefix, err := netip.ParsePrefix(sn.CIDR)
	if err != nil {
		return fmt.Errorf("stored cidr %q of subnet %s: %w", sn.CIDR, sn.ID, err)
	}
	if sn.GatewayIP != "" {
		gw, err := netip.ParseAddr(sn.GatewayIP)
		if err != nil || !prefix.Contains(gw) || !validGateway(prefix, gw) {
			return fault.InvalidInput("Gateway is not valid on subnet")
		}
		sn.GatewayIP = gw.String()
	}
	return CheckPools(prefix, sn.AllocationPools, sn.GatewayIP)
}

// DeleteSubnet refuses to delete a subnet with addresses in use.
func (s *Service) DeleteSubnet(tx store.Tx, sn *store.Subnet) error {
	ports, err := tx.ListPorts(store.Query{Filters: map[string][]any{"network_id": {sn.NetworkID}}})
	if err != nil {
		return err
	}
	for _, p := range ports {
		for _, ip := range p.FixedIPs {
			if ip.SubnetID == sn.ID && !strings.HasPrefix(p.DeviceOwner, "network:dhcp") {
				return fault.Conflict("SubnetInUse", "Unable to complete operation on subnet %s: One or more ports have an IP allocation from this subnet.", sn.ID)
			}
		}
	}
	return tx.DeleteSubnet(sn.ID)
}

// Request is a fixed_ips entry of a port request.
type Request struct{ SubnetID, IPAddress string }

// AllocateIPs resolves the fixed IPs of a port on network: the requested
// ones, or by default one address from the first IPv4 and the first IPv6
// subnet that has room.
func (s *Service) AllocateIPs(tx store.Tx, networkID string, reqs []Request, given bool) ([]store.FixedIP, error) {
	subnets, err := tx.ListSubnets(store.Query{Filters: map[string][]any{"network_id": {networkID}}})
	if err != nil {
		return nil, err
	}
	out := []store.FixedIP{}
	if !given {
		// One address per IP version, from the first subnet with room; a
		// version whose subnets are all full fails the port, as Neutron's
		// IPAM does.
		var full error
		seen := map[int64]bool{}
		for _, sn := range subnets {
			if seen[sn.IPVersion] {
				continue
			}
			ip, err := s.allocateOn(tx, sn, "", nil)
			if f, ok := fault.As(err); ok && f.Type == "IpAddressGenerationFailure" {
				full = err
				continue
			}
			if err != nil {
				return nil, err
			}
			seen[sn.IPVersion] = true
			out = append(out, ip)
		}
		for _, sn := range subnets {
			if !seen[sn.IPVersion] && full != nil {
				return nil, full
			}
		}
		return out, nil
	}
	// Several addresses of one subnet may be asked for (Neutron allows
	// it); each is taken once, the explicit ones first so that an
	// automatic one never takes an address asked for by a later item.
	taken := map[string]bool{}
	for _, r := range reqs {
		if r.IPAddress != "" {
			if a, err := netip.ParseAddr(r.IPAddress); err == nil {
				if taken[a.String()] {
					subnetID := r.SubnetID
					for _, sn := range subnets {
						if p, err := netip.ParsePrefix(sn.CIDR); subnetID == "" && err == nil && p.Contains(a) {
							subnetID = sn.ID
						}
					}
					return nil, fault.Conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s", a, subnetID)
				}
				taken[a.String()] = true
			}
		}
	}
	for _, r := range reqs {
		var sn *store.Subnet
		for _, cand := range subnets {
			if r.SubnetID != "" && cand.ID == r.SubnetID {
				sn = cand
			}
			if r.SubnetID == "" && r.IPAddress != "" && sn == nil {
				if p, err := netip.ParsePrefix(cand.CIDR); err == nil {
					if a, err := netip.ParseAddr(r.IPAddress); err == nil && hostAddress(p, a, false) {
						sn = cand
					}
				}
			}
		}
		if sn == nil {
			if r.SubnetID != "" {
				return nil, SubnetNotFound(r.SubnetID)
			}
			return nil, fault.New(http.StatusBadRequest, "InvalidIpForNetwork", "IP address %s is not a valid IP for any of the subnets on the specified network.", r.IPAddress)
		}
		ip, err := s.allocateOn(tx, sn, r.IPAddress, taken)
		if err != nil {
			return nil, err
		}
		taken[ip.IPAddress] = true
		out = append(out, ip)
	}
	return out, nil
}

// allocateOn takes want (or, if empty, a free address of the pools) on
// sn; taken holds the addresses this request already took.
func (s *Service) allocateOn(tx store.Tx, sn *store.Subnet, want string, taken map[string]bool) (store.FixedIP, error) {
	used, err := tx.AllocatedIPs(sn.ID)
	if err != nil {
		return store.FixedIP{}, err
	}
	inUse := make(map[string]bool, len(used)+len(taken)+1)
	for _, u := range used {
		inUse[u] = true
	}
	if want != "" {
		a, err := netip.ParseAddr(want)
		p, _ := netip.ParsePrefix(sn.CIDR)
		if err != nil || !hostAddress(p, a, false) {
			return store.FixedIP{}, fault.New(http.StatusBadRequest, "InvalidIpForSubnet", "IP address %s is not a valid IP for the specified subnet.", want)
		}
		if inUse[a.String()] {
			return store.FixedIP{}, fault.Conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s", want, sn.ID)
		}
		return store.FixedIP{SubnetID: sn.ID, IPAddress: a.String()}, nil
	}
	if sn.GatewayIP != "" {
		inUse[sn.GatewayIP] = true
	}
	for t := range taken {
		inUse[t] = true
	}
	a, ok := Allocate(sn.AllocationPools, inUse)
	if !ok {
		return store.FixedIP{}, fault.Conflict("IpAddressGenerationFailure", "No more IP addresses available on network %s.", sn.NetworkID)
	}
	return store.FixedIP{SubnetID: sn.ID, IPAddress: a.String()}, nil
}

// AddInterface plugs a subnet (through a new port on its gateway address)
// or an existing port into a router.
func (s *Service) AddInterface(tx store.Tx, r *store.Router, subnetID, portID string, newID func() string) (*store.Port, error) {
	var p *store.Port
	if portID != "" {
		var err error
		p, err = tx.GetPort(portID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, PortNotFound(portID)
		}
		if err != nil {
			return nil, err
		}
		if p.DeviceID != "" {
			return nil, fault.Conflict("PortInUse", "Unable to complete operation on port %s for network %s. Port already has an attached device %s.", p.ID, p.NetworkID, p.DeviceID)
		}
	} else {
		sn, err := tx.GetSubnet(subnetID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, SubnetNotFound(subnetID)
		}
		if err != nil {
			return nil, err
		}
		if sn.GatewayIP == "" {
			return nil, fault.BadResourceRequest("router", "Subnet for router interface must have a gateway IP")
		}
		existing, err := RouterInterfaces(tx, r.ID)
		if err != nil {
			return nil, err
		}
		for _, e := range existing {
			for _, ip := range e.Port.FixedIPs {
				if ip.SubnetID == sn.ID {
					return nil, fault.BadResourceRequest("router", "Router already has a port on subnet %s", sn.ID)
				}
			}
		}
		p = &store.Port{ID: newID(), ProjectID: r.ProjectID, NetworkID: sn.NetworkID, MACAddress: NewMAC(),
			AdminStateUp: true, Status: "ACTIVE", FixedIPs: []store.FixedIP{{SubnetID: sn.ID, IPAddress: sn.GatewayIP}}}
	}
	if s.RouterInterfaceAllowed != nil {
		if err := s.RouterInterfaceAllowed(tx, r.ID, p.NetworkID); err != nil {
			return nil, err
		}
	}
	p.DeviceID, p.DeviceOwner = r.ID, DeviceOwnerRouterInterface
	if portID != "" {
		if err := tx.UpdatePort(p); err != nil {
			return nil, err
		}
		return p, tx.AddRouterPort(r.ID, p.ID)
	}
	if err := tx.CreatePort(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, fault.Conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s", p.FixedIPs[0].IPAddress, p.FixedIPs[0].SubnetID)
		}
		return nil, err
	}
	return p, tx.AddRouterPort(r.ID, p.ID)
}

// RemoveInterface unplugs a subnet or port from a router. A subnet that
// an extra route's next hop needs stays (RouterInterfaceInUseByRoute).
func (s *Service) RemoveInterface(tx store.Tx, r *store.Router, subnetID, portID string) (*store.Port, error) {
	if portID == "" {
		if _, err := tx.GetSubnet(subnetID); errors.Is(err, store.ErrNotFound) {
			return nil, SubnetNotFound(subnetID)
		} else if err != nil {
			return nil, err
		}
	}
	ifaces, err := RouterInterfaces(tx, r.ID)
	if err != nil {
		return nil, err
	}
	for _, rp := range ifaces {
		p := rp.Port
		match := portID != "" && p.ID == portID
		for _, ip := range p.FixedIPs {
			match = match || (portID == "" && ip.SubnetID == subnetID)
		}
		if !match {
			continue
		}
		for _, ip := range p.FixedIPs {
			sn, err := tx.GetSubnet(ip.SubnetID)
			if err != nil {
				return nil, err
			}
			prefix, _ := netip.ParsePrefix(sn.CIDR)
			for _, rt := range r.Routes {
				if a, err := netip.ParseAddr(rt.NextHop); err == nil && prefix.Contains(a) {
					return nil, fault.Conflict("RouterInterfaceInUseByRoute",
						"Router interface for subnet %s on router %s cannot be deleted, as it is required by one or more routes.", sn.ID, r.ID)
				}
			}
		}
		return p, tx.DeletePort(p.ID)
	}
	if portID != "" {
		return nil, fault.NotFound("RouterInterfaceNotFound", "Router %s does not have an interface with id %s", r.ID, portID)
	}
	return nil, fault.NotFound("RouterInterfaceNotFoundForSubnet", "Router %s has no interface on subnet %s", r.ID, subnetID)
}

// CheckRoutes applies Neutron's extraroute rules to a router's new
// routes: every next hop is on a subnet plugged into the router and is
// not one of the router's own addresses.
func (s *Service) CheckRoutes(tx store.Tx, r *store.Router) error {
	if len(r.Routes) == 0 {
		return nil
	}
	ifaces, err := RouterInterfaces(tx, r.ID)
	if err != nil {
		return err
	}
	var cidrs []netip.Prefix
	own := map[netip.Addr]bool{}
	for _, rp := range ifaces {
		for _, ip := range rp.Port.FixedIPs {
			sn, err := tx.GetSubnet(ip.SubnetID)
			if err != nil {
				return err
			}
			if prefix, err := netip.ParsePrefix(sn.CIDR); err == nil {
				cidrs = append(cidrs, prefix)
			}
			if a, err := netip.ParseAddr(ip.IPAddress); err == nil {
				own[a] = true
			}
		}
	}
	for _, rt := range r.Routes {
		hop, err := netip.ParseAddr(rt.NextHop)
		if err != nil {
			return invalidRoutes(r.Routes, "the nexthop is not connected with router")
		}
		connected := false
		for _, c := range cidrs {
			connected = connected || c.Contains(hop)
		}
		if !connected {
			return invalidRoutes(r.Routes, "the nexthop is not connected with router")
		}
		if own[hop] {
			return invalidRoutes(r.Routes, "the nexthop is used by router")
		}
	}
	return nil
}

// invalidRoutes is neutron's InvalidRoutes, with the routes in Python's
// rendering.
func invalidRoutes(routes []store.Route, reason string) error {
	items := make([]string, len(routes))
	for i, rt := range routes {
		items[i] = fmt.Sprintf("{'destination': '%s', 'nexthop': '%s'}", rt.Destination, rt.NextHop)
	}
	return fault.New(http.StatusBadRequest, "InvalidRoutes", "Invalid format for routes: [%s], %s.", strings.Join(items, ", "), reason)
}

// DeleteRouter refuses to delete a router that still has interfaces.
func (s *Service) DeleteRouter(tx store.Tx, id string) error {
	ifaces, err := RouterInterfaces(tx, id)
	if err != nil {
		return err
	}
	if len(ifaces) > 0 {
		return fault.Conflict("RouterInUse", "Router %s still has ports", id)
	}
	return tx.DeleteRouter(id)
}
