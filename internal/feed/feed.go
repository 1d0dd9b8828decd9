// Package feed is the contract between bgpvpn-server and the agent of each
// compute node: the attachments one host must realise (which port joins which
// VRF or EVI with which route targets), the messages of the watch stream that
// carries them, and the status reports that come back.
//
// Both sides import it, so it must never import anything of the server
// (store, api, driver) or of the agent: only types, their JSON form and a
// deterministic order.
//
// An Attachment mirrors what networking-bagpipe's agent extension sends to
// bagpipe-bgp's attach_localport for one port and one VPN instance, with
// every fixed IP of the port instead of the first IPv4 one, the BGPVPN's
// route distinguishers, and the associations that produced it (so that the
// agent can report their status).
package feed

import (
	"net/netip"
	"strconv"
)

// VPNType is the kind of VPN instance: a VRF or an EVI.
type VPNType string

// The VPN types, as bagpipe-bgp names them.
const (
	// IPVPN is an l3 BGPVPN: a VRF, VPNv4/VPNv6 routes (RFC 4364).
	IPVPN VPNType = "ipvpn"
	// EVPN is an l2 BGPVPN: an EVI, EVPN routes (RFC 7432).
	EVPN VPNType = "evpn"
)

// Direction says which way traffic flows between a port and an instance.
type Direction string

// The directions of bagpipe-bgp's attach_localport.
const (
	// Both advertises the port's routes and routes the port's traffic.
	Both Direction = "both"
	// ToPort advertises and forwards towards the port only; traffic from the
	// port is not routed in this instance (port-association routes).
	ToPort Direction = "to-port"
	// FromPort routes the port's traffic without advertising it.
	FromPort Direction = "from-port"
)

// Attachment is everything one port needs on its host for one VPN instance.
// Every attachment with the same VPNInstanceID goes into the same VRF/EVI.
type Attachment struct {
	VPNType VPNType `json:"vpn_type"`
	// VPNInstanceID names the instance: "<vpn_type>_<network_id>" for the
	// network's instance (network and router associations, and the fixed
	// IPs of port associations), "<vpn_type>_portassoc_<assoc>_prefix_<p>"
	// and "<vpn_type>_portassoc_<assoc>_bgpvpn_<bgpvpn>" for port-association
	// routes, "ipvpn_routerassoc_<assoc>_prefix_<p>" for a router's extra
	// routes, as the original names them.
	VPNInstanceID       string `json:"vpn_instance_id"`
	InstanceDescription string `json:"instance_description,omitempty"`
	NetworkID           string `json:"network_id"`
	PortID              string `json:"port_id"`
	// MACAddress is the port's MAC, lower case, colon separated.
	MACAddress string `json:"mac_address"`
	// IPs are the addresses to plug: every fixed IP of the port with its
	// subnet's length, or the prefix of a route (AdvertiseSubnet set).
	IPs       []IP     `json:"ip_addresses"`
	ImportRTs []string `json:"import_rt"`
	ExportRTs []string `json:"export_rt"`
	// RouteDistinguishers are the BGPVPNs' route_distinguishers: when not
	// empty, the instance advertises with one of them (the first) instead
	// of an RD it allocates.
	RouteDistinguishers []string `json:"route_distinguishers,omitempty"`
	// LocalPref is the LOCAL_PREF of the routes; nil means the default.
	LocalPref *uint32 `json:"local_pref,omitempty"`
	// VNI is the EVPN VXLAN network identifier; 0 means none.
	VNI uint32 `json:"vni,omitempty"`
	// AdvertiseSubnet advertises the IPs' prefixes rather than host routes.
	AdvertiseSubnet bool         `json:"advertise_subnet,omitempty"`
	Direction       Direction    `json:"direction"`
	Readvertise     *Readvertise `json:"readvertise,omitempty"`
	Description     Description  `json:"description"`
	// EVPNInstanceID, on an ipvpn attachment, names the EVI (an evpn
	// attachment of the same port) that the VRF reaches the port through:
	// the port sits in that EVI's bridge, so the EVI is plugged into the
	// VRF rather than the port (bagpipe's local_port.evpn.id). "" plugs
	// the port itself.
	EVPNInstanceID string `json:"evpn_instance_id,omitempty"`
	// Associations are the ids of the network, router and port associations
	// this attachment realises; status reports name them.
	Associations []string `json:"associations"`
	// Techniques, on an ipvpn attachment, are the BGPVPN techniques its
	// routes go out with, sorted: "evpn-prefix" (EVPN type 5 routes) and
	// "ipvpn" (VPNv4/VPNv6). Absent means ipvpn alone, as before the
	// field existed; ["evpn-prefix"] means type 5 routes only. An agent
	// that predates the field advertises VPN routes.
	Techniques []string `json:"techniques,omitempty"`
	// AggregateRTs, on the ipvpn attachment of a network's instance, are
	// the export RTs of its auto_aggregate BGPVPNs: the agent advertises
	// one route per subnet with them (the VRF's label: traffic is looked
	// up in the VRF), while the host routes go out with ExportRTs, which
	// then carry AggregateHostRT instead of those BGPVPNs' export RTs.
	AggregateRTs []string `json:"aggregate_rt,omitempty"`
}

// AggregateHostRT is the RT of the host routes of a network whose l3
// BGPVPN has auto_aggregate: every agent's VRF of the network imports it,
// so that traffic sent to any agent's subnet aggregate reaches ports on
// the others; PEs, which import the BGPVPN's RTs, ignore them. 65534 is a
// private ASN (RFC 6996); the number is the network's VNI.
func AggregateHostRT(vni int64) string { return "65534:" + strconv.FormatInt(vni, 10) }

// EVPNPrefix is the l3 technique of EVPN type 5 routes (RFC 9136).
const EVPNPrefix = "evpn-prefix"

// IP is one address of an attachment with the gateway of its subnet.
type IP struct {
	// Address is the address with its subnet's length (10.0.0.5/24), or a
	// route's prefix.
	Address netip.Prefix `json:"address"`
	// Gateway is the subnet's gateway IP; invalid (omitted) when it has none.
	Gateway netip.Addr `json:"gateway_ip,omitzero"`
	// GatewayMAC is the MAC of the router interface that owns Gateway, ""
	// when no router is plugged into the subnet.
	GatewayMAC string `json:"gateway_mac,omitempty"`
}

// Readvertise leaks routes: routes received with one of FromRTs are
// re-advertised with ToRTs and the port as next hop.
type Readvertise struct {
	FromRTs []string `json:"from_rt"`
	ToRTs   []string `json:"to_rt"`
}

// Description is bagpipe-bgp's free-form endpoint description.
type Description struct {
	Port string `json:"port"`
}

// Key identifies an attachment within a host's state: an agent diffs
// successive states by key.
func (a *Attachment) Key() string { return a.VPNInstanceID + " " + a.PortID }

// HostState is the whole desired state of one host as of a revision.
type HostState struct {
	Host string `json:"host"`
	// Epoch identifies the database; revisions of different epochs do not
	// compare (the database was replaced).
	Epoch string `json:"epoch"`
	// Revision is the database revision this state is current at.
	Revision    int64        `json:"revision"`
	Attachments []Attachment `json:"attachments"`
}
