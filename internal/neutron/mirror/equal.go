package mirror

import (
	"slices"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// The equal functions compare what the mirror copies from Neutron; the
// standard attributes and derived fields are the store's own.

func equalNetwork(a, b *store.Network) bool {
	return a.ProjectID == b.ProjectID && a.Name == b.Name && a.AdminStateUp == b.AdminStateUp && a.Shared == b.Shared &&
		a.External == b.External && a.MTU == b.MTU && a.Status == b.Status && a.Description == b.Description
}

func equalSubnet(a, b *store.Subnet) bool {
	return a.ProjectID == b.ProjectID && a.NetworkID == b.NetworkID && a.Name == b.Name && a.IPVersion == b.IPVersion &&
		a.CIDR == b.CIDR && a.GatewayIP == b.GatewayIP && a.EnableDHCP == b.EnableDHCP &&
		equalList(a.AllocationPools, b.AllocationPools) && equalList(a.DNSNameservers, b.DNSNameservers) &&
		equalList(a.HostRoutes, b.HostRoutes) && a.IPv6RAMode == b.IPv6RAMode && a.IPv6AddressMode == b.IPv6AddressMode &&
		a.Description == b.Description
}

func equalPort(a, b *store.Port) bool {
	return a.ProjectID == b.ProjectID && a.NetworkID == b.NetworkID && a.Name == b.Name && a.MACAddress == b.MACAddress &&
		a.AdminStateUp == b.AdminStateUp && a.Status == b.Status && a.DeviceOwner == b.DeviceOwner &&
		a.DeviceID == b.DeviceID && a.HostID == b.HostID && equalList(a.FixedIPs, b.FixedIPs) && a.Description == b.Description
}

func equalRouter(a, b *store.Router) bool {
	return a.ProjectID == b.ProjectID && a.Name == b.Name && a.AdminStateUp == b.AdminStateUp && a.Status == b.Status &&
		a.GatewayNetworkID == b.GatewayNetworkID && equalList(a.Routes, b.Routes) && a.Description == b.Description
}

// equalList compares two lists, nil and empty alike.
func equalList[T comparable](a, b []T) bool { return slices.Equal(a, b) }
