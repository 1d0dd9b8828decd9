package linux

import (
	"context"
	"net/netip"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// twoNodes is the proof topology: compute nodes n1 and n2 joined by a veth
// "underlay" (VTEPs 192.0.2.1 and 192.0.2.2), and behind each, through a
// veth into the compute namespace, an EVPN VM (same subnet 10.0.0.0/24) and
// an IP VPN VM (subnets 10.1.1.0/24 and 10.2.2.0/24, default gateways .1).
type twoNodes struct {
	n1, n2, e1, e2, l1, l2 string
}

const (
	vtep1, vtep2 = "192.0.2.1", "192.0.2.2"
	macE1, macE2 = "52:54:00:00:01:01", "52:54:00:00:01:02"
	macL1, macL2 = "52:54:00:00:02:01", "52:54:00:00:02:02"
)

func newTwoNodes(t *testing.T) *twoNodes {
	tn := &twoNodes{n1: newNS(t, "n"), n2: newNS(t, "n"), e1: newNS(t, "vm"), e2: newNS(t, "vm"), l1: newNS(t, "vm"), l2: newNS(t, "vm")}
	veth(t, tn.n1, "underlay", tn.n2, "underlay")
	run(t, "ip", "-n", tn.n1, "addr", "add", vtep1+"/24", "dev", "underlay")
	run(t, "ip", "-n", tn.n2, "addr", "add", vtep2+"/24", "dev", "underlay")
	vm := func(node, ns, tap, mac, ip, gw string) {
		veth(t, node, tap, ns, "eth0")
		run(t, "ip", "-n", ns, "link", "set", "eth0", "address", mac)
		run(t, "ip", "-n", ns, "addr", "add", ip, "dev", "eth0")
		if gw != "" {
			run(t, "ip", "-n", ns, "route", "add", "default", "via", gw)
		}
	}
	vm(tn.n1, tn.e1, "tap-e1", macE1, "10.0.0.1/24", "")
	vm(tn.n2, tn.e2, "tap-e2", macE2, "10.0.0.2/24", "")
	vm(tn.n1, tn.l1, "tap-l1", macL1, "10.1.1.10/24", "10.1.1.1")
	vm(tn.n2, tn.l2, "tap-l2", macL2, "10.2.2.10/24", "10.2.2.1")
	return tn
}

// The states the agents would compute from BGP: n1's EVI has n2's MAC/IP
// route (type 2) and multicast route (type 3), and the other way round;
// each VRF has the other node's port route, label = that port's label.
func eviState(local, remoteVTEP, port, mac, ip, remoteMAC, remoteIP string, withRemote bool) dataplane.EVI {
	e := dataplane.EVI{ID: "evpn_net1", Number: 1, VNI: 5010,
		Ports: []dataplane.Port{{LinuxIf: port, MAC: mustMAC(mac), IPs: []netip.Prefix{pfx(ip)}, Direction: "both", Label: 5010}}}
	if withRemote {
		e.MACs = []dataplane.FDBEntry{{MAC: mustMAC(remoteMAC), IP: addr(remoteIP), VTEP: addr(remoteVTEP), VNI: 5010}}
		e.Flood = []dataplane.FloodEntry{{VTEP: addr(remoteVTEP), VNI: 5010}}
	}
	return e
}

func vrfState(vni, label uint32, gw, port, mac, ip string, remote string, remoteLabel uint32, remoteVTEP string) dataplane.VRF {
	v := dataplane.VRF{ID: "ipvpn_net2", Number: 2, VNI: vni, GatewayIP: addr(gw),
		Ports: []dataplane.Port{{LinuxIf: port, MAC: mustMAC(mac), IPs: []netip.Prefix{pfx(ip)}, Direction: "both", Label: label}}}
	if remote != "" {
		v.Routes = []dataplane.IPRoute{{Prefix: pfx(remote), NextHops: []dataplane.NextHop{{Address: addr(remoteVTEP), Label: remoteLabel, Encap: encapVXLAN}}}}
	}
	return v
}

// ping sends count pings at interval from ns to dst and returns sent and
// received.
func ping(t *testing.T, ns, dst string, count int, interval string) (sent, recv int) {
	t.Helper()
	out, _ := tryRun("ip", "netns", "exec", ns, "ping", "-n", "-q", "-c", strconv.Itoa(count), "-i", interval, "-W", "1", dst)
	m := regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("ping output: %s", out)
	}
	sent, _ = strconv.Atoi(m[1])
	recv, _ = strconv.Atoi(m[2])
	return sent, recv
}

