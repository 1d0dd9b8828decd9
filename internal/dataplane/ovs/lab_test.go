package ovs

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
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
const ovsEnv = "BGPVPN_OVS_TESTS"

func needOVS(t testing.TB) {
	t.Helper()
	if os.Getenv(ovsEnv) != "1" {
		t.Skipf("Open vSwitch test: set %s=1 and run as root", ovsEnv)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("%s=1 but not root: Open vSwitch tests need root", ovsEnv)
	}
	for _, c := range []string{"ovsdb-server", "ovs-vswitchd", "ovsdb-tool", "ovs-vsctl", "ovs-ofctl", "ip", "ping"} {
		if _, err := exec.LookPath(c); err != nil {
			t.Fatalf("%s=1 but %s is missing: %v", ovsEnv, c, err)
		}
	}
}

func run(t testing.TB, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// lab is an underlay switch (a bridge in namespace sw) and the nodes on it.
type lab struct {
	id string // prefix of every name: bvo-<pid>
	sw string
}

func newLab(t testing.TB) *lab {
	t.Helper()
	l := &lab{id: fmt.Sprintf("bvo-%d", os.Getpid()%100000)}
	l.sw = l.id + "-sw"
	run(t, "ip", "netns", "add", l.sw)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", l.sw).Run() })
	run(t, "ip", "-n", l.sw, "link", "add", "br0", "type", "bridge")
	run(t, "ip", "-n", l.sw, "link", "set", "br0", "up")
	return l
}

// node is a compute node: a namespace with its own Open vSwitch, whose
// underlay address sits on br-phy (native tunnelling of the userspace
// datapath sends tunnels through an OVS bridge).
type node struct {
	ns, dir string
	addr    netip.Addr
	n       int
}

func (l *lab) node(t testing.TB, n int) *node {
	t.Helper()
	nd := &node{ns: fmt.Sprintf("%s-n%d", l.id, n), addr: netip.AddrFrom4([4]byte{192, 0, 2, byte(n)}), n: n}
	dir, err := os.MkdirTemp("", nd.ns+"-")
	if err != nil {
		t.Fatal(err)
	}
	nd.dir = dir
	run(t, "ip", "netns", "add", nd.ns)
	t.Cleanup(func() {
		nd.stopOVS()
		_ = exec.Command("ip", "netns", "del", nd.ns).Run()
		_ = os.RemoveAll(dir)
	})
	run(t, "ip", "-n", nd.ns, "link", "set", "lo", "up")
	// The kernel also sees what arrives on u0 (the userspace datapath
	// reads it with a packet socket); it must not answer ARP there.
	run(t, "ip", "netns", "exec", nd.ns, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv6.conf.all.disable_ipv6=1")
	run(t, "ovsdb-tool", "create", filepath.Join(dir, "conf.db"), "/usr/share/openvswitch/vswitch.ovsschema")
	nd.exec(t, "ovsdb-server", filepath.Join(dir, "conf.db"), "--remote=punix:"+filepath.Join(dir, "db.sock"),
		"--pidfile="+filepath.Join(dir, "ovsdb-server.pid"), "--unixctl="+filepath.Join(dir, "ovsdb-server.ctl"),
		"--log-file="+filepath.Join(dir, "ovsdb-server.log"), "--detach")
	nd.vsctl(t, "--no-wait", "init")
	nd.startVswitchd(t)
	u := fmt.Sprintf("u%d", n)
	run(t, "ip", "-n", l.sw, "link", "add", u, "type", "veth", "peer", "name", "u0", "netns", nd.ns)
	run(t, "ip", "-n", l.sw, "link", "set", u, "master", "br0", "up")
	nd.vsctl(t, "add-br", "br-phy", "--", "set", "bridge", "br-phy", "datapath_type=netdev", "--", "add-port", "br-phy", "u0")
	run(t, "ip", "-n", nd.ns, "link", "set", "u0", "up")
	run(t, "ip", "-n", nd.ns, "link", "set", "br-phy", "up")
	run(t, "ip", "-n", nd.ns, "addr", "add", nd.addr.String()+"/24", "dev", "br-phy")
	return nd
}

func (nd *node) env() []string {
	return append(os.Environ(), "OVS_RUNDIR="+nd.dir, "OVS_DBDIR="+nd.dir, "OVS_LOGDIR="+nd.dir, "OVS_SYSCONFDIR="+nd.dir)
}

func (nd *node) exec(t testing.TB, args ...string) string {
	t.Helper()
	cmd := exec.Command("ip", append([]string{"netns", "exec", nd.ns}, args...)...)
	cmd.Env = nd.env()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s in %s: %v\n%s", strings.Join(args, " "), nd.ns, err, out)
	}
	return string(out)
}

func (nd *node) vsctl(t testing.TB, args ...string) string {
	return nd.exec(t, append([]string{"ovs-vsctl", "--db=unix:" + filepath.Join(nd.dir, "db.sock")}, args...)...)
}

// ofctl runs ovs-ofctl on br-mpls (tests read its output; the driver
// never does).
func (nd *node) ofctl(t testing.TB, args ...string) string {
	return nd.exec(t, append([]string{"ovs-ofctl", "-O", "OpenFlow15"}, args...)...)
}

func (nd *node) startVswitchd(t testing.TB) {
	t.Helper()
	nd.exec(t, "ovs-vswitchd", "unix:"+filepath.Join(nd.dir, "db.sock"), "--pidfile="+filepath.Join(nd.dir, "ovs-vswitchd.pid"),
		"--unixctl="+filepath.Join(nd.dir, "ovs-vswitchd.ctl"), "--log-file="+filepath.Join(nd.dir, "ovs-vswitchd.log"), "--detach")
}

// killDaemon stops the daemon whose pidfile is name and waits for it to
// be gone.
func (nd *node) killDaemon(name string) {
	b, err := os.ReadFile(filepath.Join(nd.dir, name+".pid"))
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
		if p.Signal(syscall0) != nil {
			return
		}
	}
	_ = p.Kill()
}

