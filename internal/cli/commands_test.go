package cli

import (
	"context"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/spf13/cobra"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func clearOSEnv(t *testing.T) {
	t.Helper()
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OS_") || strings.HasPrefix(k, "CLIFF_") {
			t.Setenv(k, "")
			os.Unsetenv(k)
		}
	}
}

func TestCreateSendsOnlyGivenAttributes(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	out, errOut, code := runCLI(t, srv, "create", "--name", "cli-vpn", "--route-target", "64512:100",
		"--import-target", "64512:101", "--export-target", "64512:102", "--route-distinguisher", "64512:103",
		"--vni", "4242", "--local-pref", "150", "--type", "l3")
	if code != 0 {
		t.Fatalf("create: exit %d, stderr %s", code, errOut)
	}
	want := map[string]any{"bgpvpn": map[string]any{"name": "cli-vpn", "route_targets": []any{"64512:100"},
		"import_targets": []any{"64512:101"}, "export_targets": []any{"64512:102"}, "route_distinguishers": []any{"64512:103"},
		"vni": float64(4242), "local_pref": float64(150), "type": "l3"}}
	if diff := cmp.Diff(want, f.last("POST").Body); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
	wantOut := `+----------------------+--------------------------------------+
| Field                | Value                                |
+----------------------+--------------------------------------+
| Associated Networks  |                                      |
| Associated Ports     |                                      |
| Associated Routers   |                                      |
| Export Targets       | 64512:102                            |
| ID                   | 00000000-0000-4000-8000-000000000001 |
| Import Targets       | 64512:101                            |
| Local Pref           | 150                                  |
| Name                 | cli-vpn                              |
| Project              | admin-project                        |
| Route Distinguishers | 64512:103                            |
| Route Targets        | 64512:100                            |
| Type                 | l3                                   |
| VNI                  | 4242                                 |
| project_id           | admin-project                        |
+----------------------+--------------------------------------+
`
	if diff := cmp.Diff(wantOut, out); diff != "" {
		t.Errorf("create output (-want +got):\n%s", diff)
	}

	// No option at all: an empty body, the server decides.
	if _, errOut, code := runCLI(t, srv, "create"); code != 0 {
		t.Fatalf("bare create: exit %d, %s", code, errOut)
	}
	if diff := cmp.Diff(map[string]any{"bgpvpn": map[string]any{}}, f.last("POST").Body); diff != "" {
		t.Errorf("bare create body (-want +got):\n%s", diff)
	}
}

func TestSetUnsetListSemantics(t *testing.T) {
	clearOSEnv(t)
	tests := []struct {
		name string
		args []string
		want map[string]any // PUT body attributes; nil: no PUT
	}{
		{"set adds", []string{"set", "vpn", "--route-target", "64512:3", "--route-target", "64512:1"},
			map[string]any{"route_targets": []any{"64512:1", "64512:2", "64512:3"}}},
		{"set --no empties then adds", []string{"set", "vpn", "--no-route-target", "--route-target", "64512:9"},
			map[string]any{"route_targets": []any{"64512:9"}}},
		{"set --no alone empties", []string{"set", "vpn", "--no-import-target"},
			map[string]any{"import_targets": []any{}}},
		{"unset removes", []string{"unset", "vpn", "--route-target", "64512:1", "--route-target", "64512:7"},
			map[string]any{"route_targets": []any{"64512:2"}}},
		{"unset --all empties", []string{"unset", "vpn", "--all-export-target", "--export-target", "64512:5"},
			map[string]any{"export_targets": []any{}}},
		{"set name and local pref", []string{"set", "vpn", "--name", "vpn2", "--local-pref", "0"},
			map[string]any{"name": "vpn2", "local_pref": float64(0)}},
		{"set rd and export", []string{"set", "vpn", "--route-distinguisher", "64512:100", "--export-target", "64512:5"},
			map[string]any{"route_distinguishers": []any{"64512:100"}, "export_targets": []any{"64512:5", "64512:6"}}},
		{"nothing to do", []string{"set", "vpn"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeNeutron(t)
			f.add("bgpvpn/bgpvpns", map[string]any{"name": "vpn", "route_targets": []string{"64512:1", "64512:2"},
				"export_targets": []string{"64512:5", "64512:6"}})
			_, errOut, code := runCLI(t, srv, tc.args...)
			if code != 0 {
				t.Fatalf("%v: exit %d, stderr %s", tc.args, code, errOut)
			}
			if tc.want == nil {
				if n := f.count("PUT"); n != 0 {
					t.Errorf("%v sent %d PUT, want none", tc.args, n)
				}
				return
			}
			if diff := cmp.Diff(map[string]any{"bgpvpn": tc.want}, f.last("PUT").Body); diff != "" {
				t.Errorf("%v: PUT body (-want +got):\n%s", tc.args, diff)
			}
		})
	}
}