func mustPing(t *testing.T, ns, dst string) {
	t.Helper()
	if sent, recv := ping(t, ns, dst, 3, "0.2"); recv == 0 {
		t.Fatalf("ping %s from %s: %d sent, none received", dst, ns, sent)
	}
}

func mustNotPing(t *testing.T, ns, dst string) {
	t.Helper()
	if _, recv := ping(t, ns, dst, 3, "0.2"); recv != 0 {
		t.Fatalf("ping %s from %s: %d received, want none", dst, ns, recv)
	}
}

// restartLosesNothing closes both nodes' drivers and starts new ones that
// apply the same states while ns pings dst every 10 ms: every ping must
// be answered and n1's kernel must not change. It returns the new
// drivers.
func restartLosesNothing(t *testing.T, tn *twoNodes, what string, old1, old2 *Driver, ns, dst string, s1, s2 dataplane.State) (d1, d2 *Driver) {
	t.Helper()
	old1.Close()
	old2.Close()
	type res struct{ sent, recv int }
	done := make(chan res)
	pingOut := new(lockedBuffer)
	go func() {
		cmd := exec.Command("ip", "netns", "exec", ns, "ping", "-n", "-c", "300", "-i", "0.01", "-W", "1", dst)
		cmd.Stdout, cmd.Stderr = pingOut, pingOut
		_ = cmd.Run()
		m := regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`).FindStringSubmatch(pingOut.String())
		if m == nil {
			done <- res{}
			return
		}
		a, _ := strconv.Atoi(m[1])
		b, _ := strconv.Atoi(m[2])
		done <- res{a, b}
	}()
	// The restart happens under ping: wait for its first answer.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(pingOut.String(), "bytes from") {
		if time.Now().After(deadline) {
			t.Fatalf("no ping answered within 10s before the %s restart:\n%s", what, pingOut.String())
		}
		time.Sleep(5 * time.Millisecond) // polling
	}
	changed := changes(t, tn.n1, func() {
		d1 = newDriver(t, tn.n1, vtep1)
		apply(t, d1, s1)
		d2 = newDriver(t, tn.n2, vtep2)
		apply(t, d2, s2)
	})
	r := <-done
	t.Logf("%s restart: %d pings sent every 10 ms, %d received; kernel changes on n1: %q", what, r.sent, r.recv, changed)
	if r.sent == 0 || r.recv != r.sent {
		t.Errorf("pings during the %s restart: %d sent, %d received, want all", what, r.sent, r.recv)
	}
	if changed != "" {
		t.Errorf("the %s restart changed the kernel:\n%s", what, changed)
	}
	return d1, d2
}

func TestTwoNodesEVPN(t *testing.T) {
	needNetNS(t)
	tn := newTwoNodes(t)
	d1, d2 := newDriver(t, tn.n1, vtep1), newDriver(t, tn.n2, vtep2)
	s1 := dataplane.State{EVIs: []dataplane.EVI{eviState(vtep1, vtep2, "tap-e1", macE1, "10.0.0.1/24", macE2, "10.0.0.2", true)}}
	s2 := dataplane.State{EVIs: []dataplane.EVI{eviState(vtep2, vtep1, "tap-e2", macE2, "10.0.0.2/24", macE1, "10.0.0.1", true)}}
	apply(t, d1, s1)
	apply(t, d2, s2)
	mustPing(t, tn.e1, "10.0.0.2")

	// Withdrawing n2's routes at n1 (type 2 and type 3) breaks it.
	apply(t, d1, dataplane.State{EVIs: []dataplane.EVI{eviState(vtep1, vtep2, "tap-e1", macE1, "10.0.0.1/24", macE2, "10.0.0.2", false)}})
	mustNotPing(t, tn.e1, "10.0.0.2")
	apply(t, d1, s1)
	mustPing(t, tn.e1, "10.0.0.2")

	// Restart both drivers while pinging: nothing changes, nothing lost.
	restartLosesNothing(t, tn, "EVPN", d1, d2, tn.e1, "10.0.0.2", s1, s2)
}

func TestTwoNodesIPVPN(t *testing.T) {
	needNetNS(t)
	tn := newTwoNodes(t)
	d1, d2 := newDriver(t, tn.n1, vtep1), newDriver(t, tn.n2, vtep2)
	// Instance labels 16 (n1) and 18 (n2), port labels 17 and 19: each
	// route carries the port's label, as the agent advertises.
	s1 := dataplane.State{VRFs: []dataplane.VRF{vrfState(16, 17, "10.1.1.1", "tap-l1", macL1, "10.1.1.10/24", "10.2.2.10/32", 19, vtep2)}}
	s2 := dataplane.State{VRFs: []dataplane.VRF{vrfState(18, 19, "10.2.2.1", "tap-l2", macL2, "10.2.2.10/24", "10.1.1.10/32", 17, vtep1)}}
	apply(t, d1, s1)
	apply(t, d2, s2)
	mustPing(t, tn.l1, "10.2.2.10")
	mustPing(t, tn.l2, "10.1.1.10")

	// Withdrawing the remote prefix at n1 breaks it (and nothing leaks
	// through the main table).
	apply(t, d1, dataplane.State{VRFs: []dataplane.VRF{vrfState(16, 17, "10.1.1.1", "tap-l1", macL1, "10.1.1.10/24", "", 0, "")}})
	mustNotPing(t, tn.l1, "10.2.2.10")
	apply(t, d1, s1)
	mustPing(t, tn.l1, "10.2.2.10")

	restartLosesNothing(t, tn, "IP VPN", d1, d2, tn.l1, "10.2.2.10", s1, s2)
}

// TestTwoNodesEVPNAndIPVPN: one node serving an EVI and a VRF at once, on
// default options, carries both between two nodes: EVPN's per-VNI devices
// hold UDP 4789, IP VPN's flow-based device its own 4790 (the kernel lets
// the two kinds share no port; with both on 4789, Apply says so).
func TestTwoNodesEVPNAndIPVPN(t *testing.T) {
	needNetNS(t)
	tn := newTwoNodes(t)
	d1, d2 := newDriver(t, tn.n1, vtep1), newDriver(t, tn.n2, vtep2)
	s1 := dataplane.State{
		EVIs: []dataplane.EVI{eviState(vtep1, vtep2, "tap-e1", macE1, "10.0.0.1/24", macE2, "10.0.0.2", true)},
		VRFs: []dataplane.VRF{vrfState(16, 17, "10.1.1.1", "tap-l1", macL1, "10.1.1.10/24", "10.2.2.10/32", 19, vtep2)},
	}
	s2 := dataplane.State{
		EVIs: []dataplane.EVI{eviState(vtep2, vtep1, "tap-e2", macE2, "10.0.0.2/24", macE1, "10.0.0.1", true)},
		VRFs: []dataplane.VRF{vrfState(18, 19, "10.2.2.1", "tap-l2", macL2, "10.2.2.10/24", "10.1.1.10/32", 17, vtep1)},
	}
	apply(t, d1, s1)
	apply(t, d2, s2)
	mustPing(t, tn.e1, "10.0.0.2")
	mustPing(t, tn.l1, "10.2.2.10")
	mustPing(t, tn.l2, "10.1.1.10")
	if l3, evi := run(t, "ip", "-n", tn.n1, "-d", "link", "show", l3Device), run(t, "ip", "-n", tn.n1, "-d", "link", "show", eviVXLANName(5010)); !strings.Contains(l3, "dstport 4790") || !strings.Contains(evi, "dstport 4789") {
		t.Errorf("ports: %s = %s\n%s = %s; want 4790 and 4789", l3Device, l3, eviVXLANName(5010), evi)
	}

	// IP VPN configured onto EVPN's port: a clear error, and EVPN still
	// forwards.
	apply(t, d1, dataplane.State{EVIs: s1.EVIs})
	d1.Close()
	d1 = newDriver(t, tn.n1, vtep1, func(o *Options) { o.IPVPNVXLANPort = 4789 })
	err := d1.Apply(context.Background(), s1)
	if err == nil || !strings.Contains(err.Error(), "set ipvpn_vxlan_port") {
		t.Errorf("Apply with both VPN types on UDP 4789: error = %v, want one saying to set ipvpn_vxlan_port", err)
	}
	mustPing(t, tn.e1, "10.0.0.2")
}
