package output

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// The fixtures mirror the reference CLI transcript: a BGPVPN as `bgpvpn show`
// prints it and a `bgpvpn list --long`. The golden files were checked against
// cliff 4.0 / PyYAML / prettytable 3.6 fed the same data.
var (
	oneColumns = []string{"Associated Networks", "Associated Ports", "Associated Routers", "Export Targets", "ID",
		"Import Targets", "Local Pref", "Name", "Project", "Route Distinguishers", "Route Targets", "Type", "VNI", "project_id"}
	oneValues = []any{List{"adf4cd94-1538-40b6-9d55-512e5efa5bb4", "5fb4d19f-83f1-4bed-b429-0ca96256fa64"}, List{}, List{},
		List{"64512:102"}, "b40b719c-774e-45f4-a849-7d4b7fe8fc86", List{"64512:10"}, int64(150), `vpn "blue", it's new`,
		"admin-project", List{"64512:103"}, List{"64512:200", "64512:100"}, "l3", nil, "admin-project"}

	listColumns = []string{"ID", "Name", "Type", "VNI", "Local Pref", "Route Targets", "Shared"}
	listRows    = [][]any{
		{"0b31fe6d-5e92-4d76-b28d-210f9ac53d9a", "rt-as-string", "l3", nil, int64(100), List{"64512:7"}, false},
		{"ca32d9c3-4740-4e8c-a46c-975a49232492", "vpn-l2-a", "l2", int64(16777215), nil, List{"64512:10", "1.2.3.4:5"}, true},
		{"7141bd05-80ab-4d97-a43d-9fb3d9bdb6d3", "café, yes", "l3", int64(42), int64(7), List{}, false},
	}
)

func TestGolden(t *testing.T) {
	tests := []struct {
		name string
		opts Options
		list bool
	}{
		{"show-table", Options{}, false},
		{"show-json", Options{Format: "json"}, false},
		{"show-json-noindent", Options{Format: "json", NoIndent: true}, false},
		{"show-yaml", Options{Format: "yaml"}, false},
		{"show-value", Options{Format: "value"}, false},
		{"show-shell", Options{Format: "shell", Prefix: "vpn_"}, false},
		{"show-columns", Options{Columns: []string{"Name", "Route Targets", "Local Pref"}}, false},
		{"show-max-width", Options{MaxWidth: 40}, false},
		{"list-table", Options{}, true},
		{"list-json", Options{Format: "json"}, true},
		{"list-json-noindent", Options{Format: "json", NoIndent: true}, true},
		{"list-yaml", Options{Format: "yaml"}, true},
		{"list-value", Options{Format: "value", Columns: []string{"ID", "Route Targets"}}, true},
		{"list-csv", Options{Format: "csv"}, true},
		{"list-csv-minimal", Options{Format: "csv", Quote: "minimal"}, true},
		{"list-max-width", Options{MaxWidth: 60}, true},
		{"list-sort-desc", Options{SortColumns: []string{"Local Pref"}, SortDirection: "desc"}, true},
		{"list-sort-asc", Options{SortColumns: []string{"Type", "Name"}}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			var err error
			if tc.list {
				err = tc.opts.EmitList(&buf, listColumns, listRows)
			} else {
				err = tc.opts.EmitOne(&buf, oneColumns, oneValues)
			}
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", tc.name+".golden")
			if *update {
				if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("output differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestEmptyList(t *testing.T) {
	tests := []struct {
		opts Options
		want string
	}{
		{Options{}, "\n"},
		{Options{PrintEmpty: true}, "+----+------+\n| ID | Name |\n+----+------+\n"},
		{Options{Format: "json"}, "[]\n"},
		{Options{Format: "yaml"}, "[]\n"},
		{Options{Format: "value"}, ""},
		{Options{Format: "csv"}, "\"ID\",\"Name\"\n"},
	}
	for _, tc := range tests {
		var buf bytes.Buffer
		if err := tc.opts.EmitList(&buf, []string{"ID", "Name"}, nil); err != nil {
			t.Fatal(err)
		}
		if got := buf.String(); got != tc.want {
			t.Errorf("EmitList(%+v, empty) = %q, want %q", tc.opts, got, tc.want)
		}
	}
}

func TestUnknownColumn(t *testing.T) {
	var buf bytes.Buffer
	err := Options{Columns: []string{"id"}}.EmitOne(&buf, []string{"ID", "Name"}, []any{"x", "y"})
	want := "No recognized column names in ['id']. Recognized columns are ('ID', 'Name')."
	if err == nil || err.Error() != want {
		t.Errorf("EmitOne(-c id) error = %v, want %q", err, want)
	}
}

func TestYAMLScalar(t *testing.T) {
	tests := map[string]string{
		"64512:100":  "64512:100",
		"64512:10":   "'64512:10'",
		"1.2.3.4:5":  "1.2.3.4:5",
		"":           "''",
		"yes":        "'yes'",
		"null":       "'null'",
		"42":         "'42'",
		"l3":         "l3",
		"a: b":       "'a: b'",
		"- x":        "'- x'",
		"it's":       "it's",
		"café":       `"caf\xE9"`,
		"2026-11-24": "'2026-11-24'",
		" lead":      "' lead'",
		"#x":         "'#x'",
	}
	for in, want := range tests {
		if got := yamlScalar(in); got != want {
			t.Errorf("yamlScalar(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestWrapText(t *testing.T) {
	tests := []struct {
		in    string
		width int
		want  string
	}{
		{"64512:100, 64512:200, 64512:300", 12, "64512:100,\n64512:200,\n64512:300"},
		{"b40b719c-774e-45f4-a849-7d4b7fe8fc86", 16, "b40b719c-774e-\n45f4-a849-\n7d4b7fe8fc86"},
		{"well-known words", 8, "well-\nknown\nwords"},
		{"short", 10, "short"},
	}
	for _, tc := range tests {
		if got := wrapText(tc.in, tc.width); got != tc.want {
			t.Errorf("wrapText(%q, %d) = %q, want %q", tc.in, tc.width, got, tc.want)
		}
	}
}

func TestPyRepr(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, "None"},
		{true, "True"},
		{[]any{"a", "it's", int64(3)}, `['a', "it's", 3]`},
		{map[string]any{"b": 1.5, "a": "x"}, "{'a': 'x', 'b': 1.5}"},
		{float64(3), "3.0"},
		{1e20, "1e+20"},
	}
	for _, tc := range tests {
		if got := PyRepr(tc.in); got != tc.want {
			t.Errorf("PyRepr(%#v) = %s, want %s", tc.in, got, tc.want)
		}
	}
	if got := strings.TrimSpace(PyStr("plain")); got != "plain" {
		t.Errorf("PyStr(plain) = %q", got)
	}
}
