package interop

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func sh(t *testing.T, cmd string) {
	t.Helper()
	if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
}

func pings(ns, dst string) bool {
	return exec.Command("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", dst).Run() == nil
}

// nsLab: compute nodes bvt-h1/h2 on an underlay (192.0.2.1/.2), VMs
// bvt-vm1/vm2 behind tap1/tap2.
func nsLab(t *testing.T) {
	t.Helper()
	down := func() {
		for _, ns := range []string{"bvt-h1", "bvt-h2", "bvt-vm1", "bvt-vm2"} {
			exec.Command("ip", "netns", "del", ns).Run()
		}
	}
	down()
	if os.Getenv("BVT_KEEP") == "" {
		t.Cleanup(down)
	}
	for _, ns := range []string{"bvt-h1", "bvt-h2", "bvt-vm1", "bvt-vm2"} {
		sh(t, "ip netns add "+ns+" && ip -n "+ns+" link set lo up")
	}
	sh(t, "ip link add bvt-u1 netns bvt-h1 type veth peer name bvt-u2 netns bvt-h2")
	sh(t, "ip -n bvt-h1 addr add 192.0.2.1/24 dev bvt-u1 && ip -n bvt-h1 link set bvt-u1 up")
	sh(t, "ip -n bvt-h2 addr add 192.0.2.2/24 dev bvt-u2 && ip -n bvt-h2 link set bvt-u2 up")
	for n := 1; n <= 2; n++ {
		sh(t, fmt.Sprintf("ip link add tap%d netns bvt-h%d type veth peer name eth0 netns bvt-vm%d", n, n, n))
		sh(t, fmt.Sprintf("ip -n bvt-vm%d link set eth0 address 52:54:00:80:00:0%d up", n, n))
		sh(t, fmt.Sprintf("ip -n bvt-vm%d addr add 10.80.0.%d/24 dev eth0 && ip -n bvt-vm%d route add default via 10.80.0.254", n, n, n))
	}
}

func linuxAgentConf(local, rr string, port int, host, vtep string) string {
	c := agentConf(local, rr, port, "graceful_restart_time = 60\n")
	return strings.ReplaceAll(c, "dataplane_driver = dummy\n", fmt.Sprintf(
		"dataplane_driver = linux\ndataplane_local_address = %s\nnetwork_namespace = %s\nadopt_grace = 8\n", vtep, host))
}

// Two agents and a reflector; VMs attached by REST ping each other over
// VXLAN, first in one EVI, then in one VRF; detaching breaks it and an
// agent restart does not.
func TestPingThroughAgents(t *testing.T) {
	if os.Getenv("BGPVPN_IT_NETNS") == "" {
		t.Skip("BGPVPN_IT_NETNS not set")
	}
	nsLab(t)
	port := freePort(t, "127.0.0.60")
	startReflector(t, "127.0.0.60", port)
	confA := linuxAgentConf("127.0.0.61", "127.0.0.60", port, "bvt-h1", "192.0.2.1")
	confB := linuxAgentConf("127.0.0.62", "127.0.0.60", port, "bvt-h2", "192.0.2.2")
	a, b := startAgent(t, confA), startAgent(t, confB)

	evpn := func(n int) string {
		return fmt.Sprintf(`{"vpn_type":"evpn","vpn_instance_id":"evpn_net","mac_address":"52:54:00:80:00:0%d","ip_address":"10.80.0.%d/24","local_port":"tap%d","import_rt":["64512:80"],"export_rt":["64512:80"],"vni":5080}`, n, n, n)
	}
	a.post(t, "/attach_localport", evpn(1))
	b.post(t, "/attach_localport", evpn(2))
	waitFor(t, 30*time.Second, "vm1 pings vm2 over the EVI", func() bool { return pings("bvt-vm1", "10.80.0.2") })

	// Restart agent A while vm1 pings vm2: forwarding goes on.
	var sent, lost atomic.Int32
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			sent.Add(1)
			if !pings("bvt-vm1", "10.80.0.2") {
				lost.Add(1)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}()
	a.stop()
	a = startAgent(t, confA)
	a.post(t, "/attach_localport", evpn(1))
	// Ping until A is back (B's route in A's EVI again), and ten pings
	// more, for A's dataplane to have applied what it learned.
	waitFor(t, 60*time.Second, "B's route in A's EVI after A's restart", func() bool {
		for k := range a.best("evpn_net") {
			if strings.Contains(k, "52:54:00:80:00:02") {
				return true
			}
		}
		return false
	})
	back := sent.Load()
	waitFor(t, 30*time.Second, "ten pings after A is back", func() bool { return sent.Load() >= back+10 })
	close(stop)
	<-done
	if lost.Load() > 0 {
		t.Errorf("%d of %d pings lost while agent A restarted", lost.Load(), sent.Load())
	}
	waitFor(t, 30*time.Second, "vm1 pings vm2 after A's restart", func() bool { return pings("bvt-vm1", "10.80.0.2") })

	// Detaching breaks it (once the adoption grace of A's new driver is
	// over, which the wait covers).
	a.post(t, "/detach_localport", `{"vpn_type":"evpn","vpn_instance_id":"evpn_net","mac_address":"52:54:00:80:00:01","local_port":"tap1"}`)
	waitFor(t, 20*time.Second, "no more ping after detach", func() bool { return !pings("bvt-vm1", "10.80.0.2") })
	b.post(t, "/detach_localport", `{"vpn_type":"evpn","vpn_instance_id":"evpn_net","mac_address":"52:54:00:80:00:02","local_port":"tap2"}`)

	// The same VMs in one VRF: routed over VXLAN, the hosts answering ARP
	// (the VMs forget the MACs they learned over the EVI first).
	sh(t, "ip -n bvt-vm1 neigh flush all && ip -n bvt-vm2 neigh flush all")
	ipvpn := func(n int) string {
		return fmt.Sprintf(`{"vpn_type":"ipvpn","vpn_instance_id":"ipvpn_net","mac_address":"52:54:00:80:00:0%d","ip_address":"10.80.0.%d/24","gateway_ip":"10.80.0.254","local_port":"tap%d","import_rt":["64512:81"],"export_rt":["64512:81"],"vni":5081}`, n, n, n)
	}
	a.post(t, "/attach_localport", ipvpn(1))
	b.post(t, "/attach_localport", ipvpn(2))
	waitFor(t, 30*time.Second, "vm1 pings vm2 through the VRF", func() bool { return pings("bvt-vm1", "10.80.0.2") })
	a.post(t, "/detach_localport", `{"vpn_type":"ipvpn","vpn_instance_id":"ipvpn_net","mac_address":"52:54:00:80:00:01","ip_address":"10.80.0.1/24","local_port":"tap1"}`)
	waitFor(t, 20*time.Second, "no more ping after the VRF detach", func() bool { return !pings("bvt-vm1", "10.80.0.2") })
}
