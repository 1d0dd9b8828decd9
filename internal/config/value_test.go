package config

import (
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func TestConvert(t *testing.T) {
	tests := []struct {
		opt     Opt
		raw     string
		want    typedValue
		wantErr string
	}{
		{Opt{Type: String}, " x ", typedValue{str: " x "}, ""},
		{Opt{Type: Int}, " -42 ", typedValue{str: "-42", int: -42}, ""},
		{Opt{Type: Int}, "+7", typedValue{str: "+7", int: 7}, ""},
		{Opt{Type: Int}, "", typedValue{empty: true}, ""},
		{Opt{Type: Int}, "1.5", typedValue{}, "'1.5' is not an integer"},
		{Opt{Type: Int}, "0x10", typedValue{}, "'0x10' is not an integer"},
		{Opt{Type: Int}, "99999999999999999999", typedValue{}, "'99999999999999999999' is not an integer"},
		{Opt{Type: Int, Max: Bound(10)}, "11", typedValue{}, "11 is out of range -9223372036854775808..10"},
		{Opt{Type: Port}, "65535", typedValue{str: "65535", int: 65535}, ""},
		{Opt{Type: Port}, "65536", typedValue{}, "65536 is out of range 0..65535"},
		{Opt{Type: Port, Min: Bound(1)}, "0", typedValue{}, "0 is out of range 1..65535"},
		{Opt{Type: Port, Max: Bound(99999)}, "65536", typedValue{}, "65536 is out of range 0..65535"},
		{Opt{Type: Bool}, "Yes", typedValue{str: "Yes", bool: true}, ""},
		{Opt{Type: Bool}, "ON", typedValue{str: "ON", bool: true}, ""},
		{Opt{Type: Bool}, "1", typedValue{str: "1", bool: true}, ""},
		{Opt{Type: Bool}, "True", typedValue{str: "True", bool: true}, ""},
		{Opt{Type: Bool}, "off", typedValue{str: "off"}, ""},
		{Opt{Type: Bool}, "NO", typedValue{str: "NO"}, ""},
		{Opt{Type: Bool}, "0", typedValue{str: "0"}, ""},
		{Opt{Type: Bool}, "FALSE", typedValue{str: "FALSE"}, ""},
		{Opt{Type: Bool}, "y", typedValue{}, "'y' is not a boolean (true/false, yes/no, on/off, 1/0)"},
		{Opt{Type: Float}, "2.5", typedValue{str: "2.5", float: 2.5}, ""},
		{Opt{Type: Float}, "", typedValue{empty: true}, ""},
		{Opt{Type: Float}, "Inf", typedValue{}, "'Inf' is not a number"},
		{Opt{Type: List}, " a, b ,c ", typedValue{str: " a, b ,c ", list: []string{"a", "b", "c"}}, ""},
		{Opt{Type: List}, "a,,b", typedValue{str: "a,,b", list: []string{"a", "", "b"}}, ""},
		{Opt{Type: List}, " , ", typedValue{str: " , "}, ""},
		{Opt{Type: Multi}, "x, y", typedValue{str: "x, y", list: []string{"x, y"}}, ""},
		{Opt{Type: IPAddr}, "192.0.2.1", typedValue{str: "192.0.2.1", addr: mustAddr("192.0.2.1")}, ""},
		{Opt{Type: IPAddr}, "2001:db8::1", typedValue{str: "2001:db8::1", addr: mustAddr("2001:db8::1")}, ""},
		{Opt{Type: IPAddr}, "eth0", typedValue{}, "'eth0' is not an IP address"},
		{Opt{Type: IPAddr}, "192.0.2.0/24", typedValue{}, "'192.0.2.0/24' is not an IP address"},
		{Opt{Type: HostAddr}, "rr1.example.net.", typedValue{str: "rr1.example.net."}, ""},
		{Opt{Type: HostAddr}, "localhost", typedValue{str: "localhost"}, ""},
		{Opt{Type: HostAddr}, "::1", typedValue{str: "::1", addr: mustAddr("::1")}, ""},
		{Opt{Type: HostAddr}, "256.1.1.1", typedValue{}, "'256.1.1.1' is neither an IP address nor a host name"},
		{Opt{Type: HostAddr}, "a_b", typedValue{}, "'a_b' is neither an IP address nor a host name"},
		{Opt{Type: HostAddr}, "", typedValue{}, "'' is neither an IP address nor a host name"},
		{Opt{Type: String, Choices: []string{"a", "b"}}, "b", typedValue{str: "b"}, ""},
		{Opt{Type: String, Choices: []string{"a", "b"}}, "", typedValue{}, "'' is not one of a, b"},
		{Opt{Type: String, Secret: true, Choices: []string{"a"}}, "s3cret", typedValue{}, "value is not a valid string"},
	}
	for _, tt := range tests {
		so := &schemaOpt{Opt: tt.opt}
		got, err := so.convert(tt.raw)
		if tt.wantErr != "" {
			if err == nil || err.Error() != tt.wantErr || !errors.Is(err, ErrInvalidValue) {
				t.Errorf("convert(%v, %q) error = %v, want %q (ErrInvalidValue)", tt.opt.Type, tt.raw, err, tt.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("convert(%v, %q) error: %v", tt.opt.Type, tt.raw, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(typedValue{}), cmpAddr); diff != "" {
			t.Errorf("convert(%v, %q) mismatch (-want +got):\n%s", tt.opt.Type, tt.raw, diff)
		}
	}
}
