package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// Neutron mode end to end: a real neutron-server (scripts/it/e2e-bagpipe.sh
// starts one, noauth, and names it in BGPVPN_E2E_NEUTRON) owns networks,
// subnets and ports; a second bgpvpn-server in Neutron mode fronts it, and
// two more compute nodes run bgpvpn-agents on that server's feed, peering
// with the lab's reflector.

const neutronFrontURL = "http://" + rootAddr + ":9697"

var neutronComputes = []node{
	{"neutron-compute-1", "bve-n1", "198.18.90.21"},
	{"neutron-compute-2", "bve-n2", "198.18.90.22"},
}

// Networks, subnets and ports created in Neutron through the one endpoint
// (ports bound by the admin, as Nova does), the BGPVPN and its
// associations through the same endpoint: the VMs ping each other across
// the two compute nodes, and stop when the association is deleted, or
// when the port is deleted in Neutron itself.
func TestNeutronOwnsThePorts(t *testing.T) {
	enabled(t)
	neutron := os.Getenv("BGPVPN_E2E_NEUTRON")
	if neutron == "" {
		t.Skip("BGPVPN_E2E_NEUTRON (a neutron-server's URL) not set: scripts/it/e2e-bagpipe.sh starts one")
	}
	startNeutronMode(t, neutron)
	n1, n2 := neutronComputes[0], neutronComputes[1]
	tn := &tenant{t: t, project: "p-neutron-owns-the-ports", base: neutronFrontURL}
	a, b := twoNets(t, tn, "10.121")
	vm1, vm2 := tn.vm(a, n1), tn.vm(b, n2)
	vpn := tn.bgpvpn(obj{"route_targets": []string{newRT()}})
	never(t, vm1, vm2.ip)

	neutronAssoc(tn, vpn, a)
	assocB := neutronAssoc(tn, vpn, b)
	reaches(t, vm1, vm2.ip)
	reaches(t, vm2, vm1.ip)
	hasRoute(t, n1, "ipvpn_"+a.id, host32(vm2.ip), n2.addr)

	tn.delete(false, "/bgpvpn/bgpvpns/"+vpn+"/network_associations/"+assocB)
	cut(t, vm1, vm2.ip)

	neutronAssoc(tn, vpn, b)
	reaches(t, vm1, vm2.ip)
	// Deleted in Neutron itself, not through the front: the mirror sees
	// it at its next read.
	if _, _, err := callAt(neutron, "", "DELETE", "/ports/"+vm2.port, nil); err != nil {
		t.Fatal(err)
	}
	cut(t, vm1, vm2.ip)
	waitFor(t, converge, "neutron-compute-2's instance gone", func() bool {
		var v map[string]any
		return !lgGet(n2, "/vpns/instances/ipvpn_"+b.id, &v)
	})
}

// neutronAssoc associates n once the mirror has read it from Neutron (a
// network created in Neutron is unknown until then: 404).
func neutronAssoc(tn *tenant, vpn string, n network) string {
	tn.t.Helper()
	path := "/bgpvpn/bgpvpns/" + vpn + "/network_associations"
	var id string
	waitFor(tn.t, converge, "network "+n.id+" in the mirror, associated", func() bool {
		code, m, err := tn.call(tn.project, "POST", path, obj{"network_association": obj{"network_id": n.id}})
		if err != nil {
			if code != http.StatusNotFound {
				tn.t.Fatal(err)
			}
			return false
		}
		id = m["network_association"].(obj)["id"].(string)
		return true
	})
	tn.t.Cleanup(func() {
		if code, _, err := tn.call(tn.project, "DELETE", path+"/"+id, nil); err != nil && code != http.StatusNotFound {
			tn.t.Errorf("cleanup: %v", err)
		}
	})
	return id
}

// startNeutronMode starts bgpvpn-server in Neutron mode before neutron
// (resync every second, no bus) and the agents of neutronComputes on its
// feed, and stops them when the test ends.
func startNeutronMode(t *testing.T, neutron string) {
	t.Helper()
	dir := filepath.Join(lab.dir, "neutron")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for _, n := range neutronComputes {
			sh("ip netns del " + n.ns)
		}
	})
	for _, n := range neutronComputes {
		for _, c := range n.plugCmds() {
			mustSh(t, c)
		}
	}
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	conf := write("server.conf", fmt.Sprintf(`[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = %s
heartbeat_interval = 1
[neutron]
auth_type = none
endpoint_override = %s
resync_interval = 1
`, secret, neutron))
	names := []string{"bgpvpn-server-neutron"}
	if err := lab.start(names[0], lab.bin+"/bgpvpn-server", "--config-file", conf, "--bind", rootAddr+":9697",
		"--data-dir", filepath.Join(dir, "data")); err != nil {
		t.Fatal(err)
	}
	for _, n := range neutronComputes {
		name := "agent-" + n.name
		names = append(names, name)
		if err := lab.start(name, "ip", "netns", "exec", n.ns, lab.bin+"/bgpvpn-agent", "--config-file",
			write(n.ns+".conf", agentConfFor(n, neutronFrontURL)), "--log-level", "debug"); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { lab.stop(names...) })
	waitFor(t, 30*time.Second, "bgpvpn-server in Neutron mode", func() bool {
		res, err := http.Get(neutronFrontURL + "/v2.0/bgpvpn/bgpvpns")
		if err == nil {
			res.Body.Close()
		}
		return err == nil && res.StatusCode == http.StatusOK
	})
	for _, n := range neutronComputes {
		waitFor(t, 30*time.Second, n.name+"'s BGP session with the reflector", func() bool {
			var peers []struct{ State string }
			return lgGet(n, "/bgp/peers", &peers) && len(peers) == 1 && peers[0].State == "Established"
		})
	}
}

// stop ends the daemons called names (SIGTERM, then SIGKILL after 5 s).
func (l *labState) stop(names ...string) {
	for _, p := range l.procs {
		for _, name := range names {
			if p.name != name {
				continue
			}
			p.cmd.Process.Signal(syscall.SIGTERM)
			select {
			case <-p.done:
			case <-time.After(5 * time.Second):
				p.cmd.Process.Kill()
				<-p.done
			}
		}
	}
}
