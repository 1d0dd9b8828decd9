package store

import "time"

// BGPVPN is a VPN with its route targets.
type BGPVPN struct {
	ID                  string
	ProjectID           string
	Name                string
	Type                string // "l3" or "l2"
	RouteTargets        []string
	ImportTargets       []string
	ExportTargets       []string
	RouteDistinguishers []string
	VNI                 *int64
	LocalPref           *int64
	// AdminStateDown is admin_state_up false (the zero value is up): the
	// interconnection is shut down, associations stay stored. Technique
	// is "" (the driver's default), "ipvpn", "evpn-prefix" or "evpn";
	// AutoAggregate aggregates the routes advertised outside the cloud
	// (l3 only).
	AdminStateDown bool
	Technique      string
	AutoAggregate  bool
	// Derived: ids of the associated networks, routers and ports.
	Networks, Routers, Ports []string
	// Derived: the target_tenant of every access_as_shared RBAC policy on
	// the BGPVPN ("*" for everyone), sorted.
	SharedWith []string
	// Shared is Neutron's per-caller shared attribute (shared with
	// everyone or with the caller's project), set by the API; never stored.
	Shared bool
	Std
}

// SharedWithProject reports whether an RBAC policy gives project access
// (by name or by "*").
func (v *BGPVPN) SharedWithProject(project string) bool {
	for _, t := range v.SharedWith {
		if t == "*" || t == project {
			return true
		}
	}
	return false
}

// RBACPolicy shares an object with a project (TargetTenant) or with every
// project ("*"): Neutron's rbac-policies, for object type "bgpvpn".
type RBACPolicy struct {
	ID, ProjectID, ObjectID, TargetTenant, Action string
}

// NetworkAssociation joins a network to a BGPVPN.
type NetworkAssociation struct {
	ID, ProjectID, BGPVPNID, NetworkID string
	Std
	Realisation
}

// RouterAssociation joins a router to a BGPVPN.
type RouterAssociation struct {
	ID, ProjectID, BGPVPNID, RouterID string
	AdvertiseExtraRoutes              bool
	Std
	Realisation
}

// PortAssociation joins a port to a BGPVPN, with extra routes.
type PortAssociation struct {
	ID, ProjectID, BGPVPNID, PortID string
	AdvertiseFixedIPs               bool
	Routes                          []PortRoute
	Std
	Realisation
}

// Realisation is whether an association is realised: derived by the
// service driver when it can tell (Status empty otherwise), never stored.
type Realisation struct {
	Status       string
	StatusReason string
}

// RealisationStatus returns the realisation status and its reason.
func (r *Realisation) RealisationStatus() (status, reason string) { return r.Status, r.StatusReason }

// SetRealisation sets the realisation status.
func (r *Realisation) SetRealisation(status, reason string) {
	r.Status, r.StatusReason = status, reason
}

// PortRoute is a route of a port association: a prefix ("prefix") or the
// routes of another BGPVPN ("bgpvpn").
type PortRoute struct {
	Type      string
	Prefix    string
	BGPVPNID  string
	LocalPref *int64
}

// Network is a core network.
type Network struct {
	ID, ProjectID, Name string
	AdminStateUp        bool
	Shared              bool
	External            bool // router:external
	MTU                 int64
	Status              string
	// SegmentationID is the network's VXLAN VNI, allocated by the store
	// on create and never changed.
	SegmentationID int64
	// Derived: ids of the network's subnets.
	Subnets []string
	Std
}

// Subnet is an IPv4 or IPv6 subnet of a network.
type Subnet struct {
	ID, ProjectID, NetworkID, Name string
	IPVersion                      int64
	CIDR                           string
	GatewayIP                      string // "" = none
	EnableDHCP                     bool
	AllocationPools                []IPRange
	DNSNameservers                 []string
	HostRoutes                     []Route
	IPv6RAMode, IPv6AddressMode    string
	Std
}

// IPRange is an allocation pool.
type IPRange struct{ Start, End string }

// Route is a destination and next hop (subnet host routes, router routes).
type Route struct{ Destination, NextHop string }

// Port is a core port.
type Port struct {
	ID, ProjectID, NetworkID, Name string
	MACAddress                     string
	AdminStateUp                   bool
	Status                         string
	DeviceOwner, DeviceID          string
	HostID                         string // binding:host_id
	FixedIPs                       []FixedIP
	Std
}

// FixedIP is an address of a port.
type FixedIP struct{ SubnetID, IPAddress string }

// Router is a core router.
type Router struct {
	ID, ProjectID, Name string
	AdminStateUp        bool
	Status              string
	GatewayNetworkID    string // external_gateway_info.network_id
	Routes              []Route
	Std
}

// RouterPort is a router interface: a port that add_router_interface
// plugged into a router. Only these make a router's membership, whatever
// the device_owner and device_id of other ports say.
type RouterPort struct {
	RouterID string
	Port     *Port
}

// FeedRevision is where the agent feed stands.
type FeedRevision struct {
	// Epoch names the database: revisions of two epochs do not compare.
	Epoch    string
	Revision int64
}

// AgentStatus is what one host's agent reported about one association.
type AgentStatus struct {
	AssociationID, Host string
	// Revision is the feed revision of the state the agent had applied.
	Revision   int64
	Status     string // ACTIVE, DOWN or ERROR
	Reason     string
	ReportedAt time.Time
}

// AgentSeen is when a host's agent was last heard from, and through what:
// liveness that every replica reads alike.
type AgentSeen struct {
	Host string
	// At is the time of the replica that heard the agent.
	At time.Time
	// Replica names the server replica that heard it, Remote the address
	// the request came from (a load balancer's, behind one).
	Replica, Remote string
}
