package api

import (
	"context"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// CoreModel is the core network model behind /v2.0/networks, subnets,
// ports and routers and the router interface actions: every write of it,
// with its rules and the driver events it causes, happens behind this
// interface, and every read the handlers serve (internal/core: Standalone
// over our own tables, Mirrored, read-only, over the tables the Neutron
// mirror fills). The handlers decode, resolve references
// with the caller's visibility, authorise per policy and render; they
// never write these tables themselves. Each method runs in the caller's
// transaction tx; an error aborts it.
type CoreModel interface {
	// The reads answer store.ErrNotFound for a missing object.
	Network(tx store.Tx, id string) (*store.Network, error)
	Networks(tx store.Tx, q store.Query) ([]*store.Network, error)
	Subnet(tx store.Tx, id string) (*store.Subnet, error)
	Subnets(tx store.Tx, q store.Query) ([]*store.Subnet, error)
	Port(tx store.Tx, id string) (*store.Port, error)
	Ports(tx store.Tx, q store.Query) ([]*store.Port, error)
	Router(tx store.Tx, id string) (*store.Router, error)
	Routers(tx store.Tx, q store.Query) ([]*store.Router, error)

	CreateNetwork(ctx context.Context, c *bgpvpn.Call, tx store.Tx, n *store.Network) error
	UpdateNetwork(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, n *store.Network) error
	DeleteNetwork(ctx context.Context, c *bgpvpn.Call, tx store.Tx, n *store.Network) error

	// CreateSubnet fills a gateway and pools not given.
	CreateSubnet(ctx context.Context, c *bgpvpn.Call, tx store.Tx, s *store.Subnet, gatewayGiven, poolsGiven bool) error
	// UpdateSubnet checks the gateway and pools again when addressing.
	UpdateSubnet(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, s *store.Subnet, addressing bool) error
	DeleteSubnet(ctx context.Context, c *bgpvpn.Call, tx store.Tx, s *store.Subnet) error

	// CreatePort allocates p's fixed IPs (reqs if given) and a MAC when
	// p has none.
	CreatePort(ctx context.Context, c *bgpvpn.Call, tx store.Tx, p *store.Port, reqs []network.Request, given bool) error
	// UpdatePort replaces p's fixed IPs with reqs if given.
	UpdatePort(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, p *store.Port, reqs []network.Request, given bool) error
	DeletePort(ctx context.Context, c *bgpvpn.Call, tx store.Tx, p *store.Port) error

	CreateRouter(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router) error
	// UpdateRouter checks the extra routes again when routesGiven.
	UpdateRouter(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, r *store.Router, routesGiven bool) error
	DeleteRouter(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router) error

	// AddRouterInterface and RemoveRouterInterface return the interface's
	// port.
	AddRouterInterface(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router, subnetID, portID string) (*store.Port, error)
	RemoveRouterInterface(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router, subnetID, portID string) (*store.Port, error)
}
