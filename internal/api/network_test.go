package api_test

import (
	"net/netip"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNetworkCreate(t *testing.T) {
	s := newServer(t)
	// [95] what associations rely on: id, project and defaults.
	r := s.post(tenantA, "/v2.0/networks", `{"network": {"name": "net-a1"}}`)
	n := object(t, r.must(t, 201), "network")
	for k, want := range map[string]any{"name": "net-a1", "tenant_id": "project-a", "project_id": "project-a", "admin_state_up": true,
		"mtu": 1450.0, "status": "ACTIVE", "shared": false, "router:external": false, "port_security_enabled": true} {
		if got := n[k]; got != want {
			t.Errorf("network %s = %#v, want %#v", k, got, want)
		}
	}
	if d := cmp.Diff([]any{}, n["subnets"]); d != "" {
		t.Errorf("subnets (-want +got):\n%s", d)
	}
	sub := s.createSubnet(tenantA, n["id"].(string), "10.0.0.0/24")
	if got := object(t, s.get(tenantA, "/v2.0/networks/"+n["id"].(string)).must(t, 200), "network")["subnets"]; !cmp.Equal(got, []any{sub}) {
		t.Errorf("subnets after creating one = %v, want [%s]", got, sub)
	}
	t.Run("tenants see their networks only", func(t *testing.T) {
		s.get(tenantB, "/v2.0/networks/"+n["id"].(string)).wantFault(t, 404, "NetworkNotFound", "Network "+n["id"].(string)+" could not be found.")
		s.get(tenantB, "/v2.0/networks?fields=id").wantExact(t, 200, `{"networks": []}`)
	})
	t.Run("shared networks are visible to all", func(t *testing.T) {
		shared := idOf(t, s.post(admin, "/v2.0/networks", `{"network": {"name": "pub", "shared": true}}`).must(t, 201), "network")
		s.get(tenantB, "/v2.0/networks/"+shared+"?fields=name").wantExact(t, 200, `{"network": {"name": "pub"}}`)
	})
	t.Run("a tenant may not create a shared network", func(t *testing.T) {
		s.post(tenantA, "/v2.0/networks", `{"network": {"shared": true}}`).wantFault(t, 403, "PolicyNotAuthorized",
			"((rule:create_network and rule:create_network:tenant_id) and rule:create_network:shared) is disallowed by policy")
	})
}

func TestSubnetDefaults(t *testing.T) {
	s := newServer(t)
	net := s.createNetwork(tenantA, "n")
	tests := []struct {
		name, body    string
		gateway       any
		pools         string
		cidr, version any
	}{
		{"IPv4 /24: first address is the gateway, the rest up to broadcast is the pool",
			`"ip_version": 4, "cidr": "10.9.0.0/24"`, "10.9.0.1", `[{"start": "10.9.0.2", "end": "10.9.0.254"}]`, "10.9.0.0/24", 4.0},
		{"host bits of the CIDR are cleared",
			`"ip_version": 4, "cidr": "10.10.0.7/24"`, "10.10.0.1", `[{"start": "10.10.0.2", "end": "10.10.0.254"}]`, "10.10.0.0/24", 4.0},
		{"a gateway in the middle splits the pool",
			`"ip_version": 4, "cidr": "10.11.0.0/24", "gateway_ip": "10.11.0.100"`, "10.11.0.100", `[{"start": "10.11.0.1", "end": "10.11.0.99"}, {"start": "10.11.0.101", "end": "10.11.0.254"}]`, "10.11.0.0/24", 4.0},
		{"no gateway: the whole range is the pool",
			`"ip_version": 4, "cidr": "10.12.0.0/29", "gateway_ip": null`, nil, `[{"start": "10.12.0.1", "end": "10.12.0.6"}]`, "10.12.0.0/29", 4.0},
		{"given pools are kept",
			`"ip_version": 4, "cidr": "10.13.0.0/24", "allocation_pools": [{"start": "10.13.0.10", "end": "10.13.0.20"}]`, "10.13.0.1", `[{"start": "10.13.0.10", "end": "10.13.0.20"}]`, "10.13.0.0/24", 4.0},
		{"IPv6 /64: ::1 is the gateway, the pool runs to the last address",
			`"ip_version": 6, "cidr": "2001:db8::/64"`, "2001:db8::1", `[{"start": "2001:db8::2", "end": "2001:db8::ffff:ffff:ffff:ffff"}]`, "2001:db8::/64", 6.0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sn := object(t, s.post(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+net+`", `+tt.body+`}}`).must(t, 201), "subnet")
			got := map[string]any{"gateway_ip": sn["gateway_ip"], "allocation_pools": sn["allocation_pools"], "cidr": sn["cidr"], "ip_version": sn["ip_version"],
				"enable_dhcp": sn["enable_dhcp"], "dns_nameservers": sn["dns_nameservers"], "host_routes": sn["host_routes"], "tenant_id": sn["tenant_id"]}
			want := map[string]any{"gateway_ip": tt.gateway, "allocation_pools": expand(t, `{"p": `+tt.pools+`}`)["p"], "cidr": tt.cidr, "ip_version": tt.version,
				"enable_dhcp": true, "dns_nameservers": []any{}, "host_routes": []any{}, "tenant_id": "project-a"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("subnet (-want +got):\n%s", d)
			}
		})
	}
	faults := []struct{ name, body, typ, message string }{
		{"overlapping subnet", `"ip_version": 4, "cidr": "10.9.0.128/25"`,
			"InvalidInput", "Invalid input for operation: Requested subnet with cidr: 10.9.0.128/25 for network: " + net + " overlaps with another subnet."},
		{"gateway outside the subnet", `"ip_version": 4, "cidr": "10.20.0.0/24", "gateway_ip": "10.21.0.1"`,
			"InvalidInput", "Invalid input for operation: Gateway is not valid on subnet."},
		{"bad CIDR", `"ip_version": 4, "cidr": "10.20.0.0/33"`,
			"HTTPBadRequest", "Invalid input for cidr. Reason: '10.20.0.0/33' is not a valid IP subnet."},
		{"cidr missing", `"ip_version": 4`,
			"HTTPBadRequest", "Failed to parse request. Required attribute 'cidr' not specified"},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			s.post(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+net+`", `+tt.body+`}}`).wantFault(t, 400, tt.typ, tt.message)
		})
	}
	t.Run("subnet on another tenant's network: as if it did not exist", func(t *testing.T) {
		s.post(tenantB, "/v2.0/subnets", `{"subnet": {"network_id": "`+net+`", "ip_version": 4, "cidr": "10.30.0.0/24"}}`).wantFault(t, 404,
			"NetworkNotFound", "Network "+net+" could not be found.")
	})
	t.Run("subnet on a nonexistent network", func(t *testing.T) {
		s.post(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+unknownID+`", "ip_version": 4, "cidr": "10.30.0.0/24"}}`).wantFault(t, 404,
			"NetworkNotFound", "Network "+unknownID+" could not be found.")
	})
}

