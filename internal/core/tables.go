package core

import "github.com/bgpvpn/bgpvpn/internal/store"

// tables reads the core model from the store, where both implementations
// keep it: Standalone writes it, the Neutron mirror fills it. A missing
// object is store.ErrNotFound.
type tables struct{}

// Network reads a network.
func (tables) Network(tx store.Tx, id string) (*store.Network, error) { return tx.GetNetwork(id) }

// Networks lists networks.
func (tables) Networks(tx store.Tx, q store.Query) ([]*store.Network, error) {
	return tx.ListNetworks(q)
}

// Subnet reads a subnet.
func (tables) Subnet(tx store.Tx, id string) (*store.Subnet, error) { return tx.GetSubnet(id) }

// Subnets lists subnets.
func (tables) Subnets(tx store.Tx, q store.Query) ([]*store.Subnet, error) { return tx.ListSubnets(q) }

// Port reads a port.
func (tables) Port(tx store.Tx, id string) (*store.Port, error) { return tx.GetPort(id) }

// Ports lists ports.
func (tables) Ports(tx store.Tx, q store.Query) ([]*store.Port, error) { return tx.ListPorts(q) }

// Router reads a router.
func (tables) Router(tx store.Tx, id string) (*store.Router, error) { return tx.GetRouter(id) }

// Routers lists routers.
func (tables) Routers(tx store.Tx, q store.Query) ([]*store.Router, error) { return tx.ListRouters(q) }
