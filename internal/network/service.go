package network

import (
	"errors"
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

// NetworkNotFound is the 404 for a network.
func NetworkNotFound(id string) error {
	return fault.NotFound("NetworkNotFound", "Network %s could not be found.", id)
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
		return fault.BadRequest("Invalid input for operation: Cidr %s does not match the ip_version %d.", sn.CIDR, sn.IPVersion)
	}
	prefix = prefix.Masked()
	sn.CIDR = prefix.String()
	var gw netip.Addr
	if gatewayGiven {
		if sn.GatewayIP != "" {
			gw, err = netip.ParseAddr(sn.GatewayIP)
			if err != nil || !prefix.Contains(gw) {
				return fault.BadRequest("Invalid input for operation: Gateway is not valid on subnet.")
			}
		}
	} else {
		gw = FirstHost(prefix)
		sn.GatewayIP = gw.String()
	}
	if !poolsGiven {
		sn.AllocationPools = DefaultPools(prefix, gw)
	}
	for _, p := range sn.AllocationPools {
		a, err1 := netip.ParseAddr(p.Start)
		b, err2 := netip.ParseAddr(p.End)
		if err1 != nil || err2 != nil || !prefix.Contains(a) || !prefix.Contains(b) || b.Less(a) {
			return fault.BadRequest("The allocation pool %s-%s spans beyond the subnet cidr %s.", p.Start, p.End, sn.CIDR)
		}
	}
	others, err := tx.ListSubnets(store.Query{Filters: map[string][]any{"network_id": {sn.NetworkID}}})
	if err != nil {
		return err
	}
	for _, o := range others {
		op, err := netip.ParsePrefix(o.CIDR)
		if err == nil && op.Overlaps(prefix) {
			return fault.BadRequest("Invalid input for operation: Requested subnet with cidr: %s for network: %s overlaps with another subnet.", sn.CIDR, sn.NetworkID)
		}
	}
	return nil
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
		seen := map[int64]bool{}
		for _, sn := range subnets {
			if seen[sn.IPVersion] {
				continue
			}
			ip, err := s.allocateOn(tx, sn, "")
			if err != nil {
				continue
			}
			seen[sn.IPVersion] = true
			out = append(out, ip)
		}
		return out, nil
	}
	for _, r := range reqs {
		var sn *store.Subnet
		for _, cand := range subnets {
			if r.SubnetID != "" && cand.ID == r.SubnetID {
				sn = cand
			}
			if r.SubnetID == "" && r.IPAddress != "" {
				if p, err := netip.ParsePrefix(cand.CIDR); err == nil {
					if a, err := netip.ParseAddr(r.IPAddress); err == nil && p.Contains(a) {
						sn = cand
					}
				}
			}
		}
		if sn == nil {
			if r.SubnetID != "" {
				return nil, SubnetNotFound(r.SubnetID)
			}
			return nil, fault.BadRequest("Invalid input for operation: IP address %s is not a valid IP for any of the subnets on the specified network.", r.IPAddress)
		}
		ip, err := s.allocateOn(tx, sn, r.IPAddress)
		if err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	return out, nil
}

func (s *Service) allocateOn(tx store.Tx, sn *store.Subnet, want string) (store.FixedIP, error) {
	used, err := tx.AllocatedIPs(sn.ID)
	if err != nil {
		return store.FixedIP{}, err
	}
	inUse := make(map[string]bool, len(used)+1)
	for _, u := range used {
		inUse[u] = true
	}
	if want != "" {
		a, err := netip.ParseAddr(want)
		p, _ := netip.ParsePrefix(sn.CIDR)
		if err != nil || !p.Contains(a) {
			return store.FixedIP{}, fault.BadRequest("Invalid input for operation: IP address %s is not a valid IP for the specified subnet.", want)
		}
		if inUse[a.String()] {
			return store.FixedIP{}, fault.Conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s", want, sn.ID)
		}
		return store.FixedIP{SubnetID: sn.ID, IPAddress: a.String()}, nil
	}
	if sn.GatewayIP != "" {
		inUse[sn.GatewayIP] = true
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
			return nil, fault.BadRequest("Bad router request: Subnet for router interface must have a gateway IP.")
		}
		existing, err := tx.ListPorts(store.Query{Filters: map[string][]any{"device_id": {r.ID}, "network_id": {sn.NetworkID}}})
		if err != nil {
			return nil, err
		}
		for _, e := range existing {
			for _, ip := range e.FixedIPs {
				if ip.SubnetID == sn.ID {
					return nil, fault.BadRequest("Bad router request: Router already has a port on subnet %s.", sn.ID)
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
		return p, tx.UpdatePort(p)
	}
	if err := tx.CreatePort(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, fault.Conflict("IpAddressAlreadyAllocated", "IP address %s already allocated in subnet %s", p.FixedIPs[0].IPAddress, p.FixedIPs[0].SubnetID)
		}
		return nil, err
	}
	return p, nil
}

// RemoveInterface unplugs a subnet or port from a router.
func (s *Service) RemoveInterface(tx store.Tx, r *store.Router, subnetID, portID string) (*store.Port, error) {
	ports, err := tx.ListPorts(store.Query{Filters: map[string][]any{"device_id": {r.ID}, "device_owner": {DeviceOwnerRouterInterface}}})
	if err != nil {
		return nil, err
	}
	for _, p := range ports {
		match := portID != "" && p.ID == portID
		for _, ip := range p.FixedIPs {
			match = match || (portID == "" && ip.SubnetID == subnetID)
		}
		if match {
			return p, tx.DeletePort(p.ID)
		}
	}
	if portID != "" {
		return nil, fault.NotFound("RouterInterfaceNotFound", "Router %s does not have an interface with id %s", r.ID, portID)
	}
	return nil, fault.NotFound("RouterInterfaceNotFoundForSubnet", "Router %s has no interface on subnet %s", r.ID, subnetID)
}

// DeleteRouter refuses to delete a router that still has interfaces.
func (s *Service) DeleteRouter(tx store.Tx, id string) error {
	ports, err := tx.ListPorts(store.Query{Filters: map[string][]any{"device_id": {id}, "device_owner": {DeviceOwnerRouterInterface}}})
	if err != nil {
		return err
	}
	if len(ports) > 0 {
		return fault.Conflict("RouterInUse", "Router %s still has ports", id)
	}
	return tx.DeleteRouter(id)
}
