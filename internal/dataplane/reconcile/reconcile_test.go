package reconcile

import (
	"cmp"
	"testing"

	gocmp "github.com/google/go-cmp/cmp"
)

func TestDiff(t *testing.T) {
	for _, tc := range []struct {
		name        string
		have, want  map[string]int
		same        func(int, int) bool
		put, remove []string
	}{
		{"empty", nil, nil, nil, nil, nil},
		{"all new", nil, map[string]int{"b": 1, "a": 2}, nil, []string{"a", "b"}, nil},
		{"all stale", map[string]int{"b": 1, "a": 2}, nil, nil, nil, []string{"a", "b"}},
		{"changed value put again", map[string]int{"a": 1, "b": 2}, map[string]int{"a": 1, "b": 3},
			func(h, w int) bool { return h == w }, []string{"b"}, nil},
		{"no same: held is enough", map[string]int{"a": 1}, map[string]int{"a": 9, "c": 1}, nil, []string{"c"}, nil},
		{"mixed", map[string]int{"keep": 1, "old": 1}, map[string]int{"keep": 1, "new": 1},
			func(h, w int) bool { return h == w }, []string{"new"}, []string{"old"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			put, remove := Diff(tc.have, tc.want, tc.same, cmp.Compare[string])
			if diff := gocmp.Diff(tc.put, put); diff != "" {
				t.Errorf("Diff put (-want +got):\n%s", diff)
			}
			if diff := gocmp.Diff(tc.remove, remove); diff != "" {
				t.Errorf("Diff remove (-want +got):\n%s", diff)
			}
		})
	}
}
