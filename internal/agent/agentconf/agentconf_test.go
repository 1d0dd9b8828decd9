package agentconf

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// bagpipe-lab's bgp.conf, substituted as start.sh does for the FRR runs.
const labConf = `[BGP]
local_address = 127.0.0.2
peers = 127.0.0.1
my_as = 64512
enable_rtc = True

[API]
host = 127.0.0.1
port = 8082

[COMMON]
root_helper = sudo

[DATAPLANE_DRIVER_IPVPN]
dataplane_driver = dummy
dataplane_local_address = 192.0.2.2

[DATAPLANE_DRIVER_EVPN]
dataplane_driver = dummy
dataplane_local_address = 192.0.2.2
`

func write(t *testing.T, s string) string {
	p := filepath.Join(t.TempDir(), "bgp.conf")
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadBagpipeConf(t *testing.T) {
	got, err := Load(write(t, labConf))
	if err != nil {
		t.Fatal(err)
	}
	want := &Settings{
		LocalAddress: netip.MustParseAddr("127.0.0.2"), Peers: []netip.Addr{netip.MustParseAddr("127.0.0.1")},
		ASN: 64512, EnableRTC: true, BGPPort: 179, Listen: true, HoldTime: 90, GracefulRestart: 120,
		RRClients: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, APIAddr: "127.0.0.1:8082",
		IPVPNDriver: "dummy", EVPNDriver: "dummy",
		IPVPNNextHop: netip.MustParseAddr("192.0.2.2"), EVPNNextHop: netip.MustParseAddr("192.0.2.2"),
		Feed: FeedSettings{PortPrefix: "tap"},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{}), cmpopts.IgnoreFields(Settings{}, "Sections", "Unknown", "IPVPNOptions", "EVPNOptions")); diff != "" {
		t.Errorf("Load (-want +got):\n%s", diff)
	}
}

func TestLoadFeedAndPorts(t *testing.T) {
	got, err := Load(write(t, labConf+"vxlan_port = 8472\n[DATAPLANE_DRIVER_IPVPN]\nipvpn_vxlan_port = 4790\n"+
		"[AGENT_FEED]\nserver_url = http://192.0.2.254:9696\nshared_secret = s\n"))
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	if want := (FeedSettings{URL: "http://192.0.2.254:9696", Secret: "s", Host: host, PortPrefix: "tap"}); got.Feed != want {
		t.Errorf("Feed = %+v, want %+v", got.Feed, want)
	}
	if got.IPVPNOptions["ipvpn_vxlan_port"] != "4790" || got.EVPNOptions["vxlan_port"] != "8472" || got.EVPNOptions["ipvpn_vxlan_port"] != "" {
		t.Errorf("driver options = %v and %v, want ipvpn_vxlan_port 4790 for IP VPN, vxlan_port 8472 for EVPN", got.IPVPNOptions, got.EVPNOptions)
	}
}

// ipvpn_encap and mpls_interface (bagpipe's option) reach the IP VPN
// driver only; ipvpn_encap defaults to auto.
func TestLoadMPLSOptions(t *testing.T) {
	got, err := Load(write(t, labConf+"[DATAPLANE_DRIVER_IPVPN]\nipvpn_encap = mpls\nmpls_interface = eth1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if got.IPVPNOptions["ipvpn_encap"] != "mpls" || got.IPVPNOptions["mpls_interface"] != "eth1" {
		t.Errorf("IP VPN driver options = %v, want ipvpn_encap mpls and mpls_interface eth1", got.IPVPNOptions)
	}
	if _, ok := got.EVPNOptions["ipvpn_encap"]; ok {
		t.Errorf("EVPN driver options = %v, want no ipvpn_encap", got.EVPNOptions)
	}
	got, err = Load(write(t, labConf))
	if err != nil {
		t.Fatal(err)
	}
	if got.IPVPNOptions["ipvpn_encap"] != "auto" || got.IPVPNOptions["mpls_interface"] != "" {
		t.Errorf("default IP VPN driver options = %v, want ipvpn_encap auto and no mpls_interface", got.IPVPNOptions)
	}
}

// advertise_evpn_type5 turns type 5 on for every IP VPN instance without
// the networking-bagpipe extension sending the field; off by default.
func TestLoadEVPNType5(t *testing.T) {
	for _, tc := range []struct {
		name, extra string
		want        bool
	}{
		{"default", "", false},
		{"on", "advertise_evpn_type5 = True\n", true},
		{"off", "advertise_evpn_type5 = false\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			conf := strings.Replace(labConf, "dataplane_local_address = 192.0.2.2\n", "dataplane_local_address = 192.0.2.2\n"+tc.extra, 1)
			got, err := Load(write(t, conf))
			if err != nil {
				t.Fatal(err)
			}
			if got.EVPNType5 != tc.want || got.Sections["DATAPLANE_DRIVER_IPVPN"]["advertise_evpn_type5"] != fmt.Sprint(tc.want) {
				t.Errorf("EVPNType5 = %v (looking glass %q), want %v", got.EVPNType5, got.Sections["DATAPLANE_DRIVER_IPVPN"]["advertise_evpn_type5"], tc.want)
			}
			if len(got.Unknown) != 0 {
				t.Errorf("Unknown = %v, want none", got.Unknown)
			}
		})
	}
	if _, err := Load(write(t, labConf+"[DATAPLANE_DRIVER_IPVPN]\nadvertise_evpn_type5 = maybe\n")); err == nil || !strings.Contains(err.Error(), "advertise_evpn_type5") {
		t.Errorf("Load(advertise_evpn_type5 = maybe) = %v, want an error naming the option", err)
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ name, conf, want string }{
		{"no my_as", "[BGP]\nlocal_address = 127.0.0.2\n", "my_as"},
		{"bad peer", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 1\npeers = nope\n", "peers"},
		{"bad driver", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 1\n[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = vpp\n", "vpp"},
		{"bad hash_method", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 1\n[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = ovs\nhash_method = crc\n", "hash_method"},
		{"bad local", "[BGP]\nlocal_address = no-such-if0\nmy_as = 1\n", "local_address"},
		{"long port prefix", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 1\n[AGENT_FEED]\nlocal_port_prefix = abcdefghijklmn\n", "local_port_prefix"},
		{"as 0", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 0\n", "my_as"},
		{"peer_as syntax", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 1\npeers = 127.0.0.9\npeer_as = 127.0.0.9:65001\n", "peer_as"},
		{"peer_as not a peer", "[BGP]\nlocal_address = 127.0.0.2\nmy_as = 1\npeers = 127.0.0.9\npeer_as = 127.0.0.8=65001\n", "not in peers"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load(write(t, tc.conf))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Load = %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
}

// A misspelt ipvpn_encap is refused at load, whichever driver runs.
func TestLoadBadIPVPNEncap(t *testing.T) {
	_, err := Load(write(t, labConf+"[DATAPLANE_DRIVER_IPVPN]\nipvpn_encap = mlps\n"))
	if err == nil || !strings.Contains(err.Error(), "ipvpn_encap") {
		t.Errorf("Load with ipvpn_encap = mlps: %v, want an error naming ipvpn_encap", err)
	}
}
