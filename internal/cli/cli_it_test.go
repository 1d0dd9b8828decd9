package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
)

// itRun runs our CLI against BGPVPN_IT_ENDPOINT as admin (noauth, no
// identity headers) and fails the test on a non-zero exit.
func itRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := itRunCode(t, args...)
	if code != 0 {
		t.Fatalf("bgpvpn %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

func itRunCode(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	ep := os.Getenv("BGPVPN_IT_ENDPOINT")
	if ep == "" {
		t.Skip("BGPVPN_IT_ENDPOINT not set: integration test (scripts/it/cli.sh runs it)")
	}
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, newClient: func(ctx context.Context, au Auth) (*gophercloud.ServiceClient, error) {
		return au.NetworkClient(ctx)
	}}
	code := a.run(context.Background(), append([]string{"--os-auth-type", "none", "--os-endpoint", ep}, args...))
	return out.String(), errb.String(), code
}

func itJSON(t *testing.T, args ...string) map[string]any {
	t.Helper()
	var m map[string]any
	out := itRun(t, append(args, "-f", "json")...)
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("bgpvpn %v -f json: %v\n%s", args, err, out)
	}
	return m
}

func strs(v any) []string {
	var out []string
	for _, x := range anyList(v) {
		out = append(out, x.(string))
	}
	slices.Sort(out)
	return out
}

