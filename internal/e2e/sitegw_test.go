package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// The operator's PE with a data plane: the lab's FRR PE is control plane
// only (this kernel has no VRF devices and no MPLS routing), so the site
// gateway is a bgpvpn-agent of its own (linux dataplane, IP VPN over
// VXLAN) on node bve-gw, a dynamic client of the reflector like the FRR
// PE, fed by nobody: each test attaches a site to it through its
// bagpipe-compatible REST API, as an operator's provisioning would
// configure a VRF on a PE. A site is a namespace (bve-site<n>) behind an
// interface of the gateway, its VRF importing and exporting the route
// targets the test gives it, advertising the site's subnet; so the VRF
// holds exactly what a PE VRF importing those route targets holds, and
// the site's pings cross the PE's data plane.
var gwNode = node{"site-gw", "bve-gw", "198.18.90.4"}

var (
	gwOnce sync.Once
	gwErr  error
)

// startSiteGateway runs the site gateway once for the whole run.
func startSiteGateway(t testing.TB) {
	t.Helper()
	gwOnce.Do(func() { gwErr = lab.startSiteGateway() })
	if gwErr != nil {
		t.Fatal(gwErr)
	}
	waitFor(t, 30*time.Second, "the site gateway's BGP session with the reflector", func() bool {
		var peers []struct{ State string }
		return lgGet(gwNode, "/bgp/peers", &peers) && len(peers) == 1 && peers[0].State == "Established"
	})
}

func (l *labState) startSiteGateway() error {
	for _, c := range gwNode.plugCmds() {
		if err := sh(c); err != nil {
			return err
		}
	}
	conf := fmt.Sprintf(`[BGP]
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
`, gwNode.addr, rootAddr, asn, bgpPort)
	p := filepath.Join(l.dir, gwNode.ns+".conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		return err
	}
	return l.start("agent-"+gwNode.name, "ip", "netns", "exec", gwNode.ns, l.bin+"/bgpvpn-agent", "--config-file", p, "--log-level", "debug")
}

// site is a customer site behind the gateway: namespace ns, its eth0
// facing the gateway's interface ifc, the addresses addrs (all in
// prefix), in the gateway's VRF vrf.
type site struct {
	ns, ifc, vrf string
	prefix       netip.Prefix
	addrs        []netip.Addr
}

var siteCounter atomic.Int32

// siteAddrs is how many addresses a site has: sources for pings whose
// path through the gateway's ECMP route differs (see crossingSource).
const siteAddrs = 32

// newSite attaches a site (100.64.<n>.0/24, gateway .1, addresses from
// .10) to the gateway, in a VRF importing and exporting rts.
func newSite(t testing.TB, rts ...string) *site {
	t.Helper()
	startSiteGateway(t)
	n := siteCounter.Add(1)
	s := &site{ns: fmt.Sprintf("bve-site%d", n), ifc: fmt.Sprintf("site%d", n), vrf: fmt.Sprintf("site-%d", n),
		prefix: netip.MustParsePrefix(fmt.Sprintf("100.64.%d.0/24", n))}
	gw := s.prefix.Addr().Next()
	for i := range siteAddrs {
		s.addrs = append(s.addrs, netip.AddrFrom4([4]byte{100, 64, byte(n), byte(10 + i)}))
	}
	mac := fmt.Sprintf("02:5e:00:00:%02x:0a", n)
	t.Cleanup(func() {
		s.attachment(t, "detach_localport", mac, gw)
		exec.Command("ip", "netns", "del", s.ns).Run()
		exec.Command("ip", "-n", gwNode.ns, "link", "del", s.ifc).Run()
	})
	cmds := []string{
		"ip netns add " + s.ns,
		"ip -n " + s.ns + " link set lo up",
		"ip link add " + s.ifc + " netns " + gwNode.ns + " type veth peer name eth0 netns " + s.ns,
		"ip -n " + s.ns + " link set eth0 address " + mac,
	}
	for _, a := range s.addrs {
		cmds = append(cmds, "ip -n "+s.ns+" addr add "+netip.PrefixFrom(a, 24).String()+" dev eth0")
	}
	cmds = append(cmds, "ip -n "+s.ns+" link set eth0 up",
		"ip -n "+s.ns+" route replace default via "+gw.String()+" dev eth0",
		"ip -n "+gwNode.ns+" link set "+s.ifc+" up")
	for _, c := range cmds {
		mustSh(t, c)
	}
	s.attachment(t, "attach_localport", mac, gw, rts...)
	return s
}

