// Package bench measures bgpvpn-agent's control plane the way
// bagpipe-anchor.md measured bagpipe-bgp: a table of N VPNv4 routes imported
// into one VRF, its withdrawal, resident memory per route, and M ports
// attached through the REST API. The agent under test is the real binary,
// run as a child process; the route source is an in-process GoBGP speaker.
//
// It must only ever bind loopback addresses.
package bench

import (
	"bufio"
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
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// Options of a run.
type Options struct {
	Agent  string // path of the bgpvpn-agent binary
	Routes int    // N, for the import phase (0: skip)
	Ports  int    // M, for the attach phase (0: skip)
	Out    io.Writer
}

var (
	srcAddr   = netip.MustParseAddr("127.0.0.51")
	agentAddr = netip.MustParseAddr("127.0.0.52")
	rtImport  = rtrd.MustParse("64512:100")
	rtExport  = rtrd.MustParse("64512:200")
)

// Run runs the phases asked for and prints the figures.
func Run(ctx context.Context, o Options) error {
	port, err := freePort(srcAddr)
	if err != nil {
		return err
	}
	src, err := speaker.Start(ctx, speaker.Config{ASN: 64512, RouterID: srcAddr, ListenPort: int32(port), ListenAddresses: []netip.Addr{srcAddr}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	defer src.Stop()
	if err := src.AddPeer(ctx, speaker.Peer{Address: agentAddr, ASN: 64512, Passive: true}); err != nil {
		return err
	}
	ag, err := startAgent(ctx, o.Agent, port)
	if err != nil {
		return err
	}
	defer ag.stop()
	if err := waitFor(ctx, 30*time.Second, func() bool { return established(ctx, src) }); err != nil {
		return fmt.Errorf("agent session: %w", err)
	}
	fmt.Fprintf(o.Out, "agent pid %d, RSS at start %.1f MB\n", ag.cmd.Process.Pid, ag.rssMB())
	sessionSince := peerSince(ctx, src)

	if o.Routes > 0 {
		if err := importPhase(ctx, o, src, ag); err != nil {
			return err
		}
	}
	if o.Ports > 0 {
		if err := attachPhase(ctx, o, src, ag); err != nil {
			return err
		}
	}
	if s := peerSince(ctx, src); !s.Equal(sessionSince) || !established(ctx, src) {
		fmt.Fprintf(o.Out, "SESSION RESET during the run (established since %s, was %s)\n", s, sessionSince)
		return fmt.Errorf("the BGP session was reset")
	}
	fmt.Fprintln(o.Out, "session resets: 0")
	return nil
}

func importPhase(ctx context.Context, o Options, src *speaker.Speaker, ag *agentProc) error {
	n := o.Routes
	routes := make([]speaker.Route, 0, n)
	for i := range n {
		a := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		routes = append(routes, speaker.Route{
			Family: speaker.VPNv4, RD: rtrd.MustParse("64512:9999"), Prefix: netip.PrefixFrom(a, 32),
			Label: uint32(1000 + i%500000), NextHop: netip.MustParseAddr("192.0.2.10"), RTs: []speaker.RT{rtImport},
			LocalPref: 100, Encaps: []speaker.Encap{speaker.EncapMPLS},
		})
	}
	t0 := time.Now()
	for i := 0; i < n; i += 1000 {
		if err := src.Advertise(routes[i:min(i+1000, n)]...); err != nil {
			return err
		}
	}
	fmt.Fprintf(o.Out, "source holds %d routes after %.2f s\n", n, time.Since(t0).Seconds())
	rss0 := ag.rssMB()

	// The VRF is created after the routes exist: the RT constraint route
	// it triggers makes the source send the whole table (bagpipe's "dump"
	// case, which never completed at 100k).
	start := time.Now()
	if err := ag.attach(ctx, "vrf-bench", "52:54:00:ff:00:01", "10.255.0.1/24", "tap-bench"); err != nil {
		return err
	}
	err := waitFor(ctx, 5*time.Minute, func() bool { return ag.entries(ctx, "vrf-bench") >= n })
	if err != nil {
		return fmt.Errorf("import of %d routes: %w (got %d)", n, err, ag.entries(ctx, "vrf-bench"))
	}
	d := time.Since(start)
	time.Sleep(5 * time.Second) // let the heap settle (the agent trims after 2-4 s of quiet)
	if os.Getenv("BGPVPN_BENCH_PAUSE") != "" {
		fmt.Fprintln(o.Out, "paused 30 s for profiling")
		time.Sleep(30 * time.Second)
	}
	rss1 := ag.rssMB()
	fmt.Fprintf(o.Out, "import: %d routes in VRF after %.2f s (%.0f routes/s)\n", n, d.Seconds(), float64(n)/d.Seconds())
	fmt.Fprintf(o.Out, "memory: RSS %.1f MB before, %.1f MB after: %.2f KB per route\n", rss0, rss1, (rss1-rss0)*1024/float64(n))

	start = time.Now()
	for i := 0; i < n; i += 1000 {
		if err := src.Withdraw(routes[i:min(i+1000, n)]...); err != nil {
			return err
		}
	}
	if err := waitFor(ctx, 5*time.Minute, func() bool { return ag.entries(ctx, "vrf-bench") == 0 }); err != nil {
		return fmt.Errorf("withdrawal: %w", err)
	}
	fmt.Fprintf(o.Out, "withdraw: VRF empty after %.2f s\n", time.Since(start).Seconds())
	if err := waitFor(ctx, 60*time.Second, func() bool { return ag.rssMB() < rss0+(rss1-rss0)/2 }); err == nil {
		fmt.Fprintf(o.Out, "memory after withdrawal: RSS %.1f MB (returned)\n", ag.rssMB())
	} else {
		fmt.Fprintf(o.Out, "memory after withdrawal: RSS %.1f MB (not returned within 60 s)\n", ag.rssMB())
	}
	return ag.detach(ctx, "vrf-bench", "52:54:00:ff:00:01", "10.255.0.1/24", "tap-bench")
}

func attachPhase(ctx context.Context, o Options, src *speaker.Speaker, ag *agentProc) error {
	m := o.Ports
	// The source asks for the export RT, as a reflector with interested
	// clients would.
	if err := src.Advertise(speaker.Route{Family: speaker.RTC, OriginASN: 64512, MembershipRT: rtExport, NextHop: srcAddr}); err != nil {
		return err
	}
	seen := make(chan int, 1)
	wctx, cancel := context.WithCancel(ctx)
	defer cancel()
	count := 0
	src.WatchBest(wctx, func(ups []speaker.Update) {
		for _, u := range ups {
			if u.Route.Family != speaker.VPNv4 || !u.Route.Peer.IsValid() {
				continue
			}
			if u.Withdraw {
				count--
			} else {
				count++
			}
		}
		select {
		case seen <- count:
		default:
			<-seen
			seen <- count
		}
	})
	lat := make([]time.Duration, 0, m)
	start := time.Now()
	for i := range m {
		t := time.Now()
		mac := fmt.Sprintf("52:54:00:aa:%02x:%02x", i>>8, i&0xff)
		ip := fmt.Sprintf("10.200.%d.%d/16", i/250, i%250+1)
		if err := ag.attach(ctx, "vrf-ports", mac, ip, "tap"+strconv.Itoa(i)); err != nil {
			return err
		}
		lat = append(lat, time.Since(t))
	}
	calls := time.Since(start)
	last := 0
	err := waitFor(ctx, 60*time.Second, func() bool {
		select {
		case last = <-seen:
			seen <- last
		default:
		}
		return last >= m
	})
	if err != nil {
		return fmt.Errorf("ports at the peer: %w (got %d)", err, last)
	}
	atPeer := time.Since(start)
	slices.Sort(lat)
	fmt.Fprintf(o.Out, "attach: %d ports in %.2f s (%.0f/s), per call p50 %.2f ms p99 %.2f ms; all %d routes at the peer after %.2f s\n",
		m, calls.Seconds(), float64(m)/calls.Seconds(), ms(lat[len(lat)/2]), ms(lat[len(lat)*99/100]), m, atPeer.Seconds())
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func established(ctx context.Context, s *speaker.Speaker) bool {
	ps, err := s.Peers(ctx)
	return err == nil && len(ps) == 1 && ps[0].State == "Established"
}

func peerSince(ctx context.Context, s *speaker.Speaker) time.Time {
	ps, _ := s.Peers(ctx)
	if len(ps) != 1 {
		return time.Time{}
	}
	return ps[0].LastTransition
}

func waitFor(ctx context.Context, d time.Duration, cond func() bool) error {
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("timed out after %s", d)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func freePort(a netip.Addr) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(a.String(), "0"))
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

type agentProc struct {
	cmd  *exec.Cmd
	api  string
	http *http.Client
	dir  string
}

func startAgent(ctx context.Context, bin string, bgpPort int) (*agentProc, error) {
	apiPort, err := freePort(netip.MustParseAddr("127.0.0.1"))
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "bgpvpn-bench")
	if err != nil {
		return nil, err
	}
	conf := fmt.Sprintf("[BGP]\nlocal_address = %s\npeers = %s\nmy_as = 64512\nenable_rtc = True\nbgp_port = %d\n[API]\nhost = 127.0.0.1\nport = %d\n", agentAddr, srcAddr, bgpPort, apiPort)
	p := filepath.Join(dir, "bgp.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "agent.log"))
	if err != nil {
		return nil, err
	}
	args := []string{"--config-file", p, "--log-level", "warn"}
	if pp := os.Getenv("BGPVPN_BENCH_PPROF"); pp != "" {
		args = append(args, "--pprof-addr", pp)
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	a := &agentProc{cmd: cmd, api: fmt.Sprintf("http://127.0.0.1:%d", apiPort), http: &http.Client{Timeout: 30 * time.Second}, dir: dir}
	if err := waitFor(ctx, 15*time.Second, func() bool {
		r, err := a.http.Get(a.api + "/ping")
		if err == nil {
			r.Body.Close()
		}
		return err == nil
	}); err != nil {
		a.stop()
		return nil, fmt.Errorf("agent API: %w (log in %s)", err, dir)
	}
	return a, nil
}

func (a *agentProc) stop() {
	a.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { a.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		a.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(a.dir)
}

func (a *agentProc) post(ctx context.Context, path string, body map[string]any) error {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequestWithContext(ctx, "POST", a.api+path, bytes.NewReader(b))
	resp, err := a.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return fmt.Errorf("POST %s: %d %s", path, resp.StatusCode, out)
	}
	return nil
}

func (a *agentProc) attach(ctx context.Context, vrf, mac, ip, ifname string) error {
	return a.post(ctx, "/attach_localport", map[string]any{
		"vpn_type": "ipvpn", "vpn_instance_id": vrf, "mac_address": mac, "ip_address": ip, "gateway_ip": "10.255.0.254",
		"local_port": map[string]any{"linuxif": ifname}, "import_rt": []string{rtImport.String()}, "export_rt": []string{rtExport.String()},
	})
}

func (a *agentProc) detach(ctx context.Context, vrf, mac, ip, ifname string) error {
	return a.post(ctx, "/detach_localport", map[string]any{
		"vpn_type": "ipvpn", "vpn_instance_id": vrf, "mac_address": mac, "ip_address": ip, "local_port": ifname,
	})
}

// entries reads the VRF's tracked entries (prefixes with routes).
func (a *agentProc) entries(ctx context.Context, vrf string) int {
	req, _ := http.NewRequestWithContext(ctx, "GET", a.api+"/looking-glass/vpns/instances/"+vrf, nil)
	resp, err := a.http.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var v struct {
		Counts map[string]int `json:"route_counts"`
	}
	if json.NewDecoder(resp.Body).Decode(&v) != nil {
		return -1
	}
	return v.Counts["tracked_entries"]
}

func (a *agentProc) rssMB() float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", a.cmd.Process.Pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}
