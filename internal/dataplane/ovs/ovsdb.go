package ovs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/go-logr/logr"
	"github.com/ovn-org/libovsdb/client"
	"github.com/ovn-org/libovsdb/model"
	"github.com/ovn-org/libovsdb/ovsdb"
)

// The rows of the Open_vSwitch database we read and write (the columns we
// use; libovsdb maps the rest away).
type ovsRoot struct {
	UUID    string   `ovsdb:"_uuid"`
	Bridges []string `ovsdb:"bridges"`
}

type ovsBridge struct {
	UUID         string            `ovsdb:"_uuid"`
	Name         string            `ovsdb:"name"`
	DatapathType string            `ovsdb:"datapath_type"`
	FailMode     *string           `ovsdb:"fail_mode"`
	Protocols    []string          `ovsdb:"protocols"`
	Ports        []string          `ovsdb:"ports"`
	ExternalIDs  map[string]string `ovsdb:"external_ids"`
}

type ovsPort struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Interfaces  []string          `ovsdb:"interfaces"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

type ovsInterface struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Type        string            `ovsdb:"type"`
	Options     map[string]string `ovsdb:"options"`
	OFPort      *int              `ovsdb:"ofport"`
	Error       *string           `ovsdb:"error"`
	MACInUse    *string           `ovsdb:"mac_in_use"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// ownerKey marks the ports this driver plugged (and may unplug).
const (
	ownerKey   = "bgpvpn-owner"
	ownerValue = "bgpvpn-agent"
)

// ovsDB is the driver's OVSDB session.
type ovsDB struct {
	c      client.Client
	bridge string
}

func dialOVSDB(ctx context.Context, endpoint, bridge string, log *slog.Logger) (*ovsDB, error) {
	m, err := model.NewClientDBModel("Open_vSwitch", map[string]model.Model{
		"Open_vSwitch": &ovsRoot{}, "Bridge": &ovsBridge{}, "Port": &ovsPort{}, "Interface": &ovsInterface{},
	})
	if err != nil {
		return nil, err
	}
	l := logr.FromSlogHandler(log.Handler())
	// Reconnecting: when ovsdb-server restarts, transactions wait for
	// the new session and the monitor (our cache) starts again.
	bo := backoff.NewExponentialBackOff()
	bo.InitialInterval, bo.MaxInterval, bo.MaxElapsedTime = 50*time.Millisecond, time.Second, 0
	c, err := client.NewOVSDBClient(m, client.WithEndpoint(endpoint), client.WithLogger(&l), client.WithReconnect(10*time.Second, bo))
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("connecting to OVSDB %s: %w", endpoint, err)
	}
	// Only the columns we model: an update with others would not reach
	// the cache (libovsdb drops it), and ofport would never show.
	root, br, port, ifc := &ovsRoot{}, &ovsBridge{}, &ovsPort{}, &ovsInterface{}
	mon := c.NewMonitor(
		client.WithTable(root, &root.Bridges),
		client.WithTable(br, &br.Name, &br.DatapathType, &br.FailMode, &br.Protocols, &br.Ports, &br.ExternalIDs),
		client.WithTable(port, &port.Name, &port.Interfaces, &port.ExternalIDs),
		client.WithTable(ifc, &ifc.Name, &ifc.Type, &ifc.Options, &ifc.OFPort, &ifc.Error, &ifc.MACInUse, &ifc.ExternalIDs),
	)
	if _, err := c.Monitor(ctx, mon); err != nil {
		c.Close()
		return nil, fmt.Errorf("monitoring OVSDB %s: %w", endpoint, err)
	}
	return &ovsDB{c: c, bridge: bridge}, nil
}

func (db *ovsDB) Close() { db.c.Close() }

func (db *ovsDB) transact(ctx context.Context, what string, ops ...ovsdb.Operation) error {
	res, err := db.c.Transact(ctx, ops...)
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if _, err := ovsdb.CheckOperationResults(res, ops); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	return nil
}

func (db *ovsDB) findBridge(ctx context.Context) (*ovsBridge, error) {
	var bs []ovsBridge
	if err := db.c.WhereCache(func(b *ovsBridge) bool { return b.Name == db.bridge }).List(ctx, &bs); err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, nil
	}
	return &bs[0], nil
}

