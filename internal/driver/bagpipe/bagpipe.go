// Package bagpipe is the service driver that makes associations real: it
// turns the database into per-host attachments (feed/compute) and publishes
// them on the agent feed (feed/hub) that every compute node's bgpvpn-agent
// watches, in place of networking-bgpvpn's bagpipe driver and its RPCs to
// the networking-bagpipe agent extension.
//
// Precommit records, in the API's transaction, which hosts a change
// touches (a new feed revision for them); Postcommit wakes the feed. Unlike
// the original it honours route distinguishers and advertise_extra_routes,
// and tells whether each association is realised.
package bagpipe

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/feed/hub"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

func init() { driver.Register("bagpipe", New) }

// Driver is the bagpipe driver.
type Driver struct {
	name string
	hub  *hub.Hub
}

var (
	_ driver.Driver       = (*Driver)(nil)
	_ driver.StatusReader = (*Driver)(nil)
	_ driver.HTTPHandler  = (*Driver)(nil)
)

// New builds the driver and starts its feed. It reads [agent_feed]
// shared_secret, heartbeat_interval, poll_interval and agent_down_time
// (seconds).
func New(o driver.Options) (driver.Driver, error) {
	conf := func(name string) string {
		if o.Config == nil {
			return ""
		}
		return o.Config("agent_feed", name)
	}
	heartbeat, err := seconds("heartbeat_interval", conf("heartbeat_interval"))
	if err != nil {
		return nil, err
	}
	poll, err := seconds("poll_interval", conf("poll_interval"))
	if err != nil {
		return nil, err
	}
	downTime, err := seconds("agent_down_time", conf("agent_down_time"))
	if err != nil {
		return nil, err
	}
	secret := conf("shared_secret")
	if secret == "" && o.Logger != nil {
		o.Logger.Warn("[agent_feed] shared_secret is not set: agents cannot watch the feed")
	}
	h := hub.New(hub.Options{Store: o.Store, Logger: o.Logger, Secret: secret, Heartbeat: heartbeat, Poll: poll,
		DownTime: downTime})
	return &Driver{name: o.Name, hub: h}, nil
}

func seconds(name, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f <= 0 {
		return 0, fmt.Errorf("[agent_feed] %s = %q: want a positive number of seconds", name, s)
	}
	return time.Duration(f * float64(time.Second)), nil
}

// Name is the provider name.
func (d *Driver) Name() string {
	if d.name == "" {
		return "bagpipe"
	}
	return d.name
}

// Features: everything but external networks, as the original, plus RDs
// and extra routes, which the original refuses or ignores.
func (d *Driver) Features() driver.Features {
	return driver.Features{
		Types: []string{"l3", "l2"}, RouteDistinguishers: true, VNI: true, LocalPref: true,
		NetworkAssociations: true, RouterAssociations: true, PortAssociations: true,
		AdvertiseExtraRoutes: true, ExternalNetworks: false,
		// evpn-prefix: the agents advertise EVPN type 5 routes instead of
		// VPNv4/VPNv6 ones.
		Techniques: map[string][]string{"l3": {"ipvpn", "evpn-prefix"}, "l2": {"evpn"}},
		// auto_aggregate: subnet aggregates toward the BGPVPN's RTs, host
		// routes between the agents only (feed.AggregateHostRT).
		AutoAggregate: true,
	}
}

// Precommit gives every host the change can touch a new feed revision, in
// the change's own transaction.
func (d *Driver) Precommit(_ context.Context, tx store.Tx, ev driver.Event) error {
	sc, err := scope(tx, ev)
	if err != nil {
		return fmt.Errorf("finding the hosts %s %s touches: %w", ev.Op, ev.Kind, err)
	}
	hosts, err := compute.Hosts(tx, sc)
	if err != nil {
		return fmt.Errorf("finding the hosts %s %s touches: %w", ev.Op, ev.Kind, err)
	}
	_, err = tx.TouchHosts(hosts)
	return err
}

// Postcommit wakes the feed of this replica; others notice by polling.
func (d *Driver) Postcommit(context.Context, driver.Event) error {
	d.hub.Wake()
	return nil
}

// PathPrefix is where the agent feed is served.
func (d *Driver) PathPrefix() string { return feed.PathPrefix }

// ServeHTTP serves the agent feed.
func (d *Driver) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.hub.ServeHTTP(w, r) }

// Hub is the driver's feed (tests and benchmarks watch it).
func (d *Driver) Hub() *hub.Hub { return d.hub }

// Close ends the feed's streams.
func (d *Driver) Close() error { return d.hub.Close() }

// scope is what one event can touch.
func scope(tx store.Tx, ev driver.Event) (compute.Scope, error) {
	var sc compute.Scope
	objs := []any{ev.Old, ev.New}
	switch ev.Kind {
	case driver.BGPVPN:
		if ev.Op == driver.Create {
			return sc, nil // nothing is associated yet
		}
		return compute.BGPVPNScope(tx, ev.BGPVPN.ID)
	case driver.NetworkAssociation:
		for _, o := range objs {
			if a, ok := o.(*store.NetworkAssociation); ok {
				sc.Add(compute.NetworkAssociationScope(a))
			}
		}
	case driver.RouterAssociation:
		for _, o := range objs {
			if a, ok := o.(*store.RouterAssociation); ok {
				s, err := compute.RouterAssociationScope(tx, a)
				if err != nil {
					return sc, err
				}
				sc.Add(s)
			}
		}
	case driver.PortAssociation:
		for _, o := range objs {
			if a, ok := o.(*store.PortAssociation); ok {
				s, err := compute.PortAssociationScope(tx, a)
				if err != nil {
					return sc, err
				}
				sc.Add(s)
			}
		}
	case driver.Network:
		if n, ok := ev.Old.(*store.Network); ok {
			sc.Networks = append(sc.Networks, n.ID)
		}
	case driver.Subnet:
		for _, o := range objs {
			if s, ok := o.(*store.Subnet); ok {
				sc.Networks = append(sc.Networks, s.NetworkID)
			}
		}
	case driver.Port:
		for _, o := range objs {
			p, ok := o.(*store.Port)
			if !ok {
				continue
			}
			sc.Hosts = append(sc.Hosts, p.HostID)
			// A router interface brings its router's associations and the
			// gateway MAC to every port of its network.
			if strings.HasPrefix(p.DeviceOwner, "network:") {
				sc.Networks = append(sc.Networks, p.NetworkID)
			}
		}
	case driver.Router:
		for _, o := range objs {
			if r, ok := o.(*store.Router); ok {
				nets, err := compute.RouterNetworks(tx, r.ID)
				if err != nil {
					return sc, err
				}
				sc.Networks = append(sc.Networks, nets...)
			}
		}
	}
	return sc, nil
}
