package api

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFieldsJSONMatchesEncodingJSON(t *testing.T) {
	lp := int64(7)
	f := Fields{
		{"id", "a\"b\\c\n\u2028é\x01"}, {"n", int64(-3)}, {"b", true}, {"nil", (*int64)(nil)}, {"lp", &lp},
		{"l", []string{}}, {"l2", []string{"x", "y"}}, {"o", Fields{{"k", nil}}}, {"os", []Fields{{{"a", 1}}}},
	}
	raw, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got, want map[string]any
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatalf("invalid JSON %s: %v", raw, err)
	}
	want = map[string]any{"id": "a\"b\\c\n\u2028é\x01", "n": -3.0, "b": true, "nil": nil, "lp": 7.0,
		"l": []any{}, "l2": []any{"x", "y"}, "o": map[string]any{"k": nil}, "os": []any{map[string]any{"a": 1.0}}}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("Fields JSON mismatch (-want +got):\n%s", d)
	}
}
