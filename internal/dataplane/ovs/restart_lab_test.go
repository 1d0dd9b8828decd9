package ovs

import (
	"os/exec"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// TestRestarts: under a 10 ms ping flood, restarting the agent's driver
// (a new process adopts the flows) loses nothing and changes no flow;
// restarting ovs-vswitchd (which forgets every flow) is recovered by the
// running driver without an agent restart, and the gap is measured.
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

	t.Run("agent", func(t *testing.T) {
		before := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls")
		sent, received := ovslab.Flood(t, vm1, vm2.Addr.Addr().String(), 300, func() {
			d1.Close()
			d1 = newDriver(t, n1)
			apply(t, d1, s1)
		})
		t.Logf("agent restart: %d of %d lost", sent-received, sent)
		if received != sent {
			t.Errorf("agent restart: %d of %d pings lost, want none", sent-received, sent)
		}
		if after := n1.Ofctl(t, "dump-flows", "--no-stats", "br-mpls"); after != before {
			t.Errorf("the new driver changed the flows it adopted:\n%s\nthen\n%s", before, after)
		}
	})

	t.Run("ovs-vswitchd", func(t *testing.T) {
		var restarted time.Time
		sent, received := ovslab.Flood(t, vm1, vm2.Addr.Addr().String(), 500, func() {
			n1.KillDaemon("ovs-vswitchd")
			n1.StartVswitchd(t)
			restarted = time.Now()
			// The userspace datapath's internal ports are tap devices
			// that go with the process: the node's network
			// configuration puts the underlay address back.
			run(t, "ip", "-n", n1.NS, "link", "set", "br-phy", "up")
			_ = exec.Command("ip", "-n", n1.NS, "addr", "add", n1.Addr.String()+"/24", "dev", "br-phy").Run()
			waitPing(t, vm1, vm2.Addr.Addr())
		})
		t.Logf("ovs-vswitchd restart: %d of %d lost (%d ms at 10 ms a packet); forwarding back %v after the new ovs-vswitchd started",
			sent-received, sent, (sent-received)*10, time.Since(restarted).Round(time.Millisecond))
		if received == 0 {
			t.Fatalf("nothing got through")
		}
		// The driver still has its sessions: a change is applied.
		apply(t, d1, ipvpnState(1, vm1, vm2, nil, encapMPLS))
		waitNoPing(t, vm1, vm2.Addr.Addr())
		apply(t, d1, s1)
		waitPing(t, vm1, vm2.Addr.Addr())
	})
}
