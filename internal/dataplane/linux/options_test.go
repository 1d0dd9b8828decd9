package linux

import (
	"bytes"
	"log/slog"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vishvananda/netns"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

func TestParseOptions(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      map[string]string
		want    Options
		wantErr string
	}{
		{name: "local address only", in: map[string]string{dataplane.OptVPNType: "ipvpn", "local_address": "192.0.2.1"},
			want: Options{LocalAddress: addr("192.0.2.1")}},
		{name: "bagpipe's name and every number", in: map[string]string{"dataplane_local_address": "192.0.2.1", "vxlan_port": "8472",
			"ipvpn_vxlan_port": "4790", "table_base": "5000", "rule_priority": "900"},
			want: Options{LocalAddress: addr("192.0.2.1"), VXLANPort: 8472, IPVPNVXLANPort: 4790, TableBase: 5000, RulePriority: 900}},
		{name: "MPLS, with bagpipe's mpls_interface", in: map[string]string{"local_address": "192.0.2.1", "ipvpn_encap": "mpls", "mpls_interface": "eth1"},
			want: Options{LocalAddress: addr("192.0.2.1"), IPVPNEncap: "mpls", MPLSInterface: "eth1"}},
		{name: "unknown encapsulation", in: map[string]string{"local_address": "192.0.2.1", "ipvpn_encap": "gre"}, wantErr: `ipvpn_encap: "gre" is not auto, vxlan or mpls`},
		{name: "MPLS over GRE", in: map[string]string{"local_address": "192.0.2.1", "mpls_interface": "*gre*"}, wantErr: "MPLS over GRE is not supported"},
		{name: "not an interface name", in: map[string]string{"local_address": "192.0.2.1", "mpls_interface": "a-very-long-interface"}, wantErr: "is not an interface name"},
		{name: "no local address", in: map[string]string{dataplane.OptVPNType: "evpn"}, wantErr: "local_address (the VTEP address) is required"},
		{name: "bad address", in: map[string]string{"local_address": "eth0"}, wantErr: "local_address"},
		{name: "bad port", in: map[string]string{"local_address": "192.0.2.1", "vxlan_port": "70000"}, wantErr: "vxlan_port"},
		{name: "rule after main", in: map[string]string{"local_address": "192.0.2.1", "rule_priority": "32766"}, wantErr: "rule_priority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseOptions(tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("ParseOptions(%v) error = %v, want one containing %q", tc.in, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.want.NetNS = netns.None()
			if diff := cmp.Diff(tc.want, got, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
				t.Errorf("ParseOptions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRegistered(t *testing.T) {
	_, err := dataplane.New("linux", dataplane.Options{Config: map[string]string{dataplane.OptVPNType: "ipvpn"}})
	if err == nil || !strings.Contains(err.Error(), "local_address") {
		t.Errorf(`dataplane.New("linux") without local_address: error = %v, want one asking for it`, err)
	}
}

func TestRouterMAC(t *testing.T) {
	if got := routerMAC(addr("10.20.30.40")).String(); got != "02:b6:0a:14:1e:28" {
		t.Errorf("routerMAC(10.20.30.40) = %s, want 02:b6:0a:14:1e:28", got)
	}
	if got := gateway6(addr("192.0.2.2")).String(); got != "fe80::b6:c000:202" {
		t.Errorf("gateway6(192.0.2.2) = %s, want fe80::b6:c000:202", got)
	}
}

func TestParseOptionsAdoptGrace(t *testing.T) {
	o, err := ParseOptions(map[string]string{"local_address": "192.0.2.1", "adopt_grace": "8"})
	if err != nil || o.AdoptGrace != 8*time.Second {
		t.Errorf("ParseOptions(adopt_grace=8) = %v, %v; want 8s", o.AdoptGrace, err)
	}
	for _, bad := range []string{"-1", "x", "3601"} {
		if _, err := ParseOptions(map[string]string{"local_address": "192.0.2.1", "adopt_grace": bad}); err == nil {
			t.Errorf("ParseOptions(adopt_grace=%q) succeeded, want an error", bad)
		}
	}
}

// The driver built by name logs through the logger it is given (the
// agent's), not the process's default one.
func TestRegisteredLogsToItsLogger(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	d, err := dataplane.New("linux", dataplane.Options{
		Config: map[string]string{dataplane.OptVPNType: "ipvpn", "local_address": "192.0.2.1", "ipvpn_encap": "vxlan"},
		Logger: log,
	})
	if err != nil {
		t.Fatalf(`dataplane.New("linux") = %v`, err)
	}
	d.Close()
	if !strings.Contains(buf.String(), "linux dataplane ready") {
		t.Errorf("the driver's logger got %q, want its start line", buf.String())
	}
}
