package ovs

import (
	"net/netip"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// TestRestarts: under a 10 ms ping flood, restarting the agent's driver
// (a new process adopts the flows) loses nothing and changes no flow;
// restarting ovs-vswitchd (which forgets every flow) is recovered by the
// running driver without an agent restart, and the gap is measured; so
// are a restarted ovsdb-server, a deleted bridge and a renumbered
// OpenFlow port.
func TestRestarts(t *testing.T) {
	needOVS(t)
	l := newLab(t)
	n1, n2 := l.Node(t, 1), l.Node(t, 2)
	vm1, vm2 := n1.VM(t, "vm", vm1IP, gw), n2.VM(t, "vm", vm2IP, gw)
	d1, d2 := newDriver(t, n1), newDriver(t, n2)
	s1 := ipvpnState(1, vm1, vm2, n2, encapMPLS)
	apply(t, d1, s1)
	apply(t, d2, ipvpnState(2, vm2, vm1, n1, encapMPLS))
	waitPing(t, vm1, vm2.Addr.Addr())
	top := t

	t.Run("agent", func(t *testing.T) {
		before := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls")
		r := ovslab.Flood(t, vm1, vm2.Addr.Addr().String(), func() {
			d1.Close()
			d1 = newDriver(top, n1) // lives on for the next subtests
			apply(t, d1, s1)
		})
		t.Logf("agent restart: %v", r)
		if r.Lost() != 0 {
			t.Errorf("agent restart: %v, want none lost", r)
		}
		if after := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls"); after != before {
			t.Errorf("the new driver changed the flows it adopted:\n%s\nthen\n%s", before, after)
		}
	})

	t.Run("ovs-vswitchd", func(t *testing.T) {
		var stopped, started, flowsBack, pingBack time.Duration
		r := ovslab.Flood(t, vm1, vm2.Addr.Addr().String(), func() {
			t0 := time.Now()
			n1.KillDaemon("ovs-vswitchd")
			stopped = time.Since(t0)
			n1.StartVswitchd(t)
			started = time.Since(t0)
			// The userspace datapath's internal ports are tap devices
			// that go with the process: the node's network
			// configuration puts the underlay address back.
			run(t, "ip", "-n", n1.NS, "link", "set", "br-phy", "up")
			_ = exec.Command("ip", "-n", n1.NS, "addr", "add", n1.Addr.String()+"/24", "dev", "br-phy").Run()
			waitOurFlows(t, n1)
			flowsBack = time.Since(t0)
			waitPing(t, vm1, vm2.Addr.Addr())
			pingBack = time.Since(t0)
		})
		t.Logf("ovs-vswitchd restart: %v; old switch gone after %v, new one started after %v, our flows back after %v, a ping after %v",
			r, stopped.Round(time.Millisecond), started.Round(time.Millisecond), flowsBack.Round(time.Millisecond), pingBack.Round(time.Millisecond))
		if r.Received == 0 {
			t.Fatalf("nothing got through: %v", r)
		}
		// The driver still has its sessions: a change is applied.
		apply(t, d1, ipvpnState(1, vm1, vm2, nil, encapMPLS))
		waitNoPing(t, vm1, vm2.Addr.Addr())
		apply(t, d1, s1)
		waitPing(t, vm1, vm2.Addr.Addr())
	})

	t.Run("ovsdb-server", func(t *testing.T) {
		// Forwarding does not depend on it; the driver's OVSDB session
		// comes back by itself: a new port is plugged and used.
		n1.KillDaemon("ovsdb-server")
		n1.StartOVSDB(t)
		vm3 := n1.VM(t, "vm3", netip.MustParsePrefix("10.0.0.3/24"), gw)
		s := ipvpnState(1, vm1, vm2, n2, encapMPLS)
		s.VRFs[0].Ports = append(s.VRFs[0].Ports, dataplane.Port{LinuxIf: "vm3", MAC: vm3.MAC, IPs: []netip.Prefix{vm3.Addr}, Label: 52})
		apply(t, d1, s)
		waitPing(t, vm3, vm1.Addr.Addr())
		waitPing(t, vm1, vm2.Addr.Addr())
		apply(t, d1, s1)
	})

	t.Run("bridge deleted", func(t *testing.T) {
		n1.Vsctl(t, "del-br", "br-mpls")
		waitPing(t, vm1, vm2.Addr.Addr())
		if ports := n1.Vsctl(t, "list-ports", "br-mpls"); !strings.Contains(ports, "vm\n") || !strings.Contains(ports, "mpls_gre\n") {
			t.Errorf("the re-created bridge lacks ports:\n%s", ports)
		}
	})

	t.Run("port renumbered", func(t *testing.T) {
		n1.Vsctl(t, "set", "Interface", "vm", "ofport_request=77")
		waitPing(t, vm1, vm2.Addr.Addr())
		if flows := n1.Ofctl(t, "dump-flows", "--no-stats", "--no-names", "br-mpls"); !strings.Contains(flows, "in_port=77") {
			t.Errorf("no flow of port 77:\n%s", flows)
		}
	})
}

// waitOurFlows waits until nd's br-mpls has flows of ours again.
func waitOurFlows(t *testing.T, nd *node) {
	t.Helper()
	for end := time.Now().Add(30 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		out, _ := nd.TryOfctl("dump-flows", "--no-stats", "br-mpls")
		if strings.Contains(out, "cookie=0xb6b0") {
			return
		}
	}
	t.Fatalf("%s: no flow of ours on br-mpls", nd.NS)
}
