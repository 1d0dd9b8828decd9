package core

import (
	"context"
	"errors"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Events is what the model needs of the BGPVPN service: the driver hears
// of every change, its precommit inside the caller's transaction
// (*bgpvpn.Service).
type Events interface {
	CoreChanged(ctx context.Context, c *bgpvpn.Call, tx store.Tx, ev driver.Event) error
}

// Standalone is the core model on bgpvpn-server's own tables.
type Standalone struct {
	tables
	rules  *network.Service
	events Events
}

// NewStandalone builds the model that applies rules and tells events of
// every change.
func NewStandalone(rules *network.Service, events Events) *Standalone {
	return &Standalone{rules: rules, events: events}
}

// changed hands one change to the driver.
func (m *Standalone) changed(ctx context.Context, c *bgpvpn.Call, tx store.Tx, op driver.Op, kind driver.Kind, old, new any) error {
	return m.events.CoreChanged(ctx, c, tx, driver.Event{Op: op, Kind: kind, Old: old, New: new})
}

// CreateNetwork stores a new network.
func (m *Standalone) CreateNetwork(ctx context.Context, c *bgpvpn.Call, tx store.Tx, n *store.Network) error {
	if err := tx.CreateNetwork(n); err != nil {
		return err
	}
	return m.changed(ctx, c, tx, driver.Create, driver.Network, nil, n)
}

// UpdateNetwork stores the new state n of network old.
func (m *Standalone) UpdateNetwork(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, n *store.Network) error {
	if err := tx.UpdateNetwork(n); err != nil {
		return err
	}
	return m.changed(ctx, c, tx, driver.Update, driver.Network, old, n)
}

// DeleteNetwork deletes a network without workload ports. The driver
// hears of it first: it reads the hosts concerned from what still exists.
func (m *Standalone) DeleteNetwork(ctx context.Context, c *bgpvpn.Call, tx store.Tx, n *store.Network) error {
	if err := m.changed(ctx, c, tx, driver.Delete, driver.Network, n, nil); err != nil {
		return err
	}
	return m.rules.DeleteNetwork(tx, n.ID)
}

// CreateSubnet fills the defaults of a new subnet (gateway and pools
// unless given), checks and stores it.
func (m *Standalone) CreateSubnet(ctx context.Context, c *bgpvpn.Call, tx store.Tx, s *store.Subnet, gatewayGiven, poolsGiven bool) error {
	if err := m.rules.PrepareSubnet(tx, s, gatewayGiven, poolsGiven); err != nil {
		return err
	}
	if err := tx.CreateSubnet(s); err != nil {
		return err
	}
	return m.changed(ctx, c, tx, driver.Create, driver.Subnet, nil, s)
}

// UpdateSubnet stores the new state s of subnet old; addressing says that
// the gateway or the allocation pools changed, which are checked again.
func (m *Standalone) UpdateSubnet(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, s *store.Subnet, addressing bool) error {
	if addressing {
		if err := m.rules.CheckSubnetUpdate(s); err != nil {
			return err
		}
	}
	if err := tx.UpdateSubnet(s); err != nil {
		return err
	}
	return m.changed(ctx, c, tx, driver.Update, driver.Subnet, old, s)
}

// DeleteSubnet deletes a subnet without addresses in use.
func (m *Standalone) DeleteSubnet(ctx context.Context, c *bgpvpn.Call, tx store.Tx, s *store.Subnet) error {
	if err := m.changed(ctx, c, tx, driver.Delete, driver.Subnet, s, nil); err != nil {
		return err
	}
	return m.rules.DeleteSubnet(tx, s)
}

// macInUse is Neutron's MacAddressInUse.
func macInUse(networkID, mac string) error {
	return fault.Conflict("MacAddressInUse", "Unable to complete operation for network %s. The mac address %s is in use.", networkID, mac)
}

// CreatePort allocates the fixed IPs of a new port (reqs when given, else
// one address per IP version), a MAC unless p has one, and stores it.
func (m *Standalone) CreatePort(ctx context.Context, c *bgpvpn.Call, tx store.Tx, p *store.Port, reqs []network.Request, given bool) error {
	ips, err := m.rules.AllocateIPs(tx, p.NetworkID, reqs, given)
	if err != nil {
		return err
	}
	p.FixedIPs = ips
	if p.MACAddress == "" {
		p.MACAddress = network.NewMAC()
	}
	if err := tx.CreatePort(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return macInUse(p.NetworkID, p.MACAddress)
		}
		return err
	}
	return m.changed(ctx, c, tx, driver.Create, driver.Port, nil, p)
}

