// Package ovslab builds Open vSwitch test labs for tests that need real
// forwarding: "compute nodes" that are network namespaces with their own
// ovsdb-server and ovs-vswitchd (userspace datapath, no kernel module),
// joined by an underlay switch namespace, and "VMs", namespaces behind
// ports of a node. Tests of the ovs driver and of the agent use it; it
// needs root and Open vSwitch's programs, and names everything bvo-<pid>-…
//
// It must never be imported by anything but tests.
package ovslab

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// Open vSwitch tests run only when BGPVPN_OVS_TESTS=1
// (scripts/it/dataplane-ovs.sh sets it and runs them as root): each
// builds its own "compute nodes", network namespaces with their own
// ovsdb-server and ovs-vswitchd (userspace datapath, as this machine has
// no Open vSwitch kernel module), joined by an underlay switch namespace,
// and "VMs", namespaces behind OVS ports.
const Env = "BGPVPN_OVS_TESTS"

// Need skips the test unless Env is 1, and fails it when Env is 1 but
// the process is not root or a program is missing.
func Need(t testing.TB) {
	t.Helper()
	if os.Getenv(Env) != "1" {
		t.Skipf("Open vSwitch test: set %s=1 and run as root", Env)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("%s=1 but not root: Open vSwitch tests need root", Env)
	}
	for _, c := range []string{"ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl", "ip", "ping"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("%s=1 but %s is missing: %v", Env, c, err)
		}
	}
}

// Run runs a command, failing the test when it fails, and returns its output.
func Run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// Lab is an underlay switch (a bridge in namespace sw) and the nodes on it.
type Lab struct {
	id string // prefix of every name: bvo-<pid>
	sw string
}

// NewLab makes the underlay switch (removed when the test ends).
func NewLab(t testing.TB) *Lab {
	t.Helper()
	l := &Lab{id: fmt.Sprintf("bvo-%d", os.Getpid()%100000)}
	l.sw = l.id + "-sw"
	Run(t, "ip", "netns", "add", l.sw)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", l.sw).Run() })
	Run(t, "ip", "-n", l.sw, "link", "add", "br0", "type", "bridge")
	Run(t, "ip", "-n", l.sw, "link", "set", "br0", "up")
	return l
}

// Link plugs a new interface name of node nd into bridge br of the
// underlay switch's namespace (made when missing): a second segment,
// apart from br0's.
func (l *Lab) Link(t testing.TB, nd *Node, name, br string) {
	t.Helper()
	if exec.Command("ip", "-n", l.sw, "link", "show", br).Run() != nil {
		Run(t, "ip", "-n", l.sw, "link", "add", br, "type", "bridge")
		Run(t, "ip", "-n", l.sw, "link", "set", br, "up")
	}
	peer := fmt.Sprintf("%s-%d", name, nd.N)
	Run(t, "ip", "-n", l.sw, "link", "add", peer, "type", "veth", "peer", "name", name, "netns", nd.NS)
	Run(t, "ip", "-n", l.sw, "link", "set", peer, "master", br, "up")
	Run(t, "ip", "-n", nd.NS, "link", "set", name, "up")
}

// Node is a compute node: a namespace with its own Open vSwitch, whose
// underlay address sits on br-phy (native tunnelling of the userspace
// datapath sends tunnels through an OVS bridge).
type Node struct {
	NS, Dir string
	Addr    netip.Addr
	N       int
}

