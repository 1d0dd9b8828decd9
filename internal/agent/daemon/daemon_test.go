package daemon

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent/agentconf"
	"github.com/bgpvpn/bgpvpn/internal/agent/api"
	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// slowDriver is a dataplane driver whose Apply, once its context ends,
// still takes a while to return (a kernel that answers slowly), and which
// records a Close that comes while an Apply is in progress.
type slowDriver struct {
	applying chan struct{} // closed when the first Apply starts
	closed   chan struct{}
	once     sync.Once

	mu               sync.Mutex
	inApply          int
	closedInApply    bool
	appliedAfterShut bool
}

var slowDrivers = make(chan *slowDriver, 1)

func init() {
	dataplane.Register("slow-test", func(o dataplane.Options) (dataplane.Driver, error) {
		o.Logger.Warn("slow test driver built") // the ring keeps warnings
		d := &slowDriver{applying: make(chan struct{}), closed: make(chan struct{})}
		slowDrivers <- d
		return d, nil
	})
}

func (d *slowDriver) Info() dataplane.Info {
	return dataplane.Info{Name: "slow-test", Encaps: []uint16{8, 10}}
}

func (d *slowDriver) Apply(ctx context.Context, _ dataplane.State) error {
	d.mu.Lock()
	select {
	case <-d.closed:
		d.appliedAfterShut = true
	default:
	}
	d.inApply++
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.inApply--
		d.mu.Unlock()
	}()
	d.once.Do(func() { close(d.applying) })
	<-ctx.Done()
	// The driver is slow to notice: a Close in the meantime is the bug.
	select {
	case <-d.closed:
	case <-time.After(time.Second):
	}
	return ctx.Err()
}

func (d *slowDriver) State() dataplane.State { return dataplane.State{} }

func (d *slowDriver) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.closedInApply = d.inApply > 0
	close(d.closed)
	return nil
}

// Run ends the goroutines it started (here the VPN manager's, in the
// middle of an Apply) before it closes the dataplane, and gives drivers
// the agent's logger.
func TestRunJoinsBeforeClosing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "bgp.conf")
	conf := "[BGP]\nlocal_address = 127.0.0.1\nmy_as = 64512\nlisten = false\n[API]\nhost = 127.0.0.1\nport = 0\n" +
		"[DATAPLANE_DRIVER_IPVPN]\ndataplane_driver = dummy\n[DATAPLANE_DRIVER_EVPN]\ndataplane_driver = dummy\n"
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := agentconf.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	s.IPVPNDriver, s.EVPNDriver = "slow-test", "slow-test"
	ring := api.NewLogRing(100)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, s, Options{Logger: slog.New(ring.Handler(slog.DiscardHandler)), Logs: ring}) }()
	var d *slowDriver
	select {
	case d = <-slowDrivers:
	case err := <-done:
		t.Fatalf("Run = %v before building the driver", err)
	}
	select {
	case <-d.applying:
	case err := <-done:
		t.Fatalf("Run = %v before applying", err)
	case <-time.After(30 * time.Second):
		t.Fatal("no Apply within 30s")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil after its context ended", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.closedInApply || d.appliedAfterShut {
		t.Errorf("driver closed during an Apply: %v, applied after Close: %v; want neither", d.closedInApply, d.appliedAfterShut)
	}
	select {
	case <-d.closed:
	default:
		t.Error("Run returned without closing the driver")
	}
	if !ringHas(ring, "slow test driver built", "vpn_type") {
		t.Error("the driver's log line did not reach the agent's log ring with its vpn_type")
	}
}

// ringHas reports whether ring kept a record with message msg and an
// attribute named attr.
func ringHas(ring *api.LogRing, msg, attr string) bool {
	for _, r := range ring.Records() {
		if _, ok := r.Attrs[attr]; ok && r.Message == msg {
			return true
		}
	}
	return false
}