// ensureBridge creates the bridge when missing (fail mode secure: nothing
// forwards but our flows), with datapathType; an existing bridge keeps its
// settings, except that OpenFlow 1.5 is added to a protocols list that
// lacks it.
func (db *ovsDB) ensureBridge(ctx context.Context, datapathType string, log *slog.Logger) error {
	b, err := db.findBridge(ctx)
	if err != nil {
		return err
	}
	if b != nil {
		if len(b.Protocols) == 0 || slices.Contains(b.Protocols, "OpenFlow15") {
			return nil
		}
		protos := append(slices.Clone(b.Protocols), "OpenFlow15")
		b.Protocols = protos
		ops, err := db.c.Where(b).Update(b, &b.Protocols)
		if err != nil {
			return err
		}
		return db.transact(ctx, "adding OpenFlow15 to the protocols of "+db.bridge, ops...)
	}
	secure := "secure"
	iface := &ovsInterface{UUID: "newiface", Name: db.bridge, Type: "internal"}
	port := &ovsPort{UUID: "newport", Name: db.bridge, Interfaces: []string{iface.UUID}}
	br := &ovsBridge{UUID: "newbridge", Name: db.bridge, DatapathType: datapathType, FailMode: &secure,
		Protocols: []string{"OpenFlow13", "OpenFlow14", "OpenFlow15"}, Ports: []string{port.UUID}, ExternalIDs: map[string]string{ownerKey: ownerValue}}
	ops, err := db.c.Create(iface, port, br)
	if err != nil {
		return err
	}
	var roots []ovsRoot
	if err := db.c.List(ctx, &roots); err != nil || len(roots) != 1 {
		return fmt.Errorf("reading the Open_vSwitch table: %d rows, %v", len(roots), err)
	}
	root := &roots[0]
	mut, err := db.c.Where(root).Mutate(root, model.Mutation{Field: &root.Bridges, Mutator: ovsdb.MutateOperationInsert, Value: []string{br.UUID}})
	if err != nil {
		return err
	}
	if err := db.transact(ctx, "creating bridge "+db.bridge, append(ops, mut...)...); err != nil {
		return err
	}
	log.Info("bridge created", "bridge", db.bridge, "datapath_type", datapathType)
	return nil
}

// portSpec is a port of the bridge the driver needs: a tunnel port (type
// and options) or a VM's interface (type "").
type portSpec struct {
	Name    string
	Type    string
	Options map[string]string
}

// ensurePorts puts every spec on the bridge: a missing interface is
// plugged (marked ours), one of ours with other options is updated, one
// on another bridge is an error. It returns the specs it could not place.
func (db *ovsDB) ensurePorts(ctx context.Context, specs []portSpec) map[string]error {
	bad := map[string]error{}
	b, err := db.findBridge(ctx)
	if err != nil || b == nil {
		for _, s := range specs {
			bad[s.Name] = fmt.Errorf("bridge %s missing: %v", db.bridge, err)
		}
		return bad
	}
	var ops []ovsdb.Operation
	var added []string
	for i, s := range specs {
		ifc, port, err := db.lookup(ctx, s.Name)
		if err != nil {
			bad[s.Name] = err
			continue
		}
		if port != nil && !slices.Contains(b.Ports, port.UUID) {
			bad[s.Name] = fmt.Errorf("port %s is on another bridge than %s", s.Name, db.bridge)
			continue
		}
		if ifc != nil {
			if port == nil || port.ExternalIDs[ownerKey] != ownerValue || (ifc.Type == s.Type && mapsEqual(ifc.Options, s.Options)) {
				continue // not ours to change, or as wanted
			}
			ifc.Type, ifc.Options = s.Type, s.Options
			up, err := db.c.Where(ifc).Update(ifc, &ifc.Type, &ifc.Options)
			if err != nil {
				bad[s.Name] = err
				continue
			}
			ops = append(ops, up...)
			continue
		}
		ni := &ovsInterface{UUID: fmt.Sprintf("iface%d", i), Name: s.Name, Type: s.Type, Options: s.Options}
		np := &ovsPort{UUID: fmt.Sprintf("port%d", i), Name: s.Name, Interfaces: []string{ni.UUID}, ExternalIDs: map[string]string{ownerKey: ownerValue}}
		c, err := db.c.Create(ni, np)
		if err != nil {
			bad[s.Name] = err
			continue
		}
		ops = append(ops, c...)
		added = append(added, np.UUID)
	}
	if len(added) > 0 {
		mut, err := db.c.Where(b).Mutate(b, model.Mutation{Field: &b.Ports, Mutator: ovsdb.MutateOperationInsert, Value: added})
		if err != nil {
			for _, s := range specs {
				bad[s.Name] = err
			}
			return bad
		}
		ops = append(ops, mut...)
	}
	if len(ops) > 0 {
		if err := db.transact(ctx, "plugging ports into "+db.bridge, ops...); err != nil {
			for _, s := range specs {
				if bad[s.Name] == nil {
					bad[s.Name] = err
				}
			}
		}
	}
	return bad
}

