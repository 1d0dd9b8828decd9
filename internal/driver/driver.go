// Package driver is the service-driver seam of bgpvpn-server: what an
// association means for the network is decided by the configured driver.
//
// A driver's lifecycle: registered by name from an init function (a
// duplicate name panics), built by New from its config section, then called
// for every change: Precommit inside the API transaction (an error aborts
// the transaction and reaches the client), Postcommit after the commit (an
// error is logged, never rolled back). Features declares what the driver
// can do, so that an unsupported request is refused before any hook runs.
package driver

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"sort"
	"sync"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Op is what happened.
type Op string

// The operations.
const (
	Create Op = "create"
	Update Op = "update"
	Delete Op = "delete"
)

// Kind is what it happened to.
type Kind string

// The resources a driver hears about.
const (
	BGPVPN             Kind = "bgpvpn"
	NetworkAssociation Kind = "network_association"
	RouterAssociation  Kind = "router_association"
	PortAssociation    Kind = "port_association"

	// The core network model: drivers that program the network hear of
	// changes to what associations point at, as the original's drivers
	// subscribe to Neutron's callbacks. A router interface is a Port event
	// (its port is created, updated or deleted).
	Network Kind = "network"
	Subnet  Kind = "subnet"
	Port    Kind = "port"
	Router  Kind = "router"
)

// Event describes one change. Old is nil on create, New nil on delete.
// Both are *store.BGPVPN, *store.NetworkAssociation, *store.RouterAssociation,
// *store.PortAssociation, *store.Network, *store.Subnet, *store.Port or
// *store.Router according to Kind. BGPVPN is the VPN concerned (for
// associations, their parent; nil for the core network model).
type Event struct {
	Op       Op
	Kind     Kind
	Old, New any
	BGPVPN   *store.BGPVPN
}

// Features declares what a driver supports.
type Features struct {
	Types                []string // "l3", "l2"
	RouteDistinguishers  bool
	VNI                  bool
	LocalPref            bool
	NetworkAssociations  bool
	RouterAssociations   bool
	PortAssociations     bool
	AdvertiseExtraRoutes bool // acted upon, not just stored
	ExternalNetworks     bool // network associations of router:external networks
	// Techniques lists, per type, the techniques the driver implements
	// (GET /bgpvpn/techniques); a BGPVPN without one gets the driver's
	// default.
	Techniques map[string][]string
	// AutoAggregate: the driver acts on auto_aggregate (l3).
	AutoAggregate bool
}

// SupportsTechnique reports whether technique is listed for typ.
func (f Features) SupportsTechnique(typ, technique string) bool {
	for _, t := range f.Techniques[typ] {
		if t == technique {
			return true
		}
	}
	return false
}

// SupportsType reports whether typ is in f.Types.
func (f Features) SupportsType(typ string) bool {
	for _, t := range f.Types {
		if t == typ {
			return true
		}
	}
	return false
}

// Driver is a service driver.
type Driver interface {
	Name() string
	Features() Features
	Precommit(ctx context.Context, tx store.Tx, ev Event) error
	Postcommit(ctx context.Context, ev Event) error
	Close() error
}

// StatusReader is implemented by drivers that can tell whether an
// association is realised. The API shows what it returns as the read-only
// status and status_reason attributes of associations.
type StatusReader interface {
	// AssociationStatus returns the status of assoc (a
	// *store.NetworkAssociation, *store.RouterAssociation or
	// *store.PortAssociation): ACTIVE, DOWN, BUILD or ERROR, with a reason.
	AssociationStatus(tx store.Tx, kind Kind, assoc any) (status, reason string, err error)
}

// HTTPHandler is implemented by drivers that serve HTTP endpoints of
// their own (the bagpipe driver's agent feed), mounted under PathPrefix.
type HTTPHandler interface {
	PathPrefix() string
	http.Handler
}

// Options are what New passes to a factory.
type Options struct {
	// Name is the provider name from service_provider (e.g. "Dummy").
	Name   string
	Logger *slog.Logger
	Store  store.Store
	// Config reads an option of the driver's own section, "" if unset.
	Config func(section, name string) string
}

// Factory builds a driver.
type Factory func(Options) (Driver, error)

var (
	mu        sync.Mutex
	factories = map[string]Factory{}
)

// Register makes a driver available by name; it panics on a duplicate.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := factories[name]; dup {
		panic("driver: duplicate registration of " + name)
	}
	factories[name] = f
}

// New builds the driver registered under name.
func New(name string, opts Options) (Driver, error) {
	mu.Lock()
	f, ok := factories[name]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown service driver %q (known: %v)", name, Names())
	}
	return f(opts)
}

// Names lists the registered drivers.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, 0, len(factories))
	for n := range factories {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
