package api_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// isolationWorld is two projects, each with a network, a subnet, a port,
// a router and a BGPVPN, and a network of project B shared with all.
type isolationWorld struct {
	s                                    *apiServer
	netA, subA, portA, routerA, vpnA     string
	netB, subB, portB, routerB, vpnB     string
	sharedB, sharedSubB, extNet, extPriv string
}

func newIsolationWorld(t *testing.T) isolationWorld { return isolationWorldOn(t, newServer(t)) }

// isolationWorldOn builds the world on s.
func isolationWorldOn(t *testing.T, s *apiServer) isolationWorld {
	w := isolationWorld{s: s}
	w.netA, w.netB = s.createNetwork(tenantA, "net-a"), s.createNetwork(tenantB, "net-b")
	w.subA, w.subB = s.createSubnet(tenantA, w.netA, "10.1.0.0/24"), s.createSubnet(tenantB, w.netB, "10.2.0.0/24")
	w.portA, w.portB = s.createPort(tenantA, w.netA), s.createPort(tenantB, w.netB)
	w.routerA, w.routerB = s.createRouter(tenantA, "r-a"), s.createRouter(tenantB, "r-b")
	w.vpnA = s.createBGPVPN(admin, `{"name": "vpn-a", "tenant_id": "project-a", "route_targets": ["64512:1"]}`)
	w.vpnB = s.createBGPVPN(admin, `{"name": "vpn-b", "tenant_id": "project-b", "route_targets": ["64512:2"]}`)
	w.sharedB = idOf(t, s.post(admin, "/v2.0/networks", `{"network": {"name": "shared-b", "shared": true, "tenant_id": "project-b"}}`).must(t, 201), "network")
	w.sharedSubB = s.createSubnet(admin, w.sharedB, "10.3.0.0/24")
	w.extNet = idOf(t, s.post(admin, "/v2.0/networks", `{"network": {"name": "public", "router:external": true}}`).must(t, 201), "network")
	w.extPriv = idOf(t, s.post(admin, "/v2.0/networks", `{"network": {"name": "b-private", "tenant_id": "project-b"}}`).must(t, 201), "network")
	return w
}

// sameAsMissing sends a request naming another project's object and the
// same request naming an id that exists nowhere, and fails unless both
// answer alike: same status, same fault type, same message but for the
// id. It returns the answer to the foreign id.
func (s *apiServer) sameAsMissing(t *testing.T, who identity, method, path, body, foreignID string) response {
	t.Helper()
	foreign := s.do(who, method, path, body)
	missing := s.do(who, method, strings.ReplaceAll(path, foreignID, unknownID), strings.ReplaceAll(body, foreignID, unknownID))
	norm := func(r response) string {
		var m map[string]any
		if err := json.Unmarshal(r.body, &m); err != nil {
			return string(r.body)
		}
		e, _ := m["NeutronError"].(map[string]any)
		b, _ := json.Marshal(e)
		return strings.ReplaceAll(strings.ReplaceAll(string(b), foreignID, "<id>"), unknownID, "<id>")
	}
	if foreign.status != missing.status || norm(foreign) != norm(missing) {
		t.Errorf("%s: another project's object answers %d %s,\nan id that does not exist %d %s", foreign.req,
			foreign.status, norm(foreign), missing.status, norm(missing))
	}
	if foreign.status < 400 {
		t.Errorf("%s: status %d, want a refusal; body %s", foreign.req, foreign.status, foreign.body)
	}
	return foreign
}

// TestForeignIDsInBodies: every id a request body names is resolved with
// the caller's visibility; another project's private object is answered
// exactly as an id that does not exist, and nothing changes.
func TestForeignIDsInBodies(t *testing.T) { testForeignIDsInBodies(t, newIsolationWorld(t)) }

func TestForeignIDsInBodiesPostgres(t *testing.T) {
	testForeignIDsInBodies(t, isolationWorldOn(t, newServerPostgres(t)))
}

