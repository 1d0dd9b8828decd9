package interop

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/ovs"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// ovsAgentConf is an agent whose IP VPN and EVPN instances are forwarded
// by the ovs driver on node nd's Open vSwitch (extra: more options of
// both driver sections).
func ovsAgentConf(local, rr string, port int, nd *ovslab.Node, extra string) string {
	c := agentConf(local, rr, port, "graceful_restart_time = 60\n")
	return strings.ReplaceAll(c, "dataplane_driver = dummy\n", fmt.Sprintf(
		"dataplane_driver = ovs\ndataplane_local_address = %s\novs_rundir = %s\novs_datapath_type = netdev\nadopt_grace = 5\n%s", nd.Addr, nd.Dir, extra))
}

// ovsReflector is gobgpd reflecting VPNv4, EVPN and RT constraint
// between clients, a graceful restart helper (an agent that restarts
// keeps its routes at the others).
const ovsRRClient = `
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
  [neighbors.graceful-restart.config]
    enabled = true
    restart-time = 60
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
    [neighbors.afi-safis.mp-graceful-restart.config]
      enabled = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "rtc"
`

func startOVSReflector(t *testing.T, clients ...string) *gobgpd {
	g := &gobgpd{t: t, apiPort: freePort(t, "127.0.0.1"), bgpPort: freePort(t, "127.0.0.1")}
	conf := fmt.Sprintf("[global.config]\n  as = 64512\n  router-id = \"127.0.0.1\"\n  port = %d\n  local-address-list = [\"127.0.0.1\"]\n", g.bgpPort)
	for _, c := range clients {
		conf += fmt.Sprintf(ovsRRClient, c)
	}
	p := filepath.Join(t.TempDir(), "rr.toml")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	startProc(t, "gobgpd", "-f", p, "-p", "-l", "info", "--api-hosts", "127.0.0.1:"+strconv.Itoa(g.apiPort), "--pprof-disable")
	waitFor(t, 10*time.Second, "gobgpd API", func() bool { _, err := g.try("global"); return err == nil })
	return g
}

