package agent

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// infoDriver is a dummy driver that describes itself as info, e.g. as the
// linux driver does when it serves both VPN types.
type infoDriver struct {
	*dummy.Driver
	info dataplane.Info
}

func (d infoDriver) Info() dataplane.Info { return d.info }

// The Router's MAC of our type 5 routes is the configured one, else the
// one the IP VPN driver publishes (the MAC that its device accepts), else
// 02:b6:<next hop>.
func TestRouterMACSource(t *testing.T) {
	withMAC := infoDriver{dummy.New(), dataplane.Info{Name: "linux", RouterMAC: dataplane.MAC(mac("02:b6:c0:00:02:01"))}}
	base := Config{LocalAddress: netip.MustParseAddr("127.0.0.21"), NextHop: netip.MustParseAddr("192.0.2.7")}
	for _, c := range []struct {
		name string
		cfg  func(Config) Config
		want string
	}{
		{"driver's", func(c Config) Config { c.IPVPNDriver = withMAC; return c }, "02:b6:c0:00:02:01"},
		{"configured wins", func(c Config) Config { c.IPVPNDriver, c.RouterMAC = withMAC, mac("aa:bb:cc:00:00:01"); return c }, "aa:bb:cc:00:00:01"},
		{"driver without one: from the next hop", func(c Config) Config { c.IPVPNDriver = dummy.New(); return c }, "02:b6:c0:00:02:07"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := routerMAC(c.cfg(base)).String(); got != c.want {
				t.Errorf("routerMAC = %s, want %s", got, c.want)
			}
		})
	}
}

// One driver serving both VPN types offers MPLS to IP VPNs only: an EVPN
// route that offers only MPLS is refused by an EVI (which forwards over
// VXLAN), while a VPNv4 route with MPLS is still taken by a VRF.
func TestEncapsPerVPNType(t *testing.T) {
	shared := infoDriver{dummy.New(), dataplane.Info{Name: "linux", Encaps: []uint16{uint16(speaker.EncapMPLS), uint16(speaker.EncapVXLAN)},
		VPNTypeEncaps: map[string][]uint16{"evpn": {uint16(speaker.EncapVXLAN)}}}}
	m := &Manager{cfg: Config{IPVPNDriver: shared, EVPNDriver: shared, LocalAddress: netip.MustParseAddr("127.0.0.21")}}
	evi, vrf := &instance{id: "evi", typ: EVPN}, &instance{id: "vrf", typ: IPVPN}
	mplsOnly := []speaker.Encap{speaker.EncapMPLS}
	for _, c := range []struct {
		name   string
		inst   *instance
		route  speaker.Route
		refuse string // "" accepted, else part of the reason
	}{
		{"EVI, MAC/IP route with MPLS only", evi, speaker.Route{Family: speaker.EVPN, EVPNType: speaker.EVPNMACIP, Encaps: mplsOnly}, "no encapsulation of the route ([MPLS]) is supported by the linux dataplane"},
		{"EVI, MAC/IP route with MPLS and VXLAN", evi, speaker.Route{Family: speaker.EVPN, EVPNType: speaker.EVPNMACIP, Encaps: []speaker.Encap{speaker.EncapMPLS, speaker.EncapVXLAN}}, ""},
		{"EVI, MAC/IP route without encapsulation (VXLAN)", evi, speaker.Route{Family: speaker.EVPN, EVPNType: speaker.EVPNMACIP}, ""},
		{"VRF, VPNv4 route with MPLS only", vrf, speaker.Route{Family: speaker.VPNv4, Encaps: mplsOnly}, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := m.refuse(c.inst, &c.route)
			if c.refuse == "" && got != "" || c.refuse != "" && !strings.Contains(got, c.refuse) {
				t.Errorf("refuse = %q, want %q", got, c.refuse)
			}
		})
	}
	if e, ok := m.encapFor(IPVPN, speaker.VPNv4, []speaker.Encap{speaker.EncapMPLS, speaker.EncapVXLAN}); !ok || e != uint16(speaker.EncapMPLS) {
		t.Errorf("encapFor(IPVPN, MPLS+VXLAN) = %d, %v, want MPLS", e, ok)
	}
}