func testForeignIDsInBodies(t *testing.T, w isolationWorld) {
	s := w.s
	tests := []struct {
		name, method, path, body, foreign string
		status                            int
		typ                               string
	}{
		{"add_router_interface on another project's subnet", "PUT", "/v2.0/routers/" + w.routerA + "/add_router_interface",
			`{"subnet_id": "` + w.subB + `"}`, w.subB, 404, "SubnetNotFound"},
		{"add_router_interface with another project's port", "PUT", "/v2.0/routers/" + w.routerA + "/add_router_interface",
			`{"port_id": "` + w.portB + `"}`, w.portB, 404, "PortNotFound"},
		{"remove_router_interface of another project's subnet", "PUT", "/v2.0/routers/" + w.routerA + "/remove_router_interface",
			`{"subnet_id": "` + w.subB + `"}`, w.subB, 404, "SubnetNotFound"},
		{"remove_router_interface of another project's port", "PUT", "/v2.0/routers/" + w.routerA + "/remove_router_interface",
			`{"port_id": "` + w.portB + `"}`, w.portB, 404, "RouterInterfaceNotFound"},
		{"subnet on another project's network", "POST", "/v2.0/subnets",
			`{"subnet": {"network_id": "` + w.netB + `", "ip_version": 4, "cidr": "10.9.0.0/24"}}`, w.netB, 404, "NetworkNotFound"},
		{"bulk subnets, one on another project's network", "POST", "/v2.0/subnets",
			`{"subnets": [{"network_id": "` + w.netA + `", "ip_version": 4, "cidr": "10.8.0.0/24"}, {"network_id": "` + w.netB + `", "ip_version": 4, "cidr": "10.9.0.0/24"}]}`, w.netB, 404, "NetworkNotFound"},
		{"port on another project's network", "POST", "/v2.0/ports",
			`{"port": {"network_id": "` + w.netB + `"}}`, w.netB, 404, "NetworkNotFound"},
		{"port on another project's network as a router interface", "POST", "/v2.0/ports",
			`{"port": {"network_id": "` + w.netB + `", "device_owner": "network:router_interface", "device_id": "` + w.routerA + `"}}`, w.netB, 404, "NetworkNotFound"},
		{"fixed IP on another project's subnet", "POST", "/v2.0/ports",
			`{"port": {"network_id": "` + w.netA + `", "fixed_ips": [{"subnet_id": "` + w.subB + `"}]}}`, w.subB, 404, "SubnetNotFound"},
		{"fixed IP update on another project's subnet", "PUT", "/v2.0/ports/" + w.portA,
			`{"port": {"fixed_ips": [{"subnet_id": "` + w.subB + `"}]}}`, w.subB, 404, "SubnetNotFound"},
		{"router gateway on another project's network", "POST", "/v2.0/routers",
			`{"router": {"name": "gw", "external_gateway_info": {"network_id": "` + w.extPriv + `"}}}`, w.extPriv, 404, "NetworkNotFound"},
		{"router gateway update to another project's network", "PUT", "/v2.0/routers/" + w.routerA,
			`{"router": {"external_gateway_info": {"network_id": "` + w.netB + `"}}}`, w.netB, 404, "NetworkNotFound"},
		{"network association with another project's network", "POST", vpnPath(w.vpnA) + "/network_associations",
			`{"network_association": {"network_id": "` + w.netB + `"}}`, w.netB, 404, "NetworkNotFound"},
		{"router association with another project's router", "POST", vpnPath(w.vpnA) + "/router_associations",
			`{"router_association": {"router_id": "` + w.routerB + `"}}`, w.routerB, 404, "RouterNotFound"},
		{"port association with another project's port", "POST", vpnPath(w.vpnA) + "/port_associations",
			`{"port_association": {"port_id": "` + w.portB + `"}}`, w.portB, 404, "PortNotFound"},
		{"port association route to another project's BGPVPN", "POST", vpnPath(w.vpnA) + "/port_associations",
			`{"port_association": {"port_id": "` + w.portA + `", "routes": [{"type": "bgpvpn", "bgpvpn_id": "` + w.vpnB + `"}]}}`, w.vpnB, 400, "BGPVPNPortAssocRouteNoSuchBGPVPN"},
		{"association under another project's BGPVPN", "POST", vpnPath(w.vpnB) + "/network_associations",
			`{"network_association": {"network_id": "` + w.netA + `"}}`, w.vpnB, 404, "BGPVPNNotFound"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := s.sameAsMissing(t, tenantA, tt.method, tt.path, tt.body, tt.foreign)
			var m map[string]any
			json.Unmarshal(r.body, &m)
			e, _ := m["NeutronError"].(map[string]any)
			if r.status != tt.status || e["type"] != tt.typ {
				t.Errorf("%s: %d %v, want %d %s", r.req, r.status, e["type"], tt.status, tt.typ)
			}
		})
	}
	t.Run("project B's objects are untouched", func(t *testing.T) {
		port := object(t, s.get(tenantB, "/v2.0/ports/"+w.portB).must(t, 200), "port")
		if port["device_id"] != "" || port["device_owner"] != "" {
			t.Errorf("B's port became %v/%v", port["device_owner"], port["device_id"])
		}
		all := ids(t, s.get(admin, "/v2.0/ports?network_id="+w.netB).must(t, 200), "ports")
		if len(all) != 1 {
			t.Errorf("ports on B's network: %v, want only B's own", all)
		}
		s.get(tenantA, "/v2.0/routers/"+w.routerA).wantBody(t, 200, `{"router": {"id": "$R", "name": "r-a", "tenant_id": "project-a",
			"project_id": "project-a", "admin_state_up": true, "status": "ACTIVE", "external_gateway_info": null, "routes": [],
			"availability_zone_hints": [], "availability_zones": [], "flavor_id": null, "tags": []}}`, "$R", w.routerA)
	})
}

