package resource_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/api"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// FuzzPrepare feeds request bodies to the BGPVPN and port-association
// attribute maps, for create and update. Preparing must never panic, must
// refuse only with a 400 fault (anything else would be a 500 with the
// reason hidden), and whatever it accepts must be accepted again, with
// the same values, once re-encoded as a client would send it.
func FuzzPrepare(f *testing.F) {
	for _, seed := range []string{
		`{"bgpvpn": {}}`,
		`{"bgpvpn": {"name": "vpn-l3-a", "type": "l3", "tenant_id": "project-a", "route_targets": ["64512:1"], "import_targets": ["64512:2", "1.2.3.4:5"], "export_targets": ["4294967295:65535"], "route_distinguishers": ["64512:100"], "vni": 1000, "local_pref": 100}}`,
		`{"bgpvpn": {"name": "vpn-l2-a", "type": "l2", "project_id": "project-a", "route_targets": ["64512:10"], "vni": 16777215}}`,
		`{"bgpvpn": {"route_targets": "64512:7", "name": "rt-as-string"}}`,
		`{"bgpvpn": {"route_targets": null, "vni": null, "local_pref": null}}`,
		`{"bgpvpn": {"route_targets": {"64512:1": 1}}}`,
		`{"bgpvpn": {"vni": "42", "local_pref": "100"}}`,
		`{"bgpvpn": {"vni": 1.5, "local_pref": 4294967295}}`,
		`{"bgpvpn": {"vni": 1e400}}`,
		`{"bgpvpn": {"tenant_id": "project-a", "project_id": "project-b"}}`,
		`{"bgpvpns": [{"name": "bulk-1"}]}`,
		`{"bgpvpn": []}`,
		`{"bgpvpn": `,
		``,
		`[]`,
		`{"port_association": {"port_id": "b7740fc4-ce28-480e-9762-7df349898776", "advertise_fixed_ips": false, "routes": [{"type": "prefix", "prefix": "20.0.0.0/24", "local_pref": 100}, {"type": "prefix", "prefix": "2001:db8::/64"}, {"type": "bgpvpn", "bgpvpn_id": "ad1560cc-1fdb-4bf7-a300-c12bbb69c471", "local_pref": 50}]}}`,
		`{"port_association": {"port_id": "d79e927c-fb19-4565-9761-1cdd29ddb97b", "routes": [{"type": "prefix"}]}}`,
		`{"port_association": {"routes": [{"type": "prefix", "prefix": "20.0.0.0/24"}, {"type": "prefix", "prefix": "20.0.0.0/24"}]}}`,
		`{"port_association": {"advertise_fixed_ips": "True", "routes": null}}`,
		`{"port_associations": [{"port_id": "d79e927c-fb19-4565-9761-1cdd29ddb97b"}, {"port_association": {"port_id": "d79e927c-fb19-4565-9761-1cdd29ddb97b"}}]}`,
	} {
		f.Add([]byte(seed))
	}
	specs := []*resource.Spec{api.BGPVPNSpec(), api.PortAssociationSpec()}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for _, spec := range specs {
			for _, create := range []bool{true, false} {
				bodies, _, err := spec.Prepare(raw, create)
				if err != nil {
					if fl, ok := fault.As(err); !ok || fl.Status != 400 {
						t.Fatalf("%s.Prepare(%q, create=%v) error %v, want a 400 fault", spec.Singular, raw, create, err)
					}
					continue
				}
				for _, b := range bodies {
					again := reencode(t, spec, b)
					got, _, err := spec.Prepare(again, create)
					if err != nil {
						t.Fatalf("%s.Prepare(%q) accepted, but its re-encoding %s is refused: %v", spec.Singular, raw, again, err)
					}
					if d := cmp.Diff(b, got[0]); d != "" {
						t.Fatalf("%s.Prepare(%q) and its re-encoding %s differ (-first +again):\n%s", spec.Singular, raw, again, d)
					}
				}
			}
		}
	})
}

// reencode renders the attributes a client gave, as converted, in the
// spec's wrapper.
func reencode(t *testing.T, spec *resource.Spec, b resource.Body) []byte {
	t.Helper()
	obj := map[string]any{}
	for _, name := range b.Given {
		obj[name] = jsonOf(t, b.Values[name])
	}
	raw, err := json.Marshal(map[string]any{spec.Singular: obj})
	if err != nil {
		t.Fatalf("encoding %v: %v", obj, err)
	}
	return raw
}

func jsonOf(t *testing.T, v any) any {
	switch x := v.(type) {
	case string, bool, []string:
		return x
	case *int64:
		if x == nil {
			return nil
		}
		return *x
	case []store.PortRoute:
		out := make([]map[string]any, len(x))
		for i, r := range x {
			m := map[string]any{"type": r.Type}
			if r.Type == "prefix" {
				m["prefix"] = r.Prefix
			} else {
				m["bgpvpn_id"] = r.BGPVPNID
			}
			if r.LocalPref != nil {
				m["local_pref"] = *r.LocalPref
			}
			out[i] = m
		}
		return out
	}
	t.Fatalf("no JSON form for %#v", v)
	return nil
}
