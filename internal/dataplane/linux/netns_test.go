package linux

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vishvananda/netns"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// Kernel tests run only when BGPVPN_NETNS_TESTS=1 (scripts/it/dataplane-linux.sh
// sets it and runs them as root); each builds its own namespaces.
const netnsEnv = "BGPVPN_NETNS_TESTS"

func needNetNS(t *testing.T) {
	t.Helper()
	if os.Getenv(netnsEnv) != "1" {
		t.Skipf("kernel test: set %s=1 and run as root", netnsEnv)
	}
	if os.Geteuid() != 0 {
		t.Fatalf("%s=1 but not root: kernel tests need root", netnsEnv)
	}
}

var nsSeq atomic.Int32

// newNS creates a named namespace (lo up) removed when the test ends.
func newNS(t *testing.T, role string) string {
	t.Helper()
	name := fmt.Sprintf("bgvt%d-%s%d", os.Getpid(), role, nsSeq.Add(1))
	run(t, "ip", "netns", "add", name)
	t.Cleanup(func() { _ = exec.Command("ip", "netns", "del", name).Run() })
	run(t, "ip", "-n", name, "link", "set", "lo", "up")
	// IPv6 autoconfiguration and neighbour discovery would show up in
	// the no-change checks; tests that need IPv6 turn it back on.
	run(t, "ip", "netns", "exec", name, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1")
	return name
}

func run(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// tryRun is run for commands that may fail (pings that should not pass).
func tryRun(args ...string) (string, error) {
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	return string(out), err
}

func testLogger(t *testing.T) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newDriver opens a driver on namespace ns (closed when the test ends).
func newDriver(t *testing.T, ns string, local string, mod ...func(*Options)) *Driver {
	t.Helper()
	h, err := netns.GetFromName(ns)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	o := Options{LocalAddress: netip.MustParseAddr(local), NetNS: h, Logger: testLogger(t)}
	for _, m := range mod {
		m(&o)
	}
	d, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// idempotentAndAdopted runs the subtests every state of the driver must
// pass: a second Apply of s changes nothing in ns, and a new driver (on
// local, tied to t) adopts s without change; *d becomes the new driver.
func idempotentAndAdopted(t *testing.T, ns, local string, d **Driver, s dataplane.State) {
	t.Run("apply twice changes nothing", func(t *testing.T) {
		if c := changes(t, ns, func() { apply(t, *d, s) }); c != "" {
			t.Errorf("second Apply changed:\n%s", c)
		}
	})
	t.Run("new driver adopts without change", func(st *testing.T) {
		(*d).Close()
		*d = newDriver(t, ns, local)
		if c := changes(st, ns, func() { apply(st, *d, s) }); c != "" {
			st.Errorf("Apply after restart changed:\n%s", c)
		}
	})
}

func apply(t *testing.T, d *Driver, s dataplane.State) {
	t.Helper()
	if err := d.Apply(context.Background(), s); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// changes runs f and returns what "ip monitor" saw change in ns meanwhile
// (links, addresses, routes, neighbours, rules, netconf).
func changes(t *testing.T, ns string, f func()) string {
	t.Helper()
	cmd := exec.Command("ip", "-n", ns, "monitor", "link", "address", "route", "neigh", "rule", "netconf")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // subscribed
	f()
	time.Sleep(300 * time.Millisecond) // events delivered
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	return strings.TrimSpace(out.String())
}

// veth creates a veth pair: a in namespace nsA, b in nsB.
func veth(t *testing.T, nsA, a, nsB, b string) {
	t.Helper()
	run(t, "ip", "-n", nsA, "link", "add", a, "type", "veth", "peer", "name", b, "netns", nsB)
	run(t, "ip", "-n", nsA, "link", "set", a, "up")
	run(t, "ip", "-n", nsB, "link", "set", b, "up")
}

func mustMAC(s string) dataplane.MAC {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return dataplane.MAC(m)
}

func pfx(s string) netip.Prefix { return netip.MustParsePrefix(s) }
func addr(s string) netip.Addr  { return netip.MustParseAddr(s) }