func TestServerErrorIsPrinted(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	f.add("bgpvpn/bgpvpns", map[string]any{"name": "vpn"})
	out, errOut, code := runCLI(t, srv, "set", "vpn", "--vni", "5")
	if code != 1 || out != "" || errOut != "Cannot update read-only attribute vni\n" {
		t.Errorf("set --vni = (%q, %q, %d), want the server's message and exit 1", out, errOut, code)
	}
	_, errOut, code = runCLI(t, srv, "show", "nope")
	if code != 1 || errOut != "Unable to find bgpvpn with name or id 'nope'\n" {
		t.Errorf("show nope = (%q, %d)", errOut, code)
	}
	_, errOut, code = runCLI(t, srv, "list", "--bogus")
	if code != 2 || !strings.Contains(errOut, "unknown flag: --bogus") {
		t.Errorf("list --bogus = (%q, %d), want a usage error and exit 2", errOut, code)
	}
}

func TestAmbiguousName(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	f.add("bgpvpn/bgpvpns", map[string]any{"name": "twin"})
	f.add("bgpvpn/bgpvpns", map[string]any{"name": "twin"})
	_, errOut, code := runCLI(t, srv, "show", "twin")
	want := "Multiple bgpvpn matches found for name 'twin', use an ID to be more specific.\n"
	if code != 1 || errOut != want {
		t.Errorf("show twin = (%q, %d), want %q", errOut, code, want)
	}
}

func TestDeleteReportsEachFailure(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	v := f.add("bgpvpn/bgpvpns", map[string]any{"name": "a"})
	_, errOut, code := runCLI(t, srv, "delete", "a", "missing")
	want := "BGP VPN " + v["id"].(string) + " deleted\n" +
		"Failed to delete BGP VPN with name or ID 'missing': Unable to find bgpvpn with name or id 'missing'\n" +
		"Failed to delete 1 of 2 BGP VPN.\n"
	if code != 1 || errOut != want {
		t.Errorf("delete = (%q, %d), want (%q, 1)", errOut, code, want)
	}
}

func TestNoauthIdentityHeaders(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	if _, errOut, code := runCLI(t, srv, "--os-project-id", "project-a", "--os-user-id", "user-a", "--os-roles", "member", "list"); code != 0 {
		t.Fatalf("list: %s", errOut)
	}
	h := f.last("GET").Header
	for k, want := range map[string]string{"X-Project-Id": "project-a", "X-User-Id": "user-a", "X-Roles": "member"} {
		if got := h.Get(k); got != want {
			t.Errorf("header %s = %q, want %q", k, got, want)
		}
	}
	if _, _, code := runCLI(t, srv, "list"); code != 0 {
		t.Fatal("list failed")
	}
	h = f.last("GET").Header
	for _, k := range []string{"X-Project-Id", "X-User-Id", "X-Roles"} {
		if got := h.Get(k); got != "" {
			t.Errorf("admin list sent %s: %q, want none", k, got)
		}
	}
}

