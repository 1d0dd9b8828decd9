package api_test

import (
	"regexp"
	"testing"
	"time"
)

// TestDocumentedDifferences asserts our side of the README's table "Where
// we deliberately differ from the original" for the rows that the
// association and list tests do not already cover ([102], [124], [140],
// [182], [185], [218] are tested where they occur).
func TestDocumentedDifferences(t *testing.T) {
	s := newServer(t)

	t.Run("[73] local_pref \"100\" is stored and returned as the number 100", func(t *testing.T) {
		r := s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"local_pref": "100"}}`)
		body := r.must(t, 201)
		if got := object(t, body, "bgpvpn")["local_pref"]; got != 100.0 {
			t.Errorf("POST local_pref = %#v, want the number 100", got)
		}
		s.get(admin, vpnPath(idOf(t, body, "bgpvpn"))+"?fields=local_pref").wantExact(t, 200, `{"bgpvpn": {"local_pref": 100}}`)
	})
	for _, rt := range []string{"64512:1\n", "1.2.3.4:5\n"} {
		t.Run("RT with a final newline is refused: "+rt[:len(rt)-1], func(t *testing.T) {
			s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"route_targets": ["`+rt[:len(rt)-1]+`\n"]}}`).wantFault(t, 400,
				"HTTPBadRequest", "Invalid input for route_targets. Reason: '"+rt+"' is not a valid input.")
			s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"route_distinguishers": ["`+rt[:len(rt)-1]+`\n"]}}`).wantFault(t, 400,
				"HTTPBadRequest", "Invalid input for route_distinguishers. Reason: '"+rt+"' is not a valid input.")
		})
	}

	var id string
	t.Run("[77] description is stored and returned", func(t *testing.T) {
		r := s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"description": "d", "name": "with-description"}}`)
		id = idOf(t, r.must(t, 201), "bgpvpn")
		if got := object(t, r.json(t), "bgpvpn")["description"]; got != "d" {
			t.Errorf("POST description = %#v, want \"d\"", got)
		}
		// [78] read it back.
		s.get(admin, vpnPath(id)+"?fields=description&fields=name").wantExact(t, 200, `{"bgpvpn": {"name": "with-description", "description": "d"}}`)
		s.put(admin, vpnPath(id), `{"bgpvpn": {"description": "e"}}`).must(t, 200)
		s.get(admin, vpnPath(id)+"?fields=description").wantExact(t, 200, `{"bgpvpn": {"description": "e"}}`)
	})
	t.Run("the owner may change the description", func(t *testing.T) {
		own := s.createBGPVPN(admin, `{"tenant_id": "project-a"}`)
		s.put(tenantA, vpnPath(own), `{"bgpvpn": {"description": "mine"}}`).must(t, 200)
		s.get(tenantA, vpnPath(own)+"?fields=description").wantExact(t, 200, `{"bgpvpn": {"description": "mine"}}`)
	})
	stamp := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`)
	t.Run("standard attributes are returned and maintained", func(t *testing.T) {
		before := time.Now().UTC().Add(-2 * time.Second)
		created := object(t, s.post(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {}}`).must(t, 201), "bgpvpn")
		vpn := created["id"].(string)
		for _, k := range []string{"created_at", "updated_at"} {
			v, _ := created[k].(string)
			if !stamp.MatchString(v) {
				t.Fatalf("%s = %q, want YYYY-MM-DDThh:mm:ssZ", k, v)
			}
			if at, _ := time.Parse(time.RFC3339, v); at.Before(before.Truncate(time.Second)) {
				t.Errorf("%s = %s, before the request (%s)", k, v, before)
			}
		}
		rev := func() float64 {
			v, _ := object(t, s.get(admin, vpnPath(vpn)).must(t, 200), "bgpvpn")["revision_number"].(float64)
			return v
		}
		r0 := rev()
		s.put(admin, vpnPath(vpn), `{"bgpvpn": {"name": "renamed"}}`).must(t, 200)
		if r1 := rev(); r1 != r0+1 {
			t.Errorf("revision_number after an update = %v, want %v", r1, r0+1)
		}
		// Associations carry them too.
		net := s.createNetwork(admin, "n")
		a := object(t, s.post(admin, vpnPath(vpn)+"/network_associations", `{"network_association": {"network_id": "`+net+`"}}`).must(t, 201), "network_association")
		for _, k := range []string{"created_at", "updated_at"} {
			if v, _ := a[k].(string); !stamp.MatchString(v) {
				t.Errorf("association %s = %q, want YYYY-MM-DDThh:mm:ssZ", k, v)
			}
		}
		if _, ok := a["revision_number"].(float64); !ok {
			t.Errorf("association revision_number = %#v, want a number", a["revision_number"])
		}
	})
	t.Run("standard attributes filter", func(t *testing.T) {
		s.get(admin, "/v2.0/bgpvpn/bgpvpns?description=e&fields=id").wantExact(t, 200, `{"bgpvpns": [{"id": "$ID"}]}`, "$ID", id)
	})
	t.Run("network association description is its only updatable attribute", func(t *testing.T) {
		vpn := s.createBGPVPN(admin, `{}`)
		net := s.createNetwork(admin, "n2")
		assoc := s.associate(admin, vpn, "network", net)
		s.put(admin, vpnPath(vpn)+"/network_associations/"+assoc, `{"network_association": {"description": "why"}}`).must(t, 200)
		s.get(admin, vpnPath(vpn)+"/network_associations/"+assoc+"?fields=description").wantExact(t, 200, `{"network_association": {"description": "why"}}`)
	})
}
