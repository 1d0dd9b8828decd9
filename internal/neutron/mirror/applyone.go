package mirror

import (
	"errors"
	"fmt"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// refresh writes what readRefs read, in the order of the refs (the order
// of Neutron's notifications).
func (a *applier) refresh(reads []read) error {
	for _, r := range reads {
		if err := a.one(r); err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) one(r read) error {
	switch {
	case r.ref.Kind == Network && r.ref.Gone:
		return a.dropNetwork(r.ref.ID)
	case r.ref.Kind == Network:
		have, err := get(a.tx.GetNetwork, r.network.ID)
		if err != nil {
			return err
		}
		return a.network(have, r.network)
	case r.ref.Kind == Subnet && r.ref.Gone:
		return drop(a, driver.Subnet, a.tx.GetSubnet, a.tx.DeleteSubnet, r.ref.ID)
	case r.ref.Kind == Subnet:
		if _, err := need(a.tx.GetNetwork, r.subnet.NetworkID); err != nil {
			return err
		}
		have, err := get(a.tx.GetSubnet, r.subnet.ID)
		if err != nil {
			return err
		}
		return a.subnet(have, r.subnet)
	case r.ref.Kind == Port && r.ref.Gone:
		return drop(a, driver.Port, a.tx.GetPort, a.tx.DeletePort, r.ref.ID)
	case r.ref.Kind == Port:
		return a.upsertPorts([]*store.Port{r.port})
	case r.ref.Kind == Router && r.ref.Gone:
		return drop(a, driver.Router, a.tx.GetRouter, a.tx.DeleteRouter, r.ref.ID)
	case r.ref.Kind == Router:
		have, err := get(a.tx.GetRouter, r.router.ID)
		if err != nil {
			return err
		}
		if err := a.router(have, r.router); err != nil {
			return err
		}
		for _, id := range r.lostPorts {
			if err := drop(a, driver.Port, a.tx.GetPort, a.tx.DeletePort, id); err != nil {
				return err
			}
		}
		return a.upsertPorts(r.ports)
	}
	return fmt.Errorf("%w: %s %s", errNeedFull, r.ref.Kind, r.ref.ID)
}

// upsertPorts writes ports whose networks and subnets the mirror has, and
// records those that are router interfaces.
func (a *applier) upsertPorts(ports []*store.Port) error {
	have := map[string]*store.Port{}
	nets := map[string]*store.Network{}
	subnets := map[string]*store.Subnet{}
	routers := map[string]*store.Router{}
	for _, p := range ports {
		h, err := get(a.tx.GetPort, p.ID)
		if err != nil {
			return err
		}
		if h != nil {
			have[p.ID] = h
		}
		if nets[p.NetworkID], err = need(a.tx.GetNetwork, p.NetworkID); err != nil {
			return err
		}
		for _, ip := range p.FixedIPs {
			if subnets[ip.SubnetID], err = need(a.tx.GetSubnet, ip.SubnetID); err != nil {
				return err
			}
		}
		if p.DeviceOwner == routerInterfaceOwner {
			r, err := get(a.tx.GetRouter, p.DeviceID)
			if err != nil {
				return err
			}
			if r != nil {
				routers[r.ID] = r
			}
		}
	}
	if err := a.ports(have, ports, nets, subnets); err != nil {
		return err
	}
	return a.routerPorts(ports, routers)
}

// dropNetwork deletes a network Neutron deleted, its ports and subnets
// first (Neutron deleted them with it, or before).
func (a *applier) dropNetwork(id string) error {
	q := store.Query{Filters: map[string][]any{"network_id": {id}}}
	ports, err := a.tx.ListPorts(q)
	if err != nil {
		return err
	}
	if err := deleteGone(a, driver.Port, ports, map[string]*store.Port{}, a.tx.DeletePort); err != nil {
		return err
	}
	subnets, err := a.tx.ListSubnets(q)
	if err != nil {
		return err
	}
	if err := deleteGone(a, driver.Subnet, subnets, map[string]*store.Subnet{}, a.tx.DeleteSubnet); err != nil {
		return err
	}
	return drop(a, driver.Network, a.tx.GetNetwork, a.tx.DeleteNetwork, id)
}

// drop deletes one object, if the mirror has it.
func drop[T identified](a *applier, kind driver.Kind, getFn func(string) (T, error), del func(string) error, id string) error {
	o, err := get(getFn, id)
	if err != nil || o == nil {
		return err
	}
	return deleteGone(a, kind, []T{o}, map[string]T{}, del)
}

// get reads one object of the mirror; nil when it has none.
func get[T identified](getFn func(string) (T, error), id string) (T, error) {
	o, err := getFn(id)
	if errors.Is(err, store.ErrNotFound) {
		var zero T
		return zero, nil
	}
	return o, err
}

// need reads an object another one points at: when the mirror lacks it,
// only a full read can write the pointing one.
func need[T identified](getFn func(string) (T, error), id string) (T, error) {
	o, err := get(getFn, id)
	if err == nil && o == nil {
		err = fmt.Errorf("%w: %s is not in the mirror", errNeedFull, id)
	}
	return o, err
}
