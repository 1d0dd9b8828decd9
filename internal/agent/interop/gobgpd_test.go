package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gobgpd is a route reflector run by the test, driven with the gobgp CLI.
type gobgpd struct {
	t       *testing.T
	apiPort int
	bgpPort int
}

const rrClient = `
[[neighbors]]
  [neighbors.config]
    neighbor-address = "%s"
    peer-as = 64512
  [neighbors.transport.config]
    passive-mode = true
    local-address = "127.0.0.1"
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "127.0.0.1"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "rtc"
`

func startGoBGPd(t *testing.T, clients ...string) *gobgpd {
	g := &gobgpd{t: t, apiPort: freePort(t, "127.0.0.1"), bgpPort: freePort(t, "127.0.0.1")}
	conf := fmt.Sprintf("[global.config]\n  as = 64512\n  router-id = \"127.0.0.1\"\n  port = %d\n  local-address-list = [\"127.0.0.1\"]\n", g.bgpPort)
	for _, c := range clients {
		conf += fmt.Sprintf(rrClient, c)
	}
	p := filepath.Join(t.TempDir(), "rr.toml")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startProc(t, "gobgpd", "-f", p, "-p", "-l", "info", "--api-hosts", "127.0.0.1:"+strconv.Itoa(g.apiPort), "--pprof-disable")
	waitFor(t, 10*time.Second, "gobgpd API", func() bool { _, err := g.try("global"); return err == nil })
	return g
}

func (g *gobgpd) try(args ...string) (string, error) {
	out, err := cliOutput("gobgp", append([]string{"-p", strconv.Itoa(g.apiPort)}, args...)...)
	return out, err
}

func (g *gobgpd) cli(args ...string) string {
	g.t.Helper()
	return run(g.t, "gobgp", append([]string{"-p", strconv.Itoa(g.apiPort)}, args...)...)
}

// rrPath is a route in the reflector's table, from gobgp's JSON.
type rrPath struct {
	RD, Prefix, NextHop string
	Label               uint32
	LocalPref           uint32
	RTs, Encaps         []string
	PMSILabel           uint32
	RouterMAC           string
}

// rib reads the reflector's global table for a family, by gobgp's key.
func (g *gobgpd) rib(family string) map[string]rrPath {
	out, err := g.try("global", "rib", "-a", family, "-j")
	if err != nil {
		return nil
	}
	var raw map[string][]struct {
		NLRI  json.RawMessage   `json:"nlri"`
		Attrs []json.RawMessage `json:"attrs"`
	}
	if json.Unmarshal([]byte(out), &raw) != nil {
		return nil
	}
	res := map[string]rrPath{}
	for k, ps := range raw {
		if len(ps) == 0 {
			continue
		}
		var n struct {
			Prefix string   `json:"prefix"`
			Labels []uint32 `json:"labels"`
			Value  struct {
				Labels []uint32 `json:"labels"`
				Label  uint32   `json:"label"` // EVPN type 5
			} `json:"value"`
		}
		json.Unmarshal(ps[0].NLRI, &n)
		p := rrPath{Prefix: n.Prefix}
		if len(n.Labels) > 0 {
			p.Label = n.Labels[0]
		}
		if len(n.Value.Labels) > 0 {
			p.Label = n.Value.Labels[0]
		}
		if n.Value.Label != 0 {
			p.Label = n.Value.Label
		}
		for _, a := range ps[0].Attrs {
			var at struct {
				Type    int             `json:"type"`
				Value   json.RawMessage `json:"value"`
				Nexthop string          `json:"nexthop"`
				Label   uint32          `json:"label"`
			}
			json.Unmarshal(a, &at)
			switch at.Type {
			case 5:
				json.Unmarshal(at.Value, &p.LocalPref)
			case 14:
				p.NextHop = at.Nexthop
			case 16:
				var ecs []struct {
					Type       int    `json:"type"`
					Subtype    int    `json:"subtype"`
					Value      string `json:"value"`
					TunnelType int    `json:"tunnel_type"`
					MAC        string `json:"mac"`
				}
				json.Unmarshal(at.Value, &ecs)
				for _, ec := range ecs {
					if ec.Subtype == 2 {
						p.RTs = append(p.RTs, ec.Value)
					} else if ec.Subtype == 12 {
						p.Encaps = append(p.Encaps, strconv.Itoa(ec.TunnelType))
					} else if ec.Type == 6 && ec.Subtype == 3 {
						p.RouterMAC = ec.MAC
					}
				}
			case 22:
				p.PMSILabel = at.Label
			}
		}
		res[k] = p
	}
	return res
}

