package speaker

import (
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
