package linux

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// The namespace tests need root and create namespaces named bvt-*; they
// run when BGPVPN_IT_NETNS is set (scripts/it/agent-dataplane.sh).
func needNetns(t *testing.T) {
	t.Helper()
	if os.Getenv("BGPVPN_IT_NETNS") == "" {
		t.Skip("BGPVPN_IT_NETNS not set")
	}
	if os.Geteuid() != 0 {
		t.Fatal("BGPVPN_IT_NETNS is set but the test does not run as root")
	}
}

func sh(t *testing.T, cmd string) {
	t.Helper()
	if out, err := exec.Command("sh", "-c", cmd).CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
}

func pings(ns, dst string) bool {
	return exec.Command("ip", "netns", "exec", ns, "ping", "-c", "1", "-W", "1", dst).Run() == nil
}

// Lab is two compute nodes (h1, h2) on an underlay, each with a VM.
type Lab struct{ VM1MAC, VM2MAC string }

// SetupLab builds the namespaces; VM addresses are set by the caller.
func SetupLab(t *testing.T) Lab {
	t.Helper()
	Teardown()
	if os.Getenv("BVT_KEEP") == "" {
		t.Cleanup(Teardown)
	}
	for _, ns := range []string{"bvt-h1", "bvt-h2", "bvt-vm1", "bvt-vm2"} {
		sh(t, "ip netns add "+ns)
		sh(t, "ip -n "+ns+" link set lo up")
	}
	sh(t, "ip link add bvt-u1 netns bvt-h1 type veth peer name bvt-u2 netns bvt-h2")
	sh(t, "ip -n bvt-h1 addr add 192.0.2.1/24 dev bvt-u1 && ip -n bvt-h1 link set bvt-u1 up")
	sh(t, "ip -n bvt-h2 addr add 192.0.2.2/24 dev bvt-u2 && ip -n bvt-h2 link set bvt-u2 up")
	l := Lab{VM1MAC: "52:54:00:77:00:01", VM2MAC: "52:54:00:77:00:02"}
	for i, mac := range []string{l.VM1MAC, l.VM2MAC} {
		n := i + 1
		sh(t, fmt.Sprintf("ip link add tap%d netns bvt-h%d type veth peer name eth0 netns bvt-vm%d", n, n, n))
		sh(t, fmt.Sprintf("ip -n bvt-vm%d link set eth0 address %s up", n, mac))
	}
	return l
}

// Teardown removes the lab's namespaces.
func Teardown() {
	for _, ns := range []string{"bvt-h1", "bvt-h2", "bvt-vm1", "bvt-vm2"} {
		exec.Command("ip", "netns", "del", ns).Run()
	}
}

func mustMAC(s string) dataplane.MAC {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return dataplane.MAC(m)
}

