package linux

import (
	"encoding/binary"
	"testing"

	"github.com/vishvananda/netlink/nl"
	"golang.org/x/sys/unix"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// The kernel here has no MPLS, so the parsing of what an MPLS kernel dumps
// is tested on messages laid out as rtnetlink documents them (rtmsg, then
// attributes; RTA_VIA is struct rtvia; MPLS encap nests MPLS_IPTUNNEL_DST).

func rtMessage(hdr unix.RtMsg, attrs ...*nl.RtAttr) []byte {
	b := (&nl.RtMsg{RtMsg: hdr}).Serialize()
	for _, a := range attrs {
		b = append(b, a.Serialize()...)
	}
	return b
}

func u32(v uint32) []byte { return nl.Uint32Attr(v) }

func via4(a string) []byte {
	b := make([]byte, 2, 6)
	binary.NativeEndian.PutUint16(b, unix.AF_INET)
	return append(b, addr(a).AsSlice()...)
}

func mplsEncapAttrs(label int) []*nl.RtAttr {
	t := make([]byte, 2)
	binary.NativeEndian.PutUint16(t, nl.LWTUNNEL_ENCAP_MPLS)
	return []*nl.RtAttr{nl.NewRtAttr(unix.RTA_ENCAP_TYPE, t),
		nl.NewRtAttr(unix.RTA_ENCAP, nl.NewRtAttr(nl.MPLS_IPTUNNEL_DST, nl.EncodeMPLSStack(label)).Serialize())}
}

func TestParseMPLSRoutes(t *testing.T) {
	hop := func(oif int32, gw string, label int) []byte {
		children := []nl.NetlinkRequestData{nl.NewRtAttr(unix.RTA_GATEWAY, addr(gw).AsSlice())}
		for _, a := range mplsEncapAttrs(label) {
			children = append(children, a)
		}
		return (&nl.RtNexthop{RtNexthop: unix.RtNexthop{Ifindex: oif}, Children: children}).Serialize()
	}
	// What the driver plans for mplsVRF, to check that the kernel's
	// answer reads back as the same route (or every Apply would rewrite).
	plan, _ := planL3(dataplane.State{VRFs: []dataplane.VRF{mplsVRF()}}, testOpts,
		map[string]int{"lo": 1, "eth0": 2, "tap1": 3, "tap2": 4, l3Device: 5, "bgv-vrf2": 6}, "eth0")
	for _, tc := range []struct {
		name    string
		msg     []byte
		want    string
		planned bool
	}{
		{"label popped toward a port", rtMessage(unix.RtMsg{Family: unix.AF_MPLS, Dst_len: 20, Table: unix.RT_TABLE_MAIN, Protocol: rtProto, Type: unix.RTN_UNICAST},
			nl.NewRtAttr(unix.RTA_DST, nl.EncodeMPLSStack(17)), nl.NewRtAttr(unix.RTA_VIA, via4("10.1.1.10")), nl.NewRtAttr(unix.RTA_OIF, u32(3))),
			"mpls 17 via 10.1.1.10 oif 3", true},
		{"label popped into a VRF device", rtMessage(unix.RtMsg{Family: unix.AF_MPLS, Dst_len: 20, Table: unix.RT_TABLE_MAIN, Protocol: rtProto, Type: unix.RTN_UNICAST},
			nl.NewRtAttr(unix.RTA_DST, nl.EncodeMPLSStack(16)), nl.NewRtAttr(unix.RTA_OIF, u32(6))),
			"mpls 16 oif 6", true},
		{"route pushing a label", rtMessage(unix.RtMsg{Family: unix.AF_INET, Dst_len: 24, Table: unix.RT_TABLE_UNSPEC, Protocol: rtProto, Type: unix.RTN_UNICAST},
			append([]*nl.RtAttr{nl.NewRtAttr(unix.RTA_TABLE, u32(20002)), nl.NewRtAttr(unix.RTA_DST, addr("10.2.2.0").AsSlice()),
				nl.NewRtAttr(unix.RTA_OIF, u32(2)), nl.NewRtAttr(unix.RTA_GATEWAY, addr("192.0.2.2").AsSlice())}, mplsEncapAttrs(20)...)...),
			"table 20002 10.2.2.0/24 type 1 scope 0 metric 0 encap mpls 20 via 192.0.2.2 oif 2", false},
		{"ECMP over two PEs", rtMessage(unix.RtMsg{Family: unix.AF_INET, Dst_len: 24, Table: unix.RT_TABLE_UNSPEC, Protocol: rtProto, Type: unix.RTN_UNICAST},
			nl.NewRtAttr(unix.RTA_TABLE, u32(20002)), nl.NewRtAttr(unix.RTA_DST, addr("10.2.2.0").AsSlice()),
			nl.NewRtAttr(unix.RTA_MULTIPATH, append(hop(2, "192.0.2.2", 20), hop(2, "192.0.2.3", 30)...))),
			"table 20002 10.2.2.0/24 type 1 scope 0 metric 0 nexthop encap mpls 20 via 192.0.2.2 oif 2 nexthop encap mpls 30 via 192.0.2.3 oif 2", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok, err := parseRoute(tc.msg)
			if err != nil || !ok {
				t.Fatalf("parseRoute = %v, %v", ok, err)
			}
			if got := r.String(); got != tc.want || r.Protocol != rtProto {
				t.Errorf("parseRoute = %q (protocol %d), want %q (protocol %d)", got, r.Protocol, tc.want, rtProto)
			}
			if !tc.planned {
				return
			}
			if p := plan.routes[r.key()]; p == nil || !p.same(&r) {
				t.Errorf("read back %q, but the plan has %v: Apply would rewrite it every time", r.String(), p)
			}
		})
	}
}
