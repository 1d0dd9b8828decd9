// Package agentconf is bgpvpn-agent's configuration: the option schema of
// bagpipe-bgp's bgp.conf (same sections and names, so an existing file works
// unchanged) plus our additions, and its translation into typed settings.
//
// It must never start anything: it reads files and returns values.
package agentconf

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/config"
)

// Schema lists every option bgpvpn-agent understands.
func Schema() *config.Schema {
	opts := []config.Opt{
		config.Opt{Section: "BGP", Name: "local_address", Type: config.String, Required: true,
			Help: "IP address, or name of an interface carrying one, used as BGP source address, router ID, RD administrator and default next hop."},
		config.Opt{Section: "BGP", Name: "peers", Type: config.List,
			Help: "BGP peers (route reflectors or PE routers); we connect to them and accept their connections. '-' means none."},
		config.Opt{Section: "BGP", Name: "peer_as", Type: config.List,
			Help: "eBGP peers: address=asn items giving the AS of some of the peers; the others are iBGP peers in my_as."},
		config.Opt{Section: "BGP", Name: "my_as", Type: config.Int, Required: true, Min: config.Bound(1), Max: config.Bound(4294967295),
			Help: "Our AS number, also the peers' AS (iBGP). 4-byte ASNs are accepted."},
		config.Opt{Section: "BGP", Name: "enable_rtc", Type: config.Bool, Default: "true",
			Help: "Use route target constraint (RFC 4684) with peers that offer it."},
		config.Opt{Section: "BGP", Name: "bgp_port", Type: config.Port, Default: "179",
			Help: "TCP port of BGP, for outbound and inbound sessions."},
		config.Opt{Section: "BGP", Name: "listen", Type: config.Bool, Default: "true",
			Help: "Accept sessions from the configured peers on local_address:bgp_port (bagpipe-bgp only connects out)."},
		config.Opt{Section: "BGP", Name: "hold_time", Type: config.Int, Default: "90", Min: config.Bound(0), Max: config.Bound(65535),
			Help: "BGP hold time in seconds."},
		config.Opt{Section: "BGP", Name: "graceful_restart_time", Type: config.Int, Default: "120", Min: config.Bound(0), Max: config.Bound(4095),
			Help: "Graceful restart time advertised to peers, in seconds; 0 disables graceful restart."},
		config.Opt{Section: "BGP", Name: "strict_vni", Type: config.Bool, Default: "false",
			Help: "Refuse received routes whose VNI differs from the VNI of an instance that imports them."},
		config.Opt{Section: "BGP", Name: "route_reflector_clients", Type: config.List, Default: "127.0.0.0/8",
			Help: "In --route-reflector mode, prefixes from which any speaker of my_as may connect as a client."},
		config.Opt{Section: "API", Name: "host", Type: config.HostAddr, Default: "127.0.0.1",
			Help: "Address the REST API listens on."},
		config.Opt{Section: "API", Name: "port", Type: config.Port, Default: "8082",
			Help: "Port of the REST API."},
		config.Opt{Section: "COMMON", Name: "root_helper", Type: config.String, Default: "sudo",
			Help: "Accepted for compatibility with bagpipe-bgp; bgpvpn-agent runs privileged operations itself."},
		config.Opt{Section: "COMMON", Name: "root_helper_daemon", Type: config.String,
			Help: "Accepted for compatibility with bagpipe-bgp; unused."},
	}
	for _, d := range []struct{ section, vpn string }{{ipvpnSection, "IP VPN"}, {evpnSection, "EVPN"}} {
		opts = append(opts,
			config.Opt{Section: d.section, Name: "dataplane_driver", Type: config.String, Default: "dummy",
				Help: d.vpn + " dataplane driver: dummy, linux or ovs."},
			config.Opt{Section: d.section, Name: "network_namespace", Type: config.String,
				Help: "linux driver: program this named network namespace instead of the agent's own."},
			config.Opt{Section: d.section, Name: "adopt_grace", Type: config.Int, Default: "60", Min: config.Bound(0), Max: config.Bound(3600),
				Help: "linux and ovs drivers: seconds after start during which nothing is removed, so that a restarting agent does not interrupt forwarding before it has relearned its state."},
			config.Opt{Section: d.section, Name: "dataplane_local_address", Type: config.IPAddr,
				Help: "Tunnel endpoint advertised as next hop of " + d.vpn + " routes (default: BGP local_address)."},
			config.Opt{Section: d.section, Name: "vxlan_port", Type: config.Port,
				Help: "linux and ovs drivers: UDP port of EVPN VXLAN (default 4789)."},
		)
		opts = append(opts, ovsOpts(d.section)...)
	}
	opts = append(opts,
		config.Opt{Section: ipvpnSection, Name: "advertise_evpn_type5", Type: config.Bool, Default: "false",
			Help: "Also advertise every prefix of every IP VPN instance as an EVPN type 5 (RFC 9136 IP Prefix) route with the instance's VNI (or label), VXLAN encapsulation and our Router's MAC, for EVPN gateways and PEs; an attach's advertise_evpn_type5 field overrides it for its instance. Received type 5 routes are imported whatever this says, when the driver forwards VXLAN (linux; not dummy, which is MPLS-only as in bagpipe-bgp)."},
		config.Opt{Section: ipvpnSection, Name: "ipvpn_vxlan_port", Type: config.Port,
			Help: "linux driver: UDP port of IP VPN VXLAN (default 4790, so that a node also serving EVPN on vxlan_port 4789 works on default options; the same on every node)."},
		config.Opt{Section: ipvpnSection, Name: "ipvpn_encap", Type: config.String, Default: "auto", Choices: []string{"auto", "vxlan", "mpls"},
			Help: "linux driver: encapsulation of IP VPN traffic: mpls (kernel MPLS and VRF devices; refuses to start when the kernel lacks them), vxlan, or auto (MPLS when the kernel has it, else VXLAN)."},
		config.Opt{Section: ipvpnSection, Name: "mpls_interface", Type: config.String,
			Help: "linux driver: the interface that sends and receives MPLS toward the PEs (bagpipe-bgp's option; default: the interface carrying the local address). MPLS over GRE is not supported."},
		config.Opt{Section: "AGENT_FEED", Name: "server_url", Type: config.String,
			Help: "Base URL of bgpvpn-server (e.g. http://controller:9696): when set, the agent watches this host's attachments there and realises them, as the networking-bagpipe agent extension would."},
		config.Opt{Section: "AGENT_FEED", Name: "shared_secret", Type: config.String, Secret: true,
			Help: "The server's [agent_feed] shared_secret."},
		config.Opt{Section: "AGENT_FEED", Name: "host", Type: config.String,
			Help: "This compute node's name as ports' binding:host_id say it (default: the host name)."},
		config.Opt{Section: "AGENT_FEED", Name: "local_port_prefix", Type: config.String, Default: "tap",
			Help: "A port's interface is this prefix followed by its id, cut to 14 characters (Nova and Neutron name it tap<first 11 characters of the port id>)."},
	)
	return config.NewSchema(opts...)
}

