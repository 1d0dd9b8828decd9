package bgpvpn

import (
	"context"
	"errors"
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// visible reports whether the caller may see a router, port or BGPVPN of
// project p.
func visible(c *Call, p string) bool {
	return c.Caller.Admin || p == c.Caller.ProjectID
}

// CreateNetworkAssociation associates a network with a BGPVPN.
func (s *Service) CreateNetworkAssociation(ctx context.Context, c *Call, tx store.Tx, a *store.NetworkAssociation) error {
	if !s.Driver.Features().NetworkAssociations {
		return s.unsupported("network associations")
	}
	n, err := network.VisibleNetwork(tx, a.NetworkID, c.Caller.ProjectID, c.Caller.Admin)
	if err != nil {
		return err
	}
	// The projects are checked before the router rule, whose message
	// names the network project's BGPVPNs: a tenant associating another
	// project's shared network must not learn them.
	v, err := GetBGPVPN(c, tx, a.BGPVPNID)
	if err != nil {
		return err
	}
	if err := sameProject("network", n.ProjectID, a.ProjectID, v); err != nil {
		return err
	}
	ifaces, err := network.NetworkRouterInterfaces(tx, n.ID)
	if err != nil {
		return err
	}
	if len(ifaces) > 0 {
		ids, err := bgpvpnsWith(tx, n.ProjectID, nil, []string{ifaces[0].RouterID})
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			return fault.BadBGPVPNRequest("Network %s is linked to a router which is already associated to bgpvpn(s) %s", n.ID, pyList(ids))
		}
	}
	if n.External && !s.Driver.Features().ExternalNetworks {
		return fault.New(http.StatusBadRequest, "BGPVPNExternalNetAssociation",
			"driver does not support associating an external network to a BGPVPN")
	}
	if err := tx.CreateNetworkAssociation(a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fault.BadRequest("network %s is already associated to BGPVPN %s", a.NetworkID, v.ID).WithType("BGPVPNNetAssocAlreadyExists")
		}
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Create, Kind: driver.NetworkAssociation, New: a, BGPVPN: v})
}

// UpdateNetworkAssociation stores a network association's description,
// the only attribute that changes; the driver has nothing to hear of it.
func (s *Service) UpdateNetworkAssociation(ctx context.Context, c *Call, tx store.Tx, a *store.NetworkAssociation) error {
	return tx.UpdateNetworkAssociation(a)
}

// DeleteNetworkAssociation removes a network association.
func (s *Service) DeleteNetworkAssociation(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN, a *store.NetworkAssociation) error {
	if err := s.notify(ctx, c, tx, driver.Event{Op: driver.Delete, Kind: driver.NetworkAssociation, Old: a, BGPVPN: v}); err != nil {
		return err
	}
	return tx.DeleteNetworkAssociation(v.ID, a.ID)
}

// CreateRouterAssociation associates a router with an l3 BGPVPN.
func (s *Service) CreateRouterAssociation(ctx context.Context, c *Call, tx store.Tx, a *store.RouterAssociation) error {
	if !s.Driver.Features().RouterAssociations {
		return fault.New(http.StatusBadRequest, "BGPVPNRouterAssociationNotSupported",
			"BGPVPN %s driver does not support router associations", s.Driver.Name())
	}
	r, err := tx.GetRouter(a.RouterID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(c, r.ProjectID)) {
		return network.RouterNotFound(a.RouterID)
	}
	if err != nil {
		return err
	}
	ifaces, err := network.RouterInterfaces(tx, r.ID)
	if err != nil {
		return err
	}
	for _, rp := range ifaces {
		ids, err := bgpvpnsWith(tx, r.ProjectID, []string{rp.Port.NetworkID}, nil)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			return fault.BadBGPVPNRequest("router %s has an attached network %s which is already associated to bgpvpn(s) %s", r.ID, rp.Port.NetworkID, pyList(ids))
		}
	}
	v, err := GetBGPVPN(c, tx, a.BGPVPNID)
	if err != nil {
		return err
	}
	if v.Type != "l3" {
		return fault.BadBGPVPNRequest("Router associations require the bgpvpn to be of type l3")
	}
	if err := sameProject("router", r.ProjectID, a.ProjectID, v); err != nil {
		return err
	}
	if err := tx.CreateRouterAssociation(a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fault.BadRequest("router %s is already associated to BGPVPN %s", a.RouterID, v.ID).WithType("BGPVPNRouterAssocAlreadyExists")
		}
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Create, Kind: driver.RouterAssociation, New: a, BGPVPN: v})
}

