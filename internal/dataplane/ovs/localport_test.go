package ovs

import (
	"testing"
)

func intp(n int) *int { return &n }

// The OVS agent's VM ports on br-int: found by name or by iface-id, with
// their local VLAN only once the agent has wired them, and never on
// another bridge.
func TestFindVMPort(t *testing.T) {
	const id = "3f2a9c1e-7b44-4c55-9a0e-0123456789ab"
	wired := map[string]string{"net_uuid": "n1", "tag": "3"}
	br := intBridge{Name: "br-int", Ports: []string{"p1", "p2", "p3", "p4"}}
	ports := []intPort{
		{UUID: "p1", Name: "tap3f2a9c1e-7b", Tag: intp(3), OtherConfig: wired, Interfaces: []string{"i1"}},
		{UUID: "p2", Name: "qvo11112222-33", Tag: intp(deadVLAN), OtherConfig: map[string]string{}, Interfaces: []string{"i2"}},
		{UUID: "p3", Name: "vm-by-id", Tag: intp(5), OtherConfig: map[string]string{"net_uuid": "n2", "tag": "5"}, Interfaces: []string{"i3"}},
		{UUID: "p4", Name: "tapnoofport", Interfaces: []string{"i4"}},
		{UUID: "p5", Name: "tapelsewhere", Tag: intp(7), OtherConfig: map[string]string{"net_uuid": "n3"}, Interfaces: []string{"i5"}},
	}
	ifs := []intInterface{
		{UUID: "i1", Name: "tap3f2a9c1e-7b", OFPort: intp(11), ExternalIDs: map[string]string{"iface-id": id}},
		{UUID: "i2", Name: "qvo11112222-33", OFPort: intp(12), ExternalIDs: map[string]string{"iface-id": "11112222-3333-4444-5555-666677778888"}},
		{UUID: "i3", Name: "vm-by-id", OFPort: intp(13), ExternalIDs: map[string]string{"iface-id": "aaaabbbb-cccc-dddd-eeee-ffff00001111"}},
		{UUID: "i4", Name: "tapnoofport", OFPort: intp(-1)},
		{UUID: "i5", Name: "tapelsewhere", OFPort: intp(15)},
	}
	tests := []struct {
		name, linuxIf string
		want          vmPortInfo
		found         bool
	}{
		{"wired port by name", "tap3f2a9c1e-7b", vmPortInfo{OFPort: 11, VLAN: 3}, true},
		{"port the agent has not wired: dead VLAN", "qvo11112222-33", vmPortInfo{OFPort: 12}, true},
		{"interface named otherwise, found by iface-id", "tapaaaabbbb-cc", vmPortInfo{OFPort: 13, VLAN: 5}, true},
		{"no OpenFlow port yet", "tapnoofport", vmPortInfo{}, false},
		{"on another bridge", "tapelsewhere", vmPortInfo{}, false},
		{"unknown", "tap99999999-99", vmPortInfo{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, found := findVMPort(br, ports, ifs, tt.linuxIf)
			if got != tt.want || found != tt.found {
				t.Errorf("findVMPort(%q) = %+v, %v, want %+v, %v", tt.linuxIf, got, found, tt.want, tt.found)
			}
		})
	}
}

func TestLocalVLAN(t *testing.T) {
	tests := []struct {
		name string
		p    intPort
		want uint16
	}{
		{"wired", intPort{Tag: intp(4), OtherConfig: map[string]string{"net_uuid": "n", "tag": "4"}}, 4},
		{"no tag", intPort{OtherConfig: map[string]string{"net_uuid": "n"}}, 0},
		{"tag without the agent's record", intPort{Tag: intp(4)}, 0},
		{"dead VLAN", intPort{Tag: intp(deadVLAN), OtherConfig: map[string]string{"net_uuid": "n", "tag": "4095"}}, 0},
		{"tag and record disagree", intPort{Tag: intp(4), OtherConfig: map[string]string{"net_uuid": "n", "tag": "6"}}, 0},
	}
	for _, tt := range tests {
		if got := localVLAN(tt.p); got != tt.want {
			t.Errorf("%s: localVLAN = %d, want %d", tt.name, got, tt.want)
		}
	}
}