func (nd *node) stopOVS() {
	nd.killDaemon("ovs-vswitchd")
	nd.killDaemon("ovsdb-server")
}

// driver opens our driver on the node's br-mpls (closed when the test
// ends).
func (nd *node) driver(t testing.TB, mod ...func(*Options)) *Driver {
	t.Helper()
	o := Options{LocalAddress: nd.addr, DatapathType: "netdev", RunDir: nd.dir, VXLANEncap: true, ProxyARP: true, Logger: testLogger().With("node", nd.n)}
	for _, m := range mod {
		m(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := New(ctx, o)
	if err != nil {
		t.Fatalf("New on %s: %v", nd.ns, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// vm is a namespace with eth0 (addr, default route via gw) whose peer,
// name, is in the node's namespace.
type vm struct {
	ns   string
	mac  dataplane.MAC
	addr netip.Prefix
}

func (nd *node) vm(t testing.TB, name string, addr netip.Prefix, gw netip.Addr) vm {
	t.Helper()
	ns := nd.ns + "-" + name
	run(t, "ip", "netns", "add", ns)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", ns).Run() })
	run(t, "ip", "-n", ns, "link", "set", "lo", "up")
	run(t, "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1")
	run(t, "ip", "-n", nd.ns, "link", "add", name, "type", "veth", "peer", "name", "eth0", "netns", ns)
	run(t, "ip", "-n", ns, "addr", "add", addr.String(), "dev", "eth0")
	run(t, "ip", "-n", ns, "link", "set", "eth0", "up")
	run(t, "ip", "-n", nd.ns, "link", "set", name, "up")
	if gw.IsValid() {
		run(t, "ip", "-n", ns, "route", "add", "default", "via", gw.String())
	}
	out := run(t, "ip", "-n", ns, "-o", "link", "show", "eth0")
	f := strings.Fields(out[strings.Index(out, "link/ether"):])
	hw, err := net.ParseMAC(f[1])
	if err != nil {
		t.Fatal(err)
	}
	return vm{ns: ns, mac: dataplane.MAC(hw), addr: addr}
}

// pings reports whether from reaches to (one ping, one second).
func pings(from vm, to netip.Addr) bool {
	return exec.Command("ip", "netns", "exec", from.ns, "ping", "-c", "1", "-W", "1", to.String()).Run() == nil
}

// waitPing waits until from reaches to (or fails the test after 20 s).
func waitPing(t testing.TB, from vm, to netip.Addr) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
		if pings(from, to) {
			return
		}
	}
	t.Fatalf("%s cannot ping %s", from.ns, to)
}

// waitNoPing waits until from no longer reaches to.
func waitNoPing(t testing.TB, from vm, to netip.Addr) {
	t.Helper()
	for end := time.Now().Add(20 * time.Second); time.Now().Before(end); {
		if !pings(from, to) {
			return
		}
	}
	t.Fatalf("%s still pings %s", from.ns, to)
}

func apply(t testing.TB, d *Driver, s dataplane.State) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := d.Apply(ctx, s); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}
