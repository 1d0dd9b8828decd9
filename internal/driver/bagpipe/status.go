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
// reported about it at their current revision: ERROR if any failed (with
// their reasons), BUILD while some host has not reported its current
// revision, DOWN when no port is bound anywhere or an agent reports it
// down, ACTIVE when every host realised it.
func (d *Driver) AssociationStatus(tx store.Tx, kind driver.Kind, assoc any) (string, string, error) {
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
	// Reasons never name hosts: tenants read them, and compute node
	// names are for admins (binding:host_id is admin-only).
	var failed, down []string
	pending := 0
	for _, h := range hosts {
		r, ok := current[h]
		switch {
		case !ok:
			pending++
		case r.Status == string(feed.Error):
			failed = append(failed, r.Reason)
		case r.Status == string(feed.Down):
			down = append(down, r.Reason)
		}
	}
	switch {
	case len(failed) > 0:
		return string(feed.Error), reasons(failed), nil
	case pending > 0:
		return string(feed.Build), fmt.Sprintf("waiting for %d of %d hosts", pending, len(hosts)), nil
	case len(down) > 0:
		return string(feed.Down), reasons(down), nil
	}
	return string(feed.Active), "", nil
}

// reasons joins the distinct reasons agents gave.
func reasons(l []string) string {
	slices.Sort(l)
	return strings.Join(slices.Compact(l), "; ")
}
