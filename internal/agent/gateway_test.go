package agent

import (
	"context"
	"net/netip"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
)

// A dual-stack port attaches once per address, each attach with the
// gateway of its family: the VRF keeps both, whatever the order, and the
// looking glass shows both.
func TestDualStackGateways(t *testing.T) {
	for _, order := range []string{"IPv4 first", "IPv6 first"} {
		t.Run(order, func(t *testing.T) {
			ctx := context.Background()
			n := newNode(t, "127.0.0.1", -1, Config{})
			v4 := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.6.0.5/24", "tap-a", rts("64512:66"), rts("64512:66"))
			v6 := v4
			v6.IP, v6.GatewayIP = netip.MustParsePrefix("fd00:6::5/64"), netip.MustParseAddr("fd00:6::1")
			atts := []Attachment{v4, v6}
			if order == "IPv6 first" {
				atts = []Attachment{v6, v4}
			}
			for _, a := range atts {
				if err := n.m.Attach(ctx, a); err != nil {
					t.Fatal(err)
				}
			}
			want4, want6 := netip.MustParseAddr("10.6.0.1"), netip.MustParseAddr("fd00:6::1")
			waitFor(t, "the VRF with both gateways in the dataplane", func() bool {
				v, ok := vrfState(n.ipvpn, "vrf-a")
				return ok && v.GatewayIP == want4 && v.GatewayIPv6 == want6
			})
			iv, ok := n.m.Instance("vrf-a")
			if !ok || iv.GatewayIP != "10.6.0.1" || iv.GatewayIPv6 != "fd00:6::1" {
				t.Errorf("looking glass: gateway_ip %q, gateway_ipv6 %q; want 10.6.0.1 and fd00:6::1", iv.GatewayIP, iv.GatewayIPv6)
			}
		})
	}
}

// An IPv6-only network: bagpipe's single gateway_ip shows the IPv6 gateway.
func TestIPv6OnlyGateway(t *testing.T) {
	n := newNode(t, "127.0.0.1", -1, Config{})
	a := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "fd00:6::5/64", "tap-a", rts("64512:66"), rts("64512:66"))
	if err := n.m.Attach(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the VRF in the dataplane", func() bool {
		v, ok := vrfState(n.ipvpn, "vrf-a")
		return ok && !v.GatewayIP.IsValid() && v.GatewayIPv6 == netip.MustParseAddr("fd00:6::1")
	})
	if iv, _ := n.m.Instance("vrf-a"); iv.GatewayIP != "fd00:6::1" || iv.GatewayIPv6 != "fd00:6::1" {
		t.Errorf("looking glass: gateway_ip %q, gateway_ipv6 %q; want fd00:6::1 for both", iv.GatewayIP, iv.GatewayIPv6)
	}
}

// vrfState is the VRF id as the dataplane last got it.
func vrfState(d *dummy.Driver, id string) (dataplane.VRF, bool) {
	for _, v := range d.State().VRFs {
		if v.ID == id {
			return v, true
		}
	}
	return dataplane.VRF{}, false
}