// lookup finds the interface and port named name.
func (db *ovsDB) lookup(ctx context.Context, name string) (*ovsInterface, *ovsPort, error) {
	var ifs []ovsInterface
	if err := db.c.WhereCache(func(i *ovsInterface) bool { return i.Name == name }).List(ctx, &ifs); err != nil {
		return nil, nil, err
	}
	var ps []ovsPort
	if err := db.c.WhereCache(func(p *ovsPort) bool { return p.Name == name }).List(ctx, &ps); err != nil {
		return nil, nil, err
	}
	var ifc *ovsInterface
	var port *ovsPort
	if len(ifs) > 0 {
		ifc = &ifs[0]
	}
	if len(ps) > 0 {
		port = &ps[0]
	}
	return ifc, port, nil
}

// ofports waits (until ctx ends, or five seconds and 20 ms a port pass:
// ovs-vswitchd took more than 5 s to number 1,000 new ports in the lab)
// for ovs-vswitchd to give each named interface its OpenFlow port, and
// returns those it has.
func (db *ovsDB) ofports(ctx context.Context, names []string) map[string]uint32 {
	deadline := time.Now().Add(5*time.Second + time.Duration(len(names))*20*time.Millisecond)
	for {
		out := db.currentOFPorts(ctx, names)
		if len(out) == len(names) || time.Now().After(deadline) || ctx.Err() != nil {
			return out
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// currentOFPorts returns the OpenFlow ports that OVSDB shows now for the
// named interfaces (those without one are left out).
func (db *ovsDB) currentOFPorts(ctx context.Context, names []string) map[string]uint32 {
	out := map[string]uint32{}
	var ifs []ovsInterface
	_ = db.c.WhereCache(func(i *ovsInterface) bool { return slices.Contains(names, i.Name) }).List(ctx, &ifs)
	for _, i := range ifs {
		if i.OFPort != nil && *i.OFPort > 0 {
			out[i.Name] = uint32(*i.OFPort)
		}
	}
	return out
}

// macInUse is the MAC address of interface name, "" when OVSDB has none.
func (db *ovsDB) macInUse(ctx context.Context, name string) string {
	ifc, _, err := db.lookup(ctx, name)
	if err != nil || ifc == nil || ifc.MACInUse == nil {
		return ""
	}
	return *ifc.MACInUse
}

// interfaceError is what OVSDB says is wrong with interface name.
func (db *ovsDB) interfaceError(ctx context.Context, name string) string {
	ifc, _, err := db.lookup(ctx, name)
	switch {
	case err != nil:
		return err.Error()
	case ifc == nil:
		return "no such interface"
	case ifc.Error != nil:
		return *ifc.Error
	}
	return "not yet"
}

// ownedPorts lists the ports of the bridge that we plugged.
func (db *ovsDB) ownedPorts(ctx context.Context) ([]ovsPort, error) {
	b, err := db.findBridge(ctx)
	if err != nil || b == nil {
		return nil, err
	}
	var ps []ovsPort
	err = db.c.WhereCache(func(p *ovsPort) bool {
		return p.ExternalIDs[ownerKey] == ownerValue && slices.Contains(b.Ports, p.UUID)
	}).List(ctx, &ps)
	return ps, err
}

// unplug removes our ports from the bridge (OVSDB then drops their rows).
func (db *ovsDB) unplug(ctx context.Context, ports []ovsPort) error {
	if len(ports) == 0 {
		return nil
	}
	b, err := db.findBridge(ctx)
	if err != nil || b == nil {
		return errors.Join(err, fmt.Errorf("bridge %s missing", db.bridge))
	}
	var ids []string
	for _, p := range ports {
		ids = append(ids, p.UUID)
	}
	mut, err := db.c.Where(b).Mutate(b, model.Mutation{Field: &b.Ports, Mutator: ovsdb.MutateOperationDelete, Value: ids})
	if err != nil {
		return err
	}
	return db.transact(ctx, "unplugging ports from "+db.bridge, mut...)
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
