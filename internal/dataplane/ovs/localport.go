package ovs

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"github.com/ovn-org/libovsdb/client"
	"github.com/ovn-org/libovsdb/model"
)

// The integration bridge's rows as neutron-openvswitch-agent leaves them:
// the VM's Interface carries external_ids:iface-id (the Neutron port) and
// its ofport, the Port its local VLAN (tag, and other_config net_uuid and
// tag, written once the agent has wired the port). A separate model from
// the driver's own session: these columns are read only, and only here.
type intBridge struct {
	UUID      string   `ovsdb:"_uuid"`
	Name      string   `ovsdb:"name"`
	Protocols []string `ovsdb:"protocols"`
	Ports     []string `ovsdb:"ports"`
}

type intPort struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Tag         *int              `ovsdb:"tag"`
	OtherConfig map[string]string `ovsdb:"other_config"`
	Interfaces  []string          `ovsdb:"interfaces"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

type intInterface struct {
	UUID        string            `ovsdb:"_uuid"`
	Name        string            `ovsdb:"name"`
	Type        string            `ovsdb:"type"`
	Options     map[string]string `ovsdb:"options"`
	OFPort      *int              `ovsdb:"ofport"`
	ExternalIDs map[string]string `ovsdb:"external_ids"`
}

// vmPortInfo is where a VM's interface is on the integration bridge.
type vmPortInfo struct {
	OFPort uint32
	// VLAN is the OVS agent's local VLAN of the port's network; 0 until
	// the agent has wired the port.
	VLAN uint16
}

// portFinder reads the integration bridge's VM ports from OVSDB, and
// plugs our patch ports into it (brint.go).
type portFinder struct {
	c      client.Client
	bridge string
}

func dialPortFinder(ctx context.Context, endpoint, bridge string, log *slog.Logger) (*portFinder, error) {
	m, err := model.NewClientDBModel("Open_vSwitch", map[string]model.Model{
		"Bridge": &intBridge{}, "Port": &intPort{}, "Interface": &intInterface{},
	})
	if err != nil {
		return nil, err
	}
	l := logr.FromSlogHandler(log.Handler())
	c, err := client.NewOVSDBClient(m, client.WithEndpoint(endpoint), client.WithLogger(&l))
	if err != nil {
		return nil, err
	}
	if err := c.Connect(ctx); err != nil {
		return nil, fmt.Errorf("connecting to OVSDB %s: %w", endpoint, err)
	}
	br, port, ifc := &intBridge{}, &intPort{}, &intInterface{}
	mon := c.NewMonitor(
		client.WithTable(br, &br.Name, &br.Protocols, &br.Ports),
		client.WithTable(port, &port.Name, &port.Tag, &port.OtherConfig, &port.Interfaces, &port.ExternalIDs),
		client.WithTable(ifc, &ifc.Name, &ifc.Type, &ifc.Options, &ifc.OFPort, &ifc.ExternalIDs),
	)
	if _, err := c.Monitor(ctx, mon); err != nil {
		c.Close()
		return nil, fmt.Errorf("monitoring OVSDB %s: %w", endpoint, err)
	}
	return &portFinder{c: c, bridge: bridge}, nil
}

func (f *portFinder) Close() { f.c.Close() }

// findBridge returns the integration bridge, nil when it does not exist.
func (f *portFinder) findBridge(ctx context.Context) (*intBridge, error) {
	var bs []intBridge
	if err := f.c.WhereCache(func(b *intBridge) bool { return b.Name == f.bridge }).List(ctx, &bs); err != nil {
		return nil, err
	}
	if len(bs) == 0 {
		return nil, nil
	}
	return &bs[0], nil
}

// find looks up the VM interface linuxIf on the integration bridge.
func (f *portFinder) find(ctx context.Context, linuxIf string) (vmPortInfo, bool, error) {
	br, err := f.findBridge(ctx)
	if err != nil || br == nil {
		return vmPortInfo{}, false, err
	}
	var ports []intPort
	if err := f.c.List(ctx, &ports); err != nil {
		return vmPortInfo{}, false, err
	}
	var ifs []intInterface
	if err := f.c.List(ctx, &ifs); err != nil {
		return vmPortInfo{}, false, err
	}
	info, ok := findVMPort(*br, ports, ifs, linuxIf)
	return info, ok, nil
}

// findVMPort finds linuxIf among the ports of bridge br: the interface of
// that name (Nova's tap<port id>), or one whose iface-id begins with the
// port ID part of it (a name os-vif chose otherwise). Only a port of br
// counts: an interface of the same name elsewhere is not the VM's.
func findVMPort(br intBridge, ports []intPort, ifs []intInterface, linuxIf string) (vmPortInfo, bool) {
	ifByUUID := make(map[string]intInterface, len(ifs))
	for _, i := range ifs {
		ifByUUID[i.UUID] = i
	}
	onBridge := make(map[string]bool, len(br.Ports))
	for _, u := range br.Ports {
		onBridge[u] = true
	}
	idPart := portIDPart(linuxIf)
	for _, p := range ports {
		if !onBridge[p.UUID] || len(p.Interfaces) != 1 {
			continue
		}
		i, ok := ifByUUID[p.Interfaces[0]]
		if !ok {
			continue
		}
		byID := len(idPart) >= 8 && strings.HasPrefix(i.ExternalIDs["iface-id"], idPart)
		if i.Name != linuxIf && !byID {
			continue
		}
		if i.OFPort == nil || *i.OFPort <= 0 {
			return vmPortInfo{}, false
		}
		return vmPortInfo{OFPort: uint32(*i.OFPort), VLAN: localVLAN(p)}, true
	}
	return vmPortInfo{}, false
}

// portIDPart is the Neutron port ID part of an interface name: what
// follows Nova's three-letter prefix (tap, qvo) when the rest looks like
// the start of a UUID.
func portIDPart(linuxIf string) string {
	if len(linuxIf) < 4 {
		return ""
	}
	rest := linuxIf[3:]
	for _, c := range rest {
		if !strings.ContainsRune("0123456789abcdef-", c) {
			return ""
		}
	}
	return rest
}

// localVLAN is the OVS agent's local VLAN of a port: its tag, once the
// agent has also recorded it in other_config (a tag alone may be the dead
// VLAN 4095 of a port the agent has not wired, or one set by hand).
func localVLAN(p intPort) uint16 {
	if p.Tag == nil || *p.Tag <= 0 || *p.Tag >= 4095 {
		return 0
	}
	if p.OtherConfig["net_uuid"] == "" {
		return 0
	}
	if t := p.OtherConfig["tag"]; t != "" && t != fmt.Sprint(*p.Tag) {
		return 0
	}
	return uint16(*p.Tag)
}

// waitCache polls cond (the OVSDB cache, which ovs-vswitchd's updates
// reach asynchronously) every 20 ms until it holds, ctx ends or five
// seconds pass.
func waitCache(ctx context.Context, cond func() bool) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}
