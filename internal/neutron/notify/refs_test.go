package notify

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
)

func TestRefs(t *testing.T) {
	tests := []struct {
		name, event, payload string
		want                 []mirror.Ref
		wantOK               bool
	}{
		{"port updated", "port.update.end", `{"port": {"id": "p1", "binding:host_id": "h1"}}`,
			[]mirror.Ref{{Kind: mirror.Port, ID: "p1"}}, true},
		{"network created", "network.create.end", `{"network": {"id": "n1"}}`,
			[]mirror.Ref{{Kind: mirror.Network, ID: "n1"}}, true},
		{"ports bulk-created", "port.create.end", `{"ports": [{"id": "p1"}, {"id": "p2"}]}`,
			[]mirror.Ref{{Kind: mirror.Port, ID: "p1"}, {Kind: mirror.Port, ID: "p2"}}, true},
		{"port deleted", "port.delete.end", `{"port_id": "p1", "port": {"id": "p1"}}`,
			[]mirror.Ref{{Kind: mirror.Port, ID: "p1", Gone: true}}, true},
		{"subnet deleted", "subnet.delete.end", `{"subnet_id": "s1"}`,
			[]mirror.Ref{{Kind: mirror.Subnet, ID: "s1", Gone: true}}, true},
		{"router interface added", "router.interface.create",
			`{"router_interface": {"id": "r1", "port_id": "p9", "subnet_id": "s1", "network_id": "n1"}}`,
			[]mirror.Ref{{Kind: mirror.Router, ID: "r1", Interfaces: true}}, true},
		{"router interface removed", "router.interface.delete", `{"router_interface": {"id": "r1", "port_id": "p9"}}`,
			[]mirror.Ref{{Kind: mirror.Router, ID: "r1", Interfaces: true}}, true},
		{"not ours", "floatingip.update.end", `{"floatingip": {"id": "f1"}}`, nil, true},
		{"a start", "port.update.start", `{"port": {}}`, nil, true},
		{"update without id: read everything", "port.update.end", `{"port": {}}`, nil, false},
		{"delete without id", "network.delete.end", `{"network": {"id": "n1"}}`, nil, false},
		{"interface without router", "router.interface.create", `{}`, nil, false},
		{"payload not an object", "port.update.end", `[1]`, nil, false},
		{"no payload", "port.update.end", ``, nil, false},
		{"empty bulk", "port.create.end", `{"ports": []}`, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Notification{Event: tt.event, Payload: json.RawMessage(tt.payload)}.Refs()
			if ok != tt.wantOK {
				t.Errorf("Refs() ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Refs() (-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseKeepsThePayload(t *testing.T) {
	body := `{"oslo.version": "2.0", "oslo.message": "{\"event_type\": \"port.delete.end\", \"payload\": {\"port_id\": \"p1\"}}"}`
	n, err := Parse([]byte(body))
	if err != nil {
		t.Fatal(err)
	}
	refs, ok := n.Refs()
	if want := []mirror.Ref{{Kind: mirror.Port, ID: "p1", Gone: true}}; !ok || !cmp.Equal(want, refs) {
		t.Errorf("Parse(%s).Refs() = %v, %v; want %v", body, refs, ok, want)
	}
}

func FuzzRefs(f *testing.F) {
	f.Add([]byte(`{"oslo.version": "2.0", "oslo.message": "{\"event_type\": \"port.update.end\", \"payload\": {\"port\": {\"id\": \"p\"}}}"}`))
	f.Add([]byte(`{"event_type": "router.interface.create", "payload": {"router_interface": {"id": "r"}}}`))
	f.Add([]byte(`{"event_type": "port.create.end", "payload": {"ports": [{"id": "a"}]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := Parse(b)
		if err != nil {
			return
		}
		refs, ok := n.Refs()
		for _, r := range refs {
			if r.ID == "" {
				t.Errorf("Refs of %q: a ref without id (ok %v)", b, ok)
			}
		}
	})
}