func TestCloudsYAML(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	f.add("bgpvpn/bgpvpns", map[string]any{"name": "from-cloud"})
	dir := t.TempDir()
	cfg := "clouds:\n  ref:\n    auth_type: none\n    auth:\n      endpoint: http://127.0.0.1:1\n      project_id: project-a\n    network_endpoint_override: " + srv.URL + "\n"
	if err := os.WriteFile(filepath.Join(dir, "clouds.yaml"), []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("OS_CLIENT_CONFIG_FILE", filepath.Join(dir, "clouds.yaml"))
	t.Setenv("OS_CLOUD", "ref")
	out, errOut, code := (func() (string, string, int) {
		var o, e strings.Builder
		a := &app{stdout: &o, stderr: &e, newClient: func(ctx context.Context, au Auth) (*gophercloud.ServiceClient, error) { return au.NetworkClient(ctx) }}
		c := a.run(t.Context(), []string{"list", "-f", "value", "-c", "Name"})
		return o.String(), e.String(), c
	})()
	if code != 0 || out != "from-cloud\n" {
		t.Errorf("list with clouds.yaml = (%q, %q, %d)", out, errOut, code)
	}
	if got := f.last("GET").Header.Get("X-Project-Id"); got != "project-a" {
		t.Errorf("X-Project-Id from clouds.yaml = %q, want project-a", got)
	}
}

func TestRouterAssociationAdvertiseExtraRoutes(t *testing.T) {
	clearOSEnv(t)
	tests := []struct {
		args []string
		want map[string]any
	}{
		{[]string{"router", "association", "create", "vpn", "r1"}, map[string]any{"router_id": "R"}},
		{[]string{"router", "association", "create", "vpn", "r1", "--no-advertise_extra_routes"}, map[string]any{"router_id": "R", "advertise_extra_routes": false}},
		{[]string{"router", "association", "create", "vpn", "r1", "--advertise-extra-routes"}, map[string]any{"router_id": "R", "advertise_extra_routes": true}},
	}
	for _, tc := range tests {
		f, srv := newFakeNeutron(t)
		f.add("bgpvpn/bgpvpns", map[string]any{"name": "vpn"})
		r := f.add("routers", map[string]any{"name": "r1"})
		tc.want["router_id"] = r["id"]
		if _, errOut, code := runCLI(t, srv, tc.args...); code != 0 {
			t.Fatalf("%v: %s", tc.args, errOut)
		}
		if diff := cmp.Diff(map[string]any{"router_association": tc.want}, f.last("POST").Body); diff != "" {
			t.Errorf("%v body (-want +got):\n%s", tc.args, diff)
		}
	}
	_, srv := newFakeNeutron(t)
	if _, errOut, code := runCLI(t, srv, "router", "association", "create", "vpn", "r1", "--advertise_extra_routes", "--no-advertise_extra_routes"); code != 2 {
		t.Errorf("both flags: exit %d (%s), want 2", code, errOut)
	}
}

func TestPortAssociationRoutes(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	vpn := f.add("bgpvpn/bgpvpns", map[string]any{"name": "vpn"})
	target := f.add("bgpvpn/bgpvpns", map[string]any{"name": "target"})
	port := f.add("ports", map[string]any{"name": "p1"})
	out, errOut, code := runCLI(t, srv, "port", "association", "create", "vpn", "p1", "--no-advertise-fixed-ips",
		"--prefix-route", "prefix=20.1.0.0/16,local_pref=100", "--bgpvpn-route", "bgpvpn=target,local_pref=50")
	if code != 0 {
		t.Fatalf("create: %s", errOut)
	}
	want := map[string]any{"port_association": map[string]any{"port_id": port["id"], "advertise_fixed_ips": false, "routes": []any{
		map[string]any{"type": "prefix", "prefix": "20.1.0.0/16", "local_pref": float64(100)},
		map[string]any{"type": "bgpvpn", "bgpvpn_id": target["id"], "local_pref": float64(50)},
	}}}
	if diff := cmp.Diff(want, f.last("POST").Body); diff != "" {
		t.Errorf("create body (-want +got):\n%s", diff)
	}
	for _, col := range []string{"| BGP VPN Routes (BGP LOCAL_PREF) | " + target["id"].(string) + " (50) |", "| Prefix Routes (BGP LOCAL_PREF)  | 20.1.0.0/16 (100)", "| Advertise Port's Fixed IPs      | False"} {
		if !strings.Contains(out, col) {
			t.Errorf("create output lacks %q:\n%s", col, out)
		}
	}
	assocID := f.objs["bgpvpns/"+vpn["id"].(string)+"/port_associations"][0]["id"].(string)

	steps := []struct {
		args []string
		want []any
		adv  any
	}{
		{[]string{"set", assocID, "vpn", "--prefix-route", "prefix=20.2.0.0/16"}, []any{
			map[string]any{"type": "prefix", "prefix": "20.1.0.0/16", "local_pref": float64(100)},
			map[string]any{"type": "prefix", "prefix": "20.2.0.0/16"},
			map[string]any{"type": "bgpvpn", "bgpvpn_id": target["id"], "local_pref": float64(50)},
		}, nil},
		{[]string{"set", assocID, "vpn", "--prefix-route", "prefix=20.1.0.0/16,local_pref=7"}, []any{
			map[string]any{"type": "prefix", "prefix": "20.1.0.0/16", "local_pref": float64(7)},
			map[string]any{"type": "prefix", "prefix": "20.2.0.0/16"},
			map[string]any{"type": "bgpvpn", "bgpvpn_id": target["id"], "local_pref": float64(50)},
		}, nil},
		{[]string{"unset", assocID, "vpn", "--prefix-route", "20.1.0.0/16", "--bgpvpn-route", "target"}, []any{
			map[string]any{"type": "prefix", "prefix": "20.2.0.0/16"},
		}, nil},
		{[]string{"unset", assocID, "vpn", "--no-advertise-fixed-ips"}, []any{
			map[string]any{"type": "prefix", "prefix": "20.2.0.0/16"},
		}, true},
		{[]string{"set", assocID, "vpn", "--no-prefix-route"}, []any{}, nil},
	}
	for _, s := range steps {
		args := append([]string{"port", "association"}, s.args...)
		if _, errOut, code := runCLI(t, srv, args...); code != 0 {
			t.Fatalf("%v: %s", args, errOut)
		}
		want := map[string]any{"routes": s.want}
		if s.adv != nil {
			want["advertise_fixed_ips"] = s.adv
		}
		if diff := cmp.Diff(map[string]any{"port_association": want}, f.last("PUT").Body); diff != "" {
			t.Errorf("%v PUT body (-want +got):\n%s", args, diff)
		}
	}
	if _, errOut, code := runCLI(t, srv, "port", "association", "set", assocID, "vpn", "--prefix-route", "local_pref=3"); code != 2 ||
		!strings.Contains(errOut, `missing key "prefix"`) {
		t.Errorf("set without prefix= = (%q, %d), want a usage error", errOut, code)
	}
}

func TestAssociationListLong(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	vpn := f.add("bgpvpn/bgpvpns", map[string]any{"name": "vpn"})
	f.add("bgpvpn/bgpvpns/"+vpn["id"].(string)+"/router_associations", map[string]any{"router_id": "r-1", "advertise_extra_routes": false})
	out, errOut, code := runCLI(t, srv, "router", "association", "list", "vpn", "--long")
	if code != 0 {
		t.Fatal(errOut)
	}
	want := `+--------------------------------------+---------------+-----------+------------------------+
| ID                                   | Project       | Router ID | Advertise extra routes |
+--------------------------------------+---------------+-----------+------------------------+
| 00000000-0000-4000-8000-000000000002 | admin-project | r-1       | False                  |
+--------------------------------------+---------------+-----------+------------------------+
`
	if diff := cmp.Diff(want, out); diff != "" {
		t.Errorf("router association list --long (-want +got):\n%s", diff)
	}
}

func TestCoreCommands(t *testing.T) {
	clearOSEnv(t)
	f, srv := newFakeNeutron(t)
	steps := [][]string{
		{"network", "create", "net1", "--disable"},
		{"subnet", "create", "sub1", "--network", "net1", "--subnet-range", "10.9.0.0/24"},
		{"port", "create", "p1", "--network", "net1", "--fixed-ip", "subnet=sub1,ip-address=10.9.0.10", "--host", "compute-1"},
		{"router", "create", "r1"},
		{"router", "set", "r1", "--route", "destination=10.10.0.0/16,gateway=10.9.0.254", "--route", "destination=10.11.0.0/16,gateway=10.9.0.254"},
		{"router", "unset", "r1", "--route", "destination=10.10.0.0/16,gateway=10.9.0.254"},
		{"router", "add", "subnet", "r1", "sub1"},
		{"router", "remove", "subnet", "r1", "sub1"},
		{"port", "set", "p1", "--host", "compute-2"},
	}
	var bodies []map[string]any
	var paths []string
	for _, s := range steps {
		if _, errOut, code := runCLI(t, srv, s...); code != 0 {
			t.Fatalf("%v: %s", s, errOut)
		}
		r := f.requests[len(f.requests)-1]
		bodies = append(bodies, r.Body)
		paths = append(paths, r.Path)
	}
	net := f.objs["networks"][0]["id"]
	sub := f.objs["subnets"][0]["id"]
	want := []map[string]any{
		{"network": map[string]any{"name": "net1", "admin_state_up": false}},
		{"subnet": map[string]any{"name": "sub1", "network_id": net, "cidr": "10.9.0.0/24", "ip_version": float64(4)}},
		{"port": map[string]any{"name": "p1", "network_id": net, "binding:host_id": "compute-1",
			"fixed_ips": []any{map[string]any{"subnet_id": sub, "ip_address": "10.9.0.10"}}}},
		{"router": map[string]any{"name": "r1"}},
		{"router": map[string]any{"routes": []any{map[string]any{"destination": "10.10.0.0/16", "nexthop": "10.9.0.254"},
			map[string]any{"destination": "10.11.0.0/16", "nexthop": "10.9.0.254"}}}},
		{"router": map[string]any{"routes": []any{map[string]any{"destination": "10.11.0.0/16", "nexthop": "10.9.0.254"}}}},
		{"subnet_id": sub},
		{"subnet_id": sub},
		{"port": map[string]any{"binding:host_id": "compute-2"}},
	}
	if diff := cmp.Diff(want, bodies); diff != "" {
		t.Errorf("request bodies (-want +got):\n%s", diff)
	}
	if got := paths[7]; !strings.HasSuffix(got, "/remove_router_interface") {
		t.Errorf("router remove subnet went to %s", got)
	}
	out, _, _ := runCLI(t, srv, "port", "list", "-f", "value", "-c", "Fixed IP Addresses")
	if want := "[{'ip_address': '10.9.0.10', 'subnet_id': '" + sub.(string) + "'}]\n"; out != want {
		t.Errorf("port list value = %q, want %q", out, want)
	}
}

func TestEveryCommandHasHelpWithExamples(t *testing.T) {
	a := &app{}
	root := a.rootCommand()
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && c.Name() != "help" && !strings.HasPrefix(c.CommandPath(), "bgpvpn completion") && c.Example == "" && c.HasParent() && !c.HasSubCommands() {
			t.Errorf("%q has no example", c.CommandPath())
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
}