func TestGoBGPReflector(t *testing.T) {
	need(t, "BGPVPN_IT_GOBGPD", "gobgpd", "gobgp")
	rr := startGoBGPd(t, "127.0.0.31", "127.0.0.32")
	a := startAgent(t, agentConf("127.0.0.31", "127.0.0.1", rr.bgpPort, ""))
	b := startAgent(t, agentConf("127.0.0.32", "127.0.0.1", rr.bgpPort, ""))
	waitFor(t, 20*time.Second, "both agents established", func() bool {
		out, _ := rr.try("neighbor")
		return strings.Count(out, "Establ") == 2
	})

	attachA := `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-demo","mac_address":"52:54:00:00:00:01","ip_address":"10.100.0.5/24","gateway_ip":"10.100.0.1","local_port":{"linuxif":"tap-a"},"import_rt":["64512:100"],"export_rt":["64512:200"],"local_pref":250}`
	a.post(t, "/attach_localport", attachA)
	b.post(t, "/attach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-b","mac_address":"52:54:00:00:00:02","ip_address":"10.100.0.6/24","gateway_ip":"10.100.0.1","local_port":"tap-b","import_rt":["64512:200"],"export_rt":["64512:300"]}`)

	// Our route on the reflector: RD, label, RT, encapsulation, next hop,
	// LOCAL_PREF as sent.
	const key = "127.0.0.31:0:10.100.0.5/32"
	wantA := rrPath{Prefix: "10.100.0.5/32", NextHop: "127.0.0.31", Label: 17, LocalPref: 250, RTs: []string{"64512:200"}, Encaps: []string{"10"}}
	waitFor(t, 10*time.Second, "A's route on the reflector", func() bool { _, ok := rr.rib("vpnv4")[key]; return ok })
	if got := rr.rib("vpnv4")[key]; fmt.Sprint(got) != fmt.Sprint(wantA) {
		t.Errorf("reflector has %+v, want %+v", got, wantA)
	}
	// …and reflected into B's VRF.
	waitFor(t, 10*time.Second, "A's route in B's VRF", func() bool { return len(b.best("vrf-b")["10.100.0.5/32"]) == 1 })

	// Routes the reflector originates are imported where an import RT
	// matches, and only there.
	rr.cli("global", "rib", "-a", "vpnv4", "add", "10.60.0.1/32", "label", "2000", "rd", "64512:5", "rt", "64512:100", "nexthop", "192.0.2.50")
	rr.cli("global", "rib", "-a", "vpnv4", "add", "10.60.0.2/32", "label", "2001", "rd", "64512:5", "rt", "64512:999", "nexthop", "192.0.2.50")
	waitFor(t, 10*time.Second, "injected route in A's VRF", func() bool {
		rs := a.best("vrf-demo")["10.60.0.1/32"]
		return len(rs) == 1 && rs[0].Label == 2000 && rs[0].NextHop == "192.0.2.50" && rs[0].RD == "64512:5"
	})
	// Routes injected after those reach A and B after them: once they are
	// there, so would the ones that must not be.
	rr.cli("global", "rib", "-a", "vpnv4", "add", "10.60.0.3/32", "label", "2002", "rd", "64512:5", "rt", "64512:100", "nexthop", "192.0.2.50")
	rr.cli("global", "rib", "-a", "vpnv4", "add", "10.60.0.4/32", "label", "2003", "rd", "64512:5", "rt", "64512:200", "nexthop", "192.0.2.50")
	waitFor(t, 10*time.Second, "routes injected later in A's and B's VRFs", func() bool {
		return len(a.best("vrf-demo")["10.60.0.3/32"]) == 1 && len(b.best("vrf-b")["10.60.0.4/32"]) == 1
	})
	rr.cli("global", "rib", "-a", "vpnv4", "del", "10.60.0.3/32", "label", "2002", "rd", "64512:5", "rt", "64512:100", "nexthop", "192.0.2.50")
	rr.cli("global", "rib", "-a", "vpnv4", "del", "10.60.0.4/32", "label", "2003", "rd", "64512:5", "rt", "64512:200", "nexthop", "192.0.2.50")
	if rs := a.best("vrf-demo")["10.60.0.2/32"]; len(rs) != 0 {
		t.Errorf("route with RT 64512:999 imported into A: %+v", rs)
	}
	if rs := b.best("vrf-b")["10.60.0.1/32"]; len(rs) != 0 {
		t.Errorf("route with RT 64512:100 imported into B (imports 64512:200): %+v", rs)
	}

	// Withdrawals propagate both ways.
	rr.cli("global", "rib", "-a", "vpnv4", "del", "10.60.0.1/32", "label", "2000", "rd", "64512:5", "rt", "64512:100", "nexthop", "192.0.2.50")
	waitFor(t, 10*time.Second, "withdrawal at A", func() bool { return len(a.best("vrf-demo")["10.60.0.1/32"]) == 0 })

	// A session reset converges back (gobgpd refuses the peer for its
	// idle-hold-time-after-reset, 30 s by default).
	rr.cli("neighbor", "127.0.0.31", "reset")
	waitFor(t, 60*time.Second, "A's route back on the reflector after a reset", func() bool {
		out, _ := rr.try("neighbor")
		_, ok := rr.rib("vpnv4")[key]
		return strings.Count(out, "Establ") == 2 && ok
	})

	// An agent restart: the neutron agent sees /ping change and re-sends
	// its attachments; the state converges back to the same routes.
	var ping1, ping2 int64
	a.get("/ping", &ping1)
	a.stop()
	waitFor(t, 10*time.Second, "A's route withdrawn while A is down", func() bool { _, ok := rr.rib("vpnv4")[key]; return !ok })
	a = startAgent(t, agentConf("127.0.0.31", "127.0.0.1", rr.bgpPort, ""))
	a.get("/ping", &ping2)
	if ping1 == ping2 {
		t.Errorf("/ping = %d after a restart, want a new number", ping2)
	}
	a.post(t, "/attach_localport", attachA)
	waitFor(t, 30*time.Second, "A's route back after a restart", func() bool {
		got, ok := rr.rib("vpnv4")[key]
		return ok && fmt.Sprint(got) == fmt.Sprint(wantA)
	})
	waitFor(t, 10*time.Second, "A's route back in B's VRF", func() bool { return len(b.best("vrf-b")["10.100.0.5/32"]) == 1 })

	// Detach withdraws from the reflector and from B.
	a.post(t, "/detach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-demo","mac_address":"52:54:00:00:00:01","ip_address":"10.100.0.5/24","local_port":{"linuxif":"tap-a"}}`)
	waitFor(t, 10*time.Second, "detach seen at the reflector and at B", func() bool {
		_, ok := rr.rib("vpnv4")[key]
		return !ok && len(b.best("vrf-b")["10.100.0.5/32"]) == 0
	})

	// EVPN: type 2 and type 3 with the VNI; B learns A's MAC and VTEP.
	for _, n := range []struct {
		ag  *agentProc
		mac string
		ip  string
	}{{a, "52:54:00:00:00:0a", "10.0.0.10"}, {b, "52:54:00:00:00:0b", "10.0.0.11"}} {
		n.ag.post(t, "/attach_localport", fmt.Sprintf(`{"vpn_type":"evpn","vpn_instance_id":"evi","mac_address":"%s","ip_address":"%s","local_port":"tap-e","import_rt":["64512:5000"],"export_rt":["64512:5000"],"vni":5000}`, n.mac, n.ip))
	}
	waitFor(t, 10*time.Second, "EVPN routes on the reflector", func() bool {
		var t2, t3 bool
		for k, p := range rr.rib("evpn") {
			if strings.Contains(k, "52:54:00:00:00:0a") && p.Label == 5000 && slices.Contains(p.Encaps, "8") {
				t2 = true
			}
			if strings.Contains(k, "multicast") && strings.Contains(k, "127.0.0.31") && p.PMSILabel == 5000 {
				t3 = true
			}
		}
		return t2 && t3
	})
	waitFor(t, 10*time.Second, "A's MAC in B's EVI dataplane", func() bool {
		var dp struct {
			MACs []struct {
				MAC  string `json:"mac"`
				VTEP string `json:"vtep"`
				VNI  uint32 `json:"vni"`
			} `json:"macs"`
			Flood []struct {
				VTEP string `json:"vtep"`
			} `json:"flood"`
		}
		b.get("/looking-glass/vpns/instances/evi/dataplane", &dp)
		return len(dp.MACs) == 1 && dp.MACs[0].MAC == "52:54:00:00:00:0a" && dp.MACs[0].VTEP == "127.0.0.31" && dp.MACs[0].VNI == 5000 &&
			len(dp.Flood) == 1 && dp.Flood[0].VTEP == "127.0.0.31"
	})

	// EVPN type 5 (RFC 9136) from a VRF that asks for it: the reflector
	// gets the IP Prefix route with the VNI, VXLAN and the Router's MAC.
	a.post(t, "/attach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-t5","mac_address":"52:54:00:00:00:05","ip_address":"10.150.0.5/24","gateway_ip":"10.150.0.1","local_port":"tap-t5","import_rt":["64512:5010"],"export_rt":["64512:5010"],"vni":5010,"advertise_evpn_type5":true}`)
	wantT5 := rrPath{NextHop: "127.0.0.31", Label: 5010, LocalPref: 100, RTs: []string{"64512:5010"}, Encaps: []string{"8"}, RouterMAC: "02:b6:7f:00:00:1f"}
	var gotT5 rrPath
	waitFor(t, 10*time.Second, "A's type 5 route on the reflector", func() bool {
		for k, p := range rr.rib("evpn") {
			if strings.Contains(k, "Prefix") && strings.Contains(k, "10.150.0.5/32") {
				gotT5 = p
				return true
			}
		}
		return false
	})
	gotT5.Prefix, gotT5.RD = "", ""
	if fmt.Sprint(gotT5) != fmt.Sprint(wantT5) {
		t.Errorf("type 5 route on the reflector %+v, want %+v", gotT5, wantT5)
	}
}
