package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore/pgtest"
)

const overQuotaNetwork = "Quota exceeded for resources: ['network']."

// quotaURL is the quota of project.
func quotaURL(project string) string { return "/v2.0/quotas/" + project }

// setQuota sets project's limits as the admin.
func (s *apiServer) setQuota(project, limits string) {
	s.t.Helper()
	s.put(admin, quotaURL(project), `{"quota": {`+limits+`}}`).must(s.t, 200)
}

// count is how many objects of a collection the admin sees for project.
func (s *apiServer) count(path, project string) int {
	s.t.Helper()
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	body := s.get(admin, path+sep+"tenant_id="+project).must(s.t, 200)
	for k, v := range body {
		if l, ok := v.([]any); ok && !strings.HasSuffix(k, "_links") {
			return len(l)
		}
	}
	s.t.Fatalf("GET %s: no list in %v", path, body)
	return 0
}

// TestQuotaDefaultsAndOptions: a project without limits of its own has
// Neutron's defaults, [quotas] changes them, and the BGPVPN resources
// follow default_quota unless set.
func TestQuotaDefaultsAndOptions(t *testing.T) {
	for _, tc := range []struct {
		name, conf, want string
	}{
		{"neutron defaults", "", `{"quota": {"network": 100, "subnet": 100, "port": 500, "router": 10, "bgpvpn": -1,
			"bgpvpn_network_association": -1, "bgpvpn_router_association": -1, "bgpvpn_port_association": -1}}`},
		{"options", "[quotas]\nquota_network = 3\nquota_port = -1\ndefault_quota = 7\nquota_bgpvpn_port_association = 2\n",
			`{"quota": {"network": 3, "subnet": 100, "port": -1, "router": 10, "bgpvpn": 7,
			"bgpvpn_network_association": 7, "bgpvpn_router_association": 7, "bgpvpn_port_association": 2}}`},
		{"section in capitals, as Neutron registers it", "[QUOTAS]\nquota_router = 1\n",
			`{"quota": {"network": 100, "subnet": 100, "port": 500, "router": 1, "bgpvpn": -1,
			"bgpvpn_network_association": -1, "bgpvpn_router_association": -1, "bgpvpn_port_association": -1}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newServerConf(t, tc.conf)
			s.get(tenantA, quotaURL("project-a")).wantExact(t, 200, tc.want)
			s.get(tenantA, quotaURL("project-a")+"/default").wantExact(t, 200, tc.want)
			s.get(admin, quotaURL("project-b")).wantExact(t, 200, tc.want)
		})
	}
}

// TestQuotaOverQuota: every resource kind stops at its limit with
// Neutron's OverQuota, for the project over it only.
func TestQuotaOverQuota(t *testing.T) {
	s := newServer(t)
	vpnA := s.createBGPVPN(admin, `{"name": "a", "route_targets": ["64512:1"], "tenant_id": "project-a"}`)
	netA := s.createNetwork(tenantA, "a1")
	subA := s.createSubnet(tenantA, netA, "10.0.0.0/24")
	portA := s.createPort(tenantA, netA)
	routerA := s.createRouter(tenantA, "r1")
	netA2 := s.createNetwork(tenantA, "a2")
	s.createSubnet(tenantA, netA2, "10.0.1.0/24")
	portA2 := s.createPort(tenantA, netA2)
	routerA2 := s.createRouter(tenantA, "r2")
	_ = subA
	s.associate(tenantA, vpnA, "network", netA)
	s.associate(tenantA, vpnA, "router", routerA)
	s.associate(tenantA, vpnA, "port", portA)
	// Every limit at what project-a already has.
	s.setQuota("project-a", `"network": 2, "subnet": 2, "port": 2, "router": 2, "bgpvpn": 1,
		"bgpvpn_network_association": 1, "bgpvpn_router_association": 1, "bgpvpn_port_association": 1`)
	netB := s.createNetwork(tenantB, "b1")

	for _, tc := range []struct {
		resource, path, body string
		as                   identity
	}{
		{"network", "/v2.0/networks", `{"network": {"name": "a3"}}`, tenantA},
		{"network", "/v2.0/networks", `{"network": {"name": "a3", "tenant_id": "project-a"}}`, admin},
		{"subnet", "/v2.0/subnets", `{"subnet": {"network_id": "` + netA + `", "ip_version": 4, "cidr": "10.0.2.0/24"}}`, tenantA},
		{"port", "/v2.0/ports", `{"port": {"network_id": "` + netA + `"}}`, tenantA},
		{"router", "/v2.0/routers", `{"router": {"name": "r3"}}`, tenantA},
		{"bgpvpn", "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "b", "tenant_id": "project-a"}}`, admin},
		{"bgpvpn_network_association", vpnPath(vpnA) + "/network_associations", `{"network_association": {"network_id": "` + netA2 + `"}}`, tenantA},
		{"bgpvpn_router_association", vpnPath(vpnA) + "/router_associations", `{"router_association": {"router_id": "` + routerA2 + `"}}`, tenantA},
		{"bgpvpn_port_association", vpnPath(vpnA) + "/port_associations", `{"port_association": {"port_id": "` + portA2 + `"}}`, tenantA},
	} {
		t.Run(tc.resource+" as "+tc.as.name, func(t *testing.T) {
			before := s.count(tc.path, "project-a")
			s.post(tc.as, tc.path, tc.body).wantFault(t, 409, "OverQuota", "Quota exceeded for resources: ['"+tc.resource+"'].")
			if after := s.count(tc.path, "project-a"); after != before {
				t.Errorf("%s of project-a: %d after a refused create, want %d", tc.path, after, before)
			}
		})
	}
	// Another project is not held by project-a's limits.
	s.createNetwork(tenantB, "b2")
	s.createSubnet(tenantB, netB, "10.1.0.0/24")
	s.createPort(tenantB, netB)
	// Raising the limit lets project-a create again; -1 is unlimited.
	s.setQuota("project-a", `"network": 3, "port": -1`)
	s.createNetwork(tenantA, "a3")
	s.post(tenantA, "/v2.0/networks", `{"network": {"name": "a4"}}`).wantFault(t, 409, "OverQuota", overQuotaNetwork)
	for range 3 {
		s.createPort(tenantA, netA)
	}
	// Deleting frees the unit.
	s.del(tenantA, "/v2.0/ports/"+portA2).must(t, 204)
	s.del(tenantA, "/v2.0/networks/"+netA2).must(t, 204)
	s.createNetwork(tenantA, "a4")
}