// The dataplane sections of bgp.conf.
const (
	ipvpnSection = "DATAPLANE_DRIVER_IPVPN"
	evpnSection  = "DATAPLANE_DRIVER_EVPN"
)

// Settings are the typed values the agent runs with.
type Settings struct {
	LocalAddress netip.Addr
	Peers        []netip.Addr
	// PeerASN gives the AS of eBGP peers; others are in ASN.
	PeerASN         map[netip.Addr]uint32
	ASN             uint32
	EnableRTC       bool
	BGPPort         uint16
	Listen          bool
	HoldTime        uint32
	GracefulRestart uint32
	StrictVNI       bool
	// EVPNType5 turns EVPN type 5 routes on for every IP VPN instance.
	EVPNType5    bool
	RRClients    []netip.Prefix
	APIAddr      string // host:port
	IPVPNDriver  string
	EVPNDriver   string
	IPVPNNextHop netip.Addr
	EVPNNextHop  netip.Addr
	// IPVPNOptions and EVPNOptions are what each driver is built with.
	IPVPNOptions, EVPNOptions map[string]string
	// Feed configures the agent feed; FeedURL "" means none.
	Feed FeedSettings
	// Sections is the configuration as the looking glass shows it.
	Sections map[string]map[string]string
	// Unknown lists options present in the files that we ignore.
	Unknown []string
}

