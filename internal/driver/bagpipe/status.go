package bagpipe

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// AssociationStatus aggregates what the agents of the association's hosts
// reported about it at their current revision, and whether those agents
// are alive (heard from within agent_down_time):
//
//   - DOWN, saying so, when an admin turned the BGPVPN off
//     (admin_state_up false: no host has anything of it to realise);
//   - ERROR if a live agent failed it (with their reasons);
//   - DOWN when an agent is dead or none ever ran on one of the hosts,
//     when no port is bound anywhere, or when an agent reports it down;
//   - BUILD while a live agent has not reported its current revision;
//   - ACTIVE when every host realised it.
//
// What a dead agent last reported is not believed.
func (d *Driver) AssociationStatus(tx store.Tx, kind driver.Kind, assoc any) (string, string, error) {
	if down, err := adminDown(tx, assoc); err != nil || down {
		if err != nil {
			return "", "", err
		}
		return string(feed.Down), AdminDownReason, nil
	}
	var sc compute.Scope
	var id string
	var err error
	switch a := assoc.(type) {
	case *store.NetworkAssociation:
		id, sc = a.ID, compute.NetworkAssociationScope(a)
		n, err := tx.GetNetwork(a.NetworkID)
		if err != nil {
			return "", "", err
		}
		if n.External {
			return string(feed.Down), "ports of external networks are not attached to BGPVPNs", nil
		}
	case *store.RouterAssociation:
		id = a.ID
		if sc, err = compute.RouterAssociationScope(tx, a); err != nil {
			return "", "", err
		}
	case *store.PortAssociation:
		id = a.ID
		if !a.AdvertiseFixedIPs && len(a.Routes) == 0 {
			return string(feed.Down), "nothing to advertise: no routes and advertise_fixed_ips is false", nil
		}
		if sc, err = compute.PortAssociationScope(tx, a); err != nil {
			return "", "", err
		}
	default:
		return "", "", fmt.Errorf("status of a %T", assoc)
	}
	hosts, err := compute.Hosts(tx, sc)
	if err != nil {
		return "", "", err
	}
	if len(hosts) == 0 {
		return string(feed.Down), "no port is bound to a host", nil
	}
	dead, never, err := d.hub.Silent(tx, hosts)
	if err != nil {
		return "", "", err
	}
	revs, err := tx.HostRevisions(hosts)
	if err != nil {
		return "", "", err
	}
	reports, err := tx.ListAgentStatus([]string{id})
	if err != nil {
		return "", "", err
	}
	current := map[string]store.AgentStatus{}
	for _, r := range reports {
		if r.Revision >= revs[r.Host] {
			current[r.Host] = r
		}
	}
	silent := map[string]bool{}
	for _, h := range append(dead, never...) {
		silent[h] = true
	}
	// Reasons never name hosts: tenants read them, and compute node
	// names are for admins (binding:host_id is admin-only).
	var failed, down []string
	pending := 0
	for _, h := range hosts {
		r, ok := current[h]
		switch {
		case silent[h]:
		case !ok:
			pending++
		case r.Status == string(feed.Error):
			failed = append(failed, r.Reason)
		case r.Status == string(feed.Down):
			down = append(down, r.Reason)
		}
	}
	var unheard []string
	if len(dead) > 0 {
		unheard = append(unheard, fmt.Sprintf("the agent of %d of %d hosts is not reporting", len(dead), len(hosts)))
	}
	if len(never) > 0 {
		unheard = append(unheard, fmt.Sprintf("no agent has ever reported from %d of %d hosts", len(never), len(hosts)))
	}
	switch {
	case len(failed) > 0:
		return string(feed.Error), strings.Join(append([]string{reasons(failed)}, unheard...), "; "), nil
	case len(unheard) > 0:
		return string(feed.Down), strings.Join(unheard, "; "), nil
	case pending > 0:
		return string(feed.Build), fmt.Sprintf("waiting for %d of %d hosts", pending, len(hosts)), nil
	case len(down) > 0:
		return string(feed.Down), reasons(down), nil
	}
	return string(feed.Active), "", nil
}

// AdminDownReason is the status_reason of the associations of a BGPVPN
// whose admin_state_up is false.
const AdminDownReason = "the BGPVPN is administratively down: an admin set its admin_state_up to false"

// adminDown reports whether the association's BGPVPN is administratively
// down.
func adminDown(tx store.Tx, assoc any) (bool, error) {
	var id string
	switch a := assoc.(type) {
	case *store.NetworkAssociation:
		id = a.BGPVPNID
	case *store.RouterAssociation:
		id = a.BGPVPNID
	case *store.PortAssociation:
		id = a.BGPVPNID
	default:
		return false, nil
	}
	v, err := tx.GetBGPVPN(id)
	if err != nil {
		return false, err
	}
	return v.AdminStateDown, nil
}

// reasons joins the distinct reasons agents gave.
func reasons(l []string) string {
	slices.Sort(l)
	return strings.Join(slices.Compact(l), "; ")
}
