// Package dataplane defines what the agent asks of a forwarding plane: one
// idempotent call that applies the whole desired state of every VRF and EVI
// (ports, remote routes, MAC entries, flood lists), and a registry of drivers
// by name.
//
// It must never import netlink or GoBGP: drivers that program the kernel live
// in dataplane/linux, and the BGP side stays in the agent.
package dataplane

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sort"
	"sync"
)

// Driver programs forwarding. Its lifecycle: New (from the registry, with its
// options) → Apply any number of times → Close.
type Driver interface {
	// Info describes what the driver can do; the agent reads it once.
	Info() Info
	// Apply makes forwarding match s. It is idempotent: applying the same
	// state twice changes nothing, and whatever the previous state (even
	// one left by an earlier process), the result is s. s only holds the
	// instances of the VPN types this driver was chosen for.
	Apply(ctx context.Context, s State) error
	// State returns what was last applied, for the looking glass.
	State() State
	// Close releases the driver; forwarding may stay in place so that a
	// restarting agent does not interrupt traffic.
	Close() error
}

// Info is a driver's description.
type Info struct {
	Name string
	// Encaps the driver can forward with, as BGP tunnel types (8 VXLAN,
	// 10 MPLS); the agent advertises them and refuses others.
	Encaps []uint16
	// VPNTypeEncaps replaces Encaps for the VPN types it names ("ipvpn",
	// "evpn"), for a driver that serves both and forwards them
	// differently (the linux driver: IP VPN over MPLS or VXLAN, EVPN over
	// VXLAN only). See EncapsFor.
	VPNTypeEncaps map[string][]uint16
	// ECMP: the driver can spread traffic over several equal best routes.
	ECMP bool
	// NoState: the driver forwards nothing and needs no state, so the
	// agent does not build it (control-plane-only nodes and benchmarks).
	NoState bool
	// LocalAddress is the tunnel endpoint (our next hop), if the driver has
	// its own.
	LocalAddress netip.Addr
	// RouterMAC is the inner destination MAC that remote VTEPs must use to
	// send us IP VPN traffic over VXLAN (the Router's MAC of our EVPN type
	// 5 routes, RFC 9135 §8.1), if the driver has one: the linux driver's
	// is the MAC of its VXLAN device bgv-l3.
	RouterMAC MAC
	// Details are facts about the driver for the looking glass, e.g. the
	// kernel features the linux driver found and the encapsulation it
	// chose ("kernel_vrf_devices": "no: …").
	Details map[string]string
}

// State is the desired forwarding state.
type State struct {
	VRFs []VRF `json:"vrfs,omitempty"`
	EVIs []EVI `json:"evis,omitempty"`
}

// Port is a local attachment point of a VRF or an EVI.
type Port struct {
	LinuxIf string `json:"linuxif"`
	MAC     MAC    `json:"mac_address"`
	// IPs are the addresses of the port with the subnet length.
	IPs       []netip.Prefix `json:"ip_addresses,omitempty"`
	Direction string         `json:"direction"`
	Label     uint32         `json:"label"`
	// EVI, on a VRF's port, is the ID of the EVI the VRF reaches the port
	// through (the port is in that EVI's bridge, bagpipe's
	// local_port.evpn.id); LinuxIf then names no device and the driver
	// plugs the EVI's bridge instead.
	EVI string `json:"evpn_instance,omitempty"`
	// OVS, when set, places the port on an Open vSwitch bridge.
	OVS *OVSPort `json:"ovs,omitempty"`
}

// VRF is an IP VPN routing instance.
type VRF struct {
	ID     string `json:"id"`
	Number int    `json:"number"` // small, stable per agent: VRF-<n>
	VNI    uint32 `json:"vni"`    // the instance's VNI or label
	// GatewayIP is the gateway the VRF's ports use for IPv4 (the subnet's
	// gateway_ip), GatewayIPv6 the one for IPv6: a dual-stack network has
	// both, and the node answers for each (ARP, neighbour discovery).
	// Drivers read them through Gateways, which also takes an IPv6
	// address found in GatewayIP (a state written before GatewayIPv6).
	GatewayIP   netip.Addr `json:"gateway_ip,omitzero"`
	GatewayIPv6 netip.Addr `json:"gateway_ipv6,omitzero"`
	Ports       []Port     `json:"ports"`
	Routes      []IPRoute  `json:"routes"`
	// Fallback, when set, receives what no route matches.
	Fallback *Fallback `json:"fallback,omitempty"`
}