// TestRouterInterfaceOwnership: what Neutron allows stays allowed.
func TestRouterInterfaceOwnership(t *testing.T) {
	w := newIsolationWorld(t)
	s := w.s
	t.Run("on a subnet of a shared network", func(t *testing.T) {
		s.addInterface(tenantA, w.routerA, w.sharedSubB).must(t, 200)
	})
	t.Run("with the router project's own port", func(t *testing.T) {
		s.put(tenantA, "/v2.0/routers/"+w.routerA+"/add_router_interface", `{"port_id": "`+w.portA+`"}`).must(t, 200)
		s.put(tenantA, "/v2.0/routers/"+w.routerA+"/remove_router_interface", `{"port_id": "`+w.portA+`"}`).must(t, 200)
	})
	t.Run("an admin plugs any project's subnet", func(t *testing.T) {
		s.addInterface(admin, w.routerA, w.subB).must(t, 200)
	})
	t.Run("a gateway on an external network", func(t *testing.T) {
		s.put(tenantA, "/v2.0/routers/"+w.routerA, `{"router": {"external_gateway_info": {"network_id": "`+w.extNet+`"}}}`).must(t, 200)
	})
	t.Run("a gateway on a network that is not external", func(t *testing.T) {
		s.put(tenantA, "/v2.0/routers/"+w.routerA, `{"router": {"external_gateway_info": {"network_id": "`+w.netA+`"}}}`).
			wantFault(t, 400, "BadRequest", "Bad router request: Network "+w.netA+" is not an external network.")
	})
}

// TestForgedRouterInterface: a port that only claims to be a router's
// interface (device_owner and device_id are its owner's to write) is not
// one: it neither blocks the router's deletion nor counts as plugged in,
// and its owner may delete it.
func TestForgedRouterInterface(t *testing.T) { testForgedRouterInterface(t, newIsolationWorld(t)) }

func TestForgedRouterInterfacePostgres(t *testing.T) {
	testForgedRouterInterface(t, isolationWorldOn(t, newServerPostgres(t)))
}

func testForgedRouterInterface(t *testing.T, w isolationWorld) {
	s := w.s
	forged := idOf(t, s.post(tenantB, "/v2.0/ports", `{"port": {"network_id": "`+w.netB+`", "device_owner": "network:router_interface", "device_id": "`+w.routerA+`"}}`).must(t, 201), "port")
	t.Run("the router is not in use", func(t *testing.T) {
		s.post(tenantA, vpnPath(w.vpnA)+"/router_associations", `{"router_association": {"router_id": "`+w.routerA+`"}}`).must(t, 201)
		s.get(admin, vpnPath(w.vpnA)+"?fields=networks&fields=routers").wantExact(t, 200,
			`{"bgpvpn": {"networks": [], "routers": ["$R"]}}`, "$R", w.routerA)
		s.put(tenantA, "/v2.0/routers/"+w.routerA+"/remove_router_interface", `{"port_id": "`+forged+`"}`).
			wantFault(t, 404, "RouterInterfaceNotFound", "Router "+w.routerA+" does not have an interface with id "+forged)
	})
	t.Run("its owner deletes it", func(t *testing.T) {
		s.del(tenantB, "/v2.0/ports/"+forged).must(t, 204)
	})
	t.Run("a real interface is protected", func(t *testing.T) {
		r := s.addInterface(tenantA, w.routerA, w.subA).must(t, 200)
		port, _ := r["port_id"].(string)
		s.del(tenantA, "/v2.0/ports/"+port).wantFault(t, 409, "ServicePortInUse",
			"Port "+port+" cannot be deleted directly via the port API: has device owner network:router_interface.")
	})
}

