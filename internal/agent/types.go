package agent

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// VPNType is "ipvpn" (a VRF) or "evpn" (an EVI).
type VPNType string

// The VPN types of bagpipe's API.
const (
	IPVPN VPNType = "ipvpn"
	EVPN  VPNType = "evpn"
)

// Direction says which way traffic of an endpoint goes through the VPN.
type Direction string

// Directions, as bagpipe names them.
const (
	Both     Direction = "both"
	ToPort   Direction = "to-port"   // advertised: the VPN reaches the port
	FromPort Direction = "from-port" // not advertised: the port reaches the VPN
)

// Attachment is one attach_localport request, parsed.
type Attachment struct {
	VPNType             VPNType
	VPNInstanceID       string
	InstanceDescription string
	MAC                 net.HardwareAddr
	// IP is the port address with the subnet length (/32 or /128 when
	// given without one). Invalid: no IP (EVPN only).
	IP        netip.Prefix
	GatewayIP netip.Addr
	LocalPort LocalPort
	ImportRTs []speaker.RT
	ExportRTs []speaker.RT
	// AdvertiseSubnet: advertise IP's subnet rather than the host route.
	AdvertiseSubnet bool
	LocalPref       uint32 // 0: 100
	VNI             uint32 // 0: none
	Direction       Direction
	Description     string
	Readvertise     *Readvertise
	// RD, when set, is the instance's route distinguisher instead of an
	// allocated <local address>:<n> (bagpipe cannot do this).
	RD *speaker.RD
	// EVPNType5, when set, turns the instance's EVPN type 5 routes on or
	// off (ipvpn only; nil: unchanged, Config.EVPNType5 for a new
	// instance).
	EVPNType5 *bool
	// VPNRoutes, when set, turns the instance's VPNv4/VPNv6 routes on or
	// off (ipvpn only; nil: unchanged, on for a new instance). Off with
	// type 5 on is the evpn-prefix technique: the instance's prefixes go
	// out as EVPN type 5 routes only.
	VPNRoutes *bool
	// AggregateRTs, when not empty, are the RTs of the instance's subnet
	// aggregates (ipvpn only, instance-wide like the RTs): one route per
	// subnet of its endpoints, with the instance's label so that the
	// traffic is looked up in the VRF (auto_aggregate; the host routes
	// go out with ExportRTs).
	AggregateRTs []speaker.RT
	// LinuxBridge is the bridge an EVI should use.
	LinuxBridge string
	// Fallback is where the VRF sends what no route matches (ipvpn).
	Fallback *dataplane.Fallback
}

// LocalPort is where the endpoint is plugged.
type LocalPort struct {
	LinuxIf string
	// EVPNID plugs the EVI with that vpn_instance_id into this VRF.
	EVPNID string
	// OVS is local_port.ovs: the port's place on an Open vSwitch bridge.
	OVS *dataplane.OVSPort
	// Raw keeps what else was sent (ovs, vlan…), for the looking glass.
	Raw map[string]any
}

// Readvertise leaks routes received with FromRTs toward ToRTs, with the
// endpoint as next hop.
type Readvertise struct {
	FromRTs []speaker.RT
	ToRTs   []speaker.RT
}

// Detachment is one detach_localport request, parsed.
type Detachment struct {
	VPNType       VPNType
	VPNInstanceID string
	MAC           net.HardwareAddr
	IP            netip.Prefix // invalid: every IP of the MAC (EVPN)
	LocalPort     LocalPort
}

// InputError is a request the agent refuses; the API answers 400 with it.
type InputError struct {
	Field string // the JSON field at fault, if one is
	Msg   string
}

func (e *InputError) Error() string {
	if e.Field == "" {
		return e.Msg
	}
	return e.Field + ": " + e.Msg
}

func inputErr(field, format string, args ...any) error {
	return &InputError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// ErrNotFound is wrapped when a VPN instance or endpoint does not exist.
var ErrNotFound = errors.New("not found")
