package api_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	"github.com/bgpvpn/bgpvpn/internal/server"
)

// fuzzTarget is one write of the API; $NAME in its path and in the
// fuzzed body is an id of the fuzz world.
type fuzzTarget struct{ method, path string }

var coreTargets = []fuzzTarget{
	{"POST", "/v2.0/networks"}, {"PUT", "/v2.0/networks/$NET"},
	{"POST", "/v2.0/subnets"}, {"PUT", "/v2.0/subnets/$SUB"},
	{"POST", "/v2.0/ports"}, {"PUT", "/v2.0/ports/$PORT"},
	{"POST", "/v2.0/routers"}, {"PUT", "/v2.0/routers/$ROUTER"},
	{"PUT", "/v2.0/routers/$ROUTER/add_router_interface"}, {"PUT", "/v2.0/routers/$ROUTER/remove_router_interface"},
}

var bgpvpnTargets = []fuzzTarget{
	{"POST", "/v2.0/bgpvpn/bgpvpns"}, {"PUT", "/v2.0/bgpvpn/bgpvpns/$VPN"},
	{"POST", "/v2.0/bgpvpn/bgpvpns/$VPN/network_associations"}, {"PUT", "/v2.0/bgpvpn/bgpvpns/$VPN/network_associations/$NA"},
	{"POST", "/v2.0/bgpvpn/bgpvpns/$VPN/router_associations"}, {"PUT", "/v2.0/bgpvpn/bgpvpns/$VPN/router_associations/$RA"},
	{"POST", "/v2.0/bgpvpn/bgpvpns/$VPN/port_associations"}, {"PUT", "/v2.0/bgpvpn/bgpvpns/$VPN/port_associations/$PA"},
}

var coreSeeds = []string{
	`{"network": {"name": "n", "shared": true, "router:external": false, "mtu": 1500, "description": "d"}}`,
	`{"networks": [{"name": "a"}, {"network": {"name": "b", "tenant_id": "project-b"}}]}`,
	`{"network": {"mtu": "9000", "admin_state_up": "false", "availability_zone_hints": ["nova"]}}`,
	`{"subnet": {"network_id": "$NET", "ip_version": 4, "cidr": "10.9.0.0/24", "gateway_ip": "10.9.0.1", "allocation_pools": [{"start": "10.9.0.10", "end": "10.9.0.20"}], "host_routes": [{"destination": "0.0.0.0/0", "nexthop": "10.9.0.2"}], "dns_nameservers": ["8.8.8.8"]}}`,
	`{"subnet": {"network_id": "$NET", "ip_version": 6, "cidr": "2001:db8::/64", "ipv6_ra_mode": "slaac", "ipv6_address_mode": "slaac"}}`,
	`{"subnet": {"host_routes": [1, null, "x", {"destination": 5}]}}`,
	`{"subnet": {"allocation_pools": [{"start": "10.0.0.0", "end": "10.0.0.255"}], "gateway_ip": null}}`,
	`{"port": {"network_id": "$NET", "mac_address": "FA:16:3E:00:00:01", "fixed_ips": [{"subnet_id": "$SUB"}, {"subnet_id": "$SUB", "ip_address": "10.0.0.7"}], "device_owner": "compute:nova", "device_id": "vm", "binding:host_id": "h1"}}`,
	`{"port": {"network_id": "$NETB", "device_owner": "network:router_interface", "device_id": "$ROUTER"}}`,
	`{"port": {"fixed_ips": [{"ip_address": "10.0.0.255"}], "mac_address": "01:00:5e:00:00:01", "name": "\u0000"}}`,
	`{"router": {"name": "r", "external_gateway_info": {"network_id": "$EXT"}, "admin_state_up": true}}`,
	`{"router": {"routes": [{"destination": "10.8.0.0/24", "nexthop": "10.0.0.9"}, 1, [], null]}}`,
	`{"router": {"external_gateway_info": {"network_id": "$NETB"}}}`,
	`{"subnet_id": "$SUB"}`, `{"port_id": "$PORT"}`, `{"subnet_id": "$SUBB"}`, `{"port_id": "$PORTB", "subnet_id": "$SUB"}`,
	`{"subnet_id": 5}`, `[]`, `null`, `{"subnet_id": "\u0000"}`,
}

