package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/netip"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// call sends a request to bgpvpn-server as the admin (project "") or as a
// member of project, and decodes the answer.
func call(project, method, path string, body any) (int, map[string]any, error) {
	return callAt(serverURL, project, method, path, body)
}

// callAt is call to the server at base.
func callAt(base, project, method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return 0, nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, base+"/v2.0"+path, rd)
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	if project != "" {
		req.Header.Set("X-User-Id", "user-"+project)
		req.Header.Set("X-Project-Id", project)
		req.Header.Set("X-Roles", "member")
	}
	c := &http.Client{Timeout: timeoutAt(base)}
	res, err := c.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var m map[string]any
	if len(raw) > 0 && json.Unmarshal(raw, &m) != nil {
		return res.StatusCode, nil, fmt.Errorf("%s %s: %s: not JSON: %s", method, path, res.Status, raw)
	}
	if res.StatusCode/100 != 2 {
		return res.StatusCode, m, fmt.Errorf("%s %s: %s %s", method, path, res.Status, raw)
	}
	return res.StatusCode, m, nil
}

// timeoutAt bounds a request to base: our server answers at once; a
// Neutron behind a front (Python, one API worker) may take many seconds
// on a loaded machine.
func timeoutAt(base string) time.Duration {
	if base == serverURL {
		return 10 * time.Second
	}
	return 2 * time.Minute
}

type obj = map[string]any

// tenant is one project of a scenario; everything it creates is deleted
// when the test ends, in reverse order.
type tenant struct {
	t       testing.TB
	project string
	// base is the server it talks to ("": the lab's bgpvpn-server).
	base string
}

// call is call to the tenant's server.
func (tn *tenant) call(project, method, path string, body any) (int, map[string]any, error) {
	if tn.base == "" {
		return call(project, method, path, body)
	}
	return callAt(tn.base, project, method, path, body)
}

func newTenant(t testing.TB) *tenant {
	return &tenant{t: t, project: "p-" + strings.ToLower(strings.NewReplacer("/", "-", "_", "-").Replace(t.Name()))}
}

// do calls as the tenant (admin: as the admin) and fails the test on error.
func (tn *tenant) do(admin bool, method, path string, body any) obj {
	tn.t.Helper()
	p := tn.project
	if admin {
		p = ""
	}
	_, m, err := tn.call(p, method, path, body)
	if err != nil {
		tn.t.Fatal(err)
	}
	return m
}

// create POSTs {kind: body} and registers the DELETE of what it made.
func (tn *tenant) create(admin bool, path, kind string, body obj) obj {
	tn.t.Helper()
	m := tn.do(admin, "POST", path, obj{kind: body})[kind].(obj)
	id := m["id"].(string)
	tn.t.Cleanup(func() {
		p := tn.project
		if admin {
			p = ""
		}
		if code, _, err := tn.call(p, "DELETE", path+"/"+id, nil); err != nil && code != 404 {
			tn.t.Errorf("cleanup: %v", err)
		}
	})
	return m
}

var rtCounter atomic.Int32

// newRT returns a route target no other test uses.
func newRT() string { return fmt.Sprintf("%d:%d", asn, 1000+rtCounter.Add(1)) }

// network: subnet and cidr are its first subnet's.
type network struct{ id, subnet, cidr string }

// network with one subnet per CIDR (IPv4 or IPv6), the first one first.
func (tn *tenant) network(name string, cidrs ...string) network {
	tn.t.Helper()
	n := tn.create(false, "/networks", "network", obj{"name": name})
	out := network{id: n["id"].(string)}
	for i, cidr := range cidrs {
		version := 4
		if netip.MustParsePrefix(cidr).Addr().Is6() {
			version = 6
		}
		s := tn.create(false, "/subnets", "subnet", obj{"network_id": n["id"], "ip_version": version, "cidr": cidr, "name": fmt.Sprintf("%s-sub%d", name, i)})
		if i == 0 {
			out.subnet, out.cidr = s["id"].(string), cidr
		}
	}
	return out
}

// bgpvpn is created by the admin for the tenant's project.
func (tn *tenant) bgpvpn(body obj) string {
	tn.t.Helper()
	body["project_id"] = tn.project
	if body["type"] == nil {
		body["type"] = "l3"
	}
	return tn.create(true, "/bgpvpn/bgpvpns", "bgpvpn", body)["id"].(string)
}

func (tn *tenant) updateBGPVPN(id string, body obj) {
	tn.t.Helper()
	tn.do(true, "PUT", "/bgpvpn/bgpvpns/"+id, obj{"bgpvpn": body})
}

func (tn *tenant) netAssoc(vpn string, n network) string {
	tn.t.Helper()
	return tn.create(false, "/bgpvpn/bgpvpns/"+vpn+"/network_associations", "network_association", obj{"network_id": n.id})["id"].(string)
}

