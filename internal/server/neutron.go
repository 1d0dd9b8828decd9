package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/bgpvpn"
	"github.com/bgpvpn/bgpvpn/internal/config"
	"github.com/bgpvpn/bgpvpn/internal/neutron/front"
	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
	"github.com/bgpvpn/bgpvpn/internal/neutron/notify"
	"github.com/bgpvpn/bgpvpn/internal/neutron/source"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// neutronOpts are the [neutron] options, in the names of Nova's [neutron]
// section (keystoneauth's), and the message bus in oslo.messaging's.
func neutronOpts() []config.Opt {
	n := func(name string, typ config.Type, def, help string) config.Opt {
		return config.Opt{Section: "neutron", Name: name, Type: typ, Default: def, Help: help}
	}
	pw := n("password", config.String, "", "Password of username.")
	pw.Secret = true
	bus := config.Opt{Section: "DEFAULT", Name: "transport_url", Type: config.String, Secret: true,
		Help: "Neutron's message bus, as oslo.messaging names it (rabbit://user:password@host:5672/vhost), where Neutron sends its notifications ([oslo_messaging_notifications] driver = messagingv2 on Neutron's side). Each one makes the mirror read Neutron again at once; without it, only resync_interval does."}
	exchange := config.Opt{Section: "DEFAULT", Name: "control_exchange", Type: config.String, Default: "neutron",
		Help: "Exchange of Neutron's notifications on the bus (Neutron's control_exchange)."}
	topics := config.Opt{Section: "oslo_messaging_notifications", Name: "topics", Type: config.String, Default: "notifications",
		Help: "Topic of Neutron's notifications (the first of Neutron's [oslo_messaging_notifications] topics)."}
	return []config.Opt{
		n("auth_type", config.String, "", "Setting it runs bgpvpn-server in Neutron mode: Neutron owns networks, subnets, ports and routers, bgpvpn-server mirrors them, serves /v2.0/bgpvpn/ and passes every other request to Neutron. password (or v3password) authenticates at auth_url; none talks to a noauth Neutron at endpoint_override."),
		n("auth_url", config.String, "", "Keystone's URL (auth_type = password)."),
		n("username", config.String, "", "User that reads Neutron's networks, subnets, ports and routers (an admin, to see every project's)."),
		pw,
		n("project_name", config.String, "", "Project of username's token."),
		n("user_domain_name", config.String, "Default", "Domain of username."),
		n("project_domain_name", config.String, "Default", "Domain of project_name."),
		n("region_name", config.String, "", "Region of Neutron's endpoint in the catalog."),
		n("valid_interfaces", config.List, "internal,public", "Catalog interfaces to try for Neutron's endpoint, in order."),
		n("endpoint_override", config.String, "", "Neutron's own URL (e.g. http://neutron:9696), instead of the catalog's. Needed when the catalog's network endpoint is this server."),
		n("resync_interval", config.Float, "60", "Seconds between two full reads of Neutron, which correct whatever the mirror missed."),
		bus, exchange, topics,
	}
}

// neutronMode reports whether [neutron] is configured.
func neutronMode(v *config.Values) bool { return v.String("neutron", "auth_type") != "" }