// TestForgedInterfaceDoesNotBlockDeletion: the victim's router deletes
// although another project's port names it as its device.
func TestForgedInterfaceDoesNotBlockDeletion(t *testing.T) {
	w := newIsolationWorld(t)
	s := w.s
	s.post(tenantB, "/v2.0/ports", `{"port": {"network_id": "`+w.netB+`", "device_owner": "network:router_interface", "device_id": "`+w.routerA+`"}}`).must(t, 201)
	s.del(tenantA, "/v2.0/routers/"+w.routerA).must(t, 204)
}

// TestForeignIDsInPaths: reading, updating or deleting another project's
// object, or an association under another project's BGPVPN, answers as
// an id that does not exist.
func TestForeignIDsInPaths(t *testing.T) {
	w := newIsolationWorld(t)
	s := w.s
	naB := s.associate(tenantB, w.vpnB, "network", w.netB)
	raB := s.associate(tenantB, w.vpnB, "router", w.routerB)
	paB := s.associate(tenantB, w.vpnB, "port", w.portB)
	type req struct{ method, path, body, foreign string }
	var reqs []req
	for _, o := range []struct{ path, singular, id string }{
		{"/v2.0/networks/", "network", w.netB}, {"/v2.0/subnets/", "subnet", w.subB}, {"/v2.0/ports/", "port", w.portB},
		{"/v2.0/routers/", "router", w.routerB}, {"/v2.0/bgpvpn/bgpvpns/", "bgpvpn", w.vpnB},
		{vpnPath(w.vpnB) + "/network_associations/", "network_association", naB},
		{vpnPath(w.vpnB) + "/router_associations/", "router_association", raB},
		{vpnPath(w.vpnB) + "/port_associations/", "port_association", paB},
	} {
		reqs = append(reqs, req{"GET", o.path + o.id, "", o.id}, req{"DELETE", o.path + o.id, "", o.id},
			req{"PUT", o.path + o.id, `{"` + o.singular + `": {"description": "x"}}`, o.id})
	}
	reqs = append(reqs,
		req{"PUT", "/v2.0/routers/" + w.routerB + "/add_router_interface", `{"subnet_id": "` + w.subA + `"}`, w.routerB},
		req{"PUT", "/v2.0/routers/" + w.routerB + "/remove_router_interface", `{"subnet_id": "` + w.subA + `"}`, w.routerB},
		req{"POST", vpnPath(w.vpnB) + "/port_associations", `{"port_association": {"port_id": "` + w.portA + `"}}`, w.vpnB},
	)
	for _, r := range reqs {
		t.Run(r.method+" "+r.path, func(t *testing.T) {
			if got := s.sameAsMissing(t, tenantA, r.method, r.path, r.body, r.foreign); got.status != 404 {
				t.Errorf("%s: %d, want 404", got.req, got.status)
			}
		})
	}
	t.Run("association lists under another project's BGPVPN", func(t *testing.T) {
		for _, kind := range []string{"network", "router", "port"} {
			foreign := s.get(tenantA, vpnPath(w.vpnB)+"/"+kind+"_associations")
			missing := s.get(tenantA, vpnPath(unknownID)+"/"+kind+"_associations")
			if foreign.status != missing.status || string(foreign.body) != string(missing.body) {
				t.Errorf("%s: %d %s, under an unknown BGPVPN %d %s", foreign.req, foreign.status, foreign.body, missing.status, missing.body)
			}
		}
	})
	t.Run("nothing of B's changed", func(t *testing.T) {
		s.get(tenantB, vpnPath(w.vpnB)+"/network_associations/"+naB).must(t, 200)
		s.get(tenantB, "/v2.0/networks/"+w.netB+"?fields=description").wantExact(t, 200, `{"network": {"description": ""}}`)
	})
}

// TestSharedNetworkAssociationTellsNoBGPVPN: associating another
// project's shared network (which the tenant sees) is refused without
// naming the BGPVPNs that project's router brings to it.
func TestSharedNetworkAssociationTellsNoBGPVPN(t *testing.T) {
	w := newIsolationWorld(t)
	s := w.s
	s.addInterface(tenantB, w.routerB, w.sharedSubB).must(t, 200)
	s.associate(tenantB, w.vpnB, "router", w.routerB)
	r := s.post(tenantA, vpnPath(w.vpnA)+"/network_associations", `{"network_association": {"network_id": "`+w.sharedB+`"}}`)
	if r.status != 403 || strings.Contains(string(r.body), w.vpnB) {
		t.Errorf("%s: %d %s, want 403 without project B's BGPVPN %s", r.req, r.status, r.body, w.vpnB)
	}
}