func TestITCLIEndToEnd(t *testing.T) {
	if os.Getenv("BGPVPN_IT_ENDPOINT") == "" {
		t.Skip("BGPVPN_IT_ENDPOINT not set: integration test (scripts/it/cli.sh runs it)")
	}
	t.Cleanup(func() {
		// Best effort, in dependency order; errors are expected for what the
		// test already removed.
		for _, args := range [][]string{
			{"delete", "it-vpn2", "it-target"}, {"port", "delete", "it-port"}, {"router", "delete", "it-router"},
			{"subnet", "delete", "it-subnet"}, {"network", "delete", "it-net"},
		} {
			itRunCode(t, args...)
		}
	})

	vpn := itJSON(t, "create", "--name", "it-vpn", "--route-target", "64512:100", "--import-target", "64512:101",
		"--export-target", "64512:102", "--route-distinguisher", "64512:103", "--vni", "4242", "--local-pref", "150", "--type", "l3")
	id, _ := vpn["ID"].(string)
	for col, want := range map[string]any{"Name": "it-vpn", "Type": "l3", "VNI": float64(4242), "Local Pref": float64(150)} {
		if vpn[col] != want {
			t.Errorf("create: %s = %v, want %v", col, vpn[col], want)
		}
	}
	if got := strs(vpn["Route Targets"]); !slices.Equal(got, []string{"64512:100"}) {
		t.Errorf("create: Route Targets = %v", got)
	}

	// list, list --long, show by name.
	if out := itRun(t, "list", "-f", "value", "-c", "ID", "-c", "Name"); !strings.Contains(out, id+" it-vpn\n") {
		t.Errorf("list -f value lacks %q:\n%s", id+" it-vpn", out)
	}
	if out := itRun(t, "list", "--long"); !strings.Contains(out, "| Route Targets |") || !strings.Contains(out, "64512:100") {
		t.Errorf("list --long lacks the long columns:\n%s", out)
	}
	if out := itRun(t, "show", "it-vpn", "-f", "value", "-c", "ID"); out != id+"\n" {
		t.Errorf("show it-vpn -c ID = %q, want %q", out, id)
	}

	// set adds to the list, unset removes, --no-X empties.
	itRun(t, "set", "it-vpn", "--name", "it-vpn2", "--route-target", "64512:200", "--local-pref", "10")
	got := itJSON(t, "show", "it-vpn2")
	if rts := strs(got["Route Targets"]); !slices.Equal(rts, []string{"64512:100", "64512:200"}) || got["Local Pref"] != float64(10) {
		t.Errorf("after set: Route Targets %v, Local Pref %v", rts, got["Local Pref"])
	}
	itRun(t, "unset", "it-vpn2", "--route-target", "64512:100", "--all-export-target")
	itRun(t, "set", "it-vpn2", "--no-route-distinguisher")
	got = itJSON(t, "show", "it-vpn2")
	if rts, ets, rds := strs(got["Route Targets"]), strs(got["Export Targets"]), strs(got["Route Distinguishers"]); !slices.Equal(rts, []string{"64512:200"}) || len(ets) != 0 || len(rds) != 0 {
		t.Errorf("after unset: RTs %v, export %v, RDs %v", rts, ets, rds)
	}

	// Server errors come back as the server's message and exit 1.
	if _, errOut, code := itRunCode(t, "set", "it-vpn2", "--vni", "5"); code != 1 || !strings.Contains(errOut, "Cannot update read-only attribute vni") {
		t.Errorf("set --vni = (%q, %d), want the read-only error", errOut, code)
	}
	if _, errOut, code := itRunCode(t, "create", "--name", "bad", "--route-target", "64512"); code != 1 || !strings.Contains(errOut, "'64512' is not a valid input") {
		t.Errorf("create with a bad RT = (%q, %d)", errOut, code)
	}

	// The network model, then associations of each kind.
	itRun(t, "network", "create", "it-net")
	itRun(t, "subnet", "create", "it-subnet", "--network", "it-net", "--subnet-range", "10.9.0.0/24")
	port := itJSON(t, "port", "create", "it-port", "--network", "it-net", "--fixed-ip", "subnet=it-subnet,ip-address=10.9.0.10", "--host", "compute-1")
	if !strings.Contains(port["fixed_ips"].([]any)[0].(map[string]any)["ip_address"].(string), "10.9.0.10") || port["binding:host_id"] != "compute-1" {
		t.Errorf("port create: fixed_ips %v host %v", port["fixed_ips"], port["binding:host_id"])
	}
	itRun(t, "router", "create", "it-router")
	// An extra route needs its next hop on a plugged subnet (Neutron's
	// extraroute rule), and the subnet stays plugged while a route uses it.
	itRun(t, "router", "add", "subnet", "it-router", "it-subnet")
	itRun(t, "router", "set", "it-router", "--route", "destination=10.10.0.0/16,gateway=10.9.0.254")
	itRun(t, "router", "unset", "it-router", "--route", "destination=10.10.0.0/16,gateway=10.9.0.254")
	itRun(t, "router", "remove", "subnet", "it-router", "it-subnet")

	na := itJSON(t, "network", "association", "create", "it-vpn2", "it-net")
	naID, _ := na["ID"].(string)
	if out := itRun(t, "network", "association", "list", "it-vpn2", "-f", "value", "-c", "ID"); out != naID+"\n" {
		t.Errorf("network association list = %q, want %q", out, naID)
	}
	itRun(t, "network", "association", "show", naID, "it-vpn2")
	if _, errOut, code := itRunCode(t, "network", "association", "create", "it-vpn2", "it-net"); code != 1 || !strings.Contains(errOut, "already associated") {
		t.Errorf("duplicate network association = (%q, %d)", errOut, code)
	}
	netID := itJSON(t, "network", "show", "it-net")["id"].(string)
	if out := itRun(t, "list", "--property", "networks="+netID, "-f", "value", "-c", "Name"); out != "it-vpn2\n" {
		t.Errorf("list --property networks= = %q", out)
	}

	ra := itJSON(t, "router", "association", "create", "it-vpn2", "it-router", "--no-advertise_extra_routes")
	raID, _ := ra["ID"].(string)
	if ra["Advertise extra routes"] != false {
		t.Errorf("router association create --no-advertise_extra_routes: %v, want false", ra["Advertise extra routes"])
	}
	itRun(t, "router", "association", "set", raID, "it-vpn2", "--advertise_extra_routes")
	if out := itRun(t, "router", "association", "list", "it-vpn2", "--long", "-f", "value", "-c", "Advertise extra routes"); out != "True\n" {
		t.Errorf("router association after set --advertise_extra_routes = %q", out)
	}

	target := itJSON(t, "create", "--name", "it-target", "--route-target", "64512:300")
	pa := itJSON(t, "port", "association", "create", "it-vpn2", "it-port", "--no-advertise-fixed-ips",
		"--prefix-route", "prefix=20.1.0.0/16,local_pref=100", "--bgpvpn-route", "bgpvpn=it-target,local_pref=50")
	paID, _ := pa["ID"].(string)
	if got := strs(pa["BGP VPN Routes (BGP LOCAL_PREF)"]); !slices.Equal(got, []string{target["ID"].(string) + " (50)"}) {
		t.Errorf("port association BGP VPN routes = %v", got)
	}
	itRun(t, "port", "association", "set", paID, "it-vpn2", "--prefix-route", "prefix=20.2.0.0/16")
	itRun(t, "port", "association", "unset", paID, "it-vpn2", "--prefix-route", "20.1.0.0/16")
	got = itJSON(t, "port", "association", "show", paID, "it-vpn2")
	if p := strs(got["Prefix Routes (BGP LOCAL_PREF)"]); !slices.Equal(p, []string{"20.2.0.0/16"}) || got["Advertise Port's Fixed IPs"] != false {
		t.Errorf("port association after set/unset: prefix routes %v, advertise %v", p, got["Advertise Port's Fixed IPs"])
	}

	// A tenant's view: another project sees nothing.
	if out, errOut, code := itRunCode(t, "--os-project-id", "it-other", "--os-user-id", "it-user", "--os-roles", "member", "list", "-f", "value"); code != 0 || strings.Contains(out, "it-vpn2") {
		t.Errorf("tenant list = (%q, %q, %d), want success without it-vpn2", out, errOut, code)
	}

	itRun(t, "port", "association", "delete", paID, "it-vpn2")
	itRun(t, "router", "association", "delete", raID, "it-vpn2")
	itRun(t, "network", "association", "delete", naID, "it-vpn2")
	itRun(t, "delete", "it-vpn2", "it-target")
	if _, errOut, code := itRunCode(t, "show", "it-vpn2"); code != 1 || !strings.Contains(errOut, "Unable to find bgpvpn with name or id 'it-vpn2'") {
		t.Errorf("show after delete = (%q, %d)", errOut, code)
	}
	itRun(t, "port", "delete", "it-port")
	itRun(t, "router", "delete", "it-router")
	itRun(t, "subnet", "delete", "it-subnet")
	itRun(t, "network", "delete", "it-net")
}