// startFRRPE runs FRR bgpd as a PE, a client of the reflector at
// 127.0.0.1:rrPort from 127.0.0.43, that originates 10.82.0.1/32 with
// RT 64512:81 (the VMs' VPN) and 10.82.0.2/32 with RT 64512:999.
func startFRRPE(t *testing.T, rrPort int) *frr {
	dir := t.TempDir()
	f := &frr{t: t, sock: dir}
	conf := fmt.Sprintf(`hostname frr-pe
log file %s/bgpd.log informational
route-map RT81 permit 10
 set extcommunity rt 64512:81
exit
route-map RT999 permit 10
 set extcommunity rt 64512:999
exit
router bgp 64512
 bgp router-id 127.0.0.43
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor 127.0.0.1 remote-as 64512
 neighbor 127.0.0.1 port %d
 neighbor 127.0.0.1 update-source 127.0.0.43
 address-family ipv4 vpn
  neighbor 127.0.0.1 activate
  network 10.82.0.1/32 rd 64512:7 label 3000 route-map RT81
  network 10.82.0.2/32 rd 64512:7 label 3001 route-map RT999
 exit-address-family
exit
`, dir, rrPort)
	p := filepath.Join(dir, "bgpd.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// -Z: no zebra; -S: stay root; -p 0: no listening socket.
	startProc(t, frrBgpd, "-f", p, "-i", filepath.Join(dir, "bgpd.pid"), "-z", filepath.Join(dir, "zserv.api"),
		"--vty_socket", dir, "-Z", "-S", "-l", "127.0.0.43", "-p", "0", "-P", "0")
	waitFor(t, 10*time.Second, "FRR vty", func() bool { _, err := f.try("show bgp summary"); return err == nil })
	return f
}

// ovsAgents is the lab of TestOVSAgents.
type ovsAgents struct {
	n1, n2   *ovslab.Node
	vm1, vm2 ovslab.VM
	gw       netip.Addr
	rr       *gobgpd
	a, b     *agentProc
	top      *testing.T // the agents outlive the subtests
}

func (l *ovsAgents) attach(typ, id string, v ovslab.VM, n int, rt string) string {
	return fmt.Sprintf(`{"vpn_type":%q,"vpn_instance_id":%q,"mac_address":%q,"ip_address":%q,"gateway_ip":%q,"local_port":"tap%d","import_rt":[%q],"export_rt":[%q]}`,
		typ, id, v.MAC, v.Addr, l.gw, n, rt, rt)
}

func (l *ovsAgents) detach(typ, id string, v ovslab.VM, n int) string {
	return fmt.Sprintf(`{"vpn_type":%q,"vpn_instance_id":%q,"mac_address":%q,"ip_address":%q,"local_port":"tap%d"}`, typ, id, v.MAC, v.Addr, n)
}

// start (re)starts both agents with extra driver options and attaches
// the VMs to the IP VPN.
func (l *ovsAgents) start(t *testing.T, extra string) {
	if l.a != nil {
		l.a.stop()
		l.b.stop()
	}
	l.a = startAgent(l.top, ovsAgentConf("127.0.0.71", "127.0.0.1", l.rr.bgpPort, l.n1, extra))
	l.b = startAgent(l.top, ovsAgentConf("127.0.0.72", "127.0.0.1", l.rr.bgpPort, l.n2, extra))
	l.a.post(t, "/attach_localport", l.attach("ipvpn", "ipvpn_net", l.vm1, 1, "64512:81"))
	l.b.post(t, "/attach_localport", l.attach("ipvpn", "ipvpn_net", l.vm2, 2, "64512:81"))
}

// waitFlows waits until nd's br-mpls has a flow line with every one of
// wants, or none with any (absent).
func waitFlows(t *testing.T, nd *ovslab.Node, absent bool, wants ...string) {
	t.Helper()
	waitFor(t, 30*time.Second, fmt.Sprintf("flows of %s with %q (absent: %v)", nd.NS, wants, absent), func() bool {
		out, err := nd.TryOfctl("dump-flows", "--no-stats", "--no-names", "br-mpls")
		if err != nil {
			return false
		}
		for _, line := range strings.Split(out, "\n") {
			all := true
			for _, w := range wants {
				all = all && strings.Contains(line, w)
			}
			if all {
				return !absent
			}
		}
		return absent
	})
}

// Two agents with the ovs driver for both VPN types, a gobgpd reflector
// and an FRR PE: VMs attached by REST ping each other through an IP VPN
// over MPLS over GRE, then over VXLAN (vxlan_encap), then through an
// EVPN over VXLAN; FRR gets our routes and we import its own (into OVS
// flows); detaching cuts each; restarting an agent under a 10 ms ping
// flood loses nothing.
func TestOVSAgents(t *testing.T) {
	ovslab.Need(t)
	for _, b := range []string{"gobgpd", "gobgp", frrBgpd, "vtysh"} {
		if _, err := exec.LookPath(b); err != nil {
			t.Fatalf("%s=1 but %s is missing: %v", ovslab.Env, b, err)
		}
	}
	lab := ovslab.NewLab(t)
	l := &ovsAgents{n1: lab.Node(t, 1), n2: lab.Node(t, 2), gw: netip.MustParseAddr("10.81.0.254"), top: t}
	l.vm1 = l.n1.VM(t, "tap1", netip.MustParsePrefix("10.81.0.1/24"), l.gw)
	l.vm2 = l.n2.VM(t, "tap2", netip.MustParsePrefix("10.81.0.2/24"), l.gw)
	l.rr = startOVSReflector(t, "127.0.0.71", "127.0.0.72", "127.0.0.43")
	fr := startFRRPE(t, l.rr.bgpPort)
	l.start(t, "")
	vm1, vm2 := l.vm1, l.vm2

	t.Run("IP VPN over MPLS over GRE", func(t *testing.T) {
		ovslab.WaitPing(t, vm1, vm2.Addr.Addr())
		ovslab.WaitPing(t, vm2, vm1.Addr.Addr())
		waitFlows(t, l.n1, false, "nw_dst=10.81.0.2", "push_mpls:0x8847")
	})

	t.Run("FRR PE", func(t *testing.T) {
		// FRR has our route (no RT constraint: the reflector sends it
		// everything), with our next hop on the underlay.
		waitFor(t, 30*time.Second, "our VPNv4 route on FRR", func() bool {
			return fr.has("show bgp ipv4 vpn 10.81.0.1/32", "192.0.2.1", "RT:64512:81")
		})
		// Its route with our RT is in the VRF and in OVS, pushing its
		// label toward it; the other is not.
		waitFor(t, 30*time.Second, "FRR's route in A's VRF", func() bool {
			rs := l.a.best("ipvpn_net")["10.82.0.1/32"]
			return len(rs) == 1 && rs[0].Label == 3000 && rs[0].RD == "64512:7"
		})
		waitFlows(t, l.n1, false, "nw_dst=10.82.0.1", "push_mpls:0x8847", "set_field:3000->mpls_label")
		if rs := l.a.best("ipvpn_net")["10.82.0.2/32"]; len(rs) != 0 {
			t.Errorf("route with RT 64512:999 imported: %+v", rs)
		}
		fr.config("no network 10.82.0.1/32 rd 64512:7 label 3000")
		waitFlows(t, l.n1, true, "nw_dst=10.82.0.1")
	})

	t.Run("agent restart under flood", func(t *testing.T) {
		confA := ovsAgentConf("127.0.0.71", "127.0.0.1", l.rr.bgpPort, l.n1, "")
		r := ovslab.Flood(t, vm1, vm2.Addr.Addr().String(), func() {
			l.a.stop()
			l.a = startAgent(l.top, confA)
			l.a.post(t, "/attach_localport", l.attach("ipvpn", "ipvpn_net", vm1, 1, "64512:81"))
		})
		t.Logf("agent restart (ovs): %v", r)
		if r.Lost() != 0 {
			t.Errorf("agent restart: %v, want none lost", r)
		}
	})

	t.Run("IP VPN over VXLAN", func(t *testing.T) {
		l.start(t, "vxlan_encap = true\n")
		ovslab.WaitPing(t, vm1, vm2.Addr.Addr())
		// The route now leaves by VXLAN (no MPLS label pushed).
		waitFlows(t, l.n1, false, "nw_dst=10.81.0.2", "192.0.2.2->tun_dst")
		waitFlows(t, l.n1, true, "nw_dst=10.81.0.2", "push_mpls")
		ovslab.WaitPing(t, vm1, vm2.Addr.Addr())
		ovslab.WaitPing(t, vm2, vm1.Addr.Addr())
	})

	t.Run("detach cuts", func(t *testing.T) {
		l.a.post(t, "/detach_localport", l.detach("ipvpn", "ipvpn_net", vm1, 1))
		ovslab.WaitNoPing(t, vm1, vm2.Addr.Addr())
		l.b.post(t, "/detach_localport", l.detach("ipvpn", "ipvpn_net", vm2, 2))
	})

	t.Run("EVPN over VXLAN", func(t *testing.T) {
		// The IP VPN's ARP answers are gone (the agents apply after
		// answering; the restarted ones hold removals for adopt_grace)
		// before the VMs forget the router MAC they learnt.
		waitFlows(t, l.n1, true, "arp_op=1")
		waitFlows(t, l.n2, true, "arp_op=1")
		ovslab.Run(t, "ip", "-n", vm1.NS, "neigh", "flush", "all")
		ovslab.Run(t, "ip", "-n", vm2.NS, "neigh", "flush", "all")
		l.a.post(t, "/attach_localport", l.attach("evpn", "evpn_net", vm1, 1, "64512:82"))
		l.b.post(t, "/attach_localport", l.attach("evpn", "evpn_net", vm2, 2, "64512:82"))
		ovslab.WaitPing(t, vm1, vm2.Addr.Addr())
		ovslab.WaitPing(t, vm2, vm1.Addr.Addr())
		l.a.post(t, "/detach_localport", l.detach("evpn", "evpn_net", vm1, 1))
		ovslab.WaitNoPing(t, vm1, vm2.Addr.Addr())
	})
}
