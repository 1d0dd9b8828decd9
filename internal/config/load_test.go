package config

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// testSchema covers every type; tests read it back through getValues.
func testSchema() *Schema {
	return NewSchema(
		Opt{Name: "debug", Type: Bool, Default: "false", Help: "Debug logging."},
		Opt{Name: "host", Type: HostAddr, Default: "localhost"},
		Opt{Section: "BGP", Name: "local_address", Type: IPAddr},
		Opt{Section: "BGP", Name: "peers", Type: List},
		Opt{Section: "BGP", Name: "my_as", Type: Int, Min: Bound(1), Max: Bound(65535)},
		Opt{Section: "BGP", Name: "enable_rtc", Type: Bool, Default: "True"},
		Opt{Section: "BGP", Name: "bgp_port", Type: Port, Default: "179"},
		Opt{Section: "BGP", Name: "hold_time", Type: Float, Default: "90"},
		Opt{Section: "BGP", Name: "driver", Type: String, Choices: []string{"dummy", "linux", "ovs"}, Deprecated: []string{"old_driver", "OLD/driver"}},
		Opt{Section: "service_providers", Name: "service_provider", Type: Multi},
		Opt{Section: "database", Name: "connection", Type: String, Secret: true},
	)
}

// snapshot is every value of testSchema, for comparing whole results.
type snapshot struct {
	Debug        bool
	Host         string
	LocalAddress netip.Addr
	Peers        []string
	MyAS         int64
	EnableRTC    bool
	BGPPort      int64
	HoldTime     float64
	Driver       string
	Providers    []string
	Connection   string
}

func getValues(v *Values) snapshot {
	return snapshot{
		Debug:        v.Bool("DEFAULT", "debug"),
		Host:         v.String("DEFAULT", "host"),
		LocalAddress: v.Addr("BGP", "local_address"),
		Peers:        v.List("BGP", "peers"),
		MyAS:         v.Int("BGP", "my_as"),
		EnableRTC:    v.Bool("BGP", "enable_rtc"),
		BGPPort:      v.Int("BGP", "bgp_port"),
		HoldTime:     v.Float("BGP", "hold_time"),
		Driver:       v.String("BGP", "driver"),
		Providers:    v.Multi("service_providers", "service_provider"),
		Connection:   v.String("database", "connection"),
	}
}

var defaults = snapshot{Host: "localhost", EnableRTC: true, BGPPort: 179, HoldTime: 90}

var cmpAddr = cmp.Comparer(func(a, b netip.Addr) bool { return a == b })

// with returns defaults changed by f.
func with(f func(*snapshot)) snapshot {
	s := defaults
	f(&s)
	return s
}

