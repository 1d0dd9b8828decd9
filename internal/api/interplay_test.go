package api_test

import (
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// interfaceConflict is the original's 409 text for [198]; the number is
// the callback's id, which changes with every process.
var interfaceConflict = regexp.MustCompile(`^Error cannot perform router interface attachment due to Callback ` +
	`networking_bgpvpn\.neutron\.services\.plugin\.BGPVPNPlugin\._notify_adding_interface_to_router-\d+ failed with ` +
	`"Bad bgpvpn request: It is not allowed to add an interface to a router if both the router and the network are bound to an L3 BGPVPN\.\." ` +
	`while attempting the operation\.$`)

func wantInterfaceConflict(t *testing.T, r response) {
	t.Helper()
	if r.status != 409 {
		t.Fatalf("%s: status = %d, want 409; body %s", r.req, r.status, r.body)
	}
	e := object(t, r.json(t), "NeutronError")
	if e["type"] != "RouterInterfaceAttachmentConflict" {
		t.Errorf("%s: type = %v, want RouterInterfaceAttachmentConflict", r.req, e["type"])
	}
	if msg, _ := e["message"].(string); !interfaceConflict.MatchString(msg) {
		t.Errorf("%s: message = %q, want it to match %s", r.req, msg, interfaceConflict)
	}
}

func TestRouterInterfaceInterplay(t *testing.T) {
	s := newServer(t)
	vpn := s.createBGPVPN(admin, `{"name": "vpn-l3-a-third", "tenant_id": "project-a"}`)
	other := s.createBGPVPN(admin, `{"name": "another-l3", "tenant_id": "project-a"}`)
	l2 := s.createBGPVPN(admin, `{"name": "an-l2", "type": "l2", "tenant_id": "project-a"}`)
	router := s.createRouter(tenantA, "router-a3")
	net4, net5 := s.createNetwork(tenantA, "net-a4"), s.createNetwork(tenantA, "net-a5")
	sub4, sub5 := s.createSubnet(tenantA, net4, "10.4.0.0/24"), s.createSubnet(tenantA, net5, "10.5.0.0/24")

	t.Run("[196] associate router-a3", func(t *testing.T) {
		s.associate(tenantA, vpn, "router", router)
	})
	t.Run("[197] associate net-a4 with the same l3 BGPVPN", func(t *testing.T) {
		s.associate(tenantA, vpn, "network", net4)
	})
	t.Run("[198] plugging net-a4 into router-a3: both bound to an l3 BGPVPN", func(t *testing.T) {
		wantInterfaceConflict(t, s.addInterface(tenantA, router, sub4))
		// Nothing was plugged.
		s.get(admin, "/v2.0/ports?device_id="+router+"&fields=id").wantExact(t, 200, `{"ports": []}`)
	})
	t.Run("[199] plugging net-a5 (not associated) into router-a3", func(t *testing.T) {
		r := s.addInterface(tenantA, router, sub5)
		body := r.must(t, 200)
		port, _ := body["port_id"].(string)
		r.wantExact(t, 200, `{"id": "$R", "tenant_id": "project-a", "port_id": "$P", "network_id": "$N", "subnet_id": "$S", "subnet_ids": ["$S"]}`,
			"$R", router, "$P", port, "$N", net5, "$S", sub5)
		if got, want := r.keys(t, ""), []string{"id", "tenant_id", "port_id", "network_id", "subnet_id", "subnet_ids"}; !cmp.Equal(got, want) {
			t.Errorf("keys = %v, want %v", got, want)
		}
	})
	t.Run("[200] associating net-a5, whose router is associated", func(t *testing.T) {
		s.post(tenantA, vpnPath(vpn)+"/network_associations", `{"network_association": {"network_id": "`+net5+`"}}`).wantFault(t, 400,
			"BadRequest", "Bad bgpvpn request: Network "+net5+" is linked to a router which is already associated to bgpvpn(s) ['"+vpn+"'].")
	})
	t.Run("the same to another l3 BGPVPN of the project", func(t *testing.T) {
		s.post(tenantA, vpnPath(other)+"/network_associations", `{"network_association": {"network_id": "`+net5+`"}}`).wantFault(t, 400,
			"BadRequest", "Bad bgpvpn request: Network "+net5+" is linked to a router which is already associated to bgpvpn(s) ['"+vpn+"'].")
	})
	t.Run("and even to an l2 BGPVPN", func(t *testing.T) {
		s.post(tenantA, vpnPath(l2)+"/network_associations", `{"network_association": {"network_id": "`+net5+`"}}`).wantFault(t, 400,
			"BadRequest", "Bad bgpvpn request: Network "+net5+" is linked to a router which is already associated to bgpvpn(s) ['"+vpn+"'].")
	})
	t.Run("associating a router with an attached associated network", func(t *testing.T) {
		r2 := s.createRouter(tenantA, "router-a4")
		net6 := s.createNetwork(tenantA, "net-a6")
		sub6 := s.createSubnet(tenantA, net6, "10.6.0.0/24")
		s.addInterface(tenantA, r2, sub6).must(t, 200)
		s.associate(tenantA, l2, "network", net6)
		s.post(tenantA, vpnPath(other)+"/router_associations", `{"router_association": {"router_id": "`+r2+`"}}`).wantFault(t, 400,
			"BadRequest", "Bad bgpvpn request: router "+r2+" has an attached network "+net6+" which is already associated to bgpvpn(s) ['"+l2+"'].")
	})
	t.Run("plugging a network bound to an l2 BGPVPN only is allowed", func(t *testing.T) {
		net7 := s.createNetwork(tenantA, "net-a7")
		sub7 := s.createSubnet(tenantA, net7, "10.7.0.0/24")
		s.associate(tenantA, l2, "network", net7)
		s.addInterface(tenantA, router, sub7).must(t, 200)
	})
	t.Run("plugging an l3-bound network into a router of another l3 BGPVPN", func(t *testing.T) {
		r3 := s.createRouter(tenantA, "router-a5")
		s.associate(tenantA, other, "router", r3)
		net8 := s.createNetwork(tenantA, "net-a8")
		sub8 := s.createSubnet(tenantA, net8, "10.8.0.0/24")
		s.associate(tenantA, vpn, "network", net8)
		wantInterfaceConflict(t, s.addInterface(tenantA, r3, sub8))
		// By port, the same check applies.
		port := idOf(t, s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net8+`"}}`).must(t, 201), "port")
		wantInterfaceConflict(t, s.put(tenantA, "/v2.0/routers/"+r3+"/add_router_interface", `{"port_id": "`+port+`"}`))
	})
	t.Run("once the router association is gone the network plugs in", func(t *testing.T) {
		assocs := s.get(tenantA, vpnPath(vpn)+"/router_associations").must(t, 200)
		for _, id := range ids(t, assocs, "router_associations") {
			s.del(tenantA, vpnPath(vpn)+"/router_associations/"+id).must(t, 204)
		}
		s.addInterface(tenantA, router, sub4).must(t, 200)
	})
}

