package speaker

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
)

// Every route target rtrd accepts must encode as an extended community and
// every RD as a route distinguisher.
func FuzzEncodeRTRD(f *testing.F) {
	for _, s := range []string{"64512:100", "1.2.3.4:5", "4200000000:7", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := rtrd.Parse(s)
		if err != nil {
			return
		}
		if _, err := rtToGoBGP(v, 0x02); err != nil {
			t.Fatalf("rtrd.Parse(%q) = %+v which does not encode as an RT: %v", s, v, err)
		}
		if _, err := rdToGoBGP(v); err != nil {
			t.Fatalf("rtrd.Parse(%q) = %+v which does not encode as an RD: %v", s, v, err)
		}
	})
}

// keyByFmt is Key as it was first written, with fmt: keys name the routes
// an instance holds and refuses, so building them faster must not change
// them.
func keyByFmt(r *Route) string {
	var b strings.Builder
	b.WriteString(r.Family.String())
	b.WriteByte('|')
	switch r.Family {
	case VPNv4, VPNv6:
		fmt.Fprintf(&b, "%s|%s", r.RD, r.Prefix)
	case EVPN:
		fmt.Fprintf(&b, "%d|%s|%d|", r.EVPNType, r.RD, r.EthernetTag)
		switch r.EVPNType {
		case EVPNMACIP:
			b.WriteString(r.MAC.String())
			b.WriteByte('|')
			if r.IP.IsValid() {
				b.WriteString(r.IP.String())
			}
		case EVPNMulticast:
			b.WriteString(r.IP.String())
		case EVPNIPPrefix:
			b.WriteString(r.Prefix.String())
		}
	case RTC:
		fmt.Fprintf(&b, "%d|%s", r.OriginASN, r.MembershipRT)
	}
	return b.String()
}

func TestKey(t *testing.T) {
	mac, _ := net.ParseMAC("52:54:00:ab:cd:ef")
	rd := rtrd.MustParse("10.0.0.1:7")
	for _, r := range []Route{
		{Family: VPNv4, RD: rtrd.MustParse("64512:9999"), Prefix: netip.MustParsePrefix("10.1.2.3/32")},
		{Family: VPNv6, RD: rtrd.MustParse("4200000000:7"), Prefix: netip.MustParsePrefix("2001:db8::/64")},
		{Family: VPNv4},
		{Family: EVPN, EVPNType: EVPNMACIP, RD: rd, EthernetTag: 3, MAC: mac, IP: netip.MustParseAddr("10.0.0.5")},
		{Family: EVPN, EVPNType: EVPNMACIP, RD: rd, MAC: mac},
		{Family: EVPN, EVPNType: EVPNMulticast, RD: rd, IP: netip.MustParseAddr("192.0.2.1")},
		{Family: EVPN, EVPNType: EVPNMulticast, RD: rtrd.Value{Kind: rtrd.IPv4Address}},
		{Family: EVPN, EVPNType: EVPNIPPrefix, RD: rd, EthernetTag: 4294967295, Prefix: netip.MustParsePrefix("10.9.0.0/16")},
		{Family: EVPN, EVPNType: 4, RD: rd},
		{Family: RTC, OriginASN: 64512, MembershipRT: rtrd.MustParse("64512:100")},
		{Family: RTC, OriginASN: 4200000000},
		{Family: 9},
	} {
		if got, want := r.Key(), keyByFmt(&r); got != want {
			t.Errorf("Key() = %q, want %q", got, want)
		}
	}
}
