package speaker

import (
	"net/netip"
	"testing"
)

func TestParseRT(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    RT
		wantErr bool
	}{
		{in: "64512:100", want: RT{ASN: 64512, Number: 100}},
		{in: "64512:4294967295", want: RT{ASN: 64512, Number: 4294967295}},
		{in: "4200000000:7", want: RT{ASN: 4200000000, Number: 7}},
		{in: "4200000000:70000", wantErr: true},
		{in: "1.2.3.4:5", want: RT{IP: netip.MustParseAddr("1.2.3.4"), Number: 5}},
		{in: "1.2.3.4:70000", wantErr: true},
		{in: "::1:5", wantErr: true},
		{in: "64512", wantErr: true},
		{in: ":5", wantErr: true},
		{in: "5:", wantErr: true},
		{in: "a:b", wantErr: true},
		{in: "-1:5", wantErr: true},
	} {
		got, err := ParseRT(tc.in)
		if (err != nil) != tc.wantErr {
			t.Errorf("ParseRT(%q) error = %v, want error %v", tc.in, err, tc.wantErr)
			continue
		}
		if err == nil && got != tc.want {
			t.Errorf("ParseRT(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if err == nil && got.String() != tc.in {
			t.Errorf("ParseRT(%q).String() = %q", tc.in, got.String())
		}
	}
}

func FuzzParseRT(f *testing.F) {
	for _, s := range []string{"64512:100", "1.2.3.4:5", "4200000000:7", "x", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		rt, err := ParseRT(s)
		if err != nil {
			return
		}
		// What parses must encode and round-trip.
		if _, err := rt.extCommunity(0x02); err != nil {
			t.Fatalf("ParseRT(%q) = %+v which does not encode: %v", s, rt, err)
		}
		back, err := ParseRT(rt.String())
		if err != nil || back != rt {
			t.Fatalf("ParseRT(%q) = %+v, round trip %+v, %v", s, rt, back, err)
		}
	})
}
