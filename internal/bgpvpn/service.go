// Package bgpvpn holds the business rules of the BGPVPN service plugin: who
// may associate what with which BGPVPN, the conflicts between network and
// router associations, the checks on port-association routes, and the
// calls to the service driver around each change.
//
// Every function runs inside the caller's transaction and returns faults
// meant for users. It never renders responses or checks policy rules; the
// API layer does that.
package bgpvpn

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Caller is who asks, as the business rules need it.
type Caller struct {
	ProjectID string
	// Admin is the outcome of the context_is_admin rule: it lifts the
	// project scoping of lookups.
	Admin bool
}

// Call carries one request through the rules and collects the driver
// events to deliver after the commit. It holds no context.Context: every
// method takes the request's context as its first parameter.
type Call struct {
	Caller Caller
	// RequestID is the API's id of the request ("" for the Neutron
	// mirror's syncs), in the log lines about its events.
	RequestID string
	events    []driver.Event
}

// Service applies the rules with a driver.
type Service struct {
	Driver driver.Driver
	Log    *slog.Logger
}

func (s *Service) notify(ctx context.Context, c *Call, tx store.Tx, ev driver.Event) error {
	if err := s.Driver.Precommit(ctx, tx, ev); err != nil {
		if _, ok := fault.As(err); ok {
			return err
		}
		return fault.Wrap(err, http.StatusInternalServerError, "BGPVPNDriverError", "%s_%s_precommit failed.", ev.Op, ev.Kind)
	}
	c.events = append(c.events, ev)
	return nil
}

// Committed delivers the postcommit events of a committed call.
func (s *Service) Committed(ctx context.Context, c *Call) {
	for _, ev := range c.events {
		if err := s.Driver.Postcommit(ctx, ev); err != nil {
			s.Log.Error("driver postcommit failed", "driver", s.Driver.Name(), "op", ev.Op, "kind", ev.Kind,
				"request_id", c.RequestID, "error", err)
		}
	}
	c.events = nil
}

func (s *Service) unsupported(format string, args ...any) error {
	return fault.New(http.StatusBadRequest, "BGPVPNDriverNotSupported", "BGPVPN %s driver does not support %s",
		s.Driver.Name(), fmt.Sprintf(format, args...))
}

func (s *Service) checkFeatures(v *store.BGPVPN) error {
	f := s.Driver.Features()
	switch {
	case !f.SupportsType(v.Type):
		return fault.New(http.StatusBadRequest, "BGPVPNTypeNotSupported", "BGPVPN %s driver does not support %s type", s.Driver.Name(), v.Type)
	case len(v.RouteDistinguishers) > 0 && !f.RouteDistinguishers:
		return fault.New(http.StatusBadRequest, "BGPVPNRDNotSupported", "BGPVPN %s driver does not support to manually set route distinguisher", s.Driver.Name())
	case v.VNI != nil && !f.VNI:
		return s.unsupported("the vni attribute")
	case v.LocalPref != nil && !f.LocalPref:
		return s.unsupported("the local_pref attribute")
	}
	return s.checkSpecified(v)
}

// BGPVPNNotFound is the 404 for a BGPVPN.
func BGPVPNNotFound(id string) error {
	return fault.NotFound("BGPVPNNotFound", "BGPVPN %s could not be found", id)
}

// GetBGPVPN loads a BGPVPN that the caller may see: its own, one an RBAC
// policy shares with its project or with everyone, or any for an admin.
func GetBGPVPN(c *Call, tx store.Tx, id string) (*store.BGPVPN, error) {
	v, err := tx.GetBGPVPN(id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !c.Caller.Admin && v.ProjectID != c.Caller.ProjectID && !v.SharedWithProject(c.Caller.ProjectID)) {
		return nil, BGPVPNNotFound(id)
	}
	return v, err
}

// CreateBGPVPN stores a new BGPVPN.
func (s *Service) CreateBGPVPN(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN) error {
	if err := s.checkFeatures(v); err != nil {
		return err
	}
	if err := tx.CreateBGPVPN(v); err != nil {
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Create, Kind: driver.BGPVPN, New: v, BGPVPN: v})
}

// UpdateBGPVPN stores the new state of a BGPVPN.
func (s *Service) UpdateBGPVPN(ctx context.Context, c *Call, tx store.Tx, old, v *store.BGPVPN) error {
	if err := s.checkFeatures(v); err != nil {
		return err
	}
	if err := tx.UpdateBGPVPN(v); err != nil {
		return err
	}
	return s.notify(ctx, c, tx, driver.Event{Op: driver.Update, Kind: driver.BGPVPN, Old: old, New: v, BGPVPN: v})
}

// DeleteBGPVPN removes a BGPVPN and, by cascade, its associations and the
// port-association routes that point at it.
func (s *Service) DeleteBGPVPN(ctx context.Context, c *Call, tx store.Tx, v *store.BGPVPN) error {
	if err := s.notify(ctx, c, tx, driver.Event{Op: driver.Delete, Kind: driver.BGPVPN, Old: v, BGPVPN: v}); err != nil {
		return err
	}
	return tx.DeleteBGPVPN(v.ID)
}

