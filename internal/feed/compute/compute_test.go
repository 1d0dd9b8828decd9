package compute_test

import (
	"context"
	"net/netip"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

// seed writes objects straight into a real SQLite store, as storetest does:
// compute must read what the API writes, nothing more.
type seed struct {
	t  *testing.T
	tx store.Tx
}

func (s seed) check(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s seed) network(id string, external bool) {
	s.check(s.tx.CreateNetwork(&store.Network{ID: id, ProjectID: "p", AdminStateUp: true, External: external, MTU: 1450, Status: "ACTIVE"}))
}

func (s seed) subnet(id, network string, version int64, cidr, gateway string) {
	s.check(s.tx.CreateSubnet(&store.Subnet{ID: id, ProjectID: "p", NetworkID: network, IPVersion: version, CIDR: cidr, GatewayIP: gateway}))
}

// port creates a port; ips are "subnet=address" pairs.
func (s seed) port(id, network, host, mac, owner string, ips ...string) *store.Port {
	p := &store.Port{ID: id, ProjectID: "p", NetworkID: network, MACAddress: mac, AdminStateUp: true, Status: "ACTIVE",
		DeviceOwner: owner, HostID: host}
	for i := 0; i+1 < len(ips); i += 2 {
		p.FixedIPs = append(p.FixedIPs, store.FixedIP{SubnetID: ips[i], IPAddress: ips[i+1]})
	}
	s.check(s.tx.CreatePort(p))
	return p
}

func (s seed) router(id string, routes ...store.Route) {
	s.check(s.tx.CreateRouter(&store.Router{ID: id, ProjectID: "p", AdminStateUp: true, Status: "ACTIVE", Routes: routes}))
}

// routerInterface plugs a router into a subnet on its gateway address.
func (s seed) routerInterface(portID, router, network, subnet, gateway, mac string) {
	p := s.port(portID, network, "network-node", mac, compute.DeviceOwnerRouterInterface, subnet, gateway)
	p.DeviceID = router
	s.check(s.tx.UpdatePort(p))
	s.check(s.tx.AddRouterPort(router, portID))
}

func (s seed) bgpvpn(v store.BGPVPN) {
	v.ProjectID = "p"
	s.check(s.tx.CreateBGPVPN(&v))
}

func (s seed) netAssoc(id, vpn, network string) {
	s.check(s.tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: id, ProjectID: "p", BGPVPNID: vpn, NetworkID: network}))
}

func (s seed) routerAssoc(id, vpn, router string, extraRoutes bool) {
	s.check(s.tx.CreateRouterAssociation(&store.RouterAssociation{ID: id, ProjectID: "p", BGPVPNID: vpn, RouterID: router, AdvertiseExtraRoutes: extraRoutes}))
}

func (s seed) portAssoc(id, vpn, port string, fixedIPs bool, routes ...store.PortRoute) {
	s.check(s.tx.CreatePortAssociation(&store.PortAssociation{ID: id, ProjectID: "p", BGPVPNID: vpn, PortID: port, AdvertiseFixedIPs: fixedIPs, Routes: routes}))
}

func i64(n int64) *int64       { return &n }
func u32(n uint32) *uint32     { return &n }
func rts(l ...string) []string { return l }

func ip(addr, gw, gwMAC string) feed.IP {
	out := feed.IP{Address: netip.MustParsePrefix(addr), GatewayMAC: gwMAC}
	if gw != "" {
		out.Gateway = netip.MustParseAddr(gw)
	}
	return out
}

// The base world: network net1 (VNI 1) with an IPv4 and an IPv6 subnet,
// port p1 on host h1 with an address on each.
const mac1 = "fa:16:3e:00:00:01"

var (
	p1v4 = ip("10.0.0.5/24", "10.0.0.1", "")
	p1v6 = ip("2001:db8::5/64", "2001:db8::1", "")
)

func base(s seed) {
	s.network("net1", false)
	s.subnet("sub4", "net1", 4, "10.0.0.0/24", "10.0.0.1")
	s.subnet("sub6", "net1", 6, "2001:db8::/64", "2001:db8::1")
	s.port("p1", "net1", "h1", "FA:16:3E:00:00:01", "compute:nova", "sub4", "10.0.0.5", "sub6", "2001:db8::5")
}

