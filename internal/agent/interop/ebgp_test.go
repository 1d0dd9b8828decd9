package interop

import (
	"strings"
	"testing"
	"time"
)

// Two agents in different ASes (one with a 4-byte ASN) peer over eBGP and
// import each other's routes.
func TestEBGPAgents(t *testing.T) {
	need(t, "BGPVPN_IT_GOBGPD")
	port := freePort(t, "127.0.0.81")
	confA := agentConf("127.0.0.81", "127.0.0.82", port, "peer_as = 127.0.0.82=4200000001\n")
	confB := strings.Replace(agentConf("127.0.0.82", "127.0.0.81", port, "peer_as = 127.0.0.81=64512\n"), "my_as = 64512", "my_as = 4200000001", 1)
	a, b := startAgent(t, confA), startAgent(t, confB)
	a.post(t, "/attach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:01","ip_address":"10.90.0.1/24","gateway_ip":"10.90.0.254","local_port":"t1","import_rt":["64512:90"],"export_rt":["4200000001:91"]}`)
	b.post(t, "/attach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"v","mac_address":"52:54:00:00:00:02","ip_address":"10.90.0.2/24","gateway_ip":"10.90.0.254","local_port":"t2","import_rt":["4200000001:91"],"export_rt":["64512:90"]}`)
	waitFor(t, 30*time.Second, "routes exchanged over eBGP", func() bool {
		ra, rb := a.best("v")["10.90.0.2/32"], b.best("v")["10.90.0.1/32"]
		return len(ra) == 1 && len(rb) == 1 && ra[0].NextHop == "127.0.0.82" && rb[0].NextHop == "127.0.0.81"
	})
}