var bgpvpnSeeds = []string{
	`{"bgpvpn": {"name": "v", "type": "l3", "route_targets": ["64512:1"], "import_targets": ["1.2.3.4:5"], "export_targets": ["4294967295:65535"], "route_distinguishers": ["64512:100"], "vni": 1000, "local_pref": 100, "tenant_id": "project-a"}}`,
	`{"bgpvpn": {"type": "l2", "route_targets": "64512:7", "vni": "42", "local_pref": "100"}}`,
	`{"bgpvpns": [{"name": "a"}, {"bgpvpn": {"name": "b"}}]}`,
	`{"bgpvpn": {"route_targets": [1, null, {"a": 1}], "vni": 1e400}}`,
	`{"network_association": {"network_id": "$NET", "description": "d"}}`,
	`{"network_associations": [{"network_id": "$NETB"}, {"network_id": "$NET"}]}`,
	`{"router_association": {"router_id": "$ROUTER", "advertise_extra_routes": false}}`,
	`{"router_association": {"router_id": "$ROUTERB", "advertise_extra_routes": "x"}}`,
	`{"port_association": {"port_id": "$PORT", "advertise_fixed_ips": false, "routes": [{"type": "prefix", "prefix": "20.0.0.0/24", "local_pref": 100}, {"type": "bgpvpn", "bgpvpn_id": "$VPNB"}]}}`,
	`{"port_association": {"routes": [1, {"type": "bgpvpn", "bgpvpn_id": "$VPN"}, {"type": "prefix", "prefix": "::/0"}]}}`,
	`{"port_association": {"routes": null}}`, `{"bgpvpn": {}}`, `{}`, ``,
}

// FuzzCoreBodies sends fuzzed create and update bodies of networks,
// subnets, ports, routers and router interfaces, as the admin or one of
// two tenants, to a real bgpvpn-server handler (bagpipe driver, SQLite):
// no body may get a 5xx.
func FuzzCoreBodies(f *testing.F) { fuzzBodies(f, coreTargets, coreSeeds) }

// FuzzBGPVPNBodies is FuzzCoreBodies for BGPVPNs and their three kinds
// of association.
func FuzzBGPVPNBodies(f *testing.F) { fuzzBodies(f, bgpvpnTargets, bgpvpnSeeds) }

func fuzzBodies(f *testing.F, targets []fuzzTarget, seeds []string) {
	for i, seed := range seeds {
		for who := range 3 {
			f.Add(uint8(i%len(targets)), uint8(who), []byte(seed))
		}
		for j := range targets {
			f.Add(uint8(j), uint8(1), []byte(seed))
		}
	}
	h, world := fuzzWorld(f)
	whos := []identity{admin, tenantA, tenantB}
	f.Fuzz(func(t *testing.T, target, who uint8, body []byte) {
		tg := targets[int(target)%len(targets)]
		path := world.Replace(tg.path)
		body = []byte(world.Replace(string(body)))
		req := httptest.NewRequest(tg.method, path, bytes.NewReader(body))
		for k, v := range whos[int(who)%len(whos)].headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s %q: %d %s", tg.method, path, body, rec.Code, rec.Body.Bytes())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("%s %s %q: %d, body is not JSON: %q", tg.method, path, body, rec.Code, rec.Body.Bytes())
		}
	})
}