func TestParse(t *testing.T) {
	tests := []struct {
		name        string
		in          string
		want        snapshot
		wantUnknown []string
		wantWarn    []string
	}{
		{name: "empty file gives defaults", in: "", want: defaults},
		{
			name: "every type",
			in: `[DEFAULT]
debug = yes
host = 192.0.2.9

[BGP]
local_address = 2001:db8::1
peers = 192.0.2.1, 192.0.2.2
my_as: 64512
enable_rtc = OFF
bgp_port = 1179
hold_time = 4.5e1
driver = "ovs"

[service_providers]
service_provider = BGPVPN:Dummy:dummy:default
service_provider = L2GW:x:y

[database]
connection = 'mysql://u:p@h/db'
`,
			want: snapshot{
				Debug: true, Host: "192.0.2.9", LocalAddress: netip.MustParseAddr("2001:db8::1"),
				Peers: []string{"192.0.2.1", "192.0.2.2"}, MyAS: 64512, BGPPort: 1179, HoldTime: 45,
				Driver: "ovs", Providers: []string{"BGPVPN:Dummy:dummy:default", "L2GW:x:y"},
				Connection: "mysql://u:p@h/db",
			},
		},
		{
			name: "last repeated key wins for single-valued options",
			in:   "[BGP]\nmy_as = 1\nmy_as = 2\n",
			want: with(func(s *snapshot) { s.MyAS = 2 }),
		},
		{
			name:        "named sections do not fall back to DEFAULT",
			in:          "[DEFAULT]\nmy_as = 5\n[BGP]\n",
			want:        defaults,
			wantUnknown: []string{"f.conf:2: [DEFAULT] my_as"},
		},
		{
			name: "section names match case-insensitively",
			in:   "[default]\ndebug = 1\n[bgp]\nmy_as = 7\n",
			want: with(func(s *snapshot) { s.Debug, s.MyAS = true, 7 }),
		},
		{
			name:        "keys are case-sensitive",
			in:          "[BGP]\nMY_AS = 7\n",
			want:        defaults,
			wantUnknown: []string{"f.conf:2: [BGP] MY_AS"},
		},
		{
			name:        "unknown sections and options are reported",
			in:          "[BGP]\nmy_as = 1\nfoo = bar\n[NOPE]\nx = 1\n",
			want:        with(func(s *snapshot) { s.MyAS = 1 }),
			wantUnknown: []string{"f.conf:3: [BGP] foo", "f.conf:5: [NOPE] x"},
		},
		{
			name: "empty list and empty integer",
			in:   "[BGP]\npeers =\nbgp_port =\n",
			want: with(func(s *snapshot) { s.BGPPort = 0 }),
		},
		{
			name: "list with trailing comma and spaces",
			in:   "[BGP]\npeers = a ,b,  c,\n",
			want: with(func(s *snapshot) { s.Peers = []string{"a", "b", "c"} }),
		},
		{
			name:     "deprecated names accepted with a warning",
			in:       "[BGP]\nold_driver = linux\n",
			want:     with(func(s *snapshot) { s.Driver = "linux" }),
			wantWarn: []string{"f.conf:2: [BGP] old_driver is deprecated, use [BGP] driver instead"},
		},
		{
			name:     "current name wins over deprecated in one file",
			in:       "[BGP]\ndriver = ovs\n[OLD]\ndriver = linux\n",
			want:     with(func(s *snapshot) { s.Driver = "ovs" }),
			wantWarn: []string{"f.conf:4: [OLD] driver is deprecated, use [BGP] driver instead"},
		},
		{
			name: "multi-line value",
			in:   "[database]\nconnection = a\n  b\n",
			want: with(func(s *snapshot) { s.Connection = "a\nb" }),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := testSchema().Parse("f.conf", strings.NewReader(tt.in))
			if err != nil {
				t.Fatalf("Parse(%q) error: %v", tt.in, err)
			}
			if diff := cmp.Diff(tt.want, getValues(v), cmpAddr); diff != "" {
				t.Errorf("Parse(%q) values mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantUnknown, v.Unknown()); diff != "" {
				t.Errorf("Parse(%q).Unknown() mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantWarn, v.Warnings()); diff != "" {
				t.Errorf("Parse(%q).Warnings() mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
		is   error
	}{
		{
			name: "bad int",
			in:   "[BGP]\n\n\nmy_as = abc\n",
			want: []string{"f.conf:4: [BGP] my_as: 'abc' is not an integer"},
			is:   ErrInvalidValue,
		},
		{
			name: "int out of bounds",
			in:   "[BGP]\nmy_as = 0\nmy_as = 65536\n",
			want: []string{
				"f.conf:2: [BGP] my_as: 0 is out of range 1..65535",
				"f.conf:3: [BGP] my_as: 65536 is out of range 1..65535",
			},
			is: ErrInvalidValue,
		},
		{
			name: "port out of range",
			in:   "[BGP]\nbgp_port = 70000\n",
			want: []string{"f.conf:2: [BGP] bgp_port: 70000 is out of range 0..65535"},
			is:   ErrInvalidValue,
		},
		{
			name: "bad bool",
			in:   "[bgp]\nenable_rtc = maybe\n",
			want: []string{"f.conf:2: [bgp] enable_rtc: 'maybe' is not a boolean (true/false, yes/no, on/off, 1/0)"},
			is:   ErrInvalidValue,
		},
		{
			name: "empty bool",
			in:   "[BGP]\nenable_rtc =\n",
			want: []string{"f.conf:2: [BGP] enable_rtc: '' is not a boolean (true/false, yes/no, on/off, 1/0)"},
			is:   ErrInvalidValue,
		},
		{
			name: "bad IP",
			in:   "[BGP]\nlocal_address = 192.0.2.300\n",
			want: []string{"f.conf:2: [BGP] local_address: '192.0.2.300' is not an IP address"},
			is:   ErrInvalidValue,
		},
		{
			name: "bad host",
			in:   "[DEFAULT]\nhost = -bad-.example\n",
			want: []string{"f.conf:2: [DEFAULT] host: '-bad-.example' is neither an IP address nor a host name"},
			is:   ErrInvalidValue,
		},
		{
			name: "bad float",
			in:   "[BGP]\nhold_time = NaN\n",
			want: []string{"f.conf:2: [BGP] hold_time: 'NaN' is not a number"},
			is:   ErrInvalidValue,
		},
		{
			name: "choice not allowed",
			in:   "[BGP]\ndriver = bagpipe\n",
			want: []string{"f.conf:2: [BGP] driver: 'bagpipe' is not one of dummy, linux, ovs"},
			is:   ErrInvalidValue,
		},
		{
			name: "choices are case-sensitive",
			in:   "[BGP]\ndriver = OVS\n",
			want: []string{"f.conf:2: [BGP] driver: 'OVS' is not one of dummy, linux, ovs"},
			is:   ErrInvalidValue,
		},
		{
			name: "syntax and value errors all reported",
			in:   "my_as = 1\n[BGP]\nmy_as = x\nnonsense\n[X\n",
			want: []string{
				"f.conf:1: option my_as appears before any [section] header",
				"f.conf:4: no ':' or '=' in 'nonsense'",
				"f.conf:5: invalid section header '[X' (must end with ])",
				"f.conf:3: [BGP] my_as: 'x' is not an integer",
			},
			is: ErrSyntax,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := testSchema().Parse("f.conf", strings.NewReader(tt.in))
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want error", tt.in, getValues(v))
			}
			if v != nil {
				t.Errorf("Parse(%q) returned Values with an error", tt.in)
			}
			if diff := cmp.Diff(tt.want, strings.Split(err.Error(), "\n")); diff != "" {
				t.Errorf("Parse(%q) error mismatch (-want +got):\n%s", tt.in, diff)
			}
			if !errors.Is(err, tt.is) {
				t.Errorf("Parse(%q) error %v does not match %v", tt.in, err, tt.is)
			}
			var e *Error
			if !errors.As(err, &e) || e.File != "f.conf" || e.Line == 0 {
				t.Errorf("Parse(%q) error %#v: want an *Error with file and line", tt.in, e)
			}
		})
	}
}

func TestSecretNotInErrors(t *testing.T) {
	s := NewSchema(Opt{Section: "db", Name: "password", Type: Int, Secret: true})
	_, err := s.Parse("f.conf", strings.NewReader("[db]\npassword = hunter2\n"))
	if err == nil || strings.Contains(err.Error(), "hunter2") {
		t.Fatalf("Parse error = %v, want an error without the secret", err)
	}
	if want := "f.conf:2: [db] password: value is not a valid integer"; err.Error() != want {
		t.Errorf("Parse error = %q, want %q", err, want)
	}
}

func TestRequired(t *testing.T) {
	s := NewSchema(
		Opt{Section: "BGP", Name: "local_address", Type: IPAddr, Required: true},
		Opt{Section: "BGP", Name: "my_as", Type: Int, Required: true},
		Opt{Section: "BGP", Name: "bgp_port", Type: Port, Required: true, Default: "179"},
	)
	_, err := s.Parse("f.conf", strings.NewReader("[BGP]\nmy_as =\n"))
	want := "[BGP] local_address: required option not set\n[BGP] my_as: required option not set"
	if err == nil || err.Error() != want {
		t.Fatalf("Parse error = %v, want %q", err, want)
	}
	if !errors.Is(err, ErrRequired) {
		t.Errorf("Parse error %v does not match ErrRequired", err)
	}
	v, err := s.Parse("f.conf", strings.NewReader("[BGP]\nmy_as = 1\nlocal_address = 192.0.2.1\n"))
	if err != nil {
		t.Fatalf("Parse error: %v", err)
	}
	if !v.IsSet("BGP", "my_as") || v.IsSet("BGP", "bgp_port") {
		t.Errorf("IsSet(my_as, bgp_port) = %v, %v, want true, false", v.IsSet("BGP", "my_as"), v.IsSet("BGP", "bgp_port"))
	}
}

func writeFiles(t *testing.T, contents ...string) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i, c := range contents {
		p := filepath.Join(dir, string(rune('a'+i))+".conf")
		if err := os.WriteFile(p, []byte(c), 0o600); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func TestLoadSeveralFiles(t *testing.T) {
	paths := writeFiles(t,
		"[BGP]\nmy_as = 1\npeers = a\n[OLD]\ndriver = linux\n[service_providers]\nservice_provider = one\nservice_provider = two\n",
		"[BGP]\nmy_as = 2\nold_driver = dummy\n[service_providers]\nservice_provider = three\n",
		"[BGP]\nenable_rtc = no\n",
	)
	v, err := testSchema().Load(paths...)
	if err != nil {
		t.Fatalf("Load error: %v", err)
	}
	want := with(func(s *snapshot) {
		s.MyAS = 2
		s.Peers = []string{"a"}
		s.EnableRTC = false
		s.Driver = "dummy" // a later file wins even under a deprecated name
		s.Providers = []string{"one", "two", "three"}
	})
	if diff := cmp.Diff(want, getValues(v), cmpAddr); diff != "" {
		t.Errorf("Load values mismatch (-want +got):\n%s", diff)
	}
}

func TestLoadErrorsNameFiles(t *testing.T) {
	paths := writeFiles(t, "[BGP]\nmy_as = x\n", "[BGP]\nbgp_port = -1\n")
	missing := filepath.Join(t.TempDir(), "missing.conf")
	_, err := testSchema().Load(paths[0], missing, paths[1])
	if err == nil {
		t.Fatal("Load succeeded, want errors")
	}
	got := strings.Split(err.Error(), "\n")
	want := []string{
		paths[0] + ":2: [BGP] my_as: 'x' is not an integer",
		"opening config file: open " + missing + ": no such file or directory",
		paths[1] + ":2: [BGP] bgp_port: -1 is out of range 0..65535",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Load error mismatch (-want +got):\n%s", diff)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load error %v does not match fs.ErrNotExist", err)
	}
}
