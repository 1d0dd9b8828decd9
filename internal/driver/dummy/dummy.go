// Package dummy is the service driver that supports every feature and only
// stores: the database is the whole effect, as with networking-bgpvpn's
// DB-only driver.
package dummy

import (
	"context"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

func init() {
	driver.Register("dummy", func(o driver.Options) (driver.Driver, error) { return Driver{name: o.Name}, nil })
}

// Driver is the dummy driver.
type Driver struct{ name string }

var _ driver.Driver = Driver{}

// Name is the provider name.
func (d Driver) Name() string {
	if d.name == "" {
		return "dummy"
	}
	return d.name
}

// Features is everything, every technique the specification defines and
// auto_aggregate included: it only stores them.
func (Driver) Features() driver.Features {
	return driver.Features{
		Types: []string{"l3", "l2"}, RouteDistinguishers: true, VNI: true, LocalPref: true,
		NetworkAssociations: true, RouterAssociations: true, PortAssociations: true,
		AdvertiseExtraRoutes: true, ExternalNetworks: true,
		Techniques:    map[string][]string{"l3": {"ipvpn", "evpn-prefix"}, "l2": {"evpn"}},
		AutoAggregate: true,
	}
}

// Precommit accepts everything.
func (Driver) Precommit(context.Context, store.Tx, driver.Event) error { return nil }

// Postcommit does nothing.
func (Driver) Postcommit(context.Context, driver.Event) error { return nil }

// Close does nothing.
func (Driver) Close() error { return nil }
