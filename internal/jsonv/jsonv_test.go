package jsonv

import "testing"

func TestDecodeKeepsOrderAndRepr(t *testing.T) {
	tests := []struct{ in, repr, str string }{
		{`{"type": "prefix", "prefix": "x", "n": 1, "f": 1.5, "g": 2.0, "b": true, "z": null}`,
			`{'type': 'prefix', 'prefix': 'x', 'n': 1, 'f': 1.5, 'g': 2.0, 'b': True, 'z': None}`, ""},
		{`["a", ["b"], {}]`, `['a', ['b'], {}]`, ""},
		{`"it's"`, `"it's"`, `it's`},
		{`"a\"b'c"`, `'a"b\'c'`, `a"b'c`},
		{`{"a": 1, "a": 2}`, `{'a': 2}`, ""},
	}
	for _, tt := range tests {
		v, err := Decode([]byte(tt.in))
		if err != nil {
			t.Fatalf("Decode(%s): %v", tt.in, err)
		}
		if got := Repr(v); got != tt.repr {
			t.Errorf("Repr(Decode(%s)) = %s, want %s", tt.in, got, tt.repr)
		}
		if tt.str != "" && Str(v) != tt.str {
			t.Errorf("Str(Decode(%s)) = %s, want %s", tt.in, Str(v), tt.str)
		}
	}
}

func TestDecodeRejects(t *testing.T) {
	deep := ""
	for range MaxDepth + 2 {
		deep += "["
	}
	for _, in := range []string{``, `{`, `{"a":}`, `{} {}`, `[1,]`, deep, `{1: 2}`} {
		if _, err := Decode([]byte(in)); err == nil {
			t.Errorf("Decode(%q) succeeded, want error", in)
		}
	}
}

func FuzzDecode(f *testing.F) {
	f.Add([]byte(`{"bgpvpn": {"route_targets": ["1:1"], "vni": 1.5e3}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		v, err := Decode(data)
		if err == nil {
			_ = Repr(v)
		}
	})
}
