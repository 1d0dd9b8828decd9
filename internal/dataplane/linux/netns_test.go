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
	"sync"
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
// (links, addresses, routes, neighbours, rules, netconf). A blackhole
// route added before f and one added after it (in a table of their own)
// mark, in the monitor's output, that it listens and that f's changes,
// which come before the second, have all been printed; their own records
// are left out.
func changes(t *testing.T, ns string, f func()) string {
	t.Helper()
	cmd := exec.Command("ip", "-n", ns, "monitor", "link", "address", "route", "neigh", "rule", "netconf")
	out := new(lockedBuffer)
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	// Until ip monitor has subscribed, a mark goes unseen: it is then
	// taken away and made again.
	mark := func(dst string) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			run(t, "ip", "-n", ns, "route", "add", "blackhole", dst, "table", markTable)
			seen := false
			for try := time.Now().Add(200 * time.Millisecond); !seen && time.Now().Before(try); {
				time.Sleep(5 * time.Millisecond) // polling
				seen = strings.Contains(out.String(), dst)
			}
			run(t, "ip", "-n", ns, "route", "del", "blackhole", dst, "table", markTable)
			if seen {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("ip monitor did not report the route %s within 10s:\n%s", dst, out.String())
			}
		}
	}
	mark(markPrefix + "0")
	f()
	mark(markPrefix + "1")
	return withoutRecords(out.String(), markPrefix)
}

// The marks of changes: routes to 198.51.100.250 and .251 (TEST-NET-2)
// in a table none of our code uses.
const (
	markPrefix = "198.51.100.25"
	markTable  = "250"
)

// noTentative waits until duplicate address detection is over for every
// IPv6 address of ns.
func noTentative(t *testing.T, ns string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		out := run(t, "ip", "-n", ns, "-6", "addr", "show", "tentative")
		if strings.TrimSpace(out) == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("IPv6 addresses of %s still tentative after 15s:\n%s", ns, out)
		}
		time.Sleep(50 * time.Millisecond) // polling
	}
}

// withoutRecords drops from ip monitor's output the records (a line and
// the indented lines that continue it) whose first line contains s.
func withoutRecords(out, s string) string {
	var keep []string
	drop := false
	for _, l := range strings.Split(out, "\n") {
		if !strings.HasPrefix(l, " ") && !strings.HasPrefix(l, "\t") {
			drop = strings.Contains(l, s)
		}
		if !drop {
			keep = append(keep, l)
		}
	}
	return strings.TrimSpace(strings.Join(keep, "\n"))
}

// lockedBuffer is a bytes.Buffer written by a command and read by a test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
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
