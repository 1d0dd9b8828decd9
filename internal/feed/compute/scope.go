package compute

import (
	"slices"

	netmodel "github.com/bgpvpn/bgpvpn/internal/network"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Scope is what a change can affect: every attachable port of some
// networks, and some hosts directly.
type Scope struct {
	Networks []string
	Hosts    []string
}

// Add merges o into s.
func (s *Scope) Add(o Scope) {
	s.Networks = append(s.Networks, o.Networks...)
	s.Hosts = append(s.Hosts, o.Hosts...)
}

// Hosts lists, sorted and without duplicates, the hosts of scope: those
// given and those of the attachable ports on its networks.
func Hosts(tx store.Tx, s Scope) ([]string, error) {
	hosts := slices.Clone(s.Hosts)
	if len(s.Networks) > 0 {
		ports, err := tx.ListPorts(store.Query{Filters: map[string][]any{"network_id": anys(s.Networks)}})
		if err != nil {
			return nil, err
		}
		for _, p := range ports {
			if Attachable(p) {
				hosts = append(hosts, p.HostID)
			}
		}
	}
	hosts = slices.DeleteFunc(hosts, func(h string) bool { return h == "" })
	slices.Sort(hosts)
	return slices.Compact(hosts), nil
}

// RouterNetworks lists the networks plugged into the routers: their
// router associations apply to those networks' ports.
func RouterNetworks(tx store.Tx, routerIDs ...string) ([]string, error) {
	if len(routerIDs) == 0 {
		return nil, nil
	}
	ifaces, err := netmodel.RouterInterfaces(tx, routerIDs...)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, rp := range ifaces {
		out = append(out, rp.Port.NetworkID)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

// NetworkAssociationScope is what a network association touches.
func NetworkAssociationScope(a *store.NetworkAssociation) Scope {
	return Scope{Networks: []string{a.NetworkID}}
}

// RouterAssociationScope is what a router association touches.
func RouterAssociationScope(tx store.Tx, a *store.RouterAssociation) (Scope, error) {
	nets, err := RouterNetworks(tx, a.RouterID)
	return Scope{Networks: nets}, err
}

// PortAssociationScope is what a port association touches: its port's
// host, when the port may get attachments.
func PortAssociationScope(tx store.Tx, a *store.PortAssociation) (Scope, error) {
	p, err := tx.GetPort(a.PortID)
	if err != nil {
		return Scope{}, err
	}
	if !Attachable(p) {
		return Scope{}, nil
	}
	return Scope{Hosts: []string{p.HostID}}, nil
}

// BGPVPNScope is what a change of a BGPVPN's targets, RDs, VNI or
// local_pref touches: every association of it, and the port associations
// whose routes leak its routes.
func BGPVPNScope(tx store.Tx, id string) (Scope, error) {
	var s Scope
	nas, err := tx.ListNetworkAssociations(store.Query{Parent: id})
	if err != nil {
		return s, err
	}
	for _, a := range nas {
		s.Networks = append(s.Networks, a.NetworkID)
	}
	ras, err := tx.ListRouterAssociations(store.Query{Parent: id})
	if err != nil {
		return s, err
	}
	var routers []string
	for _, a := range ras {
		routers = append(routers, a.RouterID)
	}
	nets, err := RouterNetworks(tx, routers...)
	if err != nil {
		return s, err
	}
	s.Networks = append(s.Networks, nets...)
	// Port associations are few next to ports; reading them all finds
	// both those of this BGPVPN and those whose routes point at it.
	pas, err := tx.ListPortAssociations(store.Query{})
	if err != nil {
		return s, err
	}
	for _, a := range pas {
		hit := a.BGPVPNID == id
		for _, r := range a.Routes {
			hit = hit || (r.Type == "bgpvpn" && r.BGPVPNID == id)
		}
		if !hit {
			continue
		}
		ps, err := PortAssociationScope(tx, a)
		if err != nil {
			return s, err
		}
		s.Add(ps)
	}
	return s, nil
}

func anys(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}
