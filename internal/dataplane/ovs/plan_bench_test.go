package ovs

import (
	"fmt"
	"net/netip"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// BenchmarkPlan: the driver's own work for a state (no Open vSwitch):
// planning 100,000 imported routes, and 1,000 ports, into flows.
func BenchmarkPlan(b *testing.B) {
	ports := bridgePorts{GRE: 2, VXLANL3: 3, ByName: map[string]uint32{}}
	v := dataplane.VRF{ID: "bench", Number: 1, VNI: 100}
	for i := 0; i < 1000; i++ {
		name := fmt.Sprintf("p%d", i)
		ports.ByName[name] = uint32(10 + i)
		v.Ports = append(v.Ports, dataplane.Port{LinuxIf: name, MAC: dataplane.MAC{0x52, 0x54, 0, 0, byte(i >> 8), byte(i)},
			IPs: []netip.Prefix{netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)}), 16)}, Label: uint32(2000 + i)})
	}
	routes := routesState(100000).VRFs[0].Routes
	for _, tc := range []struct {
		name string
		s    dataplane.State
	}{
		{"1000 ports", dataplane.State{VRFs: []dataplane.VRF{{ID: v.ID, Number: 1, VNI: 100, Ports: v.Ports}}}},
		{"100000 routes", dataplane.State{VRFs: []dataplane.VRF{{ID: v.ID, Number: 1, VNI: 100, Routes: routes}}}},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var flows int
			for i := 0; i < b.N; i++ {
				p, errs := planState(tc.s, testOptions(), ports)
				if len(errs) > 0 {
					b.Fatal(errs[0])
				}
				flows = len(p.flows)
			}
			b.ReportMetric(float64(flows)*float64(b.N)/b.Elapsed().Seconds(), "flows/s")
		})
	}
}
