package api_test

import "testing"

// TestMACAddresses: port MACs are validated as Neutron does (and
// multicast refused), stored in lower case with colons, and duplicates on
// a network collide whatever their case or notation.
func TestMACAddresses(t *testing.T) { testMACAddresses(t, newServer(t)) }

func TestMACAddressesPostgres(t *testing.T) { testMACAddresses(t, newServerPostgres(t)) }

func testMACAddresses(t *testing.T, s *apiServer) {
	netA := s.createNetwork(tenantA, "net-a")
	netB := s.createNetwork(tenantB, "net-b")
	port := func(who identity, network, mac string) response {
		return s.post(who, "/v2.0/ports", `{"port": {"network_id": "`+network+`", "mac_address": "`+mac+`"}}`)
	}
	for _, tt := range []struct{ mac, reason string }{
		{"not-a-mac", "'not-a-mac' is not a valid MAC address"},
		{"fa:16:3e:aa:bb", "'fa:16:3e:aa:bb' is not a valid MAC address"},
		{"fa:16:3e:aa:bb:cc:dd:ee", "'fa:16:3e:aa:bb:cc:dd:ee' is not a valid MAC address"},
		{"fa:16:3e:aa:bb:gg", "'fa:16:3e:aa:bb:gg' is not a valid MAC address"},
		{"00:00:00:00:00:00", "'00:00:00:00:00:00' is not a valid MAC address"},
		{"FF:FF:FF:FF:FF:FF", "'FF:FF:FF:FF:FF:FF' is not a valid MAC address"},
		{"01:00:5e:00:00:01", "'01:00:5e:00:00:01' is a multicast MAC address"},
		{"33:33:00:00:00:01", "'33:33:00:00:00:01' is a multicast MAC address"},
		{" fa:16:3e:aa:bb:cc", "' fa:16:3e:aa:bb:cc' is not a valid MAC address"},
	} {
		t.Run(tt.mac, func(t *testing.T) {
			port(tenantA, netA, tt.mac).wantFault(t, 400, "HTTPBadRequest", "Invalid input for mac_address. Reason: "+tt.reason+".")
		})
	}
	t.Run("a MAC that is not a string", func(t *testing.T) {
		s.post(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+netA+`", "mac_address": 5}}`).
			wantFault(t, 400, "HTTPBadRequest", "Invalid input for mac_address. Reason: '5' is not a valid MAC address.")
	})
	t.Run("stored in lower case with colons", func(t *testing.T) {
		got := object(t, port(tenantA, netA, "FA-16-3E-AA-BB-CC").must(t, 201), "port")["mac_address"]
		if got != "fa:16:3e:aa:bb:cc" {
			t.Errorf("mac_address = %v, want fa:16:3e:aa:bb:cc", got)
		}
	})
	for _, dup := range []string{"fa:16:3e:aa:bb:cc", "FA:16:3E:AA:BB:CC", "fa16.3eaa.bbcc", "fa163eaabbcc"} {
		t.Run("duplicate "+dup, func(t *testing.T) {
			port(tenantA, netA, dup).wantFault(t, 409, "MacAddressInUse",
				"Unable to complete operation for network "+netA+". The mac address fa:16:3e:aa:bb:cc is in use.")
		})
	}
	t.Run("the same MAC on another project's network", func(t *testing.T) {
		port(tenantB, netB, "fa:16:3e:aa:bb:cc").must(t, 201)
	})
	t.Run("update to a bad MAC", func(t *testing.T) {
		id := s.createPort(admin, netA)
		s.put(admin, "/v2.0/ports/"+id, `{"port": {"mac_address": "ff:ff:ff:ff:ff:ff"}}`).
			wantFault(t, 400, "HTTPBadRequest", "Invalid input for mac_address. Reason: 'ff:ff:ff:ff:ff:ff' is not a valid MAC address.")
		s.put(admin, "/v2.0/ports/"+id, `{"port": {"mac_address": "FA:16:3E:AA:BB:CC"}}`).wantFault(t, 409, "MacAddressInUse",
			"Unable to complete operation for network "+netA+". The mac address fa:16:3e:aa:bb:cc is in use.")
	})
}
