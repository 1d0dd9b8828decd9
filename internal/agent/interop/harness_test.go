package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent/agentconf"
	"github.com/bgpvpn/bgpvpn/internal/agent/api"
	"github.com/bgpvpn/bgpvpn/internal/agent/daemon"
	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/linux"
)

func need(t *testing.T, env string, bins ...string) {
	t.Helper()
	if os.Getenv(env) == "" {
		t.Skipf("%s not set: interop test skipped", env)
	}
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Fatalf("%s is set but %s is missing: %v", env, b, err)
		}
	}
}

func freePort(t *testing.T, addr string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(addr, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startProc runs a daemon that dies with the test binary, logging to a file
// shown when the test fails.
func startProc(t *testing.T, name string, args ...string) *exec.Cmd {
	t.Helper()
	logf := filepath.Join(t.TempDir(), filepath.Base(name)+".log")
	f, err := os.Create(logf)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL, Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", name, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		f.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logf)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("--- %s log (tail):\n%s", name, b)
		}
	})
	return cmd
}

// waitFor polls cond every 50 ms for at most d.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", d, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// agentProc is an in-process bgpvpn-agent.
type agentProc struct {
	api    string
	cancel context.CancelFunc
	done   chan error
}

func startAgent(t *testing.T, conf string) *agentProc {
	t.Helper()
	p := filepath.Join(t.TempDir(), "bgp.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := agentconf.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	ring := api.NewLogRing(100)
	var h slog.Handler = slog.DiscardHandler
	if os.Getenv("BGPVPN_IT_LOG") != "" {
		h = slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug})
	}
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan string, 1)
	a := &agentProc{cancel: cancel, done: make(chan error, 1)}
	go func() {
		a.done <- daemon.Run(ctx, s, daemon.Options{Logger: slog.New(ring.Handler(h)), Logs: ring, Version: "it", Ready: func(addr string) { ready <- addr }})
	}()
	select {
	case a.api = <-ready:
	case err := <-a.done:
		cancel()
		t.Fatalf("agent did not start: %v", err)
	case <-time.After(10 * time.Second):
		cancel()
		t.Fatal("agent did not start in 10 s")
	}
	t.Cleanup(a.stop)
	return a
}

func (a *agentProc) stop() {
	a.cancel()
	select {
	case <-a.done:
	case <-time.After(10 * time.Second):
	}
}

func (a *agentProc) post(t *testing.T, path, body string) {
	t.Helper()
	resp, err := http.Post("http://"+a.api+path, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST %s = %d %s", path, resp.StatusCode, b)
	}
}

// get decodes a looking glass answer into v; false when it is not 200.
func (a *agentProc) get(path string, v any) bool {
	resp, err := http.Get("http://" + a.api + path)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return false
	}
	return json.NewDecoder(resp.Body).Decode(v) == nil
}

type lgRoute struct {
	RD           string   `json:"rd"`
	Prefix       string   `json:"prefix"`
	MAC          string   `json:"mac"`
	Label        uint32   `json:"label"`
	NextHop      string   `json:"next_hop"`
	RouteTargets []string `json:"route_targets"`
	LocalPref    uint32   `json:"local_pref"`
	Encaps       []string `json:"encapsulations"`
	RouterMAC    string   `json:"router_mac"`
	GatewayIP    string   `json:"gateway_ip"`
	Source       string   `json:"source"`
	Reason       string   `json:"reason"`
}

func (a *agentProc) best(id string) map[string][]lgRoute {
	var m map[string][]lgRoute
	a.get("/looking-glass/vpns/instances/"+id+"/best_routes", &m)
	return m
}

func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out.String())
	}
	return out.String()
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }

func agentConf(local string, peer string, bgpPort int, extra string) string {
	return fmt.Sprintf(`[BGP]
local_address = %s
peers = %s
my_as = 64512
enable_rtc = True
bgp_port = %d
%s
[API]
host = 127.0.0.1
port = 0

[DATAPLANE_DRIVER_IPVPN]
dataplane_driver = dummy

[DATAPLANE_DRIVER_EVPN]
dataplane_driver = dummy
`, local, peer, bgpPort, extra)
}

func cliOutput(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return string(out), err
}

// startReflector runs bgpvpn-agent --route-reflector in-process.
func startReflector(t *testing.T, addr string, port int) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "rr.conf")
	conf := fmt.Sprintf("[BGP]\nlocal_address = %s\nmy_as = 64512\nbgp_port = %d\nroute_reflector_clients = 127.0.0.0/8\n", addr, port)
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := agentconf.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	ready := make(chan struct{})
	go func() {
		done <- daemon.RunReflector(ctx, s, daemon.Options{Logger: slog.New(slog.DiscardHandler), Ready: func(string) { close(ready) }})
	}()
	select {
	case <-ready:
	case err := <-done:
		t.Fatalf("reflector: %v", err)
	}
	t.Cleanup(func() { cancel(); <-done })
}