var macRE = regexp.MustCompile(`^fa:16:3e:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}$`)

func TestPortAllocation(t *testing.T) {
	s := newServer(t)
	net := s.createNetwork(tenantA, "n")
	sub := s.createSubnet(tenantA, net, "10.0.0.0/29") // pool 10.0.0.2 - 10.0.0.6
	pool := netip.MustParsePrefix("10.0.0.0/29")
	seenIP, seenMAC := map[string]bool{}, map[string]bool{}
	for i := 0; i < 5; i++ {
		p := object(t, s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net+`"}}`).must(t, 201), "port")
		mac, _ := p["mac_address"].(string)
		if !macRE.MatchString(mac) || seenMAC[mac] {
			t.Errorf("port %d mac_address = %q, want a new fa:16:3e:xx:xx:xx", i, mac)
		}
		seenMAC[mac] = true
		ips, _ := p["fixed_ips"].([]any)
		if len(ips) != 1 {
			t.Fatalf("port %d fixed_ips = %v, want one", i, p["fixed_ips"])
		}
		ip := ips[0].(map[string]any)
		a, err := netip.ParseAddr(ip["ip_address"].(string))
		if err != nil || !pool.Contains(a) || a.String() == "10.0.0.1" || a.String() == "10.0.0.7" || seenIP[a.String()] || ip["subnet_id"] != sub {
			t.Errorf("port %d fixed IP %v, want a new address of 10.0.0.2-10.0.0.6 on %s", i, ip, sub)
		}
		seenIP[a.String()] = true
		if p["status"] != "DOWN" || p["device_owner"] != "" || p["device_id"] != "" || p["tenant_id"] != "project-a" {
			t.Errorf("port %d = %v, want status DOWN, no device, project-a", i, p)
		}
	}
	t.Run("the pool is exhausted", func(t *testing.T) {
		s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net+`"}}`).wantFault(t, 409, "IpAddressGenerationFailure",
			"No more IP addresses available on network "+net+".")
	})
	net2 := s.createNetwork(tenantA, "n2")
	sub2 := s.createSubnet(tenantA, net2, "10.1.0.0/24")
	t.Run("a requested address", func(t *testing.T) {
		p := object(t, s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net2+`", "fixed_ips": [{"ip_address": "10.1.0.50"}]}}`).must(t, 201), "port")
		if d := cmp.Diff(expand(t, `{"l": [{"subnet_id": "$S", "ip_address": "10.1.0.50"}]}`, "$S", sub2)["l"], p["fixed_ips"]); d != "" {
			t.Errorf("fixed_ips (-want +got):\n%s", d)
		}
	})
	t.Run("the same address again", func(t *testing.T) {
		s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net2+`", "fixed_ips": [{"subnet_id": "`+sub2+`", "ip_address": "10.1.0.50"}]}}`).wantFault(t, 409,
			"IpAddressAlreadyAllocated", "IP address 10.1.0.50 already allocated in subnet "+sub2)
	})
	t.Run("the subnet only", func(t *testing.T) {
		p := object(t, s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net2+`", "fixed_ips": [{"subnet_id": "`+sub2+`"}]}}`).must(t, 201), "port")
		if ip := p["fixed_ips"].([]any)[0].(map[string]any); ip["ip_address"] != "10.1.0.2" {
			t.Errorf("first free address = %v, want 10.1.0.2", ip["ip_address"])
		}
	})
	t.Run("an address of no subnet of the network", func(t *testing.T) {
		s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net2+`", "fixed_ips": [{"ip_address": "10.2.0.5"}]}}`).wantFault(t, 400,
			"InvalidIpForNetwork", "IP address 10.2.0.5 is not a valid IP for any of the subnets on the specified network.")
	})
	t.Run("an address outside the given subnet", func(t *testing.T) {
		s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net2+`", "fixed_ips": [{"subnet_id": "`+sub2+`", "ip_address": "10.2.0.5"}]}}`).wantFault(t, 400,
			"InvalidIpForSubnet", "IP address 10.2.0.5 is not a valid IP for the specified subnet.")
	})
	t.Run("a port on another tenant's network", func(t *testing.T) {
		s.post(tenantB, "/v2.0/ports", `{"port": {"network_id": "`+net2+`"}}`).wantFault(t, 404, "NetworkNotFound", "Network "+net2+" could not be found.")
	})
	t.Run("a network without subnets gives a port without addresses", func(t *testing.T) {
		bare := s.createNetwork(tenantA, "bare")
		p := object(t, s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+bare+`"}}`).must(t, 201), "port")
		if d := cmp.Diff([]any{}, p["fixed_ips"]); d != "" {
			t.Errorf("fixed_ips (-want +got):\n%s", d)
		}
	})
	t.Run("an admin sets the binding host", func(t *testing.T) {
		p := s.post(admin, "/v2.0/ports", `{"port": {"network_id": "`+net2+`", "tenant_id": "project-a", "binding:host_id": "compute-1", "device_owner": "compute:nova", "device_id": "vm-1"}}`)
		id := idOf(t, p.must(t, 201), "port")
		s.get(admin, "/v2.0/ports/"+id+"?fields=binding:host_id&fields=device_owner&fields=device_id").wantExact(t, 200,
			`{"port": {"device_id": "vm-1", "device_owner": "compute:nova", "binding:host_id": "compute-1"}}`)
		s.get(admin, "/v2.0/ports?binding:host_id=compute-1&fields=id").wantExact(t, 200, `{"ports": [{"id": "$P"}]}`, "$P", id)
	})
}

