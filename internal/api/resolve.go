package api

import (
	"fmt"
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Every id a request body names is resolved here, with the caller's
// visibility: an object the caller may not read (get_<resource> policy)
// answers exactly as one that does not exist, with the named collection's
// not-found fault, before any policy or business rule could tell them
// apart (a 403 for "not yours", a conflict, a message naming its
// project).

// resolve loads the object of collection (a key of a.kinds) with id, as
// the caller may see it.
func (a *API) resolve(c *call, tx store.Tx, collection, id string) (any, error) {
	o, _, _, err := a.getOne(a.kinds[collection], c, tx, "", id)
	return o, err
}

// resolveRefs resolves the ids that body b gives for the attributes of
// k that name other objects (k.refs).
func (a *API) resolveRefs(k *kind, c *call, tx store.Tx, b resource.Body) error {
	for attr, collection := range k.refs {
		id, _ := b.Values[attr].(string)
		if id == "" || !b.Has(attr) {
			continue
		}
		if _, err := a.resolve(c, tx, collection, id); err != nil {
			return err
		}
	}
	return nil
}

// resolveNetwork is resolve for networks.
func (a *API) resolveNetwork(c *call, tx store.Tx, id string) (*store.Network, error) {
	o, err := a.resolve(c, tx, "networks", id)
	if err != nil {
		return nil, err
	}
	return o.(*store.Network), nil
}

// resolveSubnet is resolve for subnets.
func (a *API) resolveSubnet(c *call, tx store.Tx, id string) (*store.Subnet, error) {
	o, err := a.resolve(c, tx, "subnets", id)
	if err != nil {
		return nil, err
	}
	return o.(*store.Subnet), nil
}

// resolvePort is resolve for ports.
func (a *API) resolvePort(c *call, tx store.Tx, id string) (*store.Port, error) {
	o, err := a.resolve(c, tx, "ports", id)
	if err != nil {
		return nil, err
	}
	return o.(*store.Port), nil
}

// externalGateway checks a router's external_gateway_info.network_id as
// Neutron's _validate_gw_info: a network the caller sees, and external.
func (a *API) externalGateway(c *call, tx store.Tx, id string) error {
	n, err := a.resolveNetwork(c, tx, id)
	if err != nil {
		return err
	}
	if !n.External {
		return fault.BadResourceRequest("router", "Network %s is not an external network", id)
	}
	return nil
}

// interfaceTarget resolves the subnet or port of a router interface
// action on router rt with Neutron's ownership rules: the caller sees it,
// and (admins excepted) an interface goes on a subnet of the router's
// project's network or of a shared one, or is a port of the router's
// project. Anything else is not found, as a missing id is: a project
// never plugs its router into another's subnet (taking its gateway and
// pulling its VMs into the router's VPNs) nor takes over its ports.
func (a *API) interfaceTarget(c *call, tx store.Tx, rt *store.Router, action, subnetID, portID string) error {
	if portID != "" {
		if action != "add_router_interface" {
			// Removal looks the port up among the router's interfaces
			// only: any other id, foreign or missing, is no interface.
			return nil
		}
		p, err := a.resolvePort(c, tx, portID)
		if err != nil {
			return err
		}
		if !c.admin && p.ProjectID != rt.ProjectID {
			return network.PortNotFound(portID)
		}
		return nil
	}
	sn, err := a.resolveSubnet(c, tx, subnetID)
	if err != nil {
		return err
	}
	if c.admin || action != "add_router_interface" {
		return nil
	}
	n, err := a.core.Network(tx, sn.NetworkID)
	if err != nil {
		return err
	}
	if n.ProjectID != rt.ProjectID && !n.Shared {
		return network.SubnetNotFound(subnetID)
	}
	return nil
}

// checkHiddenQuery refuses filters and sort keys on attributes that
// policy hides from the caller (route_targets, vni, binding:host_id, …):
// a list that filters or sorts on them would tell their values. Project
// attributes stay: lists are scoped to the caller's project anyway.
func (a *API) checkHiddenQuery(k *kind, c *call, r *http.Request) error {
	if c.admin {
		return nil
	}
	own := policy.Target{"tenant_id": c.creds.ProjectID, "project_id": c.creds.ProjectID}
	hidden := func(attr string) bool {
		if attr == "tenant_id" || attr == "project_id" {
			return false
		}
		rule, ok := k.getRules[attr]
		if !ok {
			rule = "get_" + k.policy + ":" + attr
		}
		return a.policyHasRule(rule) && !a.policy.Visible(rule, own, c.creds)
	}
	q := r.URL.Query()
	for name := range q {
		if !reservedParams[name] && hidden(name) {
			return fault.BadRequest("Attribute '%s' is hidden by policy and cannot be a filter", name)
		}
	}
	for _, key := range q["sort_key"] {
		if hidden(key) {
			return fault.BadRequest("Attribute '%s' is hidden by policy and cannot be a sort key", key)
		}
	}
	return nil
}

// fixedIPSubnets resolves the subnets that fixed_ips name, as Neutron's
// _get_subnet_for_fixed_ip: one the caller cannot see is not found, one
// of another network is invalid input.
func (a *API) fixedIPSubnets(c *call, tx store.Tx, networkID string, reqs []network.Request) error {
	for _, r := range reqs {
		if r.SubnetID == "" {
			continue
		}
		sn, err := a.resolveSubnet(c, tx, r.SubnetID)
		if err != nil {
			return err
		}
		if sn.NetworkID != networkID {
			return fault.InvalidInput(fmt.Sprintf("Failed to create port on network %s, because fixed_ips included invalid subnet %s", sn.NetworkID, r.SubnetID))
		}
	}
	return nil
}
