package e2e

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The lab's underlay: a bridge in namespace bve-ul joins the root namespace
// (bve-root, where bgpvpn-server and the reflector run), the compute
// nodes and the PE.
const (
	underlayNS = "bve-ul"
	rootAddr   = "198.18.90.254"
	serverURL  = "http://" + rootAddr + ":9696"
	bgpPort    = 1179 // not 179: the machine may run a BGP daemon of its own
	secret     = "e2e-shared-secret"
	adoptGrace = 10 // seconds, see agentConf
	asn        = 64512
)

// node is a namespace on the underlay.
type node struct {
	name string // as ports' binding:host_id say it
	ns   string
	addr string
}

var (
	computes = []node{{"compute-1", "bve-h1", "198.18.90.1"}, {"compute-2", "bve-h2", "198.18.90.2"}}
	peNode   = node{"pe", "bve-pe", "198.18.90.3"}
)

// lab is what TestMain brought up; nil when the tests are not enabled.
var lab *labState

type labState struct {
	dir, bin string
	procs    []*proc
	// agentsUp is when the compute nodes' agents started: their adoption
	// grace ends adoptGrace later.
	agentsUp time.Time
}

type proc struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
}

func TestMain(m *testing.M) {
	if os.Getenv("BGPVPN_E2E") == "" {
		os.Exit(m.Run()) // every test skips
	}
	l, err := up()
	code := 1
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e lab:", err)
	} else {
		lab = l
		code = m.Run()
	}
	if l != nil {
		l.stopAll()
		if code != 0 {
			l.dumpLogs()
		}
	}
	if os.Getenv("BVE_KEEP") == "" {
		down()
		if l != nil && code == 0 {
			os.RemoveAll(l.dir) // binaries, configs, logs: kept when a test failed
		}
	}
	os.Exit(code)
}

func enabled(t testing.TB) {
	t.Helper()
	if lab == nil {
		t.Skip("BGPVPN_E2E not set (needs root): end-to-end test skipped")
	}
}

// sh runs a shell command, bounded.
func sh(cmd string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "sh", "-c", cmd).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", cmd, err, out)
	}
	return nil
}

func mustSh(t testing.TB, cmd string) {
	t.Helper()
	if err := sh(cmd); err != nil {
		t.Fatal(err)
	}
}

// down removes everything the lab creates, whatever state it is in.
func down() {
	out, _ := exec.Command("ip", "netns", "list").Output()
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) > 0 && strings.HasPrefix(f[0], "bve-") {
			exec.Command("ip", "netns", "del", f[0]).Run()
		}
	}
	exec.Command("ip", "link", "del", "bve-root").Run()
}

func up() (*labState, error) {
	down()
	dir, err := os.MkdirTemp("", "bgpvpn-e2e-")
	if err != nil {
		return nil, err
	}
	l := &labState{dir: dir, bin: filepath.Join(dir, "bin")}
	build := exec.Command("go", "build", "-o", l.bin+"/", "../../cmd/bgpvpn-server", "../../cmd/bgpvpn-agent")
	if out, err := build.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("building: %w\n%s", err, out)
	}
	cmds := []string{
		"ip netns add " + underlayNS,
		"ip -n " + underlayNS + " link set lo up",
		"ip -n " + underlayNS + " link add br0 type bridge",
		"ip -n " + underlayNS + " link set br0 up",
		"ip link add bve-root type veth peer name root netns " + underlayNS,
		"ip addr add " + rootAddr + "/24 dev bve-root",
		"ip link set bve-root up",
		"ip -n " + underlayNS + " link set root master br0 up",
	}
	for _, n := range append(append([]node{}, computes...), peNode) {
		cmds = append(cmds, n.plugCmds()...)
	}
	for _, c := range cmds {
		if err := sh(c); err != nil {
			return l, err
		}
	}

	conf := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err == nil {
			err = os.WriteFile(p, []byte(text), 0o644)
		}
		return p
	}
	serverConf := conf("server.conf", fmt.Sprintf(`[DEFAULT]
debug = false
[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = %s
heartbeat_interval = 1
# One server for the whole suite (and BenchmarkAssociationToPE's N
# networks): Neutron's default quotas are not what it tests.
[quotas]
quota_network = -1
quota_subnet = -1
quota_port = -1
quota_router = -1
`, secret))
	// The compute nodes are configured peers of the reflector, so that it
	// is a graceful restart helper for them (a restarting agent's routes
	// stay); any other speaker of the underlay (the PE) is a dynamic
	// client.
	rrConf := conf("rr.conf", fmt.Sprintf("[BGP]\nlocal_address = %s\nmy_as = %d\nbgp_port = %d\npeers = %s, %s\nroute_reflector_clients = 198.18.90.0/24\n",
		rootAddr, asn, bgpPort, computes[0].addr, computes[1].addr))
	var agentConfs []string
	for _, n := range computes {
		agentConfs = append(agentConfs, conf(n.ns+".conf", agentConf(n)))
	}
	if err != nil {
		return l, err
	}
	if err := l.start("bgpvpn-server", l.bin+"/bgpvpn-server", "--config-file", serverConf, "--bind", rootAddr+":9696", "--data-dir", filepath.Join(dir, "data")); err != nil {
		return l, err
	}
	if err := l.start("reflector", l.bin+"/bgpvpn-agent", "--route-reflector", "--config-file", rrConf); err != nil {
		return l, err
	}
	l.agentsUp = time.Now()
	for i, n := range computes {
		if err := l.start("agent-"+n.name, "ip", "netns", "exec", n.ns, l.bin+"/bgpvpn-agent", "--config-file", agentConfs[i], "--log-level", "debug"); err != nil {
			return l, err
		}
	}
	if err := poll(15*time.Second, "bgpvpn-server", func() bool {
		res, err := http.Get(serverURL + "/v2.0/extensions")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	}); err != nil {
		return l, err
	}
	for _, n := range computes {
		if err := poll(30*time.Second, n.name+"'s BGP session with the reflector", func() bool {
			var peers []struct{ State string }
			return lgGet(n, "/bgp/peers", &peers) && len(peers) == 1 && peers[0].State == "Established"
		}); err != nil {
			return l, err
		}
	}
	return l, nil
}