func TestRouterInterfaces(t *testing.T) {
	s := newServer(t)
	router := s.createRouter(tenantA, "r")
	net := s.createNetwork(tenantA, "n")
	sub := s.createSubnet(tenantA, net, "10.0.0.0/24")
	other := s.createSubnet(tenantA, s.createNetwork(tenantA, "other"), "10.99.0.0/24")
	var port string

	t.Run("add by subnet: a port on the gateway address", func(t *testing.T) {
		r := s.addInterface(tenantA, router, sub)
		port, _ = r.must(t, 200)["port_id"].(string)
		r.wantExact(t, 200, `{"id": "$R", "tenant_id": "project-a", "port_id": "$P", "network_id": "$N", "subnet_id": "$S", "subnet_ids": ["$S"]}`,
			"$R", router, "$P", port, "$N", net, "$S", sub)
		s.get(tenantA, "/v2.0/ports/"+port+"?fields=device_owner&fields=device_id&fields=fixed_ips").wantExact(t, 200,
			`{"port": {"device_id": "$R", "device_owner": "network:router_interface", "fixed_ips": [{"subnet_id": "$S", "ip_address": "10.0.0.1"}]}}`, "$R", router, "$S", sub)
	})
	faults := []struct {
		name, action, body string
		status             int
		typ, message       string
	}{
		{"the same subnet twice", "add", `{"subnet_id": "` + sub + `"}`,
			400, "BadRequest", "Bad router request: Router already has a port on subnet " + sub + "."},
		{"neither subnet nor port", "add", `{}`,
			400, "BadRequest", "Bad router request: Either subnet_id or port_id must be specified."},
		{"both subnet and port", "add", `{"subnet_id": "` + sub + `", "port_id": "` + unknownID + `"}`,
			400, "BadRequest", "Bad router request: Cannot specify both subnet-id and port-id."},
		{"a malformed subnet id", "add", `{"subnet_id": "x"}`,
			400, "BadRequest", "Bad router request: 'x' is not a valid UUID."},
		{"an unknown subnet", "add", `{"subnet_id": "` + unknownID + `"}`,
			404, "SubnetNotFound", "Subnet " + unknownID + " could not be found."},
		{"remove a subnet the router is not on", "remove", `{"subnet_id": "` + other + `"}`,
			404, "RouterInterfaceNotFoundForSubnet", "Router $R has no interface on subnet " + other},
		{"remove an unknown subnet", "remove", `{"subnet_id": "` + unknownID + `"}`,
			404, "SubnetNotFound", "Subnet " + unknownID + " could not be found."},
		{"remove a port the router does not have", "remove", `{"port_id": "` + unknownID + `"}`,
			404, "RouterInterfaceNotFound", "Router $R does not have an interface with id " + unknownID},
		{"remove with neither", "remove", `{}`,
			400, "BadRequest", "Bad router request: Either subnet_id or port_id must be specified."},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			msg := regexp.MustCompile(`\$R`).ReplaceAllString(tt.message, router)
			s.put(tenantA, "/v2.0/routers/"+router+"/"+tt.action+"_router_interface", tt.body).wantFault(t, tt.status, tt.typ, msg)
		})
	}
	t.Run("another tenant cannot plug into the router", func(t *testing.T) {
		s.put(tenantB, "/v2.0/routers/"+router+"/add_router_interface", `{"subnet_id": "`+sub+`"}`).wantFault(t, 404, "RouterNotFound", "Router "+router+" could not be found")
	})
	t.Run("409s while plugged", func(t *testing.T) {
		s.del(tenantA, "/v2.0/routers/"+router).wantFault(t, 409, "RouterInUse", "Router "+router+" still has ports")
		s.del(tenantA, "/v2.0/networks/"+net).wantFault(t, 409, "NetworkInUse",
			"Unable to complete operation on network "+net+". There are one or more ports still in use on the network.")
		s.del(tenantA, "/v2.0/subnets/"+sub).wantFault(t, 409, "SubnetInUse",
			"Unable to complete operation on subnet "+sub+": One or more ports have an IP allocation from this subnet.")
		s.del(tenantA, "/v2.0/ports/"+port).wantFault(t, 409, "ServicePortInUse",
			"Port "+port+" cannot be deleted directly via the port API: has device owner network:router_interface.")
	})
	t.Run("remove by subnet answers like add", func(t *testing.T) {
		s.put(tenantA, "/v2.0/routers/"+router+"/remove_router_interface", `{"subnet_id": "`+sub+`"}`).wantExact(t, 200,
			`{"id": "$R", "tenant_id": "project-a", "port_id": "$P", "network_id": "$N", "subnet_id": "$S", "subnet_ids": ["$S"]}`,
			"$R", router, "$P", port, "$N", net, "$S", sub)
		s.get(tenantA, "/v2.0/ports/"+port).wantFault(t, 404, "PortNotFound", "Port "+port+" could not be found.")
	})
	t.Run("add and remove by port", func(t *testing.T) {
		p := idOf(t, s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net+`", "fixed_ips": [{"ip_address": "10.0.0.9"}]}}`).must(t, 201), "port")
		s.put(tenantA, "/v2.0/routers/"+router+"/add_router_interface", `{"port_id": "`+p+`"}`).wantExact(t, 200,
			`{"id": "$R", "tenant_id": "project-a", "port_id": "$P", "network_id": "$N", "subnet_id": "$S", "subnet_ids": ["$S"]}`,
			"$R", router, "$P", p, "$N", net, "$S", sub)
		s.put(tenantA, "/v2.0/routers/"+router+"/remove_router_interface", `{"port_id": "`+p+`"}`).must(t, 200)
	})
	t.Run("unplugged, the router and network can go", func(t *testing.T) {
		s.del(tenantA, "/v2.0/routers/"+router).must(t, 204)
		s.del(tenantA, "/v2.0/subnets/"+sub).must(t, 204)
		s.del(tenantA, "/v2.0/networks/"+net).must(t, 204)
	})
}

