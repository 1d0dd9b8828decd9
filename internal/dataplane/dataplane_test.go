package dataplane

import (
	"net/netip"
	"slices"
	"testing"
)

func TestEncapsFor(t *testing.T) {
	shared := Info{Encaps: []uint16{10, 8}, VPNTypeEncaps: map[string][]uint16{"evpn": {8}}}
	plain := Info{Encaps: []uint16{10}}
	for _, c := range []struct {
		name    string
		info    Info
		vpnType string
		want    []uint16
	}{
		{"type with its own list", shared, "evpn", []uint16{8}},
		{"type without: Encaps", shared, "ipvpn", []uint16{10, 8}},
		{"no per-type lists", plain, "evpn", []uint16{10}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.info.EncapsFor(c.vpnType); !slices.Equal(got, c.want) {
				t.Errorf("EncapsFor(%q) = %v, want %v", c.vpnType, got, c.want)
			}
			for _, e := range []uint16{8, 10} {
				if got, want := c.info.SupportsFor(c.vpnType, e), slices.Contains(c.want, e); got != want {
					t.Errorf("SupportsFor(%q, %d) = %v, want %v", c.vpnType, e, got, want)
				}
			}
		})
	}
}

func TestVRFGateways(t *testing.T) {
	v4, v6 := netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("fd00::1")
	for _, c := range []struct {
		name string
		vrf  VRF
		want []netip.Addr
	}{
		{"none", VRF{}, nil},
		{"IPv4 only", VRF{GatewayIP: v4}, []netip.Addr{v4}},
		{"dual stack", VRF{GatewayIP: v4, GatewayIPv6: v6}, []netip.Addr{v4, v6}},
		{"IPv6 in GatewayIP (older state)", VRF{GatewayIP: v6}, []netip.Addr{v6}},
		{"IPv6 in both fields", VRF{GatewayIP: v6, GatewayIPv6: v6}, []netip.Addr{v6}},
		{"IPv4-mapped", VRF{GatewayIP: netip.MustParseAddr("::ffff:10.0.0.1")}, []netip.Addr{v4}},
		{"unspecified", VRF{GatewayIP: netip.IPv4Unspecified()}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := c.vrf.Gateways(); !slices.Equal(got, c.want) {
				t.Errorf("Gateways() = %v, want %v", got, c.want)
			}
		})
	}
}
