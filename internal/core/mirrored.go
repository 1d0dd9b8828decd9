package core

import (
	"context"
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Mirrored is the core model in Neutron mode: the tables that
// internal/neutron/mirror keeps equal to Neutron's, which it reads as
// Standalone reads its own. Neutron owns the
// model, so every write through the API is refused and the mirror is left
// as Neutron has it; the front sends those writes to Neutron before they
// could reach the API.
type Mirrored struct{ tables }

// errNeutronOwns refuses a write of the core model in Neutron mode.
func errNeutronOwns(collection string) error {
	return fault.New(http.StatusConflict, "NeutronOwnsResource",
		"This server mirrors Neutron's %s: create, update and delete them through Neutron's API.", collection)
}

// CreateNetwork refuses.
func (Mirrored) CreateNetwork(context.Context, *bgpvpn.Call, store.Tx, *store.Network) error {
	return errNeutronOwns("networks")
}

// UpdateNetwork refuses.
func (Mirrored) UpdateNetwork(context.Context, *bgpvpn.Call, store.Tx, *store.Network, *store.Network) error {
	return errNeutronOwns("networks")
}

// DeleteNetwork refuses.
func (Mirrored) DeleteNetwork(context.Context, *bgpvpn.Call, store.Tx, *store.Network) error {
	return errNeutronOwns("networks")
}

// CreateSubnet refuses.
func (Mirrored) CreateSubnet(context.Context, *bgpvpn.Call, store.Tx, *store.Subnet, bool, bool) error {
	return errNeutronOwns("subnets")
}

// UpdateSubnet refuses.
func (Mirrored) UpdateSubnet(context.Context, *bgpvpn.Call, store.Tx, *store.Subnet, *store.Subnet, bool) error {
	return errNeutronOwns("subnets")
}

// DeleteSubnet refuses.
func (Mirrored) DeleteSubnet(context.Context, *bgpvpn.Call, store.Tx, *store.Subnet) error {
	return errNeutronOwns("subnets")
}

// CreatePort refuses.
func (Mirrored) CreatePort(context.Context, *bgpvpn.Call, store.Tx, *store.Port, []network.Request, bool) error {
	return errNeutronOwns("ports")
}

// UpdatePort refuses.
func (Mirrored) UpdatePort(context.Context, *bgpvpn.Call, store.Tx, *store.Port, *store.Port, []network.Request, bool) error {
	return errNeutronOwns("ports")
}

// DeletePort refuses.
func (Mirrored) DeletePort(context.Context, *bgpvpn.Call, store.Tx, *store.Port) error {
	return errNeutronOwns("ports")
}

// CreateRouter refuses.
func (Mirrored) CreateRouter(context.Context, *bgpvpn.Call, store.Tx, *store.Router) error {
	return errNeutronOwns("routers")
}

// UpdateRouter refuses.
func (Mirrored) UpdateRouter(context.Context, *bgpvpn.Call, store.Tx, *store.Router, *store.Router, bool) error {
	return errNeutronOwns("routers")
}

// DeleteRouter refuses.
func (Mirrored) DeleteRouter(context.Context, *bgpvpn.Call, store.Tx, *store.Router) error {
	return errNeutronOwns("routers")
}

// AddRouterInterface refuses.
func (Mirrored) AddRouterInterface(context.Context, *bgpvpn.Call, store.Tx, *store.Router, string, string) (*store.Port, error) {
	return nil, errNeutronOwns("routers")
}

// RemoveRouterInterface refuses.
func (Mirrored) RemoveRouterInterface(context.Context, *bgpvpn.Call, store.Tx, *store.Router, string, string) (*store.Port, error) {
	return nil, errNeutronOwns("routers")
}