// attachment posts an attach_localport or detach_localport of the site's
// interface (the site's subnet advertised with the interface's label).
func (s *site) attachment(t testing.TB, call, mac string, gw netip.Addr, rts ...string) {
	t.Helper()
	body := map[string]any{"vpn_type": "ipvpn", "vpn_instance_id": s.vrf, "mac_address": mac,
		"ip_address": netip.PrefixFrom(s.addrs[0], 24).String(), "gateway_ip": gw.String(),
		"local_port": map[string]any{"linuxif": s.ifc}, "advertise_subnet": true,
		"import_rt": rts, "export_rt": rts}
	b, _ := json.Marshal(body)
	c := &http.Client{Timeout: 10 * time.Second}
	res, err := c.Post("http://"+gwNode.addr+":8082/"+call, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Errorf("%s of %s: %v", call, s.vrf, err)
		return
	}
	defer res.Body.Close()
	if res.StatusCode != 200 {
		var msg bytes.Buffer
		msg.ReadFrom(res.Body)
		t.Errorf("%s of %s: %s %s", call, s.vrf, res.Status, msg.String())
	}
}

// routes are the best routes of the site's VRF on the gateway: what the
// PE would forward with.
func (s *site) routes() map[string][]lgRoute { return best(gwNode, s.vrf) }

// pings says whether one ping from src (an address of the site) to dst
// gets an answer within a second.
func (s *site) pings(src, dst netip.Addr) bool {
	return exec.Command("ip", "netns", "exec", s.ns, "ping", "-c", "1", "-W", "1", "-I", src.String(), dst.String()).Run() == nil
}

// reaches waits until the site's first address pings dst.
func (s *site) reaches(t testing.TB, dst netip.Addr) {
	t.Helper()
	waitFor(t, converge, fmt.Sprintf("site %s to ping %s", s.ns, dst), func() bool { return s.pings(s.addrs[0], dst) })
}

// cut waits until the site's first address no longer pings dst, and
// checks it stays so.
func (s *site) cut(t testing.TB, dst netip.Addr) {
	t.Helper()
	waitFor(t, converge, fmt.Sprintf("site %s to stop pinging %s", s.ns, dst), func() bool { return !s.pings(s.addrs[0], dst) })
	for range settle {
		if s.pings(s.addrs[0], dst) {
			t.Fatalf("site %s pings %s, want no connectivity", s.ns, dst)
		}
	}
}

// via asks the gateway's kernel which compute node it sends a ping from
// src to dst to: the next hop of the VRF's route that the kernel's
// multipath hash picks for that flow (the same lookup the packet gets).
func (s *site) via(src, dst netip.Addr) (node, error) {
	out, err := exec.Command("ip", "-n", gwNode.ns, "route", "get", dst.String(), "from", src.String(),
		"iif", s.ifc, "ipproto", "icmp").CombinedOutput()
	if err != nil {
		return node{}, fmt.Errorf("ip route get %s from %s iif %s: %w\n%s", dst, src, s.ifc, err, out)
	}
	f := strings.Fields(string(out))
	for i := range len(f) - 1 {
		if f[i] != "via" {
			continue
		}
		for _, c := range computes {
			if f[i+1] == c.addr {
				return c, nil
			}
		}
	}
	return node{}, fmt.Errorf("the gateway routes %s from %s through no compute node: %s", dst, src, out)
}