// Node makes compute node n (address 192.0.2.n on br-phy).
func (l *Lab) Node(t testing.TB, n int) *Node {
	t.Helper()
	nd := &Node{NS: fmt.Sprintf("%s-n%d", l.id, n), Addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(n)}), N: n}
	dir, err := os.MkdirTemp("", nd.NS+"-")
	if err != nil {
		t.Fatal(err)
	}
	nd.Dir = dir
	Run(t, "ip", "netns", "add", nd.NS)
	t.Cleanup(func() {
		if t.Failed() {
			// What Open vSwitch said, for the failure's report.
			nd.logTail(t)
		}
		nd.stopOVS()
		_ = exec.Command("ip", "netns", "del", nd.NS).Run()
		_ = os.RemoveAll(dir)
	})
	Run(t, "ip", "-n", nd.NS, "link", "set", "lo", "up")
	// The kernel also sees what arrives on u0 (the userspace datapath
	// reads it with a packet socket); it must not answer ARP there.
	Run(t, "ip", "netns", "exec", nd.NS, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv6.conf.all.disable_ipv6=1")
	Run(t, "ovsdb-tool", "create", filepath.Join(dir, "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema")
	nd.StartOVSDB(t)
	nd.Vsctl(t, "--no-wait", "init")
	nd.StartVswitchd(t)
	u := fmt.Sprintf("u%d", n)
	Run(t, "ip", "-n", l.sw, "link", "add", u, "type", "veth", "peer", "name", "u0", "netns", nd.NS)
	Run(t, "ip", "-n", l.sw, "link", "set", u, "master", "br0", "up")
	nd.Vsctl(t, "add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev", "--", "add-port", "br-phy", "u0")
	Run(t, "ip", "-n", nd.NS, "link", "set", "u0", "up")
	Run(t, "ip", "-n", nd.NS, "link", "set", "br-phy", "up")
	Run(t, "ip", "-n", nd.NS, "addr", "add", nd.Addr.String()+"/24", "dev", "br-phy")
	return nd
}

func (nd *Node) env() []string {
	return append(os.Environ(), "OVS_RUNDIR="+nd.Dir, "OVS_DBDIR="+nd.Dir, "OVS_LOGDIR="+nd.Dir, "OVS_SYSCONFDIR="+nd.Dir)
}

// Exec runs a command in the node's namespace with its Open vSwitch.
func (nd *Node) Exec(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", nd.NS}, args...)...)
	cmd.Env = nd.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), nd.NS, err, out)
	}
	return string(out)
}

// Vsctl runs ovs-vsctl on the node's database.
func (nd *Node) Vsctl(t testing.TB, args ...string) string {
	return nd.Exec(t, append([]string{"ovs-vsctl", "--db=unix:" + filepath.Join(nd.Dir, "db.sock")}, args...)...)
}

// Ofctl runs ovs-ofctl on br-mpls (tests read its output; the driver
// never does).
func (nd *Node) Ofctl(t testing.TB, args ...string) string {
	return nd.Exec(t, append([]string{"ovs-ofctl", "-O", "OpenFlow15"}, args...)...)
}

// TryOfctl runs ovs-ofctl as Ofctl does and returns its error rather
// than failing the test (for polling a switch that is restarting).
func (nd *Node) TryOfctl(args ...string) (string, error) {
	cmd := exec.Command("ip", append([]string{"netns", "exec", nd.NS, "ovs-ofctl", "-O", "OpenFlow15"}, args...)...)
	cmd.Env = nd.env()
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// StartOVSDB starts the node's ovsdb-server on its database.
func (nd *Node) StartOVSDB(t testing.TB) {
	t.Helper()
	dir := nd.Dir
	nd.Exec(t, "ovsdb-server", filepath.Join(dir, "conf.db"), "--remote=punix:"+filepath.Join(dir, "db.sock"),
		"--pidfile="+filepath.Join(dir, "ovsdb-server.pid"), "--unixctl="+filepath.Join(dir, "ovsdb-server.ctl"),
		"--log-file="+filepath.Join(dir, "ovsdb-server.log"), "--detach")
}

// StartVswitchd starts the node's ovs-vswitchd.
func (nd *Node) StartVswitchd(t testing.TB) {
	t.Helper()
	nd.Exec(t, "ovs-vswitchd", "unix:"+filepath.Join(nd.Dir, "db.sock"), "--pidfile="+filepath.Join(nd.Dir, "ovs-vswitchd.pid"),
		"--unixctl="+filepath.Join(nd.Dir, "ovs-vswitchd.ctl"), "--log-file="+filepath.Join(nd.Dir, "ovs-vswitchd.log"), "--detach")
}

// KillDaemon stops the daemon whose pidfile is name and waits for it to
// be gone.
func (nd *Node) KillDaemon(name string) {
	b, err := os.ReadFile(filepath.Join(nd.Dir, name+".pid"))
	if err != nil {
		return
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return
	}
	_ = p.Signal(os.Interrupt)
	for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(20 * time.Millisecond) {
		if p.Signal(syscall.Signal(0)) != nil {
			return
		}
	}
	_ = p.Kill()
}

// RSS is the resident memory of the node's daemon name (its pidfile), in
// MiB, or 0 when it cannot be read.
func (nd *Node) RSS(name string) float64 {
	b, err := os.ReadFile(filepath.Join(nd.Dir, name+".pid"))
	if err != nil {
		return 0
	}
	st, err := os.ReadFile("/proc/" + strings.TrimSpace(string(b)) + "/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(st), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.Atoi(f[1])
			return float64(kb) / 1024
		}
	}
	return 0
}

