package interop

import (
	"net"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// bagpipe-looking-glass, from Debian's python3-networking-bagpipe, reads
// our looking glass unchanged, recursively too.
func TestBagpipeLookingGlassTool(t *testing.T) {
	if os.Getenv("BGPVPN_IT_BAGPIPE_LG") == "" {
		t.Skip("BGPVPN_IT_BAGPIPE_LG not set")
	}
	if _, err := exec.LookPath("bagpipe-looking-glass"); err != nil {
		t.Fatalf("bagpipe-looking-glass missing: %v", err)
	}
	a := startAgent(t, agentConf("127.0.0.71", "-", 0, "listen = false\n"))
	a.post(t, "/attach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-demo","mac_address":"52:54:00:00:00:01","ip_address":"10.100.0.5/24","gateway_ip":"10.100.0.1","local_port":{"linuxif":"tap-demo1"},"import_rt":["64512:100"],"export_rt":["64512:200"],"description":"demo port 1","local_pref":250}`)
	_, port, _ := net.SplitHostPort(a.api)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"summary"}, []string{"BGP_established_peers: 0", "vpn_instances_count: 1", "local_routes_count: 1"}},
		{[]string{"vpns", "instances", "vrf-demo", "ports"}, []string{"tap-demo1", "mac_address: 52:54:00:00:00:01", "local_pref: 250", "rd: 127.0.0.71:0"}},
		{[]string{"-r"}, []string{"vrf-demo", "route_targets", "64512:200", "tap-demo1", "adv_routes", "ipv4/mpls-vpn", "local_routes_count: 1"}},
	} {
		out, err := exec.Command("bagpipe-looking-glass", append([]string{"--server", "127.0.0.1", "--port", port}, tc.args...)...).CombinedOutput()
		if err != nil {
			t.Errorf("bagpipe-looking-glass %v: %v\n%s", tc.args, err, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(string(out), w) {
				t.Errorf("bagpipe-looking-glass %v output lacks %q:\n%s", tc.args, w, out)
			}
		}
		if strings.Contains(string(out), "ERROR") || strings.Contains(string(out), "Error code") {
			t.Errorf("bagpipe-looking-glass %v reports an error:\n%s", tc.args, out)
		}
	}
}