func TestDeleteBGPVPNWithAssociations(t *testing.T) {
	s := newServer(t)
	vpn := s.createBGPVPN(admin, `{"name": "vpn-l3-a", "tenant_id": "project-a"}`)
	l2 := s.createBGPVPN(admin, `{"name": "vpn-l2-a", "type": "l2", "tenant_id": "project-a"}`)
	net1, net3 := s.createNetwork(tenantA, "net-a1"), s.createNetwork(tenantA, "net-a3")
	s.createSubnet(tenantA, net1, "10.0.0.0/24")
	router := s.createRouter(tenantA, "router-a1")
	port := s.createPort(tenantA, net1)
	netAssoc := s.associate(tenantA, vpn, "network", net1)
	s.associate(tenantA, vpn, "router", router)
	s.associate(tenantA, vpn, "port", port)
	s.associate(tenantA, l2, "network", net1)
	s.associate(tenantA, l2, "network", net3) // [237]

	// [239] delete a BGPVPN that has network, router and port associations.
	s.del(admin, vpnPath(vpn)).must(t, 204)
	// [240], [241] its network, router and port remain.
	s.get(tenantA, "/v2.0/networks/"+net1+"?fields=id&fields=name").wantExact(t, 200, `{"network": {"id": "$N", "name": "net-a1"}}`, "$N", net1)
	s.get(tenantA, "/v2.0/routers/"+router+"?fields=id&fields=name").wantExact(t, 200, `{"router": {"id": "$R", "name": "router-a1"}}`, "$R", router)
	s.get(tenantA, "/v2.0/ports/"+port+"?fields=id").wantExact(t, 200, `{"port": {"id": "$P"}}`, "$P", port)
	// Its associations are gone.
	s.get(tenantA, vpnPath(vpn)+"/network_associations").wantExact(t, 200, `{"network_associations": []}`)
	s.get(tenantA, vpnPath(vpn)+"/network_associations/"+netAssoc).wantFault(t, 404, "BGPVPNNetAssocNotFound",
		"BGPVPN network association "+netAssoc+" could not be found for BGPVPN "+vpn)
	if got := vpnIDs(t, s.get(admin, "/v2.0/bgpvpn/bgpvpns?ports="+port)); len(got) != 0 {
		t.Errorf("ports= still selects %v", got)
	}
	// [242] the other BGPVPN still has its associations.
	got := object(t, s.get(tenantA, vpnPath(l2)).must(t, 200), "bgpvpn")["networks"]
	if d := cmp.Diff(sorted(net1, net3), sorted(toStrings(got)...)); d != "" {
		t.Errorf("vpn-l2-a networks (-want +got):\n%s", d)
	}
	// The router, now free of associations, can take an associated network... of l2 only.
	sub3 := s.createSubnet(tenantA, net3, "10.3.0.0/24")
	s.addInterface(tenantA, router, sub3).must(t, 200)
}
