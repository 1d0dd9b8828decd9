package api_test

import (
	"strings"
	"testing"
)

// TestNonObjectListItems: items of router routes and subnet host_routes
// that are not objects are refused as bad data (they crashed the handler).
func TestNonObjectListItems(t *testing.T) {
	s := newServer(t)
	net := s.createNetwork(tenantA, "net-a")
	sub := s.createSubnet(tenantA, net, "10.0.0.0/24")
	router := s.createRouter(tenantA, "r-a")
	for _, item := range []string{`1`, `null`, `"x"`, `[]`, `true`} {
		t.Run("router routes "+item, func(t *testing.T) {
			s.put(tenantA, "/v2.0/routers/"+router, `{"router": {"routes": [`+item+`]}}`).
				wantFault(t, 400, "HTTPBadRequest", "Invalid input for routes. Reason: Invalid data format for hostroute: '"+pyRepr(item)+"'.")
		})
		t.Run("subnet host_routes "+item, func(t *testing.T) {
			s.put(tenantA, "/v2.0/subnets/"+sub, `{"subnet": {"host_routes": [`+item+`]}}`).
				wantFault(t, 400, "HTTPBadRequest", "Invalid input for host_routes. Reason: Invalid data format for hostroute: '"+pyRepr(item)+"'.")
			body := `{"subnet": {"network_id": "` + net + `", "ip_version": 4, "cidr": "10.1.0.0/24", "host_routes": [` + item + `]}}`
			s.post(tenantA, "/v2.0/subnets", body).
				wantFault(t, 400, "HTTPBadRequest", "Invalid input for host_routes. Reason: Invalid data format for hostroute: '"+pyRepr(item)+"'.")
		})
	}
}

// pyRepr is Python's str() of the few JSON items above.
func pyRepr(item string) string {
	switch item {
	case "null":
		return "None"
	case "true":
		return "True"
	case `"x"`:
		return "x"
	}
	return item
}

// TestBadText: NUL characters and invalid UTF-8 are refused wherever a
// client can put text (body, path, query, identity), before any store
// sees them, so that SQLite and PostgreSQL answer alike.
func TestBadText(t *testing.T) { testBadText(t, newServer(t)) }

// TestBadTextPostgres: PostgreSQL answers as SQLite does (it refused NUL
// and invalid UTF-8 with a 500).
func TestBadTextPostgres(t *testing.T) { testBadText(t, newServerPostgres(t)) }

func testBadText(t *testing.T, s *apiServer) {
	net := s.createNetwork(tenantA, "net-a")
	vpn := s.createBGPVPN(admin, `{"name": "v", "tenant_id": "project-a"}`)
	bad := "HTTPBadRequest"
	tests := []struct {
		name, method, path, body string
		who                      identity
	}{
		{"NUL in a network name", "POST", "/v2.0/networks", `{"network": {"name": "a\u0000b"}}`, tenantA},
		{"NUL in a key", "POST", "/v2.0/networks", `{"network": {"na\u0000me": "x"}}`, tenantA},
		{"NUL deep in a list", "PUT", "/v2.0/networks/" + net, `{"network": {"name": "x", "description": "ok"}, "x": [["\u0000"]]}`, tenantA},
		{"NUL in a BGPVPN description", "PUT", vpnPath(vpn), `{"bgpvpn": {"description": "\u0000"}}`, tenantA},
		{"NUL in a port name", "POST", "/v2.0/ports", `{"port": {"network_id": "` + net + `", "name": "\u0000"}}`, tenantA},
		{"NUL in a router interface body", "PUT", "/v2.0/routers/" + unknownID + "/add_router_interface", `{"subnet_id": "\u0000"}`, tenantA},
		{"invalid UTF-8 in a name", "POST", "/v2.0/networks", "{\"network\": {\"name\": \"a\xffb\"}}", tenantA},
		{"invalid UTF-8 in a BGPVPN name", "POST", "/v2.0/bgpvpn/bgpvpns", "{\"bgpvpn\": {\"name\": \"\xc3\x28\"}}", admin},
		{"NUL in a path id", "GET", "/v2.0/networks/a%00b", "", tenantA},
		{"invalid UTF-8 in a path id", "DELETE", "/v2.0/bgpvpn/bgpvpns/%ff", "", admin},
		{"NUL in a filter value", "GET", "/v2.0/networks?name=%00", "", tenantA},
		{"invalid UTF-8 in a filter value", "GET", "/v2.0/bgpvpn/bgpvpns?name=%C3%28", "", admin},
		{"NUL in a marker", "GET", "/v2.0/ports?limit=1&marker=%00", "", tenantA},
		{"NUL in a filter name", "GET", "/v2.0/networks?na%00me=x", "", tenantA},
		{"invalid UTF-8 in the project header", "GET", "/v2.0/networks", "",
			identity{"project \\xff", map[string]string{"X-User-Id": "u", "X-Project-Id": "p\xff", "X-Roles": "member"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.do(tt.who, tt.method, tt.path, tt.body)
			if r.status != 400 {
				t.Fatalf("%s: status %d, want 400; body %s", r.req, r.status, r.body)
			}
			r.wantFault(t, 400, bad, faultMessage(t, r))
		})
	}
	t.Run("nothing was stored", func(t *testing.T) {
		if got := ids(t, s.get(admin, "/v2.0/networks").must(t, 200), "networks"); len(got) != 1 {
			t.Errorf("networks = %v, want only %s", got, net)
		}
		if got := ids(t, s.get(admin, "/v2.0/ports").must(t, 200), "ports"); len(got) != 0 {
			t.Errorf("ports = %v, want none", got)
		}
		s.get(admin, vpnPath(vpn)+"?fields=description").wantExact(t, 200, `{"bgpvpn": {"description": ""}}`)
	})
}

// faultMessage returns the NeutronError message of r (any: the test
// checks the status and type; messages say which part was bad).
func faultMessage(t *testing.T, r response) string {
	t.Helper()
	e, _ := r.json(t)["NeutronError"].(map[string]any)
	m, _ := e["message"].(string)
	if m == "" {
		t.Errorf("%s: empty message", r.req)
	}
	return m
}

// TestTooManyQueryParameters: past Go's limit the whole query string
// would be dropped and every filter ignored; the list is refused instead.
func TestTooManyQueryParameters(t *testing.T) {
	s := newServer(t)
	s.createNetwork(tenantA, "mine")
	q := "name=nothing" + strings.Repeat("&fields=id", 9999)
	s.get(tenantA, "/v2.0/networks?"+q).wantFault(t, 400, "HTTPBadRequest", "Too many query parameters: 10000, at most 9999")
	q = "name=nothing" + strings.Repeat("&fields=id", 9998)
	if got := ids(t, s.get(tenantA, "/v2.0/networks?"+q).must(t, 200), "networks"); len(got) != 0 {
		t.Errorf("9,999 parameters filtering on name=nothing list %v, want none", got)
	}
}
