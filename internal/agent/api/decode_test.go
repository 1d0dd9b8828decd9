package api

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// The exact body of bagpipe-anchor.md §2.
const anchorBody = `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-demo","mac_address":"52:54:00:00:00:01",
 "ip_address":"10.100.0.5/24","gateway_ip":"10.100.0.1","local_port":{"linuxif":"tap-demo1"},
 "import_rt":["64512:100"],"export_rt":["64512:200"],"description":"demo port 1",
 "instance_description":"demo vrf","local_pref":250}`

// What the networking-bagpipe OVS agent extension sends (with nulls and
// objects where bagpipe-bgp takes them).
const neutronBody = `{"vpn_type":"evpn","vpn_instance_id":"evpn_7c5a","mac_address":"fa:16:3e:11:22:33",
 "ip_address":"10.0.0.7","gateway_ip":"10.0.0.1","local_port":{"linuxif":"patch2tun:3","vlan":3},
 "import_rt":"64512:10, 64512:11,64512:10","export_rt":["64512:10"],"vni":5000,"readvertise":null,
 "attract_traffic":{},"lb_consistent_hash_order":0,"direction":"both","description":{"port":"7c5a"},
 "instance_description":"evpn of net 7c5a","local_pref":null}`

func TestDecodeAttach(t *testing.T) {
	mac, _ := net.ParseMAC("52:54:00:00:00:01")
	mac2, _ := net.ParseMAC("fa:16:3e:11:22:33")
	mac3, _ := net.ParseMAC("00:00:5e:2a:10:00")
	mac4, _ := net.ParseMAC("fa:16:3e:99:99:99")
	rt := rtrd.MustParse
	for _, tc := range []struct {
		name string
		body string
		want agent.Attachment
	}{
		{"bagpipe anchor", anchorBody, agent.Attachment{
			VPNType: agent.IPVPN, VPNInstanceID: "vrf-demo", MAC: mac, IP: netip.MustParsePrefix("10.100.0.5/24"),
			GatewayIP: netip.MustParseAddr("10.100.0.1"), LocalPort: agent.LocalPort{LinuxIf: "tap-demo1", Raw: map[string]any{"linuxif": "tap-demo1"}},
			ImportRTs: []speaker.RT{rt("64512:100")}, ExportRTs: []speaker.RT{rt("64512:200")}, Description: "demo port 1",
			InstanceDescription: "demo vrf", LocalPref: 250,
		}},
		{"neutron agent", neutronBody, agent.Attachment{
			VPNType: agent.EVPN, VPNInstanceID: "evpn_7c5a", MAC: mac2, IP: netip.MustParsePrefix("10.0.0.7/32"),
			GatewayIP: netip.MustParseAddr("10.0.0.1"), LocalPort: agent.LocalPort{LinuxIf: "patch2tun:3", Raw: map[string]any{"linuxif": "patch2tun:3", "vlan": 3.0}},
			ImportRTs: []speaker.RT{rt("64512:10"), rt("64512:11")}, ExportRTs: []speaker.RT{rt("64512:10")}, VNI: 5000,
			Direction: agent.Both, Description: `{"port":"7c5a"}`, InstanceDescription: "evpn of net 7c5a",
		}},
		{"neutron agent, ipvpn on OVS", `{"vpn_type":"ipvpn","vpn_instance_id":"ipvpn_7c5a","mac_address":"fa:16:3e:11:22:33","ip_address":"10.0.0.7","gateway_ip":"10.0.0.1",` +
			`"local_port":{"linuxif":"patch2tun:3","ovs":{"plugged":true,"port_number":4,"vlan":3}},"import_rt":["64512:10"],"export_rt":["64512:10"],` +
			`"fallback":{"src_mac":"00:00:5e:2a:10:00","dst_mac":"fa:16:3e:99:99:99","ovs_port_number":7}}`, agent.Attachment{
			VPNType: agent.IPVPN, VPNInstanceID: "ipvpn_7c5a", MAC: mac2, IP: netip.MustParsePrefix("10.0.0.7/32"), GatewayIP: netip.MustParseAddr("10.0.0.1"),
			LocalPort: agent.LocalPort{LinuxIf: "patch2tun:3", OVS: &dataplane.OVSPort{Plugged: true, PortNumber: 4, VLAN: 3},
				Raw: map[string]any{"linuxif": "patch2tun:3", "ovs": map[string]any{"plugged": true, "port_number": 4.0, "vlan": 3.0}}},
			ImportRTs: []speaker.RT{rt("64512:10")}, ExportRTs: []speaker.RT{rt("64512:10")},
			Fallback: &dataplane.Fallback{SrcMAC: dataplane.MAC(mac3), DstMAC: dataplane.MAC(mac4), PortNumber: 7},
		}},
		{"string local port, IPv4 admin RT", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"2001:db8::5/64","gateway_ip":"2001:db8::1","local_port":"tap1","import_rt":["1.2.3.4:5"],"export_rt":[]}`, agent.Attachment{
			VPNType: agent.IPVPN, VPNInstanceID: "v", MAC: mac, IP: netip.MustParsePrefix("2001:db8::5/64"),
			GatewayIP: netip.MustParseAddr("2001:db8::1"), LocalPort: agent.LocalPort{LinuxIf: "tap1"},
			ImportRTs: []speaker.RT{rt("1.2.3.4:5")}, ExportRTs: []speaker.RT{},
		}},
		{"EVPN type 5", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.5/24","gateway_ip":"10.0.0.1","local_port":"tap1","import_rt":[],"export_rt":[],"vni":5001,"advertise_evpn_type5":true}`, agent.Attachment{
			VPNType: agent.IPVPN, VPNInstanceID: "v", MAC: mac, IP: netip.MustParsePrefix("10.0.0.5/24"),
			GatewayIP: netip.MustParseAddr("10.0.0.1"), LocalPort: agent.LocalPort{LinuxIf: "tap1"},
			ImportRTs: []speaker.RT{}, ExportRTs: []speaker.RT{}, VNI: 5001, EVPNType5: new(true),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := DecodeAttach([]byte(tc.body))
			if err != nil {
				t.Fatalf("DecodeAttach = %v", err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateComparable(netip.Addr{}, netip.Prefix{})); diff != "" {
				t.Errorf("DecodeAttach (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDecodeAttachErrors(t *testing.T) {
	for _, tc := range []struct {
		name, body, field string
	}{
		{"not json", `vpn_type=ipvpn`, ""},
		{"json array", `[]`, ""},
		{"null", `null`, ""},
		{"missing gateway", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","local_port":"t","import_rt":[],"export_rt":[]}`, "gateway_ip"},
		{"bad mac", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"zz","local_port":"t","import_rt":[],"export_rt":[]}`, "mac_address"},
		{"unknown type", `{"vpn_type":"foo"}`, "vpn_type"},
		{"rt", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":["x:1"],"export_rt":[]}`, "import_rt"},
		{"rt type", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[1],"export_rt":[]}`, "import_rt"},
		{"missing rt", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[]}`, "export_rt"},
		{"advertise_subnet string", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[],"export_rt":[],"advertise_subnet":"yes"}`, "advertise_subnet"},
		{"vni too big", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[],"export_rt":[],"vni":16777216}`, "vni"},
		{"local_pref negative", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[],"export_rt":[],"local_pref":-1}`, "local_pref"},
		{"direction", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[],"export_rt":[],"direction":"up"}`, "direction"},
		{"local port number", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":5,"import_rt":[],"export_rt":[]}`, "local_port"},
		{"readvertise", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","local_port":"t","import_rt":[],"export_rt":[],"readvertise":{"from_rt":["1:1"]}}`, "readvertise.to_rt"},
		{"ovs not an object", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":{"linuxif":"p","ovs":5}}`, "local_port.ovs"},
		{"ovs plugged without port", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":{"linuxif":"p","ovs":{"plugged":true}}}`, "local_port.ovs.port_number"},
		{"ovs vlan too big", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":{"linuxif":"p","ovs":{"plugged":true,"port_number":4,"vlan":4095}}}`, "local_port.ovs.vlan"},
		{"ovs port fraction", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":{"linuxif":"p","ovs":{"plugged":true,"port_number":4.5}}}`, "local_port.ovs.port_number"},
		{"ovs plugged string", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":{"linuxif":"p","ovs":{"plugged":"yes","port_number":4}}}`, "local_port.ovs.plugged"},
		{"fallback not an object", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":"p","fallback":[]}`, "fallback"},
		{"fallback port", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":"p","fallback":{"ovs_port_number":-1}}`, "fallback.ovs_port_number"},
		{"fallback mac", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","import_rt":[],"export_rt":[],"local_port":"p","fallback":{"ovs_port_number":2,"src_mac":"x","dst_mac":"fa:16:3e:99:99:99"}}`, "fallback.src_mac"},
		{"rd", `{"vpn_type":"evpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","local_port":"t","import_rt":[],"export_rt":[],"rd":"nope"}`, "rd"},
		{"advertise_evpn_type5 string", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.0.0.1","gateway_ip":"10.0.0.1","local_port":"t","import_rt":[],"export_rt":[],"advertise_evpn_type5":"yes"}`, "advertise_evpn_type5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeAttach([]byte(tc.body))
			var ie *agent.InputError
			if !errors.As(err, &ie) || ie.Field != tc.field {
				t.Fatalf("DecodeAttach(%s) = %v, want an InputError on %q", tc.body, err, tc.field)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{anchorBody, neutronBody, `{}`, `null`, `{"vpn_type":"evpn","local_port":{"evpn":{"id":1}}}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		a, err := DecodeAttach(b)
		if err != nil {
			var ie *agent.InputError
			if !errors.As(err, &ie) {
				t.Fatalf("DecodeAttach error %v is not an InputError", err)
			}
			return
		}
		if a.VPNInstanceID == "" || len(a.MAC) != 6 || a.LocalPort.LinuxIf == "" {
			t.Fatalf("DecodeAttach accepted an incomplete attachment %+v", a)
		}
		_, err = DecodeDetach(b)
		var ie *agent.InputError
		if err != nil && !errors.As(err, &ie) {
			t.Fatalf("DecodeDetach error %v is not an InputError", err)
		}
	})
}
