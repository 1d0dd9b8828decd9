// Package store defines what the server keeps and the transactional
// interface to keep it. Implementations (sqlstore: SQLite, PostgreSQL) share
// the conformance suite in storetest.
//
// Every API request runs in exactly one transaction: Update for requests
// that write, View for those that only read. The store never applies policy
// or business rules; it enforces only what SQL enforces (foreign keys,
// cascades, unique constraints).
package store

import (
	"context"
	"errors"
	"time"
)

// Sentinel errors; implementations wrap them.
var (
	ErrNotFound = errors.New("not found")
	// ErrConflict is a unique-constraint violation.
	ErrConflict = errors.New("conflict")
)

// Store opens transactions.
type Store interface {
	// Update runs fn in a read-write transaction, committed when fn
	// returns nil and rolled back otherwise.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction.
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Std holds Neutron's standard attributes.
type Std struct {
	Description string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	Revision    int64
}

// SortKey orders a list.
type SortKey struct {
	Attr string
	Desc bool
}

// Query selects a list.
type Query struct {
	// Filters: attribute -> accepted values (any of them); attributes are
	// AND-ed. Values are typed like the attribute (string, bool, int64); list
	// attributes compare with their stored comma-joined text.
	Filters map[string][]any
	// Project, when set, limits the list to that project's objects (and,
	// for networks, shared ones; for BGPVPNs, those shared with it by an
	// RBAC policy; for associations, those of its BGPVPNs): Neutron's
	// non-admin query scope.
	Project string
	// Parent is the BGPVPN id for association lists.
	Parent string
	// Networks, Routers and Ports select BGPVPNs that have an association
	// with any of the ids.
	Networks, Routers, Ports []string
	// SharedFor is the project a BGPVPN filter on "shared" (true, false)
	// is relative to: shared with everyone or with that project by an RBAC
	// policy, as the attribute reads for whoever asks.
	SharedFor string
	Sort      []SortKey
	// Limit (0 = none), Marker (id of the last item of the previous page)
	// and Reverse (page backwards from Marker) paginate.
	Limit   int
	Marker  string
	Reverse bool
}

// Tx is one transaction.
type Tx interface {
	BGPVPNs
	Associations
	RBACPolicies
	Networks
	Feed
	Quotas
}

// RBACPolicies stores the RBAC policies of BGPVPNs (the only object type
// served). A policy goes with its BGPVPN (cascade).
type RBACPolicies interface {
	CreateRBACPolicy(p *RBACPolicy) error
	GetRBACPolicy(id string) (*RBACPolicy, error)
	// ListRBACPolicies filters on id, project_id/tenant_id, object_id,
	// target_tenant and action; Project limits it to the policies that
	// project made.
	ListRBACPolicies(q Query) ([]*RBACPolicy, error)
	UpdateRBACPolicy(p *RBACPolicy) error
	DeleteRBACPolicy(id string) error
}

// BGPVPNs stores BGPVPNs. Networks, Routers and Ports are derived from the
// associations and ignored on write.
type BGPVPNs interface {
	CreateBGPVPN(v *BGPVPN) error
	GetBGPVPN(id string) (*BGPVPN, error)
	ListBGPVPNs(q Query) ([]*BGPVPN, error)
	UpdateBGPVPN(v *BGPVPN) error
	DeleteBGPVPN(id string) error
}

// Associations stores the three kinds of association.
type Associations interface {
	CreateNetworkAssociation(a *NetworkAssociation) error
	GetNetworkAssociation(bgpvpnID, id string) (*NetworkAssociation, error)
	ListNetworkAssociations(q Query) ([]*NetworkAssociation, error)
	UpdateNetworkAssociation(a *NetworkAssociation) error
	DeleteNetworkAssociation(bgpvpnID, id string) error

	CreateRouterAssociation(a *RouterAssociation) error
	GetRouterAssociation(bgpvpnID, id string) (*RouterAssociation, error)
	ListRouterAssociations(q Query) ([]*RouterAssociation, error)
	UpdateRouterAssociation(a *RouterAssociation) error
	DeleteRouterAssociation(bgpvpnID, id string) error

	CreatePortAssociation(a *PortAssociation) error
	GetPortAssociation(bgpvpnID, id string) (*PortAssociation, error)
	ListPortAssociations(q Query) ([]*PortAssociation, error)
	UpdatePortAssociation(a *PortAssociation) error
	DeletePortAssociation(bgpvpnID, id string) error
}

// Networks stores the core network model.
type Networks interface {
	CreateNetwork(n *Network) error
	GetNetwork(id string) (*Network, error)
	ListNetworks(q Query) ([]*Network, error)
	UpdateNetwork(n *Network) error
	DeleteNetwork(id string) error

	CreateSubnet(s *Subnet) error
	GetSubnet(id string) (*Subnet, error)
	ListSubnets(q Query) ([]*Subnet, error)
	UpdateSubnet(s *Subnet) error
	DeleteSubnet(id string) error

	CreatePort(p *Port) error
	GetPort(id string) (*Port, error)
	ListPorts(q Query) ([]*Port, error)
	UpdatePort(p *Port) error
	DeletePort(id string) error
	// AllocatedIPs lists the addresses in use on a subnet.
	AllocatedIPs(subnetID string) ([]string, error)

	// AddRouterPort records that add_router_interface plugged port into
	// router (Neutron's routerports); deleting either forgets it.
	AddRouterPort(routerID, portID string) error
	// ListRouterPorts lists the router interfaces of any of routers, or
	// on any of networks when routers is nil.
	ListRouterPorts(routers, networks []string) ([]RouterPort, error)

	CreateRouter(r *Router) error
	GetRouter(id string) (*Router, error)
	ListRouters(q Query) ([]*Router, error)
	UpdateRouter(r *Router) error
	DeleteRouter(id string) error
}

// Feed keeps the revisions of the agent feed and what agents report.
type Feed interface {
	// TouchHosts records that the desired attachments of hosts change in
	// this transaction and returns the transaction's revision: the feed
	// revision, bumped once per transaction, so that revisions follow the
	// commit order. No hosts, no bump (0).
	TouchHosts(hosts []string) (int64, error)
	// FeedRevision is where the feed stands.
	FeedRevision() (FeedRevision, error)
	// HostRevisions maps each of hosts to the newest revision that touched
	// it; hosts never touched are absent.
	HostRevisions(hosts []string) (map[string]int64, error)
	// HostsTouchedAfter maps every host touched after revision to the
	// newest revision that touched it.
	HostsTouchedAfter(revision int64) (map[string]int64, error)
	// ReplaceAgentStatus replaces everything host reported with statuses.
	ReplaceAgentStatus(host string, statuses []AgentStatus) error
	// ListAgentStatus lists what every host reported about the
	// associations given.
	ListAgentStatus(associationIDs []string) ([]AgentStatus, error)
	// RecordAgentsSeen stores when hosts' agents were last heard from. A
	// time older than the one stored for a host changes nothing, so that
	// replicas flushing late never move a host back in time.
	RecordAgentsSeen(seen []AgentSeen) error
	// AgentsSeen returns what is stored for those of hosts ever heard
	// from.
	AgentsSeen(hosts []string) (map[string]AgentSeen, error)
}
