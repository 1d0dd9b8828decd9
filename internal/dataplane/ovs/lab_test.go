package ovs

import (
	"context"
	"io"
	"log/slog"
	"os"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
	"github.com/bgpvpn/bgpvpn/internal/dataplane/ovs/ovslab"
)

// The Open vSwitch lab (ovslab): run only when BGPVPN_OVS_TESTS=1, as
// root (scripts/it/dataplane-ovs.sh).
type (
	node = ovslab.Node
	vm   = ovslab.VM
)

var (
	needOVS    = ovslab.Need
	newLab     = ovslab.NewLab
	run        = ovslab.Run
	waitPing   = ovslab.WaitPing
	waitNoPing = ovslab.WaitNoPing
)

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: logLevel()}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// newDriver opens our driver on nd's br-mpls (closed when the test ends).
func newDriver(t testing.TB, nd *node, mod ...func(*Options)) *Driver {
	t.Helper()
	o := Options{LocalAddress: nd.Addr, DatapathType: "netdev", RunDir: nd.Dir, VXLANEncap: true, ProxyARP: true, Logger: testLogger().With("node", nd.N)}
	for _, m := range mod {
		m(&o)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	d, err := New(ctx, o)
	if err != nil {
		t.Fatalf("New on %s: %v", nd.NS, err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

func apply(t testing.TB, d *Driver, s dataplane.State) {
	t.Helper()
	applyWithin(t, d, s, 30*time.Second)
}

// applyWithin: Apply for benchmarks of large states.
func applyWithin(t testing.TB, d *Driver, s dataplane.State, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	if err := d.Apply(ctx, s); err != nil {
		t.Fatalf("Apply: %v", err)
	}
}

// logLevel is Debug when BGPVPN_OVS_DEBUG=1 (the driver's timings).
func logLevel() slog.Level {
	if os.Getenv("BGPVPN_OVS_DEBUG") == "1" {
		return slog.LevelDebug
	}
	return slog.LevelInfo
}
