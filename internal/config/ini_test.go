package config

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseINI(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		want     []assignment
		wantErrs []string
	}{
		{
			name: "equals and colon separators",
			in:   "[S]\na = 1\nb: 2\nc=3\n",
			want: []assignment{{2, "S", "a", "1"}, {3, "S", "b", "2"}, {4, "S", "c", "3"}},
		},
		{
			name: "first separator wins",
			in:   "[S]\nurl = http://x:80/\nk: v = w\n",
			want: []assignment{{2, "S", "url", "http://x:80/"}, {3, "S", "k", "v = w"}},
		},
		{
			name: "comments and blank lines",
			in:   "# top\n; also\n\n[S]\n# a = 1\n;b = 2\n\nc = 3\n",
			want: []assignment{{8, "S", "c", "3"}},
		},
		{
			name: "continuation lines joined with newline",
			in:   "[S]\nk = first\n  second\n\tthird\nnext = x\n",
			want: []assignment{{2, "S", "k", "first\nsecond\nthird"}, {5, "S", "next", "x"}},
		},
		{
			name:     "blank line ends a multi-line value",
			in:       "[S]\nk = a\n\n  b\n",
			want:     []assignment{{2, "S", "k", "a"}},
			wantErrs: []string{"f.conf:4: unexpected continuation line"},
		},
		{
			name: "indented comment continues a value",
			in:   "[S]\nk = a\n  # b\n",
			want: []assignment{{2, "S", "k", "a\n# b"}},
		},
		{
			name:     "continuation after comment is an error",
			in:       "[S]\nk = a\n# c\n  b\n  more\n",
			want:     []assignment{{2, "S", "k", "a"}},
			wantErrs: []string{"f.conf:4: unexpected continuation line"},
		},
		{
			name: "matching quotes stripped",
			in:   "[S]\na = \"x y\"\nb = 'z'\nc = \"unmatched'\nd = \"\ne = ''\nf = \" keep \"\n",
			want: []assignment{
				{2, "S", "a", "x y"}, {3, "S", "b", "z"}, {4, "S", "c", "\"unmatched'"},
				{5, "S", "d", ""}, {6, "S", "e", ""}, {7, "S", "f", " keep "},
			},
		},
		{
			name: "value and key trimmed, empty value kept",
			in:   "[S]\n  \nkey   =   v v   \r\nempty =\n",
			want: []assignment{{3, "S", "key", "v v"}, {4, "S", "empty", ""}},
		},
		{
			name: "repeated keys all reported",
			in:   "[S]\nk = 1\nk = 2\n",
			want: []assignment{{2, "S", "k", "1"}, {3, "S", "k", "2"}},
		},
		{
			name: "section name kept verbatim",
			in:   "[DEFAULT]\na = 1\n[bgp]\nb = 2\n",
			want: []assignment{{2, "DEFAULT", "a", "1"}, {4, "bgp", "b", "2"}},
		},
		{
			name:     "option before any section",
			in:       "a = 1\n  more\n[S]\nb = 2\n",
			want:     []assignment{{4, "S", "b", "2"}},
			wantErrs: []string{"f.conf:1: option a appears before any [section] header"},
		},
		{
			name: "bad section headers drop their options",
			in:   "[S]\na = 1\n[T\nb = 2\n[]\nc = 3\n[U]\nd = 4\n",
			want: []assignment{{2, "S", "a", "1"}, {8, "U", "d", "4"}},
			wantErrs: []string{
				"f.conf:3: invalid section header '[T' (must end with ])",
				"f.conf:5: empty section name",
			},
		},
		{
			name:     "no separator",
			in:       "[S]\njunk\n  continued\nk = v\n",
			want:     []assignment{{4, "S", "k", "v"}},
			wantErrs: []string{"f.conf:2: no ':' or '=' in 'junk'"},
		},
		{
			name:     "empty key",
			in:       "[S]\n= v\n",
			wantErrs: []string{"f.conf:2: key cannot be empty"},
		},
		{
			name:     "invalid UTF-8",
			in:       "[S]\nk = \xff\nj = ok\n",
			want:     []assignment{{3, "S", "j", "ok"}},
			wantErrs: []string{"f.conf:2: line is not valid UTF-8"},
		},
		{
			name: "byte order mark and no final newline",
			in:   "\ufeff[S]\nk = v",
			want: []assignment{{2, "S", "k", "v"}},
		},
		{
			name: "keys are case-sensitive",
			in:   "[S]\nKey = 1\nkey = 2\n",
			want: []assignment{{2, "S", "Key", "1"}, {3, "S", "key", "2"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, errs := parseINI("f.conf", strings.NewReader(tt.in))
			if diff := cmp.Diff(tt.want, got, cmp.AllowUnexported(assignment{})); diff != "" {
				t.Errorf("parseINI(%q) assignments mismatch (-want +got):\n%s", tt.in, diff)
			}
			if diff := cmp.Diff(tt.wantErrs, errStrings(errs)); diff != "" {
				t.Errorf("parseINI(%q) errors mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func errStrings(errs []error) []string {
	var out []string
	for _, err := range errs {
		out = append(out, err.Error())
	}
	return out
}