// picked are the compute nodes the gateway forwards prefix through: the
// next hops of the VRF's best paths (one with a best path, several with
// ECMP, which the linux dataplane does).
func (s *site) picked(prefix string) []node {
	var out []node
	for _, r := range s.routes()[prefix] {
		for _, c := range computes {
			if r.NextHop == c.addr && !slices.Contains(out, c) {
				out = append(out, c)
			}
		}
	}
	return out
}

// crossingSource waits for an address of the site whose ping to v the
// gateway's kernel sends to a node of picked that does not host v (the
// kernel's route may trail the VRF's best paths a moment). With one best
// path any address does; with ECMP the kernel hashes each (source,
// destination) pair to one path, so that among siteAddrs sources none
// crosses with a chance of 2^-32.
func (s *site) crossingSource(t testing.TB, v *vm, picked []node) (netip.Addr, node) {
	t.Helper()
	var src netip.Addr
	var via node
	var err error
	waitFor(t, converge, fmt.Sprintf("a flow from the site to %s (%s) through another node of %v", v.ip, v.host.name, picked), func() bool {
		for _, a := range s.addrs {
			var n node
			if n, err = s.via(a, v.ip); err != nil {
				return false
			}
			if n != v.host && slices.Contains(picked, n) {
				src, via = a, n
				return true
			}
		}
		return false
	})
	return src, via
}

// vxlanCounts are the packets node n's IP VPN VXLAN device received and
// sent.
func vxlanCounts(t testing.TB, n node) (rx, tx int) {
	t.Helper()
	out, err := exec.Command("ip", "-n", n.ns, "-s", "-j", "link", "show", "bgv-l3").Output()
	if err != nil {
		t.Fatalf("counters of bgv-l3 on %s: %v", n.name, err)
	}
	var links []struct {
		Stats struct {
			RX struct{ Packets int } `json:"rx"`
			TX struct{ Packets int } `json:"tx"`
		} `json:"stats64"`
	}
	if err := json.Unmarshal(out, &links); err != nil || len(links) != 1 {
		t.Fatalf("counters of bgv-l3 on %s: %v: %s", n.name, err, out)
	}
	return links[0].Stats.RX.Packets, links[0].Stats.TX.Packets
}

// transits pings v from src count times, every ping answered, and checks
// that each went through the compute node via, which received it from the
// gateway and sent it on over VXLAN to v's node (its VXLAN device's
// counters grew by at least count both ways; other traffic can only add).
func (s *site) transits(t testing.TB, src netip.Addr, v *vm, via node, count int) {
	t.Helper()
	rx0, tx0 := vxlanCounts(t, via)
	for i := range count {
		if !s.pings(src, v.ip) {
			t.Fatalf("ping %d of %d from the site (%s) to %s on %s through %s lost", i+1, count, src, v.ip, v.host.name, via.name)
		}
	}
	rx1, tx1 := vxlanCounts(t, via)
	if rx1-rx0 < count || tx1-tx0 < count {
		t.Fatalf("pings from the site (%s) to %s on %s: %s's VXLAN device received %d and sent %d packets, want %d each way through it",
			src, v.ip, v.host.name, via.name, rx1-rx0, tx1-tx0, count)
	}
	t.Logf("site %s -> %s (%s): %d pings through %s (its VXLAN rx +%d, tx +%d)", src, v.ip, v.host.name, count, via.name, rx1-rx0, tx1-tx0)
}

// lgRouteStrings is a VRF's table, one line per path, for messages.
func lgRouteStrings(rs map[string][]lgRoute) string {
	var b strings.Builder
	for p, l := range rs {
		for _, r := range l {
			b.WriteString(p + " via " + r.NextHop + " rd " + r.RD + " label " + strconv.Itoa(int(r.Label)) + "\n")
		}
	}
	return b.String()
}
