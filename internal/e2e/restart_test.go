package e2e

import (
	"bytes"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Restarts while VMs ping: what DESIGN.md promises ("restarting any piece
// loses nothing"). These tests stop the lab's daemons, so none of them,
// and no test at all, may run in parallel with them.

// maxLost is how many echo requests of a 10 ms flood ping may go
// unanswered across a restart: the linux dataplane keeps forwarding while
// its agent is away (it never flushes, and a restarted agent only adds
// during adopt_grace) and the reflector keeps the agent's routes while it
// restarts (graceful restart), so only a route replaced in the kernel can
// drop the odd packet.
const maxLost = 5

// flood is a `ping -i 0.01` from a VM, running until stop, printing a
// line per reply (ping flushes each) that the test reads as it goes. What it counts
// as lost is what got no answer: an echo request held in a queue while a
// neighbour was resolved, and answered late, is not lost; one the
// dataplane dropped (no route, a flushed VRF, a port gone) is.
type flood struct {
	cmd *exec.Cmd
	out lockedBuffer
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

// pingReply is a line ping prints for each echo reply.
var pingReply = regexp.MustCompile(`(?m)^\d+ bytes from .* icmp_seq=(\d+)`)

// counts reads, in what the running ping printed, how many echo replies
// came and the highest sequence number answered (about how many requests
// it sent by then).
func (f *flood) counts(*testing.T) (seq, answered int) {
	m := pingReply.FindAllStringSubmatch(f.out.String(), -1)
	for _, r := range m {
		n, _ := strconv.Atoi(r[1])
		seq = max(seq, n)
	}
	return seq, len(m)
}

// until waits, for at most a minute, until the counts of the flood
// satisfy cond.
func (f *flood) until(t *testing.T, what string, cond func(seq, answered int) bool) {
	t.Helper()
	waitFor(t, time.Minute, what, func() bool { return cond(f.counts(t)) })
}

// running waits until the flood has had ten answers.
func (f *flood) running(t *testing.T) {
	t.Helper()
	f.until(t, "ten echo replies", func(_, answered int) bool { return answered >= 10 })
}

// goOn lets the flood go on for n more echo requests answered.
func (f *flood) goOn(t *testing.T, n int) {
	t.Helper()
	seq, _ := f.counts(t)
	f.until(t, fmt.Sprintf("%d more echo requests answered", n), func(s, _ int) bool { return s >= seq+n })
}

func startFlood(t *testing.T, from *vm, dst netip.Addr) *flood {
	t.Helper()
	f := &flood{cmd: exec.Command("ip", "netns", "exec", from.ns, "ping", "-n", "-i", "0.01", "-W", "1", dst.String())}
	f.cmd.Stdout, f.cmd.Stderr = &f.out, &f.out
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.cmd.Process.Kill(); f.cmd.Wait() })
	return f
}

var pingSummary = regexp.MustCompile(`(\d+) packets transmitted, (\d+) received`)

// stop interrupts ping and returns how many echo requests it sent and how
// many got no answer.
func (f *flood) stop(t *testing.T) (sent, lost int) {
	t.Helper()
	f.cmd.Process.Signal(syscall.SIGINT)
	f.cmd.Wait()
	m := pingSummary.FindStringSubmatch(f.out.String())
	if m == nil {
		t.Fatalf("no summary in ping's output: %s", f.out.String())
	}
	sent, _ = strconv.Atoi(m[1])
	received, _ := strconv.Atoi(m[2])
	return sent, sent - received
}

// routeSet is an instance's best routes on a node as "prefix via next
// hop" lines, sorted.
func routeSet(n node, instance string) []string {
	var out []string
	for prefix, rs := range best(n, instance) {
		for _, r := range rs {
			out = append(out, prefix+" via "+r.NextHop)
		}
	}
	slices.Sort(out)
	return out
}

// established says whether n's agent has its BGP session with the reflector.
func established(n node) bool {
	var peers []struct{ State string }
	return lgGet(n, "/bgp/peers", &peers) && len(peers) == 1 && peers[0].State == "Established"
}

// While VM1 (compute-1) and VM2 (compute-2) ping each other every 10 ms,
// compute-1's bgpvpn-agent is stopped (SIGTERM, then in a second round
// SIGKILL, a crash) and started again with the same configuration: once
// it is back its looking glass shows the routes it showed before,
// compute-2 has VM1's route from it, and both associations are ACTIVE
// again. Either way at most maxLost echo requests went unanswered: after
// a crash the reflector keeps the agent's routes (graceful restart), and
// a clean stop closes the session without a NOTIFICATION for the same
// reason (a Hard Reset would make the reflector flush them).
func TestAgentRestart(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.123")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	assocs := []string{tn.netAssoc(vpn, a), tn.netAssoc(vpn, b)}
	for _, id := range assocs {
		tn.active(vpn, "network", id)
	}
	reaches(t, vm1, vm2.ip)
	// compute-2 must no longer be adopting: it would keep VM1's route
	// even if the reflector withdrew it. Its linux driver says when.
	waitFor(t, (adoptGrace+30)*time.Second, "compute-2's adoption grace over", func() bool {
		b, err := os.ReadFile(filepath.Join(lab.dir, "agent-"+h2.name+".log"))
		return err == nil && bytes.Contains(b, []byte("adoption grace over"))
	})
	inst := "ipvpn_" + a.id
	hasRoute(t, h1, inst, host32(vm2.ip), h2.addr)
	before := routeSet(h1, inst)

	for _, round := range []struct {
		sig     syscall.Signal
		maxLost int
	}{{syscall.SIGTERM, maxLost}, {syscall.SIGKILL, maxLost}} {
		sig := round.sig
		t.Run(sig.String(), func(t *testing.T) {
			f := startFlood(t, vm1, vm2.ip)
			f.running(t)
			began := time.Now()
			if err := lab.restart("agent-"+h1.name, sig); err != nil {
				t.Fatal(err)
			}
			waitFor(t, 30*time.Second, "compute-1's agent back, with its BGP session", func() bool { return established(h1) })
			var after []string
			waitFor(t, converge, "compute-1's looking glass to show the routes it showed before the restart", func() bool {
				after = routeSet(h1, inst)
				return slices.Equal(after, before)
			})
			hasRoute(t, h2, "ipvpn_"+b.id, host32(vm1.ip), h1.addr)
			for _, id := range assocs {
				tn.active(vpn, "network", id)
			}
			back := time.Since(began)
			f.goOn(t, 200) // two seconds of it, converged
			sent, lost := f.stop(t)
			t.Logf("%v: agent back and converged in %v; %d of %d echo requests unanswered", sig, back.Round(100*time.Millisecond), lost, sent)
			if lost > round.maxLost {
				t.Errorf("%d of %d echo requests unanswered while compute-1's agent restarted (%v), want at most %d", lost, sent, sig, round.maxLost)
			}
			reaches(t, vm1, vm2.ip)
		})
	}
}

// bgpvpn-server crashes (SIGKILL) and is started again on the same
// database while VM1 and VM2 ping every 10 ms: not one echo request is
// lost (the agents keep what they realised while the feed is away), and
// the agents reconnect: a network associated after the restart, with a VM
// on each compute node, is realised on both.
func TestServerRestart(t *testing.T) {
	enabled(t)
	tn := newTenant(t)
	a, b := twoNets(t, tn, "10.124")
	c := tn.network("C", "10.124.3.0/24")
	vm1, vm2 := tn.vm(a, h1), tn.vm(b, h2)
	vm3, vm4 := tn.vm(c, h1), tn.vm(c, h2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	tn.netAssoc(vpn, a)
	tn.active(vpn, "network", tn.netAssoc(vpn, b))
	reaches(t, vm1, vm2.ip)

	f := startFlood(t, vm1, vm2.ip)
	f.running(t)
	if err := lab.restart("bgpvpn-server", syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 15*time.Second, "bgpvpn-server serving again", func() bool {
		res, err := http.Get(serverURL + "/v2.0/extensions")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == 200
	})
	never(t, vm3, vm2.ip)
	tn.active(vpn, "network", tn.netAssoc(vpn, c))
	reaches(t, vm3, vm2.ip) // compute-1 got C's attachment from the feed
	reaches(t, vm4, vm1.ip) // and so did compute-2
	f.goOn(t, 100)
	sent, lost := f.stop(t)
	t.Logf("server restart: %d of %d echo requests unanswered", lost, sent)
	if lost != 0 {
		t.Errorf("%d of %d echo requests unanswered while bgpvpn-server restarted, want none", lost, sent)
	}
	if sent == 0 {
		t.Error(fmt.Sprintf("no echo request sent: %s", f.out.String()))
	}
}
