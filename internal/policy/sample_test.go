package policy

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestSampleYAMLGolden(t *testing.T) {
	got := SampleYAML(Defaults())
	golden := filepath.Join("testdata", "policy.yaml.sample")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("reading golden file (run go test -update): %v", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("SampleYAML(Defaults()) (-want +got):\n%s", diff)
	}
}

func TestSampleYAMLFormat(t *testing.T) {
	got := SampleYAML([]Default{
		{Name: "create_bgpvpn", Check: "rule:admin_only", Description: "Create a BGP VPN",
			Operations: []Operation{{Method: "POST", Path: "/bgpvpn/bgpvpns"}}},
		{Name: "regular_user", Check: ""},
		{Name: "quoted", Check: `'a"b':%(x)s`, Description: strings.Repeat("word ", 20) + "\n\nSecond paragraph."},
	})
	want := `# Create a BGP VPN
# POST  /bgpvpn/bgpvpns
#"create_bgpvpn": "rule:admin_only"

#
#"regular_user": ""

# word word word word word word word word word word word word word
# word word word word word word word
#
# Second paragraph.
#"quoted": "'a\"b':%(x)s"

`
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("SampleYAML (-want +got):\n%s", diff)
	}
}

// Uncommenting every rule of the sample must give back the defaults: the
// sample is a valid policy file that changes nothing.
func TestSampleYAMLUncommentedLoads(t *testing.T) {
	var b strings.Builder
	for _, line := range strings.Split(SampleYAML(Defaults()), "\n") {
		if rule, ok := strings.CutPrefix(line, `#"`); ok {
			b.WriteString(`"` + rule + "\n")
		}
	}
	e, err := New(nil, writePolicy(t, "policy.yaml", b.String()))
	if err != nil {
		t.Fatalf("New(uncommented sample): %v", err)
	}
	def := defaultEnforcer(t)
	if diff := cmp.Diff(ruleStrings(def), ruleStrings(e)); diff != "" {
		t.Errorf("rules from uncommented sample differ from defaults (-want +got):\n%s", diff)
	}
}

func ruleStrings(e *Enforcer) map[string]string {
	m := make(map[string]string, len(e.rules))
	for n, c := range e.rules {
		m[n] = c.String()
	}
	return m
}
