package cli

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestMergeList(t *testing.T) {
	tests := []struct {
		name        string
		old, values []string
		unset       bool
		want        []string
	}{
		{"set adds new values after the old ones", []string{"1:1", "1:2"}, []string{"1:3"}, false, []string{"1:1", "1:2", "1:3"}},
		{"set ignores values already there", []string{"1:1"}, []string{"1:1", "1:2", "1:2"}, false, []string{"1:1", "1:2"}},
		{"set on an empty list", nil, []string{"1:1"}, false, []string{"1:1"}},
		{"unset removes", []string{"1:1", "1:2", "1:3"}, []string{"1:2"}, true, []string{"1:1", "1:3"}},
		{"unset of a missing value is a no-op", []string{"1:1"}, []string{"9:9"}, true, []string{"1:1"}},
		{"unset of everything gives an empty list, not null", []string{"1:1"}, []string{"1:1"}, true, []string{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := mergeList(tc.old, tc.values, tc.unset)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mergeList(%v, %v, %v) (-want +got):\n%s", tc.old, tc.values, tc.unset, diff)
			}
		})
	}
}

func TestSplitKeyValues(t *testing.T) {
	tests := []struct {
		in      string
		want    map[string]string
		wantErr bool
	}{
		{"prefix=10.0.0.0/8", map[string]string{"prefix": "10.0.0.0/8"}, false},
		{"prefix=10.0.0.0/8,local_pref=100", map[string]string{"prefix": "10.0.0.0/8", "local_pref": "100"}, false},
		{"local_pref=100", nil, true},             // required key missing
		{"prefix=1.0.0.0/8,color=red", nil, true}, // unknown key
		{"10.0.0.0/8", nil, true},                 // not key=value
		{"prefix=a=b", map[string]string{"prefix": "a=b"}, false},
	}
	for _, tc := range tests {
		got, err := splitKeyValues("--prefix-route", tc.in, []string{"prefix"}, []string{"local_pref"})
		if tc.wantErr {
			var ue *usageError
			if !errors.As(err, &ue) {
				t.Errorf("splitKeyValues(%q) error = %v, want a usage error", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("splitKeyValues(%q) error = %v", tc.in, err)
			continue
		}
		if diff := cmp.Diff(tc.want, got); diff != "" {
			t.Errorf("splitKeyValues(%q) (-want +got):\n%s", tc.in, diff)
		}
	}
}

func TestPortRoutes(t *testing.T) {
	cur := object{"routes": []any{
		map[string]any{"type": "prefix", "prefix": "10.0.0.0/8", "local_pref": int64(100)},
		map[string]any{"type": "bgpvpn", "bgpvpn_id": "vpn-b", "local_pref": nil},
		map[string]any{"type": "prefix", "prefix": "10.1.0.0/16", "local_pref": nil},
	}}
	resolve := func(s string) (string, error) { return "vpn-" + s[len(s)-1:], nil }
	tests := []struct {
		name   string
		flags  portRouteFlags
		action string
		want   []any
	}{
		{"set adds and updates in place", portRouteFlags{prefix: []string{"prefix=10.2.0.0/16", "prefix=10.0.0.0/8,local_pref=5"}, bgpvpn: []string{"bgpvpn=name-c,local_pref=7"}}, "set", []any{
			map[string]any{"type": "prefix", "prefix": "10.0.0.0/8", "local_pref": int64(5)},
			map[string]any{"type": "prefix", "prefix": "10.1.0.0/16"},
			map[string]any{"type": "prefix", "prefix": "10.2.0.0/16"},
			map[string]any{"type": "bgpvpn", "bgpvpn_id": "vpn-b"},
			map[string]any{"type": "bgpvpn", "bgpvpn_id": "vpn-c", "local_pref": int64(7)},
		}},
		{"unset removes by prefix and by BGP VPN name", portRouteFlags{prefix: []string{"10.0.0.0/8"}, bgpvpn: []string{"name-b"}}, "unset", []any{
			map[string]any{"type": "prefix", "prefix": "10.1.0.0/16"},
		}},
		{"--no-prefix-route empties then adds", portRouteFlags{purgePrefix: true, prefix: []string{"prefix=10.9.0.0/16"}}, "set", []any{
			map[string]any{"type": "prefix", "prefix": "10.9.0.0/16"},
			map[string]any{"type": "bgpvpn", "bgpvpn_id": "vpn-b"},
		}},
		{"--all-bgpvpn-routes", portRouteFlags{purgeBGPVPN: true}, "unset", []any{
			map[string]any{"type": "prefix", "prefix": "10.0.0.0/8", "local_pref": int64(100)},
			map[string]any{"type": "prefix", "prefix": "10.1.0.0/16"},
		}},
		{"no option keeps the routes as they are", portRouteFlags{}, "set", []any{
			map[string]any{"type": "prefix", "prefix": "10.0.0.0/8", "local_pref": int64(100)},
			map[string]any{"type": "prefix", "prefix": "10.1.0.0/16"},
			map[string]any{"type": "bgpvpn", "bgpvpn_id": "vpn-b"},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := portRoutes(cur, tc.flags, tc.action, resolve)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("portRoutes (-want +got):\n%s", diff)
			}
		})
	}
	if _, err := portRoutes(cur, portRouteFlags{prefix: []string{"prefix=1.0.0.0/8,local_pref=high"}}, "set", resolve); err == nil {
		t.Error("portRoutes accepted local_pref=high")
	}
}

func TestBoolPair(t *testing.T) {
	tests := []struct {
		pair   boolPair
		action string
		want   any // nil: not sent
	}{
		{boolPair{}, "create", nil},
		{boolPair{yes: true}, "create", true},
		{boolPair{no: true}, "set", false},
		{boolPair{yes: true}, "unset", false}, // unset --advertise-fixed-ips stops advertising
		{boolPair{no: true}, "unset", true},
	}
	for _, tc := range tests {
		v, ok := tc.pair.value(tc.action)
		var got any
		if ok {
			got = v
		}
		if got != tc.want {
			t.Errorf("%+v.value(%s) = %v, want %v", tc.pair, tc.action, got, tc.want)
		}
	}
}

func TestSplitPortRoutes(t *testing.T) {
	o := object{"id": "a", "routes": []any{
		map[string]any{"type": "prefix", "prefix": "8.8.8.0/27", "local_pref": int64(100)},
		map[string]any{"type": "prefix", "prefix": "80.50.30.0/28", "local_pref": nil},
		map[string]any{"type": "bgpvpn", "bgpvpn_id": "157d", "local_pref": int64(50)},
	}}
	splitPortRoutes(o)
	want := object{"id": "a", "prefix_routes": []any{"8.8.8.0/27 (100)", "80.50.30.0/28"}, "bgpvpn_routes": []any{"157d (50)"}}
	if diff := cmp.Diff(want, o); diff != "" {
		t.Errorf("splitPortRoutes (-want +got):\n%s", diff)
	}
}

func TestPropertyQuery(t *testing.T) {
	q, err := propertyQuery([]string{"type=l3", "name=a=b", "type=l2"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(query{"type": {"l2"}, "name": {"a=b"}}, q); diff != "" {
		t.Errorf("propertyQuery (-want +got):\n%s", diff)
	}
	if _, err := propertyQuery([]string{"novalue"}); err == nil {
		t.Error("propertyQuery(novalue) accepted")
	}
}
