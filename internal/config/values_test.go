package config

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func mustParse(t *testing.T, s *Schema, in string) *Values {
	t.Helper()
	v, err := s.Parse("f.conf", strings.NewReader(in))
	if err != nil {
		t.Fatalf("Parse(%q) error: %v", in, err)
	}
	return v
}

func TestSet(t *testing.T) {
	tests := []struct {
		name         string
		file         string
		section, opt string
		value        string
		want         snapshot
		wantErr      string
		wantErrIs    error
	}{
		{
			name: "overrides a file value", file: "[BGP]\nmy_as = 1\n",
			section: "BGP", opt: "my_as", value: "65000",
			want: with(func(s *snapshot) { s.MyAS = 65000 }),
		},
		{
			name: "sets an unset option", section: "bgp", opt: "local_address", value: " 192.0.2.1 ",
			want: with(func(s *snapshot) { s.LocalAddress = mustAddr("192.0.2.1") }),
		},
		{
			name: "adds to a multi option", file: "[service_providers]\nservice_provider = a\n",
			section: "service_providers", opt: "service_provider", value: "b",
			want: with(func(s *snapshot) { s.Providers = []string{"a", "b"} }),
		},
		{
			name: "invalid value", file: "[BGP]\nmy_as = 1\n",
			section: "BGP", opt: "my_as", value: "x",
			want:    with(func(s *snapshot) { s.MyAS = 1 }),
			wantErr: "[BGP] my_as: 'x' is not an integer", wantErrIs: ErrInvalidValue,
		},
		{
			name: "choice not allowed", section: "BGP", opt: "driver", value: "bagpipe",
			want:    defaults,
			wantErr: "[BGP] driver: 'bagpipe' is not one of dummy, linux, ovs", wantErrIs: ErrInvalidValue,
		},
		{
			name: "unknown option", section: "BGP", opt: "nope", value: "1",
			want:    defaults,
			wantErr: "[BGP] nope: unknown option", wantErrIs: ErrUnknownOption,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustParse(t, testSchema(), tt.file)
			err := v.Set(tt.section, tt.opt, tt.value)
			if got := errString(err); got != tt.wantErr {
				t.Fatalf("Set(%q, %q, %q) = %v, want error %q", tt.section, tt.opt, tt.value, err, tt.wantErr)
			}
			if tt.wantErrIs != nil && !errors.Is(err, tt.wantErrIs) {
				t.Errorf("Set error %v does not match %v", err, tt.wantErrIs)
			}
			if diff := cmp.Diff(tt.want, getValues(v), cmpAddr); diff != "" {
				t.Errorf("values after Set mismatch (-want +got):\n%s", diff)
			}
			if err == nil && !v.IsSet(tt.section, tt.opt) {
				t.Errorf("IsSet(%q, %q) = false after Set", tt.section, tt.opt)
			}
		})
	}
}

func TestGettersDoNotLeakSlices(t *testing.T) {
	v := mustParse(t, testSchema(), "[BGP]\npeers = a, b\n")
	v.List("BGP", "peers")[0] = "changed"
	if got := v.List("BGP", "peers"); got[0] != "a" {
		t.Errorf("List after caller change = %v, want [a b]", got)
	}
}

func TestGetterPanicsOnProgrammerError(t *testing.T) {
	v := mustParse(t, testSchema(), "")
	tests := []struct {
		name string
		call func()
	}{
		{"option not in schema", func() { v.String("BGP", "nope") }},
		{"named section does not read DEFAULT", func() { v.Bool("BGP", "debug") }},
		{"Int on a string", func() { v.Int("BGP", "driver") }},
		{"Bool on an int", func() { v.Bool("BGP", "my_as") }},
		{"String on a multi", func() { v.String("service_providers", "service_provider") }},
		{"List on a multi", func() { v.List("service_providers", "service_provider") }},
		{"Addr on a string", func() { v.Addr("BGP", "driver") }},
		{"IsSet of unknown", func() { v.IsSet("X", "y") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("%s did not panic", tt.name)
				}
			}()
			tt.call()
		})
	}
}

func TestSchemaAddPanics(t *testing.T) {
	tests := []struct {
		name string
		opts []Opt
	}{
		{"empty name", []Opt{{Section: "S"}}},
		{"name with separator", []Opt{{Section: "S", Name: "a=b"}}},
		{"duplicate", []Opt{{Section: "S", Name: "a"}, {Section: "s", Name: "a"}}},
		{"bad default", []Opt{{Section: "S", Name: "a", Type: Int, Default: "x"}}},
		{"default outside bounds", []Opt{{Section: "S", Name: "a", Type: Int, Default: "0", Min: Bound(1)}}},
		{"default not a choice", []Opt{{Section: "S", Name: "a", Default: "c", Choices: []string{"a", "b"}}}},
		{"choices on int", []Opt{{Section: "S", Name: "a", Type: Int, Choices: []string{"1"}}}},
		{"bounds on string", []Opt{{Section: "S", Name: "a", Min: Bound(1)}}},
		{"min above max", []Opt{{Section: "S", Name: "a", Type: Int, Min: Bound(2), Max: Bound(1)}}},
		{"unknown type", []Opt{{Section: "S", Name: "a", Type: Type(99)}}},
		{"deprecated name in use", []Opt{{Section: "S", Name: "a"}, {Section: "S", Name: "b", Deprecated: []string{"a"}}}},
		{"deprecated same as name", []Opt{{Section: "S", Name: "a", Deprecated: []string{"S/a"}}}},
		{"bad deprecated name", []Opt{{Section: "S", Name: "a", Deprecated: []string{"S/"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Errorf("NewSchema(%+v) did not panic", tt.opts)
				}
			}()
			NewSchema(tt.opts...)
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
