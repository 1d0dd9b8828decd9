package api_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestIPAMAsNeutron: allocation pools, gateways and fixed IPs follow
// Neutron's IPAM rules, on create and update, as tenants do it.
func TestIPAMAsNeutron(t *testing.T) {
	s := newServer(t)
	net := s.createNetwork(tenantA, "net-a")
	subnet := func(body string) response {
		return s.post(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+net+`", "ip_version": 4, `+body+`}}`)
	}
	faults := []struct {
		name, body   string
		status       int
		typ, message string
	}{
		{"pool with the network address", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.0", "end": "10.1.0.9"}]`,
			400, "OutOfBoundsAllocationPool", "The allocation pool 10.1.0.0-10.1.0.9 spans beyond the subnet cidr 10.1.0.0/24."},
		{"pool with the broadcast address", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.200", "end": "10.1.0.255"}]`,
			400, "OutOfBoundsAllocationPool", "The allocation pool 10.1.0.200-10.1.0.255 spans beyond the subnet cidr 10.1.0.0/24."},
		{"pool outside the subnet", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.1.2", "end": "10.1.1.9"}]`,
			400, "OutOfBoundsAllocationPool", "The allocation pool 10.1.1.2-10.1.1.9 spans beyond the subnet cidr 10.1.0.0/24."},
		{"pool ending before it starts", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.9", "end": "10.1.0.2"}]`,
			400, "InvalidAllocationPool", "The allocation pool {'start': '10.1.0.9', 'end': '10.1.0.2'} is not valid."},
		{"pool of the other IP version", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "2001:db8::2", "end": "2001:db8::9"}]`,
			400, "InvalidAllocationPool", "The allocation pool {'start': '2001:db8::2', 'end': '2001:db8::9'} is not valid."},
		{"overlapping pools", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.2", "end": "10.1.0.20"}, {"start": "10.1.0.20", "end": "10.1.0.30"}]`,
			409, "OverlappingAllocationPools", "Found overlapping allocation pools: 10.1.0.2-10.1.0.20 10.1.0.20-10.1.0.30 for subnet 10.1.0.0/24."},
		{"gateway inside a pool", `"cidr": "10.1.0.0/24", "gateway_ip": "10.1.0.5", "allocation_pools": [{"start": "10.1.0.2", "end": "10.1.0.20"}]`,
			409, "GatewayConflictWithAllocationPools", "Gateway ip 10.1.0.5 conflicts with allocation pool 10.1.0.2-10.1.0.20."},
		{"default gateway inside a pool", `"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.1", "end": "10.1.0.20"}]`,
			409, "GatewayConflictWithAllocationPools", "Gateway ip 10.1.0.1 conflicts with allocation pool 10.1.0.1-10.1.0.20."},
		{"gateway on the network address", `"cidr": "10.1.0.0/24", "gateway_ip": "10.1.0.0"`,
			400, "InvalidInput", "Invalid input for operation: Gateway is not valid on subnet."},
		{"gateway on the broadcast address", `"cidr": "10.1.0.0/24", "gateway_ip": "10.1.0.255"`,
			400, "InvalidInput", "Invalid input for operation: Gateway is not valid on subnet."},
	}
	for _, tt := range faults {
		t.Run(tt.name, func(t *testing.T) {
			subnet(tt.body).wantFault(t, tt.status, tt.typ, tt.message)
		})
	}
	t.Run("nothing stored by the refusals", func(t *testing.T) {
		if got := ids(t, s.get(tenantA, "/v2.0/subnets").must(t, 200), "subnets"); len(got) != 0 {
			t.Errorf("subnets = %v, want none", got)
		}
	})
	sub := idOf(t, subnet(`"cidr": "10.1.0.0/24", "allocation_pools": [{"start": "10.1.0.10", "end": "10.1.0.20"}]`).must(t, 201), "subnet")
	t.Run("update: pools and gateway checked too", func(t *testing.T) {
		s.put(tenantA, "/v2.0/subnets/"+sub, `{"subnet": {"allocation_pools": [{"start": "10.1.0.0", "end": "10.1.0.12"}]}}`).
			wantFault(t, 400, "OutOfBoundsAllocationPool", "The allocation pool 10.1.0.0-10.1.0.12 spans beyond the subnet cidr 10.1.0.0/24.")
		s.put(tenantA, "/v2.0/subnets/"+sub, `{"subnet": {"gateway_ip": "10.1.0.11"}}`).
			wantFault(t, 409, "GatewayConflictWithAllocationPools", "Gateway ip 10.1.0.11 conflicts with allocation pool 10.1.0.10-10.1.0.20.")
		s.put(tenantA, "/v2.0/subnets/"+sub, `{"subnet": {"allocation_pools": [{"start": "10.1.0.10", "end": "10.1.0.20"}, {"start": "10.1.0.20", "end": "10.1.0.24"}]}}`).
			wantFault(t, 409, "OverlappingAllocationPools", "Found overlapping allocation pools: 10.1.0.10-10.1.0.20 10.1.0.20-10.1.0.24 for subnet 10.1.0.0/24.")
		s.get(tenantA, "/v2.0/subnets/"+sub+"?fields=gateway_ip&fields=allocation_pools").wantExact(t, 200,
			`{"subnet": {"gateway_ip": "10.1.0.1", "allocation_pools": [{"start": "10.1.0.10", "end": "10.1.0.20"}]}}`)
	})
	port := func(fixed string) response {
		return s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net+`", "fixed_ips": `+fixed+`}}`)
	}
	t.Run("two addresses of one subnet for one port", func(t *testing.T) {
		r := port(`[{"subnet_id": "`+sub+`"}, {"subnet_id": "`+sub+`"}]`).must(t, 201)
		var got []string
		for _, ip := range object(t, r, "port")["fixed_ips"].([]any) {
			got = append(got, ip.(map[string]any)["ip_address"].(string))
		}
		if d := cmp.Diff([]string{"10.1.0.10", "10.1.0.11"}, got); d != "" {
			t.Errorf("fixed IPs (-want +got):\n%s", d)
		}
	})
	t.Run("an address asked for twice", func(t *testing.T) {
		port(`[{"ip_address": "10.1.0.50"}, {"subnet_id": "`+sub+`", "ip_address": "10.1.0.50"}]`).wantFault(t, 409,
			"IpAddressAlreadyAllocated", "IP address 10.1.0.50 already allocated in subnet "+sub)
		port(`[{"subnet_id": "`+sub+`", "ip_address": "10.1.0.51"}, {"ip_address": "10.1.0.51"}]`).wantFault(t, 409,
			"IpAddressAlreadyAllocated", "IP address 10.1.0.51 already allocated in subnet "+sub)
	})
	t.Run("an address asked for and one allocated", func(t *testing.T) {
		r := port(`[{"subnet_id": "`+sub+`"}, {"ip_address": "10.1.0.12"}]`).must(t, 201)
		ips := object(t, r, "port")["fixed_ips"].([]any)
		if len(ips) != 2 || ips[0].(map[string]any)["ip_address"] != "10.1.0.13" {
			t.Errorf("fixed IPs %v: the allocated one took the address asked for", ips)
		}
	})
	for _, addr := range []string{"10.1.0.0", "10.1.0.255"} {
		t.Run("network or broadcast address "+addr, func(t *testing.T) {
			port(`[{"subnet_id": "`+sub+`", "ip_address": "`+addr+`"}]`).wantFault(t, 400,
				"InvalidIpForSubnet", "IP address "+addr+" is not a valid IP for the specified subnet.")
			port(`[{"ip_address": "`+addr+`"}]`).wantFault(t, 400,
				"InvalidIpForNetwork", "IP address "+addr+" is not a valid IP for any of the subnets on the specified network.")
		})
	}
	t.Run("a subnet of another of the project's networks", func(t *testing.T) {
		other := s.createNetwork(tenantA, "other")
		otherSub := s.createSubnet(tenantA, other, "10.2.0.0/24")
		port(`[{"subnet_id": "`+otherSub+`"}]`).wantFault(t, 400, "InvalidInput",
			"Invalid input for operation: Failed to create port on network "+other+", because fixed_ips included invalid subnet "+otherSub+".")
	})
}

