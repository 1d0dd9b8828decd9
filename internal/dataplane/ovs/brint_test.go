package ovs

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// On br-int: traffic of the VM to the router MAC goes to the VRFs tagged
// with its local VLAN; its ARP requests for the gateway are answered in
// place; without an IPv4 gateway, no ARP flow.
func TestRedirectFlows(t *testing.T) {
	info := vmPortInfo{OFPort: 7, VLAN: 3}
	got := func(gw netip.Addr) []string {
		var out []string
		for _, f := range redirectFlows(info, gw, "02:b6:c0:00:02:01", 9) {
			out = append(out, f.String())
		}
		return out
	}
	want := []string{
		"table=0,priority=200,in_port=7,dl_dst=02:b6:c0:00:02:01 actions=push_vlan:0x8100,mod_vlan_vid:3,output:9",
		"table=0,priority=200,in_port=7,dl_type=0x0806,arp_op=1,arp_tpa=10.0.1.1 actions=arp_reply:02:b6:c0:00:02:01,in_port",
	}
	if diff := cmp.Diff(want, got(netip.MustParseAddr("10.0.1.1"))); diff != "" {
		t.Errorf("redirectFlows (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:1], got(netip.Addr{})); diff != "" {
		t.Errorf("redirectFlows without gateway (-want +got):\n%s", diff)
	}
}

// integration_bridge is off unless set, and must be a bridge name.
func TestIntegrationBridgeOption(t *testing.T) {
	base := map[string]string{"local_address": "192.0.2.1"}
	o, err := ParseOptions(base)
	if err != nil || o.IntegrationBridge != "" {
		t.Errorf("ParseOptions without integration_bridge = %q, %v, want \"\", nil", o.IntegrationBridge, err)
	}
	base["integration_bridge"] = "br-int"
	if o, err = ParseOptions(base); err != nil || o.IntegrationBridge != "br-int" {
		t.Errorf("ParseOptions(integration_bridge = br-int) = %q, %v, want br-int, nil", o.IntegrationBridge, err)
	}
	base["integration_bridge"] = "br int"
	if _, err = ParseOptions(base); err == nil {
		t.Errorf("ParseOptions(integration_bridge = %q) succeeded, want an error", "br int")
	}
}
