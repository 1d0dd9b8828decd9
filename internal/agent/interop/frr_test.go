package interop

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

const frrBgpd = "/usr/lib/frr/bgpd"

type frr struct {
	t    *testing.T
	sock string
}

func startFRR(t *testing.T, port int) *frr {
	dir := t.TempDir()
	f := &frr{t: t, sock: dir}
	conf := fmt.Sprintf(`hostname frr-it
log file %s/bgpd.log informational
route-map RT100 permit 10
 set extcommunity rt 64512:100
exit
route-map RT999 permit 10
 set extcommunity rt 64512:999
exit
router bgp 64512
 bgp router-id 127.0.0.41
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.42 remote-as 64512
 neighbor 127.0.0.42 port %d
 neighbor 127.0.0.42 update-source 127.0.0.41
 address-family ipv4 vpn
  neighbor 127.0.0.42 activate
  network 10.60.0.1/32 rd 64512:5 label 2000 route-map RT100
  network 10.60.0.2/32 rd 64512:5 label 2001 route-map RT999
 exit-address-family
 address-family l2vpn evpn
  neighbor 127.0.0.42 activate
 exit-address-family
exit
`, dir, port)
	p := filepath.Join(dir, "bgpd.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// -Z: no zebra; -S: stay root (the test's temporary files).
	startProc(t, frrBgpd, "-f", p, "-i", filepath.Join(dir, "bgpd.pid"), "-z", filepath.Join(dir, "zserv.api"),
		"--vty_socket", dir, "-Z", "-S", "-l", "127.0.0.41", "-p", strconv.Itoa(port), "-P", "0")
	waitFor(t, 10*time.Second, "FRR vty", func() bool { _, err := f.try("show bgp summary"); return err == nil })
	return f
}

func (f *frr) try(cmds ...string) (string, error) {
	args := []string{"--vty_socket", f.sock}
	for _, c := range cmds {
		args = append(args, "-c", c)
	}
	return cliOutput("vtysh", args...)
}

// config runs a command under address-family ipv4 vpn.
func (f *frr) config(cmd string) {
	f.t.Helper()
	if out, err := f.try("configure terminal", "router bgp 64512", "address-family ipv4 vpn", cmd); err != nil {
		f.t.Fatalf("vtysh %q: %v\n%s", cmd, err, out)
	}
}

func (f *frr) has(cmd string, wants ...string) bool {
	out, err := f.try(cmd)
	if err != nil {
		return false
	}
	for _, w := range wants {
		if !strings.Contains(out, w) {
			return false
		}
	}
	return true
}

func TestFRRPeer(t *testing.T) {
	need(t, "BGPVPN_IT_FRR", frrBgpd, "vtysh")
	port := freePort(t, "127.0.0.41")
	fr := startFRR(t, port)
	// FRR treats 127/8 next hops as martians: advertise TEST-NET-1.
	conf := strings.ReplaceAll(agentConf("127.0.0.42", "127.0.0.41", port, ""),
		"dataplane_driver = dummy\n", "dataplane_driver = dummy\ndataplane_local_address = 192.0.2.42\n")
	a := startAgent(t, conf)
	waitFor(t, 30*time.Second, "session with FRR", func() bool {
		var peers []struct{ State string }
		return a.get("/looking-glass/bgp/peers", &peers) && len(peers) == 1 && peers[0].State == "Established"
	})

	attach := `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-demo","mac_address":"52:54:00:00:00:01","ip_address":"10.100.0.5/24","gateway_ip":"10.100.0.1","local_port":{"linuxif":"tap-a"},"import_rt":["64512:100"],"export_rt":["64512:200"],"local_pref":250}`
	a.post(t, "/attach_localport", attach)
	a.post(t, "/attach_localport", `{"vpn_type":"evpn","vpn_instance_id":"evi","mac_address":"52:54:00:00:00:0a","ip_address":"10.0.0.10","local_port":"tap-e","import_rt":["64512:5000"],"export_rt":["64512:5000"],"vni":5000}`)

	// FRR has no RT constraint: it gets the full table, with our RD,
	// label, RT, encapsulation, next hop and LOCAL_PREF.
	vpnRoute := []string{"192.0.2.42 from 127.0.0.42", "localpref 250", "RT:64512:200 ET:10", "Remote label: 17"}
	waitFor(t, 10*time.Second, "our VPNv4 route on FRR", func() bool {
		return fr.has("show bgp ipv4 vpn rd 127.0.0.42:0 10.100.0.5/32", vpnRoute...)
	})
	waitFor(t, 10*time.Second, "our EVPN routes on FRR", func() bool {
		return fr.has("show bgp l2vpn evpn route detail",
			"[2]:[0]:[48]:[52:54:00:00:00:0a]:[32]:[10.0.0.10] VNI 5000", "RT:64512:5000 ET:8",
			"Route [3]:[0]:[32]:[127.0.0.42]", "PMSI Tunnel Type: Ingress Replication, label: 5000")
	})

	// FRR's routes: imported where the RT matches only.
	waitFor(t, 10*time.Second, "FRR's route in our VRF", func() bool {
		rs := a.best("vrf-demo")["10.60.0.1/32"]
		return len(rs) == 1 && rs[0].Label == 2000 && rs[0].RD == "64512:5" && rs[0].Source == "BGP-127.0.0.41"
	})
	if rs := a.best("vrf-demo")["10.60.0.2/32"]; len(rs) != 0 {
		t.Errorf("route with RT 64512:999 imported: %+v", rs)
	}

	// Withdrawals both ways.
	fr.config("no network 10.60.0.1/32 rd 64512:5 label 2000")
	waitFor(t, 10*time.Second, "FRR's withdrawal at the agent", func() bool { return len(a.best("vrf-demo")["10.60.0.1/32"]) == 0 })
	a.post(t, "/detach_localport", `{"vpn_type":"evpn","vpn_instance_id":"evi","mac_address":"52:54:00:00:00:0a","local_port":"tap-e"}`)
	waitFor(t, 10*time.Second, "our EVPN withdrawal at FRR", func() bool {
		out, err := fr.try("show bgp l2vpn evpn")
		return err == nil && !strings.Contains(out, "52:54:00:00:00:0a") && !strings.Contains(out, "[3]:[0]:[32]:[127.0.0.42]")
	})

	// Session reset from FRR: back to the same state.
	fr.config("network 10.60.0.1/32 rd 64512:5 label 2000 route-map RT100")
	if _, err := fr.try("clear bgp *"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "state back after a session reset", func() bool {
		return fr.has("show bgp ipv4 vpn rd 127.0.0.42:0 10.100.0.5/32", vpnRoute...) && len(a.best("vrf-demo")["10.60.0.1/32"]) == 1
	})

	// Agent restart: a stop closes the session without a NOTIFICATION,
	// so FRR (a graceful restart helper by default) keeps our route,
	// marked stale, while we are down; after the restart and re-attach
	// the same state is back.
	a.stop()
	waitFor(t, 15*time.Second, "our route kept by FRR, stale, while we are down", func() bool {
		out, err := fr.try("show bgp ipv4 vpn rd 127.0.0.42:0 10.100.0.5/32 json")
		return err == nil && strings.Contains(out, `"stale":true`)
	})
	a = startAgent(t, conf)
	a.post(t, "/attach_localport", attach)
	waitFor(t, 60*time.Second, "state back after an agent restart", func() bool {
		return fr.has("show bgp ipv4 vpn rd 127.0.0.42:0 10.100.0.5/32", vpnRoute...) && len(a.best("vrf-demo")["10.60.0.1/32"]) == 1
	})
}

// frrType5 is an EVPN IP Prefix route in FRR's table, from "show bgp
// l2vpn evpn route detail type prefix json" (FRR 8.4 field names).
type frrType5 struct {
	RD, NextHop, VNI, ExtCommunities string
	LocalPref                        int
}

// type5 reads FRR's type 5 routes by prefix; nil when FRR does not answer.
func (f *frr) type5() map[string]frrType5 {
	out, err := f.try("show bgp l2vpn evpn route detail type prefix json")
	if err != nil {
		return nil
	}
	var byRD map[string]json.RawMessage
	if json.Unmarshal([]byte(out), &byRD) != nil {
		return nil
	}
	res := map[string]frrType5{}
	for rd, raw := range byRD {
		var routes map[string]json.RawMessage
		if json.Unmarshal(raw, &routes) != nil {
			continue // numPrefix, numPaths
		}
		for _, rr := range routes {
			var r struct {
				IP    string `json:"ip"`
				IPLen int    `json:"ipLen"`
				Paths [][]struct {
					VNI      string                  `json:"vni"`
					LocPrf   int                     `json:"locPrf"`
					ExtComm  struct{ String string } `json:"extendedCommunity"`
					Nexthops []struct{ IP string }   `json:"nexthops"`
				} `json:"paths"`
			}
			if json.Unmarshal(rr, &r) != nil || r.IP == "" || len(r.Paths) == 0 || len(r.Paths[0]) == 0 {
				continue
			}
			p := r.Paths[0][0]
			v := frrType5{RD: rd, VNI: p.VNI, LocalPref: p.LocPrf, ExtCommunities: p.ExtComm.String}
			if len(p.Nexthops) > 0 {
				v.NextHop = p.Nexthops[0].IP
			}
			res[fmt.Sprintf("%s/%d", r.IP, r.IPLen)] = v
		}
	}
	return res
}

// With [DATAPLANE_DRIVER_IPVPN] advertise_evpn_type5 on, FRR receives our
// VRF's prefixes as EVPN type 5 routes with our RD, RT, VNI, next hop,
// LOCAL_PREF, VXLAN and Router's MAC; an attach turning it off, and a
// detach, withdraw them.
func TestFRRType5(t *testing.T) {
	need(t, "BGPVPN_IT_FRR", frrBgpd, "vtysh")
	port := freePort(t, "127.0.0.41")
	fr := startFRR(t, port)
	conf := strings.ReplaceAll(agentConf("127.0.0.42", "127.0.0.41", port, ""), "[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = dummy\n",
		"[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = dummy\ndataplane_local_address = 192.0.2.42\nadvertise_evpn_type5 = true\n")
	a := startAgent(t, conf)
	waitFor(t, 30*time.Second, "session with FRR", func() bool {
		var peers []struct{ State string }
		return a.get("/looking-glass/bgp/peers", &peers) && len(peers) == 1 && peers[0].State == "Established"
	})

	// As the networking-bagpipe extension sends it: no type 5 field.
	host := `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-t5","mac_address":"52:54:00:00:00:05","ip_address":"10.150.0.5/24","gateway_ip":"10.150.0.1","local_port":"tap-t5","import_rt":["64512:5010"],"export_rt":["64512:5010"],"vni":5010,"local_pref":150%s}`
	subnet := `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-t5","mac_address":"52:54:00:00:00:06","ip_address":"10.150.1.7/24","gateway_ip":"10.150.1.1","local_port":"tap-t6","import_rt":["64512:5010"],"export_rt":["64512:5010"],"vni":5010,"advertise_subnet":true}`
	a.post(t, "/attach_localport", fmt.Sprintf(host, ""))
	a.post(t, "/attach_localport", subnet)

	// Router's MAC: the linux driver's bgv-l3 MAC for VTEP 192.0.2.42.
	const ecs = "RT:64512:5010 ET:8 Rmac:02:b6:c0:00:02:2a"
	wantHost := frrType5{RD: "127.0.0.42:0", NextHop: "192.0.2.42", VNI: "5010", LocalPref: 150, ExtCommunities: ecs}
	var got map[string]frrType5
	waitFor(t, 10*time.Second, "our type 5 routes on FRR", func() bool { got = fr.type5(); return len(got) == 2 })
	if got["10.150.0.5/32"] != wantHost {
		t.Errorf("FRR has type 5 route %+v for 10.150.0.5/32, want %+v", got["10.150.0.5/32"], wantHost)
	}
	// The subnet's route has its VPN route's endpoint RD.
	var vpnRD string
	var adv map[string][]lgRoute
	a.get("/looking-glass/vpns/instances/vrf-t5/adv_routes", &adv)
	for _, r := range adv["10.150.1.0/24"] {
		if r.RD != "127.0.0.42:0" {
			vpnRD = r.RD
		}
	}
	wantSubnet := frrType5{RD: vpnRD, NextHop: "192.0.2.42", VNI: "5010", LocalPref: 100, ExtCommunities: ecs}
	if vpnRD == "" || got["10.150.1.0/24"] != wantSubnet {
		t.Errorf("FRR has type 5 route %+v for 10.150.1.0/24, want %+v", got["10.150.1.0/24"], wantSubnet)
	}

	// The attach field overrides the default: off withdraws the type 5
	// routes, the VPNv4 ones stay; on brings them back.
	a.post(t, "/attach_localport", fmt.Sprintf(host, `,"advertise_evpn_type5":false`))
	waitFor(t, 10*time.Second, "type 5 routes withdrawn from FRR", func() bool { got := fr.type5(); return got != nil && len(got) == 0 })
	if !fr.has("show bgp ipv4 vpn", "10.150.0.5/32", "10.150.1.0/24") {
		t.Errorf("VPNv4 routes went from FRR with the type 5 ones")
	}
	a.post(t, "/attach_localport", fmt.Sprintf(host, `,"advertise_evpn_type5":true`))
	waitFor(t, 10*time.Second, "type 5 routes back on FRR", func() bool { got = fr.type5(); return len(got) == 2 })

	// Detaching withdraws each port's type 5 route.
	a.post(t, "/detach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-t5","mac_address":"52:54:00:00:00:06","ip_address":"10.150.1.7/24","local_port":"tap-t6"}`)
	waitFor(t, 10*time.Second, "subnet type 5 route withdrawn", func() bool {
		got := fr.type5()
		_, host := got["10.150.0.5/32"]
		return len(got) == 1 && host
	})
	a.post(t, "/detach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"vrf-t5","mac_address":"52:54:00:00:00:05","ip_address":"10.150.0.5/24","local_port":"tap-t5"}`)
	waitFor(t, 10*time.Second, "last type 5 route withdrawn", func() bool { got := fr.type5(); return got != nil && len(got) == 0 })
}