// logTail logs the end of ovs-vswitchd's log and the bridge's ports.
func (nd *Node) logTail(t testing.TB) {
	b, _ := os.ReadFile(filepath.Join(nd.Dir, "ovs-vswitchd.log"))
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	cmd := exec.Command("ip", "netns", "exec", nd.NS, "ovs-vsctl", "--db=unix:"+filepath.Join(nd.Dir, "db.sock"), "--columns=name,type,ofport,error,options", "list", "Interface")
	cmd.Env = nd.env()
	ifs, _ := cmd.CombinedOutput()
	flows, _ := nd.TryOfctl("dump-flows", "--no-names", "br-mpls")
	groups, _ := nd.TryOfctl("dump-groups", "br-mpls")
	links, _ := exec.Command("ip", "-n", nd.NS, "-s", "link").CombinedOutput()
	t.Logf("%s: ovs-vswitchd.log ends with:\n%s\ninterfaces:\n%s\nflows of br-mpls:\n%s\ngroups:\n%s\nlinks:\n%s", nd.NS, strings.Join(lines, "\n"), ifs, flows, groups, links)
}

func (nd *Node) stopOVS() {
	nd.KillDaemon("ovs-vswitchd")
	nd.KillDaemon("ovsdb-server")
}

// VM is a namespace with eth0 (addr, default route via gw) whose peer,
// name, is in the node's namespace.
type VM struct {
	NS   string
	MAC  dataplane.MAC
	Addr netip.Prefix
}

// VM makes a VM behind port name of the node.
func (nd *Node) VM(t testing.TB, name string, addr netip.Prefix, gw netip.Addr) VM {
	t.Helper()
	ns := nd.NS + "-" + name
	Run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	Run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	Run(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
	Run(t, "ip", "-n", nd.NS, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", ns)
	Run(t, "ip", "-n", ns, "addr", "add", addr.String(), "dev", "eth0")
	Run(t, "ip", "-n", ns, "link", "set", "eth0", "up")
	Run(t, "ip", "-n", nd.NS, "link", "set", name, "up")
	if gw.IsValid() {
		Run(t, "ip", "-n", ns, "route", "add", "default", "via", gw.String())
	}
	t.Cleanup(func() {
		if t.Failed() { // before the namespace goes: what the VM saw
			link, _ := exec.Command("ip", "-n", ns, "-s", "link", "show", "eth0").CombinedOutput()
			neigh, _ := exec.Command("ip", "-n", ns, "neigh").CombinedOutput()
			port, _ := exec.Command("ip", "-n", nd.NS, "-s", "link", "show", name).CombinedOutput()
			t.Logf("VM %s:\n%s%s\nits port:\n%s", ns, link, neigh, port)
		}
	})
	out := Run(t, "ip", "-n", ns, "-o", "link", "show", "eth0")
	f := strings.Fields(out[strings.Index(out, "link/ether"):])
	hw, err := net.ParseMAC(f[1])
	if err != nil {
		t.Fatal(err)
	}
	return VM{NS: ns, MAC: dataplane.MAC(hw), Addr: addr}
}

// Pings reports whether from reaches to (one ping, one second).
func Pings(from VM, to netip.Addr) bool {
	return exec.Command("ip", "netns", "exec", from.NS, "ping", "-c", "1", "-W", "1", to.String()).Run() == nil
}

// WaitPing waits until from reaches to (or fails the test after 20 s).
func WaitPing(t testing.TB, from VM, to netip.Addr) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
		if Pings(from, to) {
			return
		}
	}
	t.Fatalf("%s cannot ping %s", from.NS, to)
}

// WaitNoPing waits until from no longer reaches to.
func WaitNoPing(t testing.TB, from VM, to netip.Addr) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
		if !Pings(from, to) {
			return
		}
	}
	t.Fatalf("%s still pings %s", from.NS, to)
}