// TestZonedAddressesRefused: an IPv6 address with a zone is no address
// for Neutron; none is stored.
func TestZonedAddressesRefused(t *testing.T) {
	s := newServer(t)
	net := s.createNetwork(tenantA, "net-a")
	for _, tt := range []struct{ name, body, attr, reason string }{
		{"gateway", `"gateway_ip": "fe80::1%eth0"`, "gateway_ip", "'fe80::1%eth0' is not a valid IP address"},
		{"dns server", `"dns_nameservers": ["fe80::1%eth0"]`, "dns_nameservers", "'fe80::1%eth0' is not a valid input"},
		{"host route next hop", `"host_routes": [{"destination": "::/0", "nexthop": "fe80::1%eth0"}]`, "host_routes",
			"Invalid data format for hostroute: '{'destination': '::/0', 'nexthop': 'fe80::1%eth0'}'"},
		{"pool", `"allocation_pools": [{"start": "2001:db8::2%x", "end": "2001:db8::9"}]`, "allocation_pools",
			"Invalid data format for IP pool: '{'start': '2001:db8::2%x', 'end': '2001:db8::9'}'"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s.post(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+net+`", "ip_version": 6, "cidr": "2001:db8::/64", `+tt.body+`}}`).
				wantFault(t, 400, "HTTPBadRequest", "Invalid input for "+tt.attr+". Reason: "+tt.reason+".")
		})
	}
	s.post(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+net+`", "ip_version": 6, "cidr": "2001:db8::/64"}}`).must(t, 201)
	t.Run("fixed IP", func(t *testing.T) {
		s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+net+`", "fixed_ips": [{"ip_address": "2001:db8::5%eth0"}]}}`).
			wantFault(t, 400, "HTTPBadRequest", "Invalid input for fixed_ips. Reason: '2001:db8::5%eth0' is not a valid IP address.")
	})
}