func (tn *tenant) routerAssoc(vpn, router string) string {
	tn.t.Helper()
	return tn.create(false, "/bgpvpn/bgpvpns/"+vpn+"/router_associations", "router_association", obj{"router_id": router})["id"].(string)
}

// portAssoc is made by the admin, as tempest's port-association tests do.
func (tn *tenant) portAssoc(vpn string, port string, routes ...obj) string {
	tn.t.Helper()
	if routes == nil {
		routes = []obj{}
	}
	return tn.create(true, "/bgpvpn/bgpvpns/"+vpn+"/port_associations", "port_association",
		obj{"port_id": port, "routes": routes, "project_id": tn.project})["id"].(string)
}

// router with an interface on each subnet.
func (tn *tenant) router(nets ...network) string {
	tn.t.Helper()
	id := tn.create(false, "/routers", "router", obj{"name": "r"})["id"].(string)
	for _, n := range nets {
		tn.do(false, "PUT", "/routers/"+id+"/add_router_interface", obj{"subnet_id": n.subnet})
		tn.t.Cleanup(func() {
			tn.call(tn.project, "PUT", "/routers/"+id+"/remove_router_interface", obj{"subnet_id": n.subnet})
		})
	}
	return id
}

// bindRouter binds the router's interface ports to a host, as Neutron
// does with the ports of a router an L3 agent on that host serves.
func (tn *tenant) bindRouter(id string, host node) {
	tn.t.Helper()
	for _, p := range tn.do(true, "GET", "/ports?device_id="+id, nil)["ports"].([]any) {
		tn.do(true, "PUT", "/ports/"+p.(obj)["id"].(string), obj{"port": obj{"binding:host_id": host.name}})
	}
}

// deleteRouter deletes a router as tempest's delete_router does: its
// interfaces first, then the router.
func (tn *tenant) deleteRouter(id string, nets ...network) {
	tn.t.Helper()
	for _, n := range nets {
		tn.do(false, "PUT", "/routers/"+id+"/remove_router_interface", obj{"subnet_id": n.subnet})
	}
	tn.delete(false, "/routers/"+id)
}

func (tn *tenant) delete(admin bool, path string) {
	tn.t.Helper()
	tn.do(admin, "DELETE", path, nil)
}

// status of an association ("ACTIVE", "BUILD"…) and its reason.
func (tn *tenant) status(path string) (string, string) {
	_, m, err := tn.call(tn.project, "GET", path, nil)
	if err != nil {
		return err.Error(), ""
	}
	for _, v := range m {
		if a, ok := v.(obj); ok {
			s, _ := a["status"].(string)
			r, _ := a["status_reason"].(string)
			return s, r
		}
	}
	return "", ""
}

// active waits until an association ("network", "router", "port") is
// realised on every host, as its status says.
func (tn *tenant) active(vpn, kind, id string) {
	tn.t.Helper()
	path := "/bgpvpn/bgpvpns/" + vpn + "/" + kind + "_associations/" + id
	var st, reason string
	if err := poll(converge, kind+" association "+id+" ACTIVE", func() bool { st, reason = tn.status(path); return st == "ACTIVE" }); err != nil {
		tn.t.Fatalf("%v: last status %s (%s)", err, st, reason)
	}
}

// vm is a port bound to a compute node and a namespace behind its tap,
// with the port's MAC and fixed IPs and default routes via the gateways,
// as Nova would plug it. IPv6 addresses skip duplicate address detection,
// so that they are usable at once.
type vm struct {
	ns, port, tap string
	host          node
	ip            netip.Addr // the first fixed IP
	ip6           netip.Addr // the first IPv6 one, if any
}

var vmCounter atomic.Int32