// Gateways are the VRF's valid gateway addresses, IPv4 first, each once.
func (v *VRF) Gateways() []netip.Addr {
	var out []netip.Addr
	for _, gw := range []netip.Addr{v.GatewayIP, v.GatewayIPv6} {
		if gw = gw.Unmap(); gw.IsValid() && !gw.IsUnspecified() && !slices.Contains(out, gw) {
			out = append(out, gw)
		}
	}
	slices.SortStableFunc(out, func(a, b netip.Addr) int {
		if a.Is4() == b.Is4() {
			return 0
		}
		if a.Is4() {
			return -1
		}
		return 1
	})
	return out
}

// IPRoute is a remote prefix reachable through a tunnel.
type IPRoute struct {
	Prefix   netip.Prefix `json:"prefix"`
	NextHops []NextHop    `json:"next_hops"`
}

// NextHop is one tunnel toward a remote PE.
type NextHop struct {
	Address netip.Addr `json:"address"`
	Label   uint32     `json:"label"` // MPLS label or VNI
	Encap   uint16     `json:"encap"`
	// Local: the prefix is one of our own ports (another VRF's export
	// reaching this one inside the same agent).
	Local bool `json:"local,omitempty"`
	// RouterMAC is the inner destination MAC the remote VTEP expects with
	// VXLAN (the Router's MAC of an EVPN type 5 route, RFC 9135 §8.1);
	// nil when the route gave none.
	RouterMAC MAC `json:"router_mac,omitempty"`
}

// EVI is an EVPN instance: a layer 2 segment stretched with VXLAN.
type EVI struct {
	ID     string `json:"id"`
	Number int    `json:"number"`
	VNI    uint32 `json:"vni"`
	// Bridge is a bridge to use instead of one created by the driver.
	Bridge string     `json:"linuxbr,omitempty"`
	Ports  []Port     `json:"ports"`
	MACs   []FDBEntry `json:"macs"`
	// Flood lists the remote VTEPs that get broadcast and unknown traffic
	// (from type 3 routes).
	Flood []FloodEntry `json:"flood"`
}

// FDBEntry says where a remote MAC lives.
type FDBEntry struct {
	MAC  MAC        `json:"mac"`
	IP   netip.Addr `json:"ip,omitzero"`
	VTEP netip.Addr `json:"vtep"`
	VNI  uint32     `json:"vni"`
}

// FloodEntry is a remote VTEP of an EVI.
type FloodEntry struct {
	VTEP netip.Addr `json:"vtep"`
	VNI  uint32     `json:"vni"`
}

// OptVPNType is the option through which New tells a driver which VPN type
// ("ipvpn" or "evpn") it serves.
const OptVPNType = "vpn_type"

// MAC is a hardware address that prints, and marshals to JSON, as
// aa:bb:cc:dd:ee:ff (net.HardwareAddr marshals as base64).
type MAC net.HardwareAddr

func (m MAC) String() string { return net.HardwareAddr(m).String() }

// MarshalText implements encoding.TextMarshaler.
func (m MAC) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Options are what New passes to a factory, as service drivers get
// theirs (internal/driver).
type Options struct {
	// Config is the driver's [DATAPLANE_DRIVER_*] section, minus
	// dataplane_driver, plus OptVPNType.
	Config map[string]string
	// Logger receives the driver's logs (the agent's, which also feeds
	// the looking glass's log ring); nil discards them.
	Logger *slog.Logger
}

// Factory builds a driver from its options. It must not keep
// o.Config, which the caller may reuse.
type Factory func(o Options) (Driver, error)

var (
	mu       sync.Mutex
	registry = map[string]Factory{}
)

// Register makes a driver available by name; it panics on a duplicate, as
// two drivers with one name is a build mistake.
func Register(name string, f Factory) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[name]; dup {
		panic("dataplane: driver " + name + " registered twice")
	}
	registry[name] = f
}

// New builds the named driver. A nil o.Logger is replaced by one that
// discards.
func New(name string, o Options) (Driver, error) {
	mu.Lock()
	f, ok := registry[name]
	mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("unknown dataplane driver %q (known: %v)", name, Names())
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return f(o)
}

// Names lists the registered drivers.
func Names() []string {
	mu.Lock()
	defer mu.Unlock()
	out := make([]string, 0, len(registry))
	for n := range registry {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// Supports reports whether info lists encap.
func (i Info) Supports(encap uint16) bool { return slices.Contains(i.Encaps, encap) }

// EncapsFor is what the driver offers to instances of vpnType ("ipvpn",
// "evpn"): VPNTypeEncaps[vpnType] when set, else Encaps.
func (i Info) EncapsFor(vpnType string) []uint16 {
	if e, ok := i.VPNTypeEncaps[vpnType]; ok {
		return e
	}
	return i.Encaps
}

// SupportsFor reports whether EncapsFor(vpnType) lists encap.
func (i Info) SupportsFor(vpnType string, encap uint16) bool {
	return slices.Contains(i.EncapsFor(vpnType), encap)
}