// neutronFront sets up Neutron mode around api: the mirror of Neutron's
// core model, running until the returned stop is called, and the front
// that serves api's BGPVPN paths and proxies the rest to Neutron.
func neutronFront(ctx context.Context, v *config.Values, log *slog.Logger, st store.Store, svc *bgpvpn.Service,
	api http.Handler) (http.Handler, func() error, error) {
	interval := time.Duration(v.Float("neutron", "resync_interval") * float64(time.Second))
	if interval <= 0 {
		return nil, nil, fmt.Errorf("[neutron] resync_interval = %v: want a positive number of seconds", v.Float("neutron", "resync_interval"))
	}
	hc := &http.Client{Timeout: 60 * time.Second}
	sc, err := source.Client(ctx, source.Auth{
		AuthType: v.String("neutron", "auth_type"), AuthURL: v.String("neutron", "auth_url"),
		Username: v.String("neutron", "username"), Password: v.String("neutron", "password"),
		ProjectName: v.String("neutron", "project_name"), UserDomainName: v.String("neutron", "user_domain_name"),
		ProjectDomainName: v.String("neutron", "project_domain_name"), RegionName: v.String("neutron", "region_name"),
		ValidInterfaces: v.List("neutron", "valid_interfaces"), EndpointOverride: v.String("neutron", "endpoint_override"),
	}, hc)
	if err != nil {
		return nil, nil, err
	}
	base, err := url.Parse(strings.TrimSuffix(sc.ResourceBase, "v2.0/"))
	if err != nil {
		return nil, nil, fmt.Errorf("neutron's endpoint %q: %w", sc.ResourceBase, err)
	}
	var consumer *notify.Consumer
	if bus := v.String("DEFAULT", "transport_url"); bus != "" {
		if _, err := notify.AMQPURL(bus); err != nil {
			return nil, nil, err
		}
		consumer = &notify.Consumer{URL: bus, Exchange: v.String("DEFAULT", "control_exchange"),
			Topic: v.String("oslo_messaging_notifications", "topics"), Log: log.With("component", "neutron_notifications")}
	}
	m := mirror.New(st, svc, &source.Source{Client: sc}, log.With("component", "neutron_mirror"))
	f := front.New(api, base, &http.Client{}, log.With("component", "neutron_front"))
	f.InterfaceAllowed = func(ctx context.Context, routerID, subnetID, portID string) error {
		return st.View(ctx, func(tx store.Tx) error {
			networkID, err := interfaceNetwork(tx, subnetID, portID)
			if err != nil || networkID == "" {
				return err
			}
			return svc.RouterInterfaceAllowed(tx, routerID, networkID)
		})
	}
	f.Resolve = func(ctx context.Context, kind, id string) { resolve(ctx, st, m, kind, id) }
	runCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	var wg sync.WaitGroup
	// Each notification queues what it names; the mirror reads those
	// objects alone, what queued while it reads in one more read.
	if consumer != nil {
		wg.Go(func() { consumer.Run(runCtx, m.Notify) })
	}
	wg.Go(func() { m.Run(runCtx, interval, nil) })
	stop := func() error { cancel(); wg.Wait(); return nil }
	log.Info("neutron mode", "neutron", base.String(), "resync_interval", interval.Seconds())
	// The mirror's age and reads, for the operator's monitoring (Neutron
	// serves no /metrics, so nothing of Neutron's is hidden). No ServeMux:
	// it would clean (redirect) paths the front must pass on unchanged.
	metrics := m.Metrics()
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r)
			return
		}
		f.ServeHTTP(w, r)
	})
	return h, stop, nil
}

// interfaceNetwork is the network of the subnet or port of an interface
// request, "" when the mirror does not know it (Neutron answers then).
func interfaceNetwork(tx store.Tx, subnetID, portID string) (string, error) {
	if subnetID != "" {
		s, err := tx.GetSubnet(subnetID)
		if errors.Is(err, store.ErrNotFound) {
			return "", nil
		}
		if err != nil {
			return "", err
		}
		return s.NetworkID, nil
	}
	p, err := tx.GetPort(portID)
	if errors.Is(err, store.ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return p.NetworkID, nil
}

// resolveWait bounds how long an association waits for the mirror to read
// the object it names: one read of Neutron, which a loaded Neutron may
// take seconds to answer (its port reads took over 10 s at load 30 here).
const resolveWait = 30 * time.Second

// resolve has the mirror read the network, router or port an association
// names when it does not have it yet: Neutron may have made it a moment
// ago, before its notification or the next full read (Heat associates a
// router as soon as Neutron created it). What Neutron does not have either
// stays missing, and the association is refused as for any missing object.
func resolve(ctx context.Context, st store.Store, m *mirror.Mirror, kind, id string) {
	err := st.View(ctx, func(tx store.Tx) error {
		var err error
		switch kind {
		case "network":
			_, err = tx.GetNetwork(id)
		case "router":
			_, err = tx.GetRouter(id)
		case "port":
			_, err = tx.GetPort(id)
		}
		return err
	})
	if !errors.Is(err, store.ErrNotFound) {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, resolveWait)
	defer cancel()
	m.Await(ctx, []mirror.Ref{{Kind: mirror.Kind(kind), ID: id, Interfaces: kind == "router"}})
}