// sameProject refuses an association unless it and its resource belong to
// one project that owns the BGPVPN or that an RBAC policy shares the
// BGPVPN with.
func sameProject(what, resourceProject, assocProject string, v *store.BGPVPN) error {
	if resourceProject != v.ProjectID && !v.SharedWithProject(resourceProject) {
		return fault.NotAuthorized(fmt.Sprintf("the %s belongs to project %s, the BGPVPN to project %s", what, resourceProject, v.ProjectID))
	}
	if assocProject != resourceProject {
		if resourceProject == v.ProjectID {
			return fault.NotAuthorized(fmt.Sprintf("the association would belong to project %s, the BGPVPN belongs to project %s", assocProject, v.ProjectID))
		}
		return fault.NotAuthorized(fmt.Sprintf("the association would belong to project %s, the %s to project %s", assocProject, what, resourceProject))
	}
	return nil
}

// pyList renders ids as a Python list of strings, as the original's
// messages do.
func pyList(ids []string) string {
	q := make([]string, len(ids))
	for i, id := range ids {
		q[i] = "'" + id + "'"
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// bgpvpnsWith lists the ids of the BGPVPNs associated with any of the
// networks or routers given. Every such association belongs to the
// resource's project (project), whose BGPVPNs, or those shared with it,
// they are.
func bgpvpnsWith(tx store.Tx, project string, networks, routers []string) ([]string, error) {
	vs, err := tx.ListBGPVPNs(store.Query{Project: project, Networks: networks, Routers: routers})
	if err != nil {
		return nil, err
	}
	ids := make([]string, len(vs))
	for i, v := range vs {
		ids[i] = v.ID
	}
	return ids, nil
}

// l3With reports whether an l3 BGPVPN of any project is associated with
// any of the networks or routers given.
func l3With(tx store.Tx, networks, routers []string) (bool, error) {
	vs, err := tx.ListBGPVPNs(store.Query{Filters: map[string][]any{"type": {"l3"}}, Networks: networks, Routers: routers, Limit: 1})
	return len(vs) > 0, err
}

// RouterInterfaceAllowed is the check the original runs before a subnet is
// plugged into a router: not when both the router and the network are
// bound to an l3 BGPVPN.
func (s *Service) RouterInterfaceAllowed(tx store.Tx, routerID, networkID string) error {
	if !s.Driver.Features().RouterAssociations {
		return nil
	}
	routerBound, err := l3With(tx, nil, []string{routerID})
	if err != nil || !routerBound {
		return err
	}
	netBound, err := l3With(tx, []string{networkID}, nil)
	if err != nil || !netBound {
		return err
	}
	return fault.Conflict("RouterInterfaceAttachmentConflict",
		"Error cannot perform router interface attachment due to Callback %s failed with \"%s\" while attempting the operation.",
		interfaceCallback, "Bad bgpvpn request: It is not allowed to add an interface to a router if both the router and the network are bound to an L3 BGPVPN..")
}

// interfaceCallback names the check in the 409 of add_router_interface as
// Neutron names the callback that failed: clients and operators read the
// reason between its quotes. The number is the callback's id in the
// original's process; any will do.
const interfaceCallback = "networking_bgpvpn.neutron.services.plugin.BGPVPNPlugin._notify_adding_interface_to_router-66337"

// CoreChanged hands a change of the core network model (network, subnet,
// port, router) to the driver, whose precommit runs in the transaction:
// what an association means depends on what it points at.
func (s *Service) CoreChanged(ctx context.Context, c *Call, tx store.Tx, ev driver.Event) error {
	return s.notify(ctx, c, tx, ev)
}

// FillStatus sets the realisation status of associations
// (*store.NetworkAssociation, *store.RouterAssociation or
// *store.PortAssociation) when the driver can tell it; otherwise it
// leaves them without.
func (s *Service) FillStatus(tx store.Tx, assocs ...any) error {
	r, ok := s.Driver.(driver.StatusReader)
	if !ok {
		return nil
	}
	for _, a := range assocs {
		kind, ok := assocKind(a)
		if !ok {
			return fmt.Errorf("status of a %T: not an association", a)
		}
		st, reason, err := r.AssociationStatus(tx, kind, a)
		if err != nil {
			return err
		}
		if rs, ok := a.(interface{ SetRealisation(status, reason string) }); ok {
			rs.SetRealisation(st, reason)
		}
	}
	return nil
}

// assocKind is the driver's name for the kind of association a.
func assocKind(a any) (driver.Kind, bool) {
	switch a.(type) {
	case *store.NetworkAssociation:
		return driver.NetworkAssociation, true
	case *store.RouterAssociation:
		return driver.RouterAssociation, true
	case *store.PortAssociation:
		return driver.PortAssociation, true
	}
	return "", false
}
