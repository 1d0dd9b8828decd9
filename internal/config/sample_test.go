package config

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

// sampleSchema exercises every part of the sample format.
func sampleSchema() *Schema {
	return NewSchema(
		Opt{Name: "debug", Type: Bool, Default: "false", Help: "If set to true, the logging level will be set to DEBUG instead of the default INFO level."},
		Opt{Name: "host", Type: HostAddr, Default: "localhost", Help: "Hostname to be used by the server, agents and services running on this machine."},
		Opt{Section: "BGP", Name: "local_address", Type: String, Required: true,
			Help: "IP address used for BGP peerings and as next hop of the routes we advertise, or the name of an interface holding it.\n\nAn interface name is resolved at start-up."},
		Opt{Section: "BGP", Name: "peers", Type: List, Help: "Comma-separated list of BGP peers (route reflectors)."},
		Opt{Section: "BGP", Name: "my_as", Type: Int, Min: Bound(1), Max: Bound(65535), Required: true, Help: "Our AS number (2-byte only)."},
		Opt{Section: "BGP", Name: "enable_rtc", Type: Bool, Default: "True", Help: "Enable RT Constraint (RFC 4684)."},
		Opt{Section: "BGP", Name: "bgp_port", Type: Port, Default: "179", Help: "TCP port of the BGP peers."},
		Opt{Section: "DATAPLANE_DRIVER_IPVPN", Name: "dataplane_driver", Type: String, Default: "dummy",
			Choices: []string{"dummy", "linux", "ovs"}, Deprecated: []string{"driver", "DATAPLANE/ipvpn_driver"},
			Help: "Dataplane driver for IP VPNs."},
		Opt{Section: "DATAPLANE_DRIVER_IPVPN", Name: "hash_weight", Type: Float, Help: "A float without a default."},
		Opt{Section: "service_providers", Name: "service_provider", Type: Multi,
			Default: "BGPVPN:Dummy:networking_bgpvpn.neutron.services.service_drivers.driver_api.BGPVPNDriver:default",
			Help: "Defines providers for advanced services using the format: <service_type>:<name>:<driver>[:default]"},
		Opt{Section: "database", Name: "connection", Type: String, Secret: true, Default: "sqlite://", Help: "The SQLAlchemy connection string to use to connect to the database."},
		Opt{Section: "database", Name: "password", Type: String, Secret: true},
		Opt{Section: "API", Name: "listen", Type: IPAddr, Default: "127.0.0.1"},
	)
}

func TestSampleGolden(t *testing.T) {
	got := sampleSchema().Sample()
	path := filepath.Join("testdata", "sample.conf")
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading golden file (run with -update to create it): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("Sample() mismatch (-want +got), run with -update if intended:\n%s", diff)
	}
	for i, line := range strings.Split(got, "\n") {
		if strings.HasPrefix(line, "# ") && len(line) > sampleWidth && strings.Contains(line[:sampleWidth], " ") &&
			!strings.Contains(line, "BGPVPN:Dummy") {
			t.Errorf("sample line %d is %d columns, want at most %d: %q", i+1, len(line), sampleWidth, line)
		}
	}
}

// TestSampleParses checks that the sample is itself a valid file that
// leaves every option unset, and that uncommenting its "#name = value"
// lines sets each option to its default.
func TestSampleParses(t *testing.T) {
	s := sampleSchema()
	required := "\n[BGP]\nlocal_address = eth0\nmy_as = 1\n"
	v, err := s.Parse("sample.conf", strings.NewReader(s.Sample()+required))
	if err != nil {
		t.Fatalf("parsing the sample: %v", err)
	}
	if got := v.Unknown(); len(got) != 0 {
		t.Errorf("sample has unknown options %v", got)
	}
	if v.IsSet("BGP", "bgp_port") {
		t.Error("IsSet(bgp_port) = true in the commented-out sample")
	}

	var uncommented []string
	for _, line := range strings.Split(s.Sample(), "\n") {
		if strings.HasPrefix(line, "#") && !strings.HasPrefix(line, "# ") && strings.Contains(line, " =") &&
			!strings.HasSuffix(line, "<None>") && !strings.HasSuffix(line, "<secret>") {
			line = line[1:]
		}
		uncommented = append(uncommented, line)
	}
	v, err = s.Parse("uncommented.conf", strings.NewReader(strings.Join(uncommented, "\n")+required))
	if err != nil {
		t.Fatalf("parsing the uncommented sample: %v", err)
	}
	for _, so := range s.opts {
		if so.Default == "" || so.Secret {
			continue
		}
		if !v.IsSet(so.Section, so.Name) {
			t.Errorf("uncommented sample does not set %s", so.key)
		}
		if got := v.slots[so.key].val; !cmp.Equal(got, so.def, cmp.AllowUnexported(typedValue{}), cmpAddr) {
			t.Errorf("uncommented sample sets %s to %+v, want the default %+v", so.key, got, so.def)
		}
	}
}

func TestSampleHidesSecrets(t *testing.T) {
	got := sampleSchema().Sample()
	if strings.Contains(got, "sqlite://") {
		t.Errorf("Sample() shows a secret default:\n%s", got)
	}
}

func TestWrapComment(t *testing.T) {
	tests := []struct {
		text  string
		width int
		want  []string
	}{
		{"", 10, nil},
		{"one two three four", 10, []string{"# one two", "# three", "# four"}},
		{"averyveryverylongword x", 10, []string{"# averyveryverylongword", "# x"}},
		{"a\n\nb  c", 70, []string{"# a", "#", "# b c"}},
	}
	for _, tt := range tests {
		got := wrapComment(tt.text, tt.width)
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("wrapComment(%q, %d) mismatch (-want +got):\n%s", tt.text, tt.width, diff)
		}
	}
}