func TestRouterRoutes(t *testing.T) {
	s := newServer(t)
	router := s.createRouter(tenantA, "r")
	path := "/v2.0/routers/" + router
	net := s.createNetwork(tenantA, "n")
	sub := s.createSubnet(tenantA, net, "10.0.0.0/24")
	s.addInterface(tenantA, router, sub).must(t, 200)
	t.Run("update routes", func(t *testing.T) {
		r := s.put(tenantA, path, `{"router": {"routes": [{"destination": "10.1.0.0/24", "nexthop": "10.0.0.5"}, {"destination": "192.168.0.0/16", "nexthop": "10.0.0.6"}]}}`)
		want := `[{"destination": "10.1.0.0/24", "nexthop": "10.0.0.5"}, {"destination": "192.168.0.0/16", "nexthop": "10.0.0.6"}]`
		if d := cmp.Diff(expand(t, `{"r": `+want+`}`)["r"], object(t, r.must(t, 200), "router")["routes"]); d != "" {
			t.Errorf("routes (-want +got):\n%s", d)
		}
		s.get(tenantA, path+"?fields=routes").wantExact(t, 200, `{"router": {"routes": `+want+`}}`)
	})
	t.Run("the subnet of a next hop cannot be unplugged", func(t *testing.T) {
		s.put(tenantA, path+"/remove_router_interface", `{"subnet_id": "`+sub+`"}`).wantFault(t, 409, "RouterInterfaceInUseByRoute",
			"Router interface for subnet "+sub+" on router "+router+" cannot be deleted, as it is required by one or more routes.")
	})
	faults := []struct{ name, body, typ, message string }{
		{"a next hop on no plugged subnet", `[{"destination": "10.1.0.0/24", "nexthop": "10.5.0.5"}]`,
			"InvalidRoutes", "Invalid format for routes: [{'destination': '10.1.0.0/24', 'nexthop': '10.5.0.5'}], the nexthop is not connected with router."},
		{"the router's own address as next hop", `[{"destination": "10.1.0.0/24", "nexthop": "10.0.0.1"}]`,
			"InvalidRoutes", "Invalid format for routes: [{'destination': '10.1.0.0/24', 'nexthop': '10.0.0.1'}], the nexthop is used by router."},
		{"a route without nexthop", `[{"destination": "10.1.0.0/24"}]`,
			"HTTPBadRequest", "Invalid input for routes. Reason: Invalid data format for hostroute: '{'destination': '10.1.0.0/24'}'."},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			s.put(tenantA, path, `{"router": {"routes": `+tt.body+`}}`).wantFault(t, 400, tt.typ, tt.message)
		})
	}
	t.Run("clear routes, then unplug", func(t *testing.T) {
		s.put(tenantA, path, `{"router": {"routes": []}}`).must(t, 200)
		s.get(tenantA, path+"?fields=routes").wantExact(t, 200, `{"router": {"routes": []}}`)
		s.put(tenantA, path+"/remove_router_interface", `{"subnet_id": "`+sub+`"}`).must(t, 200)
	})
	t.Run("routes are not set on create", func(t *testing.T) {
		s.post(tenantA, "/v2.0/routers", `{"router": {"routes": []}}`).wantFault(t, 400, "HTTPBadRequest", "Attribute 'routes' not allowed in POST")
	})
	t.Run("another tenant's router", func(t *testing.T) {
		s.put(tenantB, path, `{"router": {"name": "x"}}`).wantFault(t, 404, "RouterNotFound", "Router "+router+" could not be found")
	})
}
