package mirror

import (
	"fmt"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// applier writes one snapshot's difference in one transaction. Deletes go
// first and leaves first (ports, routers, subnets, networks), so that what
// Neutron freed (a MAC, an address) is free here before anything takes it;
// creates and updates go roots first. As in the API, a delete's event comes
// before the delete (its hosts are read from what is deleted), the others'
// after the write. The store cascades a deleted network's, router's or
// port's associations, as the original does inside Neutron.
type applier struct {
	tx    store.Tx
	emit  func(driver.Event) error
	stats Stats
}

func (a *applier) apply(snap *Snapshot) error {
	nets, err := a.tx.ListNetworks(store.Query{})
	if err != nil {
		return err
	}
	subnets, err := a.tx.ListSubnets(store.Query{})
	if err != nil {
		return err
	}
	ports, err := a.tx.ListPorts(store.Query{})
	if err != nil {
		return err
	}
	routers, err := a.tx.ListRouters(store.Query{})
	if err != nil {
		return err
	}
	wantNets, wantSubnets, wantPorts, wantRouters := byID(snap.Networks), byID(snap.Subnets), byID(snap.Ports), byID(snap.Routers)

	// Deletes.
	if err := deleteGone(a, driver.Port, ports, wantPorts, a.tx.DeletePort); err != nil {
		return err
	}
	if err := deleteGone(a, driver.Router, routers, wantRouters, a.tx.DeleteRouter); err != nil {
		return err
	}
	if err := deleteGone(a, driver.Subnet, subnets, wantSubnets, a.tx.DeleteSubnet); err != nil {
		return err
	}
	if err := deleteGone(a, driver.Network, nets, wantNets, a.tx.DeleteNetwork); err != nil {
		return err
	}

	// Creates and updates.
	haveNets := byID(nets)
	for _, n := range snap.Networks {
		if err := a.network(haveNets[n.ID], n); err != nil {
			return err
		}
	}
	haveSubnets := byID(subnets)
	for _, s := range snap.Subnets {
		if _, ok := wantNets[s.NetworkID]; !ok {
			a.stats.Skipped++
			continue
		}
		if err := a.subnet(haveSubnets[s.ID], s); err != nil {
			return err
		}
	}
	haveRouters := byID(routers)
	for _, r := range snap.Routers {
		if err := a.router(haveRouters[r.ID], r); err != nil {
			return err
		}
	}
	if err := a.ports(byID(ports), snap.Ports, wantNets, wantSubnets); err != nil {
		return err
	}
	return a.routerPorts(snap.Ports, wantRouters)
}

// routerPorts records Neutron's router interfaces in router_ports, where
// router membership comes from (never from a port's device fields alone).
// Neutron lists no routerports table, so an interface is a port Neutron
// owns as one (device_owner network:router_interface, its DVR and HA
// variants normalised by the source) of the router's own project: that is
// what add_router_interface allows a tenant, while a network owner may
// write those device fields on a port of its own for a foreign router.
// An interface ends with its port or router (the table's cascades).
func (a *applier) routerPorts(ports []*store.Port, routers map[string]*store.Router) error {
	ids := make([]string, 0, len(routers))
	for id := range routers {
		ids = append(ids, id)
	}
	have, err := a.tx.ListRouterPorts(ids, nil)
	if err != nil {
		return err
	}
	known := make(map[string]bool, len(have))
	for _, rp := range have {
		known[rp.Port.ID] = true
	}
	for _, p := range ports {
		r := routers[p.DeviceID]
		if known[p.ID] || p.DeviceOwner != routerInterfaceOwner || r == nil || r.ProjectID != p.ProjectID {
			continue
		}
		if err := a.tx.AddRouterPort(r.ID, p.ID); err != nil {
			return fmt.Errorf("recording router interface %s: %w", p.ID, err)
		}
		// The driver learns of the interface as of a new port of the router.
		if err := a.emit(driver.Event{Op: driver.Update, Kind: driver.Port, Old: p, New: p}); err != nil {
			return err
		}
	}
	return nil
}

const routerInterfaceOwner = "network:router_interface"

type identified interface {
	*store.Network | *store.Subnet | *store.Port | *store.Router
}

func id[T identified](o T) string {
	switch v := any(o).(type) {
	case *store.Network:
		return v.ID
	case *store.Subnet:
		return v.ID
	case *store.Port:
		return v.ID
	case *store.Router:
		return v.ID
	}
	panic("unreachable")
}

func byID[T identified](objs []T) map[string]T {
	m := make(map[string]T, len(objs))
	for _, o := range objs {
		m[id(o)] = o
	}
	return m
}

func deleteGone[T identified](a *applier, kind driver.Kind, have []T, want map[string]T, del func(string) error) error {
	for _, o := range have {
		if _, ok := want[id(o)]; ok {
			continue
		}
		if err := a.emit(driver.Event{Op: driver.Delete, Kind: kind, Old: o}); err != nil {
			return err
		}
		if err := del(id(o)); err != nil {
			return fmt.Errorf("deleting %s %s: %w", kind, id(o), err)
		}
		a.stats.Deleted++
	}
	return nil
}

func (a *applier) network(have, want *store.Network) error {
	if have == nil {
		n := *want
		if err := a.tx.CreateNetwork(&n); err != nil {
			return fmt.Errorf("creating network %s: %w", n.ID, err)
		}
		a.stats.Created++
		return a.emit(driver.Event{Op: driver.Create, Kind: driver.Network, New: &n})
	}
	if equalNetwork(have, want) {
		return nil
	}
	n := *want
	n.Std, n.SegmentationID, n.Subnets = have.Std, have.SegmentationID, have.Subnets
	n.Description = want.Description
	if err := a.tx.UpdateNetwork(&n); err != nil {
		return fmt.Errorf("updating network %s: %w", n.ID, err)
	}
	a.stats.Updated++
	return a.emit(driver.Event{Op: driver.Update, Kind: driver.Network, Old: have, New: &n})
}

func (a *applier) subnet(have, want *store.Subnet) error {
	s := *want
	if have == nil {
		if err := a.tx.CreateSubnet(&s); err != nil {
			return fmt.Errorf("creating subnet %s: %w", s.ID, err)
		}
		a.stats.Created++
		return a.emit(driver.Event{Op: driver.Create, Kind: driver.Subnet, New: &s})
	}
	if equalSubnet(have, want) {
		return nil
	}
	s.Std = have.Std
	s.Description = want.Description
	if err := a.tx.UpdateSubnet(&s); err != nil {
		return fmt.Errorf("updating subnet %s: %w", s.ID, err)
	}
	a.stats.Updated++
	return a.emit(driver.Event{Op: driver.Update, Kind: driver.Subnet, Old: have, New: &s})
}

func (a *applier) router(have, want *store.Router) error {
	r := *want
	if have == nil {
		if err := a.tx.CreateRouter(&r); err != nil {
			return fmt.Errorf("creating router %s: %w", r.ID, err)
		}
		a.stats.Created++
		return a.emit(driver.Event{Op: driver.Create, Kind: driver.Router, New: &r})
	}
	if equalRouter(have, want) {
		return nil
	}
	r.Std = have.Std
	r.Description = want.Description
	if err := a.tx.UpdateRouter(&r); err != nil {
		return fmt.Errorf("updating router %s: %w", r.ID, err)
	}
	a.stats.Updated++
	return a.emit(driver.Event{Op: driver.Update, Kind: driver.Router, Old: have, New: &r})
}

// ports writes the ports in two passes: the updated ports first lose the
// addresses they no longer hold, so that an address Neutron moved from one
// port to another between two syncs is free whatever the order.
func (a *applier) ports(have map[string]*store.Port, want []*store.Port, nets map[string]*store.Network, subnets map[string]*store.Subnet) error {
	var writes []*store.Port
	for _, w := range want {
		if _, ok := nets[w.NetworkID]; !ok {
			a.stats.Skipped++
			continue
		}
		p := *w
		p.FixedIPs = nil
		for _, ip := range w.FixedIPs {
			if _, ok := subnets[ip.SubnetID]; ok {
				p.FixedIPs = append(p.FixedIPs, ip)
			}
		}
		if p.FixedIPs == nil {
			p.FixedIPs = []store.FixedIP{}
		}
		if h := have[p.ID]; h != nil && equalPort(h, &p) {
			continue
		}
		writes = append(writes, &p)
	}
	for _, p := range writes {
		h := have[p.ID]
		if h == nil || equalList(h.FixedIPs, p.FixedIPs) {
			continue
		}
		kept := *h
		kept.FixedIPs = keep(h.FixedIPs, p.FixedIPs)
		if err := a.tx.UpdatePort(&kept); err != nil {
			return fmt.Errorf("updating port %s: %w", p.ID, err)
		}
		p.Std = kept.Std
	}
	for _, p := range writes {
		h := have[p.ID]
		if h == nil {
			if err := a.tx.CreatePort(p); err != nil {
				return fmt.Errorf("creating port %s: %w", p.ID, err)
			}
			a.stats.Created++
			if err := a.emit(driver.Event{Op: driver.Create, Kind: driver.Port, New: p}); err != nil {
				return err
			}
			continue
		}
		if p.Std == (store.Std{}) {
			p.Std = h.Std
		}
		if err := a.tx.UpdatePort(p); err != nil {
			return fmt.Errorf("updating port %s: %w", p.ID, err)
		}
		a.stats.Updated++
		if err := a.emit(driver.Event{Op: driver.Update, Kind: driver.Port, Old: h, New: p}); err != nil {
			return err
		}
	}
	return nil
}

// keep is the part of have that want also holds.
func keep(have, want []store.FixedIP) []store.FixedIP {
	out := []store.FixedIP{}
	for _, ip := range have {
		for _, w := range want {
			if ip == w {
				out = append(out, ip)
				break
			}
		}
	}
	return out
}