// TestQuotaBulk: a bulk create counts every item and creates none of them
// when they do not all fit.
func TestQuotaBulk(t *testing.T) {
	s := newServer(t)
	s.setQuota("project-a", `"network": 3, "bgpvpn_network_association": 1`)
	s.createNetwork(tenantA, "a1")
	bulk := `{"networks": [{"name": "b1"}, {"name": "b2"}, {"name": "b3"}]}`
	s.post(tenantA, "/v2.0/networks", bulk).wantFault(t, 409, "OverQuota", overQuotaNetwork)
	if n := s.count("/v2.0/networks", "project-a"); n != 1 {
		t.Errorf("networks of project-a after a refused bulk create: %d, want 1", n)
	}
	// Items for two projects are counted per project (an admin's bulk).
	mixed := `{"networks": [{"name": "m1", "tenant_id": "project-a"}, {"name": "m2", "tenant_id": "project-b"}, {"name": "m3", "tenant_id": "project-a"}]}`
	s.post(admin, "/v2.0/networks", mixed).must(t, 201)
	s.post(admin, "/v2.0/networks", `{"networks": [{"name": "m4", "tenant_id": "project-b"}, {"name": "m5", "tenant_id": "project-a"}]}`).
		wantFault(t, 409, "OverQuota", overQuotaNetwork)
	if a, b := s.count("/v2.0/networks", "project-a"), s.count("/v2.0/networks", "project-b"); a != 3 || b != 1 {
		t.Errorf("networks after the bulk creates: project-a %d, project-b %d; want 3 and 1", a, b)
	}

	vpn := s.createBGPVPN(admin, `{"name": "v", "route_targets": ["64512:1"], "tenant_id": "project-a"}`)
	n1, n2 := s.createNetwork(admin, "x1"), s.createNetwork(admin, "x2")
	s.post(admin, vpnPath(vpn)+"/network_associations",
		`{"network_associations": [{"network_id": "`+n1+`", "tenant_id": "project-a"}, {"network_id": "`+n2+`", "tenant_id": "project-a"}]}`).
		wantFault(t, 409, "OverQuota", "Quota exceeded for resources: ['bgpvpn_network_association'].")
	if n := s.count(vpnPath(vpn)+"/network_associations", "project-a"); n != 0 {
		t.Errorf("network associations after a refused bulk create: %d, want 0", n)
	}
}

// TestQuotaConcurrentCreates: creates racing for the last units never
// take a project over its limit.
func TestQuotaConcurrentCreates(t *testing.T) {
	s := newServer(t)
	raceForRouters(t, s, s)
}

// TestQuotaTwoReplicasPostgres: two servers on one PostgreSQL database,
// creates racing through both: the limit holds across replicas.
func TestQuotaTwoReplicasPostgres(t *testing.T) {
	db := "[database]\nconnection = " + pgtest.DSN(t) + "\n"
	raceForRouters(t, newServerConf(t, db), newServerConf(t, db))
}

// raceForRouters sets project-a's router quota through one server and
// sends concurrent creates through both in turn.
func raceForRouters(t *testing.T, one, two *apiServer) {
	const limit, tries = 5, 24
	one.setQuota("project-a", fmt.Sprintf(`"router": %d`, limit))
	var wg sync.WaitGroup
	statuses := make([]int, tries)
	for i := range tries {
		s := one
		if i%2 == 1 {
			s = two
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.post(tenantA, "/v2.0/routers", fmt.Sprintf(`{"router": {"name": "r%d"}}`, i)).status
		}()
	}
	wg.Wait()
	got := map[int]int{}
	for _, st := range statuses {
		got[st]++
	}
	if d := cmp.Diff(map[int]int{201: limit, 409: tries - limit}, got); d != "" {
		t.Errorf("statuses of %d concurrent creates with a limit of %d (-want +got):\n%s", tries, limit, d)
	}
	if n := two.count("/v2.0/routers", "project-a"); n != limit {
		t.Errorf("routers of project-a: %d, want %d", n, limit)
	}
}
