package agentconf

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bagpipe's ovs options reach the driver of their section, as the driver
// reads them; options bagpipe has and we do not use are accepted quietly.
func TestLoadOVSOptions(t *testing.T) {
	got, err := Load(write(t, `[BGP]
local_address = 127.0.0.2
my_as = 64512
[DATAPLANE_DRIVER_IPVPN]
dataplane_driver = ovs
dataplane_local_address = 192.0.2.2
ovs_bridge = br-vpn
mpls_interface = *gre*
mpls_over_gre = True
vxlan_encap = True
proxy_arp = False
ovs_table_id_start = 5
hash_method = hash
ovsbr_interfaces_mtu = 1500
[DATAPLANE_DRIVER_EVPN]
dataplane_driver = ovs
ovs_bridge = br-tun
`))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"local_address": "192.0.2.2", "netns": "", "adopt_grace": "60", "ipvpn_encap": "auto", "mpls_interface": "*gre*",
		"ovs_bridge": "br-vpn", "mpls_over_gre": "True", "vxlan_encap": "true", "proxy_arp": "false",
		"ovs_table_id_start": "5", "hash_method": "hash",
	}
	if diff := cmp.Diff(want, got.IPVPNOptions); diff != "" {
		t.Errorf("IP VPN driver options (-want +got):\n%s", diff)
	}
	if got.EVPNOptions["ovs_bridge"] != "br-tun" {
		t.Errorf("EVPN driver options = %v, want ovs_bridge br-tun", got.EVPNOptions)
	}
	if len(got.Unknown) != 0 {
		t.Errorf("Unknown = %v, want none (bagpipe's ovs options are known)", got.Unknown)
	}
}