// UpdatePort stores the new state p of port old. With reqs given, the
// port's addresses are released and reqs allocated in their place (an
// address may be asked for again).
func (m *Standalone) UpdatePort(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, p *store.Port, reqs []network.Request, given bool) error {
	if given {
		released := *old
		released.FixedIPs = nil
		if err := tx.UpdatePort(&released); err != nil {
			return err
		}
		ips, err := m.rules.AllocateIPs(tx, p.NetworkID, reqs, true)
		if err != nil {
			return err
		}
		p.FixedIPs = ips
	}
	if err := tx.UpdatePort(p); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return macInUse(p.NetworkID, p.MACAddress)
		}
		return err
	}
	return m.changed(ctx, c, tx, driver.Update, driver.Port, old, p)
}

// DeletePort deletes a port that is no router interface.
func (m *Standalone) DeletePort(ctx context.Context, c *bgpvpn.Call, tx store.Tx, p *store.Port) error {
	if err := m.changed(ctx, c, tx, driver.Delete, driver.Port, p, nil); err != nil {
		return err
	}
	// Only a real interface (add_router_interface's) is protected: a port
	// that merely says so is its owner's to delete.
	ifaces, err := network.NetworkRouterInterfaces(tx, p.NetworkID)
	if err != nil {
		return err
	}
	for _, rp := range ifaces {
		if rp.Port.ID == p.ID {
			return fault.Conflict("ServicePortInUse", "Port %s cannot be deleted directly via the port API: has device owner %s.", p.ID, network.DeviceOwnerRouterInterface)
		}
	}
	return tx.DeletePort(p.ID)
}

// CreateRouter stores a new router.
func (m *Standalone) CreateRouter(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router) error {
	if err := tx.CreateRouter(r); err != nil {
		return err
	}
	return m.changed(ctx, c, tx, driver.Create, driver.Router, nil, r)
}

// UpdateRouter stores the new state r of router old; routesGiven says
// that its extra routes changed, which are checked again.
func (m *Standalone) UpdateRouter(ctx context.Context, c *bgpvpn.Call, tx store.Tx, old, r *store.Router, routesGiven bool) error {
	if routesGiven {
		if err := m.rules.CheckRoutes(tx, r); err != nil {
			return err
		}
	}
	if err := tx.UpdateRouter(r); err != nil {
		return err
	}
	return m.changed(ctx, c, tx, driver.Update, driver.Router, old, r)
}

// DeleteRouter deletes a router without interfaces.
func (m *Standalone) DeleteRouter(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router) error {
	if err := m.changed(ctx, c, tx, driver.Delete, driver.Router, r, nil); err != nil {
		return err
	}
	return m.rules.DeleteRouter(tx, r.ID)
}

// AddRouterInterface plugs a subnet (a new port on its gateway address)
// or an existing port into router r and returns the interface's port.
// The driver hears of it as of the port's creation or update.
func (m *Standalone) AddRouterInterface(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router, subnetID, portID string) (*store.Port, error) {
	var before *store.Port
	if portID != "" {
		var err error
		if before, err = tx.GetPort(portID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	p, err := m.rules.AddInterface(tx, r, subnetID, portID, network.NewID)
	if err != nil {
		return nil, err
	}
	if before != nil {
		return p, m.changed(ctx, c, tx, driver.Update, driver.Port, before, p)
	}
	return p, m.changed(ctx, c, tx, driver.Create, driver.Port, nil, p)
}

// RemoveRouterInterface unplugs a subnet or a port from router r and
// returns the port that went.
func (m *Standalone) RemoveRouterInterface(ctx context.Context, c *bgpvpn.Call, tx store.Tx, r *store.Router, subnetID, portID string) (*store.Port, error) {
	p, err := m.rules.RemoveInterface(tx, r, subnetID, portID)
	if err != nil {
		return nil, err
	}
	return p, m.changed(ctx, c, tx, driver.Delete, driver.Port, p, nil)
}
