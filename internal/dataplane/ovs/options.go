package ovs

import (
	"errors"
	"fmt"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Options configure the driver; ParseOptions reads them from the
// [DATAPLANE_DRIVER_*] section with bagpipe-bgp's option names.
type Options struct {
	// LocalAddress is our tunnel endpoint (GRE and VXLAN source, the
	// agent's next hop). IPv4, required.
	LocalAddress netip.Addr
	// Bridge is the OpenFlow bridge of the VRFs and EVIs (ovs_bridge,
	// default br-mpls); created when missing, with DatapathType
	// (ovs_datapath_type: "" for the kernel datapath, "netdev" for the
	// userspace one).
	Bridge       string
	DatapathType string
	// RunDir holds db.sock and <bridge>.mgmt (ovs_rundir, default
	// /var/run/openvswitch); OVSDB (ovsdb_connection) defaults to
	// unix:<RunDir>/db.sock.
	RunDir string
	OVSDB  string
	// MPLS leaves by the GRE port GRETunnel (RFC 4023), or, with
	// MPLSOverEthernet, as bare MPLS over Ethernet by MPLSInterface, a
	// port of the bridge toward the PEs (mpls_over_gre = false, or auto
	// with an mpls_interface that is not "*gre*", as bagpipe): the
	// PEs' MAC addresses are then learnt by ARP on that interface (table
	// TableStart+2), where the bridge also answers ARP for LocalAddress.
	GRETunnel        string
	MPLSOverEthernet bool
	MPLSInterface    string
	// VXLANEncap: IP VPN also offers VXLAN (vxlan_encap).
	VXLANEncap bool
	// ProxyARP answers every ARP request of a VM port with the router MAC
	// (proxy_arp; arp_responder only for the gateway).
	ProxyARP     bool
	ARPResponder bool
	// InputTable receives the bridge's packets; the VRF table is
	// TableStart, the MAC table TableStart+1 and the PEs' MAC addresses
	// (MPLS over Ethernet) TableStart+2.
	InputTable uint8
	TableStart uint8
	// HashMethod selects a bucket of an ECMP group (hash_method:
	// dp_hash, the OVS default, or hash).
	HashMethod string
	// VXLANPort is EVPN's UDP port (default 4789), IPVPNVXLANPort IP
	// VPN's (default 4790), as the linux driver.
	VXLANPort      int
	IPVPNVXLANPort int
	// AdoptGrace is how long after New the driver only adds (adopt_grace,
	// as the linux driver): what an earlier process left stays until the
	// agent has relearned its state, so that a restart does not cut
	// forwarding. The last state is then applied in full.
	AdoptGrace time.Duration
	// IntegrationBridge (integration_bridge, default none) is
	// neutron-openvswitch-agent's br-int, on a node where no
	// networking-bagpipe extension plugs the VMs' traffic into ours: the
	// driver then finds VM ports there and does that plumbing itself
	// (brint.go).
	IntegrationBridge string
	Logger            *slog.Logger
}

func (o *Options) fillDefaults() {
	if o.Bridge == "" {
		o.Bridge = "br-mpls"
	}
	if o.RunDir == "" {
		o.RunDir = "/var/run/openvswitch"
	}
	if o.OVSDB == "" {
		o.OVSDB = "unix:" + o.RunDir + "/db.sock"
	}
	if o.GRETunnel == "" {
		o.GRETunnel = "mpls_gre"
	}
	if o.TableStart == 0 && o.InputTable == 0 {
		o.TableStart = 1 // 0: the table after input_table
	}
	if o.HashMethod == "" {
		o.HashMethod = "dp_hash"
	}
	if o.VXLANPort == 0 {
		o.VXLANPort = 4789
	}
	if o.IPVPNVXLANPort == 0 {
		o.IPVPNVXLANPort = 4790
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
}

// ParseOptions reads local_address (or dataplane_local_address),
// ovs_bridge, ovs_datapath_type, ovs_rundir, ovsdb_connection,
// mpls_interface, mpls_over_gre, gre_tunnel, vxlan_encap, proxy_arp,
// arp_responder, input_table, ovs_table_id_start, hash_method,
// vxlan_port, ipvpn_vxlan_port, adopt_grace and integration_bridge. Options of bagpipe's driver that do
// not apply here (gre_tunnel_options, ovsbr_interfaces_mtu,
// hash_method_param, hash_fields) are accepted and ignored by the agent's
// configuration, not passed here.
func ParseOptions(opts map[string]string) (Options, error) {
	o := Options{Bridge: opts["ovs_bridge"], DatapathType: opts["ovs_datapath_type"], RunDir: opts["ovs_rundir"],
		OVSDB: opts["ovsdb_connection"], GRETunnel: opts["gre_tunnel"], ProxyARP: true, ARPResponder: true,
		IntegrationBridge: opts["integration_bridge"]}
	la := opts["local_address"]
	if la == "" {
		la = opts["dataplane_local_address"]
	}
	if la == "" {
		return o, errors.New("ovs dataplane: local_address (the tunnel endpoint) is required")
	}
	a, err := netip.ParseAddr(la)
	if err != nil || !a.Unmap().Is4() {
		return o, fmt.Errorf("ovs dataplane: local_address: %q is not an IPv4 address", la)
	}
	o.LocalAddress = a.Unmap()
	for _, n := range []struct{ opt, v string }{{"ovs_bridge", o.Bridge}, {"gre_tunnel", o.GRETunnel}, {"integration_bridge", o.IntegrationBridge}} {
		if len(n.v) > 15 || strings.ContainsAny(n.v, "/ \t,") {
			return o, fmt.Errorf("ovs dataplane: %s: %q is not a port name", n.opt, n.v)
		}
	}
	switch o.DatapathType {
	case "", "system", "netdev":
	default:
		return o, fmt.Errorf("ovs dataplane: ovs_datapath_type: %q is not system or netdev", o.DatapathType)
	}
	if err := o.parseMPLS(opts["mpls_over_gre"], opts["mpls_interface"]); err != nil {
		return o, err
	}
	bools := []struct {
		name string
		dst  *bool
	}{{"vxlan_encap", &o.VXLANEncap}, {"proxy_arp", &o.ProxyARP}, {"arp_responder", &o.ARPResponder}}
	for _, b := range bools {
		v, ok := opts[b.name]
		if !ok || v == "" {
			continue
		}
		x, err := strconv.ParseBool(v)
		if err != nil {
			return o, fmt.Errorf("ovs dataplane: %s: %q is not true or false", b.name, v)
		}
		*b.dst = x
	}
	switch o.HashMethod = opts["hash_method"]; o.HashMethod {
	case "", "dp_hash", "hash":
	default:
		return o, fmt.Errorf("ovs dataplane: hash_method: %q is not dp_hash or hash", o.HashMethod)
	}
	ints := []struct {
		name     string
		min, max int
		set      func(int)
	}{
		{"input_table", 0, 252, func(n int) { o.InputTable = uint8(n) }},
		{"ovs_table_id_start", 0, 252, func(n int) { o.TableStart = uint8(n) }},
		{"vxlan_port", 1, 65535, func(n int) { o.VXLANPort = n }},
		{"ipvpn_vxlan_port", 1, 65535, func(n int) { o.IPVPNVXLANPort = n }},
	}
	for _, f := range ints {
		v, ok := opts[f.name]
		if !ok || v == "" {
			continue
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < f.min || n > f.max {
			return o, fmt.Errorf("ovs dataplane: %s: %q is not a number in %d..%d", f.name, v, f.min, f.max)
		}
		f.set(n)
	}
	if v := opts["adopt_grace"]; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 || n > 3600 {
			return o, fmt.Errorf("ovs dataplane: adopt_grace: %q is not a number of seconds in 0..3600", v)
		}
		o.AdoptGrace = time.Duration(n) * time.Second
	}
	if _, set := opts["ovs_table_id_start"]; !set {
		o.TableStart = o.InputTable + 1
	}
	if o.tablesOverlap() {
		return o, fmt.Errorf("ovs dataplane: ovs_table_id_start %d: its tables %d to %d overlap input_table %d", o.TableStart, o.TableStart, int(o.TableStart)+2, o.InputTable)
	}
	return o, nil
}

// tablesOverlap: input_table is one of our three tables.
func (o *Options) tablesOverlap() bool {
	return o.InputTable >= o.TableStart && int(o.InputTable) <= int(o.TableStart)+2
}

// parseMPLS reads mpls_over_gre and mpls_interface as bagpipe does: GRE
// unless mpls_over_gre is false, or auto with an mpls_interface that is
// not "*gre*" (then MPLS over Ethernet on that interface).
func (o *Options) parseMPLS(overGRE, iface string) error {
	gre := iface == "" || strings.Contains(iface, "gre")
	switch v := strings.ToLower(overGRE); v {
	case "", "auto":
		o.MPLSOverEthernet = !gre
	case "true":
	case "false":
		if gre {
			return fmt.Errorf("ovs dataplane: mpls_over_gre = false needs mpls_interface, the interface toward the PEs (not %q)", iface)
		}
		o.MPLSOverEthernet = true
	default:
		return fmt.Errorf("ovs dataplane: mpls_over_gre: %q is not auto, true or false", v)
	}
	if o.MPLSOverEthernet {
		if len(iface) > 15 || strings.ContainsAny(iface, "/ \t,") {
			return fmt.Errorf("ovs dataplane: mpls_interface: %q is not an interface name", iface)
		}
		o.MPLSInterface = iface
	}
	return nil
}