func (tn *tenant) vm(n network, host node) *vm {
	tn.t.Helper()
	p := tn.create(true, "/ports", "port", obj{"network_id": n.id, "project_id": tn.project,
		"binding:host_id": host.name, "device_owner": "compute:nova", "device_id": fmt.Sprintf("vm-%d", vmCounter.Load()+1)})
	v := &vm{ns: fmt.Sprintf("bve-vm%d", vmCounter.Add(1)), port: p["id"].(string), host: host}
	v.tap = "tap" + v.port[:11]
	tn.t.Cleanup(func() {
		exec.Command("ip", "netns", "del", v.ns).Run()
		exec.Command("ip", "-n", host.ns, "link", "del", v.tap).Run()
	})
	cmds := []string{
		"ip netns add " + v.ns,
		"ip netns exec " + v.ns + " sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0",
		"ip -n " + v.ns + " link set lo up",
		"ip link add " + v.tap + " netns " + host.ns + " type veth peer name eth0 netns " + v.ns,
		"ip -n " + v.ns + " link set eth0 address " + p["mac_address"].(string),
	}
	var routes []string // once eth0 is up
	for _, f := range p["fixed_ips"].([]any) {
		fixed := f.(obj)
		ip := netip.MustParseAddr(fixed["ip_address"].(string))
		sub := tn.do(false, "GET", "/subnets/"+fixed["subnet_id"].(string), nil)["subnet"].(obj)
		pfx := netip.MustParsePrefix(sub["cidr"].(string))
		if !v.ip.IsValid() {
			v.ip = ip
		}
		family, nodad := "-4", ""
		if ip.Is6() {
			family, nodad = "-6", " nodad"
			if !v.ip6.IsValid() {
				v.ip6 = ip
			}
		}
		cmds = append(cmds, "ip -n "+v.ns+" addr add "+netip.PrefixFrom(ip, pfx.Bits()).String()+" dev eth0"+nodad)
		if gw, _ := sub["gateway_ip"].(string); gw != "" {
			routes = append(routes, "ip -n "+v.ns+" "+family+" route replace default via "+gw+" dev eth0")
		}
	}
	cmds = append(cmds, "ip -n "+v.ns+" link set eth0 up")
	cmds = append(append(cmds, routes...), "ip -n "+host.ns+" link set "+v.tap+" up")
	for _, c := range cmds {
		mustSh(tn.t, c)
	}
	return v
}

// pings says whether one ping from v to dst gets an answer within a second.
func (v *vm) pings(dst netip.Addr) bool {
	return exec.Command("ip", "netns", "exec", v.ns, "ping", "-c", "1", "-W", "1", dst.String()).Run() == nil
}

// echoes counts the ICMP echo requests v received: which VM answered.
func (v *vm) echoes() int {
	out, err := exec.Command("ip", "netns", "exec", v.ns, "cat", "/proc/net/snmp").Output()
	if err != nil {
		return -1
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "Icmp:" {
			continue
		}
		if names == nil {
			names = f
			continue
		}
		for i, n := range names {
			if n == "InEchos" && i < len(f) {
				c, _ := strconv.Atoi(f[i])
				return c
			}
		}
	}
	return -1
}

const (
	converge = 20 * time.Second // longest wait for a change to show in packets
	settle   = 3                // pings that must all fail to call a path broken
)

// reaches waits until from pings dst.
func reaches(t testing.TB, from *vm, dst netip.Addr) {
	t.Helper()
	waitFor(t, converge, fmt.Sprintf("%s (%s) to ping %s", from.ns, from.ip, dst), func() bool { return from.pings(dst) })
}

// cut waits until from no longer pings dst, and checks it stays so.
func cut(t testing.TB, from *vm, dst netip.Addr) {
	t.Helper()
	waitFor(t, converge, fmt.Sprintf("%s (%s) to stop pinging %s", from.ns, from.ip, dst), func() bool { return !from.pings(dst) })
	never(t, from, dst)
}

// never checks that from does not ping dst, a few times.
func never(t testing.TB, from *vm, dst netip.Addr) {
	t.Helper()
	for range settle {
		if from.pings(dst) {
			t.Fatalf("%s (%s) pings %s, want no connectivity", from.ns, from.ip, dst)
		}
	}
}

// lgRoute is a route in the agent's looking glass.
type lgRoute struct {
	RD           string   `json:"rd"`
	Prefix       string   `json:"prefix"`
	Label        uint32   `json:"label"`
	NextHop      string   `json:"next_hop"`
	RouteTargets []string `json:"route_targets"`
	LocalPref    uint32   `json:"local_pref"`
	Source       string   `json:"source"`
}

// lgGet decodes a looking glass answer of n's agent.
func lgGet(n node, path string, v any) bool {
	c := &http.Client{Timeout: 5 * time.Second}
	res, err := c.Get("http://" + n.addr + ":8082/looking-glass" + path)
	if err != nil {
		return false
	}
	defer res.Body.Close()
	return res.StatusCode == 200 && json.NewDecoder(res.Body).Decode(v) == nil
}

// best returns the best routes of a VPN instance on n, by prefix.
func best(n node, instance string) map[string][]lgRoute {
	var m map[string][]lgRoute
	lgGet(n, "/vpns/instances/"+instance+"/best_routes", &m)
	return m
}

// hasRoute waits until n's instance has a best route to prefix with the
// given next hop.
func hasRoute(t testing.TB, n node, instance, prefix, nextHop string) lgRoute {
	t.Helper()
	var got lgRoute
	waitFor(t, converge, fmt.Sprintf("%s's %s to have %s via %s in the looking glass", n.name, instance, prefix, nextHop), func() bool {
		for _, r := range best(n, instance)[prefix] {
			if r.NextHop == nextHop {
				got = r
				return true
			}
		}
		return false
	})
	return got
}

// host32 is the host route of an address (/32, or /128 for IPv6).
func host32(a netip.Addr) string { return netip.PrefixFrom(a, a.BitLen()).String() }