// fuzzWorld starts a bgpvpn-server handler with two projects' objects
// and returns the replacer of their $NAMEs.
func fuzzWorld(f *testing.F) (http.Handler, *strings.Replacer) {
	conf := "[DEFAULT]\ndata_dir = " + f.TempDir() + "\n[service_providers]\nservice_provider = BGPVPN:BaGPipe:bagpipe:default\n[agent_feed]\nshared_secret = s\n"
	v, err := server.Schema().Parse("fuzz.conf", strings.NewReader(conf))
	if err != nil {
		f.Fatal(err)
	}
	srv, err := server.New(context.Background(), v, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	h := srv.Handler
	create := func(who identity, path, body, key string) string {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		if strings.HasSuffix(path, "_interface") {
			req.Method = "PUT"
		}
		for k, v := range who.headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		var m map[string]any
		json.Unmarshal(rec.Body.Bytes(), &m)
		if key == "" {
			return ""
		}
		o, _ := m[key].(map[string]any)
		id, _ := o["id"].(string)
		if id == "" {
			f.Fatalf("setting up the fuzz world: POST %s %s: %d %s", path, body, rec.Code, rec.Body.Bytes())
		}
		return id
	}
	w := map[string]string{}
	w["NET"] = create(tenantA, "/v2.0/networks", `{"network": {"name": "a"}}`, "network")
	w["NETB"] = create(tenantB, "/v2.0/networks", `{"network": {"name": "b"}}`, "network")
	w["EXT"] = create(admin, "/v2.0/networks", `{"network": {"name": "ext", "router:external": true}}`, "network")
	w["SUB"] = create(tenantA, "/v2.0/subnets", `{"subnet": {"network_id": "`+w["NET"]+`", "ip_version": 4, "cidr": "10.0.0.0/24"}}`, "subnet")
	w["SUBB"] = create(tenantB, "/v2.0/subnets", `{"subnet": {"network_id": "`+w["NETB"]+`", "ip_version": 4, "cidr": "10.1.0.0/24"}}`, "subnet")
	w["PORT"] = create(tenantA, "/v2.0/ports", `{"port": {"network_id": "`+w["NET"]+`"}}`, "port")
	w["PORTB"] = create(tenantB, "/v2.0/ports", `{"port": {"network_id": "`+w["NETB"]+`"}}`, "port")
	w["ROUTER"] = create(tenantA, "/v2.0/routers", `{"router": {"name": "r"}}`, "router")
	w["ROUTERB"] = create(tenantB, "/v2.0/routers", `{"router": {"name": "rb"}}`, "router")
	w["VPN"] = create(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "v", "tenant_id": "project-a", "route_targets": ["64512:1"]}}`, "bgpvpn")
	w["VPNB"] = create(admin, "/v2.0/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "vb", "tenant_id": "project-b"}}`, "bgpvpn")
	vpn := "/v2.0/bgpvpn/bgpvpns/" + w["VPN"]
	w["NA"] = create(tenantA, vpn+"/network_associations", `{"network_association": {"network_id": "`+w["NET"]+`"}}`, "network_association")
	w["PA"] = create(tenantA, vpn+"/port_associations", `{"port_association": {"port_id": "`+w["PORT"]+`"}}`, "port_association")
	other := create(tenantA, "/v2.0/routers", `{"router": {"name": "r2"}}`, "router")
	w["RA"] = create(tenantA, vpn+"/router_associations", `{"router_association": {"router_id": "`+other+`"}}`, "router_association")
	// Longer names first, so that $NETB is not read as $NET and a B.
	names := slices.SortedFunc(maps.Keys(w), func(a, b string) int { return cmp.Compare(len(b), len(a)) })
	var pairs []string
	for _, k := range names {
		pairs = append(pairs, "$"+k, w[k])
	}
	return h, strings.NewReplacer(pairs...)
}

var listPaths = []string{
	"/v2.0/networks", "/v2.0/subnets", "/v2.0/ports", "/v2.0/routers", "/v2.0/bgpvpn/bgpvpns",
	"/v2.0/bgpvpn/bgpvpns/$VPN/network_associations", "/v2.0/bgpvpn/bgpvpns/$VPN/router_associations",
	"/v2.0/bgpvpn/bgpvpns/$VPN/port_associations", "/v2.0/networks/$NET", "/v2.0/bgpvpn/bgpvpns/$VPN",
}

// FuzzListQueries sends fuzzed query strings (filters, fields, sorting,
// pagination) to lists and shows, as the admin or a tenant: no query may
// get a 5xx.
func FuzzListQueries(f *testing.F) {
	for i, q := range []string{
		"name=a&fields=id&fields=name&sort_key=name&sort_dir=desc&limit=2&marker=$NETB",
		"sort_key=name&sort_key=id&sort_dir=asc&sort_dir=desc&page_reverse=True&limit=1&marker=$NET",
		"networks=$NET&routers=$ROUTER&ports=$PORT&type=l3&local_pref=5&vni=x",
		"route_targets=64512:1&sort_key=vni&sort_dir=asc",
		"admin_state_up=maybe&mtu=1e3&ip_version=4&enable_dhcp=1&revision_number=-1",
		"limit=-1", "limit=99999999999999999999", "marker=%00", "name=%ff", "fields=&sort_key=&sort_dir=",
		"binding:host_id=h1&device_owner=network:router_interface&tenant_id=project-b",
		"a=1;b=2&%zz=1", "",
	} {
		f.Add(uint8(i), uint8(i%3), q)
	}
	h, world := fuzzWorld(f)
	whos := []identity{admin, tenantA, tenantB}
	f.Fuzz(func(t *testing.T, target, who uint8, query string) {
		path := world.Replace(listPaths[int(target)%len(listPaths)])
		req := httptest.NewRequest("GET", path, nil)
		req.URL.RawQuery = world.Replace(query)
		for k, v := range whos[int(who)%len(whos)].headers {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("GET %s?%s: %d %s", path, req.URL.RawQuery, rec.Code, rec.Body.Bytes())
		}
		if !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("GET %s?%s: %d, body is not JSON: %q", path, req.URL.RawQuery, rec.Code, rec.Body.Bytes())
		}
	})
}