// plugCmds make n's namespace and plug it into the underlay's bridge.
func (n node) plugCmds() []string {
	return []string{
		"ip netns add " + n.ns,
		"ip -n " + n.ns + " link set lo up",
		"ip link add ul0 netns " + n.ns + " type veth peer name " + n.ns + " netns " + underlayNS,
		"ip -n " + n.ns + " addr add " + n.addr + "/24 dev ul0",
		"ip -n " + n.ns + " link set ul0 up",
		"ip -n " + underlayNS + " link set " + n.ns + " master br0 up",
		"ip netns exec " + n.ns + " sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0",
		// The taps' IPv6 link-local addresses usable at once.
		"ip netns exec " + n.ns + " sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
	}
}

// agentConf is a compute node's bgp.conf: BGP to the reflector over the
// underlay, the linux dataplane (IP VPN VXLAN on 4790 so that EVPN can
// keep 4789), and the agent feed. A restarted agent (TestAgentRestart)
// adopts what the previous process left: for adopt_grace after it starts
// it only adds, which delays the cuts of a test that runs meanwhile but
// never reaches past converge.
func agentConf(n node) string { return agentConfFor(n, serverURL) }

// agentConfFor is agentConf with the feed of the server at server.
func agentConfFor(n node, server string) string {
	return fmt.Sprintf(`[BGP]
local_address = %[1]s
peers = %[2]s
my_as = %[3]d
enable_rtc = True
bgp_port = %[4]d

[API]
host = %[1]s
port = 8082

[DATAPLANE_DRIVER_IPVPN]
dataplane_driver = linux
ipvpn_vxlan_port = 4790
adopt_grace = %[8]d

[DATAPLANE_DRIVER_EVPN]
dataplane_driver = linux
adopt_grace = %[8]d

[AGENT_FEED]
server_url = %[5]s
shared_secret = %[6]s
host = %[7]s
`, n.addr, rootAddr, asn, bgpPort, server, secret, n.name, adoptGrace)
}

// start runs a daemon that dies with the test binary, its output in a log
// (appended to, so that a restarted daemon's log follows the first one's).
func (l *labState) start(name string, argv ...string) error {
	logf := filepath.Join(l.dir, name+".log")
	f, err := os.OpenFile(logf, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return fmt.Errorf("starting %s: %w", name, err)
	}
	p := &proc{name: name, cmd: cmd, log: logf, done: make(chan struct{})}
	go func() { cmd.Wait(); f.Close(); close(p.done) }()
	for i, old := range l.procs {
		if old.name == name {
			l.procs[i] = p
			return nil
		}
	}
	l.procs = append(l.procs, p)
	return nil
}

// restart stops the daemon called name with sig (SIGTERM: a clean stop;
// SIGKILL: a crash), waits until it is gone, and starts it again with the
// same command line. Only tests that do not run in parallel call it.
func (l *labState) restart(name string, sig syscall.Signal) error {
	var p *proc
	for _, q := range l.procs {
		if q.name == name {
			p = q
		}
	}
	if p == nil {
		return errors.New("no daemon called " + name)
	}
	if err := p.cmd.Process.Signal(sig); err != nil {
		return fmt.Errorf("signalling %s: %w", name, err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		return fmt.Errorf("%s still runs 10 s after %v", name, sig)
	}
	if f, err := os.OpenFile(p.log, os.O_WRONLY|os.O_APPEND, 0); err == nil {
		fmt.Fprintf(f, "--- e2e: %s stopped by %v, started again\n", name, sig)
		f.Close()
	}
	return l.start(name, p.cmd.Args...)
}

func (l *labState) stopAll() {
	for i := len(l.procs) - 1; i >= 0; i-- {
		p := l.procs[i]
		p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			p.cmd.Process.Kill()
			<-p.done
		}
	}
}

func (l *labState) dumpLogs() {
	for _, p := range l.procs {
		b, _ := os.ReadFile(p.log)
		if len(b) > 6000 {
			b = b[len(b)-6000:]
		}
		fmt.Fprintf(os.Stderr, "--- %s log (tail):\n%s\n", p.name, b)
	}
}

// poll waits for cond, checking every 100 ms for at most d.
func poll(d time.Duration, what string, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return errors.New("timed out after " + d.String() + " waiting for " + what)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil
}

func waitFor(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	if err := poll(d, what, cond); err != nil {
		t.Fatal(err)
	}
}