func driverIn(t *testing.T, ns, local string) *Driver {
	t.Helper()
	d, err := New(map[string]string{"local_address": local, "netns": ns, "adopt_grace": "0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func TestEVPNPing(t *testing.T) {
	needNetns(t)
	l := SetupLab(t)
	sh(t, "ip -n bvt-vm1 addr add 10.77.0.1/24 dev eth0")
	sh(t, "ip -n bvt-vm2 addr add 10.77.0.2/24 dev eth0")
	h1, h2 := driverIn(t, "bvt-h1", "192.0.2.1"), driverIn(t, "bvt-h2", "192.0.2.2")
	evi := func(port, localMAC, remoteMAC, remote string) dataplane.State {
		vtep := netip.MustParseAddr(remote)
		return dataplane.State{EVIs: []dataplane.EVI{{ID: "evi", VNI: 5077,
			Ports: []dataplane.Port{{LinuxIf: port, MAC: mustMAC(localMAC)}},
			MACs:  []dataplane.FDBEntry{{MAC: mustMAC(remoteMAC), VTEP: vtep, VNI: 5077}},
			Flood: []dataplane.FloodEntry{{VTEP: vtep, VNI: 5077}}}}}
	}
	s1, s2 := evi("tap1", l.VM1MAC, l.VM2MAC, "192.0.2.2"), evi("tap2", l.VM2MAC, l.VM1MAC, "192.0.2.1")
	ctx := context.Background()
	for range 2 { // the second Apply must change nothing
		if err := h1.Apply(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if err := h2.Apply(ctx, s2); err != nil {
			t.Fatal(err)
		}
	}
	if !pings("bvt-vm1", "10.77.0.2") {
		t.Fatal("vm1 cannot ping vm2 over the EVI")
	}
	// Unplugging the port from one side breaks it.
	s1.EVIs[0].Ports = nil
	if err := h1.Apply(ctx, s1); err != nil {
		t.Fatal(err)
	}
	if pings("bvt-vm1", "10.77.0.2") {
		t.Fatal("vm1 still pings vm2 after its port left the EVI")
	}
	// An empty state removes our devices.
	if err := h1.Apply(ctx, dataplane.State{}); err != nil {
		t.Fatal(err)
	}
	out, _ := exec.Command("ip", "-n", "bvt-h1", "-o", "link").Output()
	if strings.Contains(string(out), "bvvx-") || strings.Contains(string(out), "bvbr-") {
		t.Errorf("devices left after an empty state:\n%s", out)
	}
}

func TestIPVPNPing(t *testing.T) {
	needNetns(t)
	l := SetupLab(t)
	sh(t, "ip -n bvt-vm1 addr add 10.78.0.1/24 dev eth0 && ip -n bvt-vm1 route add default via 10.78.0.254")
	sh(t, "ip -n bvt-vm2 addr add 10.79.0.1/24 dev eth0 && ip -n bvt-vm2 route add default via 10.79.0.254")
	h1, h2 := driverIn(t, "bvt-h1", "192.0.2.1"), driverIn(t, "bvt-h2", "192.0.2.2")
	vrf := func(port, mac, ip, gw, remotePfx, remote string) dataplane.State {
		return dataplane.State{VRFs: []dataplane.VRF{{ID: "vrf", VNI: 5078, GatewayIP: netip.MustParseAddr(gw),
			Ports:  []dataplane.Port{{LinuxIf: port, MAC: mustMAC(mac), IPs: []netip.Prefix{netip.MustParsePrefix(ip)}, Direction: "both"}},
			Routes: []dataplane.IPRoute{{Prefix: netip.MustParsePrefix(remotePfx), NextHops: []dataplane.NextHop{{Address: netip.MustParseAddr(remote), Label: 5078, Encap: 8}}}}}}}
	}
	s1 := vrf("tap1", l.VM1MAC, "10.78.0.1/24", "10.78.0.254", "10.79.0.1/32", "192.0.2.2")
	s2 := vrf("tap2", l.VM2MAC, "10.79.0.1/24", "10.79.0.254", "10.78.0.1/32", "192.0.2.1")
	ctx := context.Background()
	for range 2 {
		if err := h1.Apply(ctx, s1); err != nil {
			t.Fatal(err)
		}
		if err := h2.Apply(ctx, s2); err != nil {
			t.Fatal(err)
		}
	}
	if !pings("bvt-vm1", "10.79.0.1") {
		t.Fatal("vm1 cannot ping vm2 through the VRF")
	}
	s1.VRFs[0].Routes = nil
	if err := h1.Apply(ctx, s1); err != nil {
		t.Fatal(err)
	}
	if pings("bvt-vm1", "10.79.0.1") {
		t.Fatal("vm1 still pings vm2 after the route was withdrawn")
	}
}

// A VRF with many routes: the first Apply writes them, the next ones only
// what changed.
func TestIPVPNScale(t *testing.T) {
	needNetns(t)
	l := SetupLab(t)
	h1 := driverIn(t, "bvt-h1", "192.0.2.1")
	const n = 20000
	v := dataplane.VRF{ID: "vrf", VNI: 5079, GatewayIP: netip.MustParseAddr("10.78.0.254"),
		Ports: []dataplane.Port{{LinuxIf: "tap1", MAC: mustMAC(l.VM1MAC), IPs: []netip.Prefix{netip.MustParsePrefix("10.78.0.1/24")}, Direction: "both"}}}
	for i := range n {
		v.Routes = append(v.Routes, dataplane.IPRoute{Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 100, byte(i >> 8), byte(i)}), 32),
			NextHops: []dataplane.NextHop{{Address: netip.MustParseAddr("192.0.2.2"), Label: 5079, Encap: 8}}})
	}
	s := dataplane.State{VRFs: []dataplane.VRF{v}}
	ctx := context.Background()
	for _, what := range []string{"first", "unchanged"} {
		start := time.Now()
		if err := h1.Apply(ctx, s); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s Apply of a VRF with %d routes: %v", what, n, time.Since(start))
	}
	out, _ := exec.Command("sh", "-c", "ip -n bvt-h1 route show table 105079 | wc -l").Output()
	if got := strings.TrimSpace(string(out)); got != "20002" { // the remote ones, the port's, the gateway
		t.Errorf("table 105079 holds %s routes, want 20002", got)
	}
}
