package feed

import (
	"encoding/json"
	"net/netip"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func sample() HostState {
	lp := uint32(200)
	return HostState{Host: "compute-1", Epoch: "e1", Revision: 42, Attachments: []Attachment{{
		VPNType: IPVPN, VPNInstanceID: "ipvpn_net1", NetworkID: "net1", PortID: "port1", MACAddress: "fa:16:3e:00:00:01",
		IPs: []IP{
			{Address: netip.MustParsePrefix("10.0.0.5/24"), Gateway: netip.MustParseAddr("10.0.0.1"), GatewayMAC: "fa:16:3e:00:00:fe"},
			{Address: netip.MustParsePrefix("2001:db8::5/64")},
		},
		ImportRTs: []string{"64512:1"}, ExportRTs: []string{"64512:1", "64512:2"}, RouteDistinguishers: []string{"64512:100"},
		LocalPref: &lp, Direction: Both, Description: Description{Port: "port1"}, Associations: []string{"a1"},
	}}}
}

func TestJSONRoundTrip(t *testing.T) {
	in := sample()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"vpn_type":"ipvpn"`, `"address":"10.0.0.5/24"`, `"gateway_ip":"10.0.0.1"`,
		`"import_rt":["64512:1"]`, `"local_pref":200`, `"description":{"port":"port1"}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("json.Marshal(state) = %s, want it to contain %s", b, want)
		}
	}
	if strings.Contains(string(b), `"address":"2001:db8::5/64","gateway_ip"`) {
		t.Errorf("json.Marshal(state) = %s: an IP without gateway must omit gateway_ip", b)
	}
	var out HostState
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(in, out, cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
		cmp.Comparer(func(a, b netip.Prefix) bool { return a == b })); d != "" {
		t.Errorf("round trip (-in +out):\n%s", d)
	}
}

func TestSort(t *testing.T) {
	atts := []Attachment{
		{VPNType: IPVPN, VPNInstanceID: "ipvpn_n", PortID: "p2", ImportRTs: []string{"64512:2", "64512:1", "64512:2"}},
		{VPNType: IPVPN, VPNInstanceID: "ipvpn_n", PortID: "p1", IPs: []IP{{Address: netip.MustParsePrefix("2001:db8::1/64")},
			{Address: netip.MustParsePrefix("10.0.0.1/24")}}},
		{VPNType: EVPN, VPNInstanceID: "evpn_n", PortID: "p1", Associations: []string{"b", "a"}},
	}
	Sort(atts)
	var got []string
	for _, a := range atts {
		got = append(got, a.Key())
	}
	if d := cmp.Diff([]string{"evpn_n p1", "ipvpn_n p1", "ipvpn_n p2"}, got); d != "" {
		t.Errorf("Sort order (-want +got):\n%s", d)
	}
	if d := cmp.Diff([]string{"64512:1", "64512:2"}, atts[2].ImportRTs); d != "" {
		t.Errorf("Sort import RTs (-want +got):\n%s", d)
	}
	if got := atts[1].IPs[0].Address.String(); got != "10.0.0.1/24" {
		t.Errorf("Sort first IP = %s, want the IPv4 one", got)
	}
	if d := cmp.Diff([]string{"a", "b"}, atts[0].Associations); d != "" {
		t.Errorf("Sort associations (-want +got):\n%s", d)
	}
}

func TestStatusReportValidate(t *testing.T) {
	tests := []struct {
		name string
		r    StatusReport
		ok   bool
	}{
		{"good", StatusReport{Revision: 3, Associations: []AssociationStatus{{ID: "a", Status: Active}, {ID: "b", Status: Error, Reason: "x"}}}, true},
		{"empty", StatusReport{}, true},
		{"build is the server's word", StatusReport{Associations: []AssociationStatus{{ID: "a", Status: Build}}}, false},
		{"no id", StatusReport{Associations: []AssociationStatus{{Status: Active}}}, false},
		{"negative revision", StatusReport{Revision: -1}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.r.Validate(); (err == nil) != tt.ok {
				t.Errorf("Validate() = %v, want ok %v", err, tt.ok)
			}
		})
	}
}