// netInstance is p1's attachment to net1's instance of type t.
func netInstance(t feed.VPNType, imp, exp []string, assocs ...string) feed.Attachment {
	return feed.Attachment{VPNType: t, VPNInstanceID: string(t) + "_net1",
		InstanceDescription: "BGPVPN " + string(t) + " associations for net net1", NetworkID: "net1", PortID: "p1",
		MACAddress: mac1, IPs: []feed.IP{p1v4, p1v6}, ImportRTs: imp, ExportRTs: exp, Direction: feed.Both,
		Description: feed.Description{Port: "p1"}, Associations: assocs}
}

func with(a feed.Attachment, f func(*feed.Attachment)) feed.Attachment {
	f(&a)
	return a
}

var cmpIP = cmp.Options{
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
	cmp.Comparer(func(a, b netip.Prefix) bool { return a == b }),
}

func TestHost(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s seed)
		want  []feed.Attachment
	}{
		{
			name:  "no association, no attachment",
			setup: func(s seed) { s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")}) },
			want:  []feed.Attachment{},
		},
		{
			name: "network association: every fixed IP with its gateway",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), ImportTargets: rts("64512:2"),
					ExportTargets: rts("64512:3"), RouteDistinguishers: rts("64512:100"), LocalPref: i64(150)})
				s.netAssoc("na1", "vpn1", "net1")
			},
			want: []feed.Attachment{with(netInstance(feed.IPVPN, rts("64512:1", "64512:2"), rts("64512:1", "64512:3"), "na1"),
				func(a *feed.Attachment) { a.RouteDistinguishers = rts("64512:100"); a.LocalPref = u32(150) })},
		},
		{
			name: "route targets union over associations of one type, highest local_pref",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), ImportTargets: rts("64512:2"), LocalPref: i64(100)})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l3", RouteTargets: rts("64512:3"), ExportTargets: rts("64512:4"), LocalPref: i64(300)})
				s.netAssoc("na1", "vpn1", "net1")
				s.netAssoc("na2", "vpn2", "net1")
			},
			want: []feed.Attachment{with(netInstance(feed.IPVPN, rts("64512:1", "64512:2", "64512:3"), rts("64512:1", "64512:3", "64512:4"), "na1", "na2"),
				func(a *feed.Attachment) { a.LocalPref = u32(300) })},
		},
		{
			name: "l2 and l3: one instance per type, EVPN first, the network's VNI, the EVI plugged into the VRF",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l2", RouteTargets: rts("64512:2")})
				s.netAssoc("na1", "vpn1", "net1")
				s.netAssoc("na2", "vpn2", "net1")
			},
			want: []feed.Attachment{
				with(netInstance(feed.EVPN, rts("64512:2"), rts("64512:2"), "na2"), func(a *feed.Attachment) { a.VNI = 1 }),
				with(netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "na1"), func(a *feed.Attachment) { a.EVPNInstanceID = "evpn_net1" }),
			},
		},
		{
			// The original would name evpn_portassoc_pa1_prefix_…, which
			// no attachment creates: every VRF of the port goes through
			// the bridge the port is in, the network's EVI.
			name: "l2 network association and l3 port association: the route's VRF goes through the network's EVI too",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l2", RouteTargets: rts("64512:2")})
				s.netAssoc("na2", "vpn2", "net1")
				s.portAssoc("pa1", "vpn1", "p1", true, store.PortRoute{Type: "prefix", Prefix: "192.168.0.0/16"})
			},
			want: []feed.Attachment{
				with(netInstance(feed.EVPN, rts("64512:2"), rts("64512:2"), "na2"), func(a *feed.Attachment) { a.VNI = 1 }),
				with(netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "pa1"), func(a *feed.Attachment) { a.EVPNInstanceID = "evpn_net1" }),
				{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_portassoc_pa1_prefix_192_168_0_0_16", NetworkID: "net1", PortID: "p1", MACAddress: mac1,
					InstanceDescription: "BGPVPN Port association: prefix route 192.168.0.0/16 to BGPVPN vpn1 via port p1",
					IPs:                 []feed.IP{ip("192.168.0.0/16", "10.0.0.1", "")}, ImportRTs: rts("64512:1"), ExportRTs: rts("64512:1"),
					AdvertiseSubnet: true, Direction: feed.ToPort, Description: feed.Description{Port: "p1"}, Associations: rts("pa1"),
					EVPNInstanceID: "evpn_net1"},
			},
		},
		{
			name: "l2 port association without fixed IPs and l3: no network EVI, the port is plugged into the VRF",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l2", RouteTargets: rts("64512:2")})
				s.netAssoc("na1", "vpn1", "net1")
				s.portAssoc("pa2", "vpn2", "p1", false)
			},
			want: []feed.Attachment{netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "na1")},
		},
		{
			name: "the BGPVPN's vni overrides the network's",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l2", RouteTargets: rts("64512:2"), VNI: i64(5000)})
				s.netAssoc("na2", "vpn2", "net1")
			},
			want: []feed.Attachment{with(netInstance(feed.EVPN, rts("64512:2"), rts("64512:2"), "na2"), func(a *feed.Attachment) { a.VNI = 5000 })},
		},
		{
			name: "router association: the router interface's MAC is the gateway MAC",
			setup: func(s seed) {
				s.router("r1")
				s.routerInterface("rif", "r1", "net1", "sub4", "10.0.0.1", "fa:16:3e:00:00:fe")
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.routerAssoc("ra1", "vpn1", "r1", false)
			},
			want: []feed.Attachment{with(netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "ra1"), func(a *feed.Attachment) {
				a.IPs = []feed.IP{ip("10.0.0.5/24", "10.0.0.1", "fa:16:3e:00:00:fe"), p1v6}
			})},
		},
		{
			name: "skipped: network service ports, ports down, other hosts, unbound ports, external networks",
			setup: func(s seed) {
				s.port("dhcp", "net1", "h1", "fa:16:3e:00:00:02", "network:dhcp", "sub4", "10.0.0.2")
				down := s.port("down", "net1", "h1", "fa:16:3e:00:00:03", "compute:nova", "sub4", "10.0.0.3")
				down.AdminStateUp = false
				s.check(s.tx.UpdatePort(down))
				s.port("other", "net1", "h2", "fa:16:3e:00:00:04", "compute:nova", "sub4", "10.0.0.4")
				s.port("unbound", "net1", "", "fa:16:3e:00:00:06", "compute:nova", "sub4", "10.0.0.6")
				s.network("ext", true)
				s.subnet("subx", "ext", 4, "192.0.2.0/24", "192.0.2.1")
				s.port("pext", "ext", "h1", "fa:16:3e:00:00:05", "compute:nova", "subx", "192.0.2.5")
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.netAssoc("na1", "vpn1", "net1")
				s.netAssoc("nax", "vpn1", "ext")
			},
			want: []feed.Attachment{netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "na1")},
		},
		{
			name: "port association: fixed IPs, a prefix route and a leaking route, each in its own instance",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Name: "one", Type: "l3", RouteTargets: rts("64512:1"), ExportTargets: rts("64512:11"), LocalPref: i64(90)})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Name: "two", Type: "l3", RouteTargets: rts("64512:2"), ImportTargets: rts("64512:22")})
				s.portAssoc("pa1", "vpn1", "p1", true,
					store.PortRoute{Type: "prefix", Prefix: "192.168.0.0/16", LocalPref: i64(200)},
					store.PortRoute{Type: "bgpvpn", BGPVPNID: "vpn2"})
			},
			want: []feed.Attachment{
				with(netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1", "64512:11"), "pa1"), func(a *feed.Attachment) { a.LocalPref = u32(90) }),
				{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_portassoc_pa1_bgpvpn_vpn2", NetworkID: "net1", PortID: "p1", MACAddress: mac1,
					InstanceDescription: "BGPVPN Port association: route leaking from two into one via port p1",
					IPs:                 []feed.IP{p1v4, p1v6}, ImportRTs: rts("64512:1"), ExportRTs: rts("64512:1", "64512:11"),
					LocalPref: u32(90), Direction: feed.ToPort, Description: feed.Description{Port: "p1"}, Associations: rts("pa1"),
					Readvertise: &feed.Readvertise{FromRTs: rts("64512:2", "64512:22"), ToRTs: rts("64512:1", "64512:11")}},
				{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_portassoc_pa1_prefix_192_168_0_0_16", NetworkID: "net1", PortID: "p1", MACAddress: mac1,
					InstanceDescription: "BGPVPN Port association: prefix route 192.168.0.0/16 to BGPVPN one via port p1",
					IPs:                 []feed.IP{ip("192.168.0.0/16", "10.0.0.1", "")}, ImportRTs: rts("64512:1"), ExportRTs: rts("64512:1", "64512:11"),
					LocalPref: u32(200), AdvertiseSubnet: true, Direction: feed.ToPort, Description: feed.Description{Port: "p1"}, Associations: rts("pa1")},
			},
		},
		{
			name: "port association without advertise_fixed_ips: only its routes",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.portAssoc("pa1", "vpn1", "p1", false, store.PortRoute{Type: "prefix", Prefix: "2001:db8:1::/48"})
			},
			want: []feed.Attachment{
				{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_portassoc_pa1_prefix_2001_db8_1___48", NetworkID: "net1", PortID: "p1", MACAddress: mac1,
					InstanceDescription: "BGPVPN Port association: prefix route 2001:db8:1::/48 to BGPVPN vpn1 via port p1",
					IPs:                 []feed.IP{ip("2001:db8:1::/48", "2001:db8::1", "")}, ImportRTs: rts("64512:1"), ExportRTs: rts("64512:1"),
					AdvertiseSubnet: true, Direction: feed.ToPort, Description: feed.Description{Port: "p1"}, Associations: rts("pa1")},
			},
		},
		{
			name: "router association with advertise_extra_routes: routes through the port that owns the next hop",
			setup: func(s seed) {
				s.router("r1", store.Route{Destination: "172.16.0.0/12", NextHop: "10.0.0.5"}, store.Route{Destination: "198.51.100.0/24", NextHop: "10.0.0.9"})
				s.router("r2", store.Route{Destination: "203.0.113.0/24", NextHop: "10.0.0.5"})
				s.routerInterface("rif", "r1", "net1", "sub4", "10.0.0.1", "fa:16:3e:00:00:fe")
				s.subnet("sub4b", "net1", 4, "10.1.0.0/24", "10.1.0.1")
				s.routerInterface("rif2", "r2", "net1", "sub4b", "10.1.0.1", "fa:16:3e:00:00:fd")
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), LocalPref: i64(120)})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l3", RouteTargets: rts("64512:2")})
				s.routerAssoc("ra1", "vpn1", "r1", true)
				s.routerAssoc("ra2", "vpn2", "r2", false)
			},
			want: []feed.Attachment{
				with(netInstance(feed.IPVPN, rts("64512:1", "64512:2"), rts("64512:1", "64512:2"), "ra1", "ra2"), func(a *feed.Attachment) {
					a.IPs = []feed.IP{ip("10.0.0.5/24", "10.0.0.1", "fa:16:3e:00:00:fe"), p1v6}
					a.LocalPref = u32(120)
				}),
				{VPNType: feed.IPVPN, VPNInstanceID: "ipvpn_routerassoc_ra1_prefix_172_16_0_0_12", NetworkID: "net1", PortID: "p1", MACAddress: mac1,
					InstanceDescription: "BGPVPN router association: extra route 172.16.0.0/12 of router r1 via port p1",
					IPs:                 []feed.IP{ip("172.16.0.0/12", "10.0.0.1", "fa:16:3e:00:00:fe")}, ImportRTs: rts("64512:1"), ExportRTs: rts("64512:1"),
					LocalPref: u32(120), AdvertiseSubnet: true, Direction: feed.ToPort, Description: feed.Description{Port: "p1"}, Associations: rts("ra1")},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			err = st.Update(context.Background(), func(tx store.Tx) error {
				s := seed{t, tx}
				base(s)
				tt.setup(s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []feed.Attachment
			err = st.View(context.Background(), func(tx store.Tx) (err error) {
				got, err = compute.Host(tx, "h1")
				return err
			})
			if err != nil {
				t.Fatalf("Host(h1) error: %v", err)
			}
			want := tt.want
			feed.Sort(want)
			if d := cmp.Diff(want, got, cmpIP); d != "" {
				t.Errorf("Host(h1) (-want +got):\n%s", d)
			}
		})
	}
}
