package notify

import (
	"encoding/json"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/neutron/mirror"
)

// Refs names the objects a relevant notification says changed, as
// Neutron's API layer sends them: {"port": {...}} after a create or an
// update, {"ports": [...]} after a bulk create, {"port_id": "..."} (with
// the deleted object) after a delete, {"router_interface": {"id":
// router, ...}} after an interface is added or removed. false when the
// payload names nothing it can read alone: the mirror then reads all of
// Neutron.
func (n Notification) Refs() ([]mirror.Ref, bool) {
	if !Relevant(n.Event) {
		return nil, true
	}
	if strings.HasPrefix(n.Event, "router.interface.") {
		var p struct {
			Interface struct {
				ID string `json:"id"`
			} `json:"router_interface"`
		}
		if json.Unmarshal(n.Payload, &p) != nil || p.Interface.ID == "" {
			return nil, false
		}
		return []mirror.Ref{{Kind: mirror.Router, ID: p.Interface.ID, Interfaces: true}}, true
	}
	resource, _, _ := strings.Cut(n.Event, ".")
	kind := mirror.Kind(resource)
	var p map[string]json.RawMessage
	if json.Unmarshal(n.Payload, &p) != nil {
		return nil, false
	}
	if strings.HasSuffix(n.Event, ".delete.end") {
		var id string
		if json.Unmarshal(p[resource+"_id"], &id) != nil || id == "" {
			return nil, false
		}
		return []mirror.Ref{{Kind: kind, ID: id, Gone: true}}, true
	}
	type object struct {
		ID string `json:"id"`
	}
	var objs []object
	if raw, ok := p[resource+"s"]; ok {
		if json.Unmarshal(raw, &objs) != nil {
			return nil, false
		}
	} else {
		var o object
		if json.Unmarshal(p[resource], &o) != nil {
			return nil, false
		}
		objs = []object{o}
	}
	refs := make([]mirror.Ref, 0, len(objs))
	for _, o := range objs {
		if o.ID == "" {
			return nil, false
		}
		refs = append(refs, mirror.Ref{Kind: kind, ID: o.ID})
	}
	if len(refs) == 0 {
		return nil, false
	}
	return refs, true
}