// FeedSettings are the [AGENT_FEED] options.
type FeedSettings struct {
	URL, Secret, Host, PortPrefix string
}

// Load reads the files (later ones override earlier ones, as oslo.config
// does with repeated --config-file).
func Load(paths ...string) (*Settings, error) {
	v, err := Schema().Load(paths...)
	if err != nil {
		return nil, err
	}
	return fromValues(v)
}

func fromValues(v *config.Values) (*Settings, error) {
	s := &Settings{
		ASN:             uint32(v.Int("BGP", "my_as")),
		EnableRTC:       v.Bool("BGP", "enable_rtc"),
		BGPPort:         uint16(v.Int("BGP", "bgp_port")),
		Listen:          v.Bool("BGP", "listen"),
		HoldTime:        uint32(v.Int("BGP", "hold_time")),
		GracefulRestart: uint32(v.Int("BGP", "graceful_restart_time")),
		StrictVNI:       v.Bool("BGP", "strict_vni"),
		EVPNType5:       v.Bool(ipvpnSection, "advertise_evpn_type5"),
		APIAddr:         net.JoinHostPort(v.String("API", "host"), fmt.Sprint(v.Int("API", "port"))),
		IPVPNDriver:     v.String("DATAPLANE_DRIVER_IPVPN", "dataplane_driver"),
		EVPNDriver:      v.String("DATAPLANE_DRIVER_EVPN", "dataplane_driver"),
		IPVPNNextHop:    v.Addr("DATAPLANE_DRIVER_IPVPN", "dataplane_local_address"),
		EVPNNextHop:     v.Addr("DATAPLANE_DRIVER_EVPN", "dataplane_local_address"),
		Unknown:         v.Unknown(),
	}
	var err error
	if s.LocalAddress, err = resolveLocal(v.String("BGP", "local_address")); err != nil {
		return nil, fmt.Errorf("[BGP] local_address: %w", err)
	}
	for _, p := range v.List("BGP", "peers") {
		if p == "-" || p == "" {
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("[BGP] peers: %q is not an IP address", p)
		}
		s.Peers = append(s.Peers, a.Unmap())
	}
	for _, item := range v.List("BGP", "peer_as") {
		addr, asn, ok := strings.Cut(item, "=")
		a, err := netip.ParseAddr(strings.TrimSpace(addr))
		n, nerr := strconv.ParseUint(strings.TrimSpace(asn), 10, 32)
		if !ok || err != nil || nerr != nil || n == 0 {
			return nil, fmt.Errorf("[BGP] peer_as: %q is not address=asn", item)
		}
		if !slices.Contains(s.Peers, a.Unmap()) {
			return nil, fmt.Errorf("[BGP] peer_as: %s is not in peers", a)
		}
		if s.PeerASN == nil {
			s.PeerASN = map[netip.Addr]uint32{}
		}
		s.PeerASN[a.Unmap()] = uint32(n)
	}
	for _, p := range v.List("BGP", "route_reflector_clients") {
		pf, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("[BGP] route_reflector_clients: %q is not a prefix", p)
		}
		s.RRClients = append(s.RRClients, pf.Masked())
	}
	for _, d := range []string{s.IPVPNDriver, s.EVPNDriver} {
		if d != "dummy" && d != "linux" && d != "ovs" {
			return nil, fmt.Errorf("dataplane_driver %q is not supported (dummy, linux or ovs)", d)
		}
	}
	for _, nh := range []*netip.Addr{&s.IPVPNNextHop, &s.EVPNNextHop} {
		if !nh.IsValid() {
			*nh = s.LocalAddress
		}
	}
	driverOpts := func(sec string, nh netip.Addr) map[string]string {
		o := map[string]string{
			"local_address": nh.String(),
			"netns":         v.String(sec, "network_namespace"),
			"adopt_grace":   fmt.Sprint(v.Int(sec, "adopt_grace")),
		}
		if v.IsSet(sec, "vxlan_port") {
			o["vxlan_port"] = fmt.Sprint(v.Int(sec, "vxlan_port"))
		}
		ovsDriverOpts(v, sec, o)
		if sec == ipvpnSection {
			if v.IsSet(sec, "ipvpn_vxlan_port") {
				o["ipvpn_vxlan_port"] = fmt.Sprint(v.Int(sec, "ipvpn_vxlan_port"))
			}
			o["ipvpn_encap"] = v.String(sec, "ipvpn_encap")
			if mi := v.String(sec, "mpls_interface"); mi != "" {
				o["mpls_interface"] = mi
			}
		}
		return o
	}
	s.IPVPNOptions = driverOpts("DATAPLANE_DRIVER_IPVPN", s.IPVPNNextHop)
	s.EVPNOptions = driverOpts("DATAPLANE_DRIVER_EVPN", s.EVPNNextHop)
	s.Feed = FeedSettings{URL: v.String("AGENT_FEED", "server_url"), Secret: v.String("AGENT_FEED", "shared_secret"),
		Host: v.String("AGENT_FEED", "host"), PortPrefix: v.String("AGENT_FEED", "local_port_prefix")}
	if s.Feed.URL != "" && s.Feed.Host == "" {
		if s.Feed.Host, err = os.Hostname(); err != nil {
			return nil, fmt.Errorf("[AGENT_FEED] host: %w", err)
		}
	}
	if len(s.Feed.PortPrefix) > 13 {
		return nil, fmt.Errorf("[AGENT_FEED] local_port_prefix: %q is longer than 13 characters", s.Feed.PortPrefix)
	}
	s.Sections = map[string]map[string]string{
		"BGP": {"local_address": s.LocalAddress.String(), "peers": strings.Join(v.List("BGP", "peers"), ","),
			"my_as": fmt.Sprint(s.ASN), "enable_rtc": fmt.Sprint(s.EnableRTC), "bgp_port": fmt.Sprint(s.BGPPort)},
		"API": {"host": v.String("API", "host"), "port": fmt.Sprint(v.Int("API", "port"))},
		"DATAPLANE_DRIVER_IPVPN": {"dataplane_driver": s.IPVPNDriver, "dataplane_local_address": s.IPVPNNextHop.String(),
			"advertise_evpn_type5": fmt.Sprint(s.EVPNType5)},
		"DATAPLANE_DRIVER_EVPN": {"dataplane_driver": s.EVPNDriver, "dataplane_local_address": s.EVPNNextHop.String()},
	}
	return s, nil
}

// resolveLocal accepts an IPv4 address or the name of an interface that
// has one, as bagpipe-bgp does.
func resolveLocal(s string) (netip.Addr, error) {
	if a, err := netip.ParseAddr(s); err == nil {
		if !a.Unmap().Is4() {
			return netip.Addr{}, fmt.Errorf("%s is not an IPv4 address", s)
		}
		return a.Unmap(), nil
	}
	ifc, err := net.InterfaceByName(s)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%q is neither an IPv4 address nor an interface name", s)
	}
	addrs, err := ifc.Addrs()
	if err != nil {
		return netip.Addr{}, fmt.Errorf("reading addresses of %s: %w", s, err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			if ip, ok := netip.AddrFromSlice(n.IP); ok && ip.Unmap().Is4() {
				return ip.Unmap(), nil
			}
		}
	}
	return netip.Addr{}, fmt.Errorf("interface %s has no IPv4 address", s)
}
