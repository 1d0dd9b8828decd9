package rtrd

import (
	"net/netip"
	"regexp"
	"testing"
)

// The original's grammar, verbatim from neutron-lib, used as an oracle.
const (
	uint32RE = `(0|[1-9]\d{0,8}|[1-3]\d{9}|4[01]\d{8}|42[0-8]\d{7}|429[0-3]\d{6}|4294[0-8]\d{5}|42949[0-5]\d{4}|429496[0-6]\d{3}|4294967[0-1]\d{2}|42949672[0-8]\d|429496729[0-5])`
	uint16RE = `(0|[1-9]\d{0,3}|[1-5]\d{4}|6[0-4]\d{3}|65[0-4]\d{2}|655[0-2]\d|6553[0-5])`
	uint8RE  = `(0|[1-9]\d{0,1}|1\d{2}|2[0-4]\d|25[0-5])`
	ip4RE    = `(` + uint8RE + `\.` + uint8RE + `\.` + uint8RE + `\.` + uint8RE + `)`
)

var oracle = regexp.MustCompile(`^(` + uint16RE + `:` + uint32RE + `|` + ip4RE + `:` + uint16RE + `|` + uint32RE + `:` + uint16RE + `)$`)

func TestParseValid(t *testing.T) {
	tests := []struct {
		in   string
		want Value
	}{
		{"1:1", Value{Kind: TwoOctetAS, ASN: 1, Number: 1}},
		{"0:0", Value{Kind: TwoOctetAS}},
		{"1:4294967295", Value{Kind: TwoOctetAS, ASN: 1, Number: 4294967295}},
		{"65535:4294967295", Value{Kind: TwoOctetAS, ASN: 65535, Number: 4294967295}},
		{"1.1.1.1:65535", Value{Kind: IPv4Address, IP: netip.MustParseAddr("1.1.1.1"), Number: 65535}},
		{"255.255.255.255:65535", Value{Kind: IPv4Address, IP: netip.MustParseAddr("255.255.255.255"), Number: 65535}},
		{"65536:65535", Value{Kind: FourOctetAS, ASN: 65536, Number: 65535}},
		{"4294967295:0", Value{Kind: FourOctetAS, ASN: 4294967295}},
	}
	for _, tt := range tests {
		got, err := Parse(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", tt.in, got, err, tt.want)
		}
		if s := got.String(); s != tt.in {
			t.Errorf("Parse(%q).String() = %q", tt.in, s)
		}
	}
}

func TestParseInvalid(t *testing.T) {
	for _, in := range []string{
		"", ":1", "1:", "42", "0", "test", " ", "xyz", "ASN:NN", "abc:1",
		"65536:123456", "65536:65536", "65536:4294967296", "4294967296:65535",
		"4294967295:65536", "123.456.789.123:65535", "1.2.3.256:1", "1.1.1.1:655351",
		"1.2.3.4:65536", "64512:1000000000000", "01:1", "1:01", "1.02.3.4:1",
		" 64512:1", "64512:1 ", "64512:1\n", "1:2:3", "+1:1", "-1:1", "1.2.3:4",
		"1.2.3.4.5:6", "1..2.3:4", "١:1",
	} {
		if v, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want error", in, v)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1:1", "1.2.3.4:5", "65536:65535", "01:1", "4294967295:0", "1:4294967296"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := Parse(s)
		if (err == nil) != oracle.MatchString(s) {
			t.Fatalf("Parse(%q) error = %v, but the original's regex says match=%v", s, err, oracle.MatchString(s))
		}
		if err == nil && v.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, v.String())
		}
	})
}