// UpdateRouterAssociation stores advertise_extra_routes.
func (s *Service) UpdateRouterAssociation(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN, old, a *store.RouterAssociation) error {
	if err := tx.UpdateRouterAssociation(a); err != nil {
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Update, Kind: driver.RouterAssociation, Old: old, New: a, BGPVPN: v})
}

// DeleteRouterAssociation removes a router association.
func (s *Service) DeleteRouterAssociation(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN, a *store.RouterAssociation) error {
	if err := s.notify(ctx, c, tx, driver.Event{Op: driver.Delete, Kind: driver.RouterAssociation, Old: a, BGPVPN: v}); err != nil {
		return err
	}
	return tx.DeleteRouterAssociation(v.ID, a.ID)
}

// checkRoutes applies the original's rules to the bgpvpn routes of a port
// association of project p on BGPVPN v. A BGPVPN the caller may not see
// does not exist for it, as the original reads it with the caller's
// context: a tenant learns nothing of other projects' BGPVPNs.
func checkRoutes(c *Call, tx store.Tx, v *store.BGPVPN, project string, routes []store.PortRoute) error {
	for _, r := range routes {
		if r.Type != "bgpvpn" {
			continue
		}
		other, err := tx.GetBGPVPN(r.BGPVPNID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(c, other.ProjectID)) {
			return fault.BadRequest("bgpvpn specified in route does not exist (%s)", r.BGPVPNID).WithType("BGPVPNPortAssocRouteNoSuchBGPVPN")
		}
		if err != nil {
			return err
		}
		if other.Type != v.Type {
			return fault.BadRequest("bgpvpn specified in route is of type %s, differing from type of associated BGPVPN %s)", other.Type, v.Type).WithType("BGPVPNPortAssocRouteBGPVPNTypeDiffer")
		}
		if other.ProjectID != project {
			return fault.BadRequest("bgpvpn specified in route does not belong to the tenant (%s)", r.BGPVPNID).WithType("BGPVPNPortAssocRouteWrongBGPVPNTenant")
		}
	}
	return nil
}

// CreatePortAssociation associates a port with a BGPVPN.
func (s *Service) CreatePortAssociation(ctx context.Context, c *Call, tx store.Tx, a *store.PortAssociation) error {
	if !s.Driver.Features().PortAssociations {
		return s.unsupported("port associations")
	}
	p, err := tx.GetPort(a.PortID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !visible(c, p.ProjectID)) {
		return network.PortNotFound(a.PortID)
	}
	if err != nil {
		return err
	}
	v, err := GetBGPVPN(c, tx, a.BGPVPNID)
	if err != nil {
		return err
	}
	if err := sameProject("port", p.ProjectID, a.ProjectID, v); err != nil {
		return err
	}
	if err := checkRoutes(c, tx, v, a.ProjectID, a.Routes); err != nil {
		return err
	}
	if err := tx.CreatePortAssociation(a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return fault.BadRequest("port %s is already associated to BGPVPN %s", a.PortID, v.ID).WithType("BGPVPNPortAssocAlreadyExists")
		}
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Create, Kind: driver.PortAssociation, New: a, BGPVPN: v})
}

// UpdatePortAssociation stores new routes and advertise_fixed_ips.
func (s *Service) UpdatePortAssociation(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN, old, a *store.PortAssociation) error {
	if err := checkRoutes(c, tx, v, a.ProjectID, a.Routes); err != nil {
		return err
	}
	if err := tx.UpdatePortAssociation(a); err != nil {
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Update, Kind: driver.PortAssociation, Old: old, New: a, BGPVPN: v})
}

// DeletePortAssociation removes a port association.
func (s *Service) DeletePortAssociation(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN, a *store.PortAssociation) error {
	if err := s.notify(ctx, c, tx, driver.Event{Op: driver.Delete, Kind: driver.PortAssociation, Old: a, BGPVPN: v}); err != nil {
		return err
	}
	return tx.DeletePortAssociation(v.ID, a.ID)
}
