package e2e

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// The external site: an operator's PE (FRR bgpd, without zebra: control
// plane only) peering with the reflector (VPNv4, and EVPN for the
// evpn-prefix technique's type 5 routes) and originating a VPNv4 prefix
// with a route target the admin puts in a BGPVPN.
const (
	frrBgpd  = "/usr/lib/frr/bgpd"
	siteRT   = "64512:900"
	siteRD   = "64512:900"
	sitePfx  = "203.0.113.0/24"
	siteLbl  = 900
	peVTYDir = "pe-vty"
)

var (
	peOnce sync.Once
	peErr  error
)

// startPE runs the PE once for the whole run.
func startPE(t testing.TB) {
	t.Helper()
	if _, err := os.Stat(frrBgpd); err != nil {
		t.Skipf("FRR is not installed (%s): external site test skipped", frrBgpd)
	}
	peOnce.Do(func() { peErr = lab.startPE() })
	if peErr != nil {
		t.Fatal(peErr)
	}
	waitFor(t, 30*time.Second, "the PE's session with the reflector", func() bool {
		out, err := vtysh("show bgp ipv4 vpn summary")
		return err == nil && strings.Contains(out, rootAddr) && !strings.Contains(out, "Active") && !strings.Contains(out, "Connect") && !strings.Contains(out, "Idle")
	})
}

func (l *labState) startPE() error {
	dir := filepath.Join(l.dir, peVTYDir)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	conf := fmt.Sprintf(`hostname bve-pe
log file %[1]s/bgpd.log informational
route-map SITE permit 10
 set extcommunity rt %[2]s
exit
router bgp %[3]d
 bgp router-id %[4]s
 no bgp default ipv4-unicast
 no bgp ebgp-requires-policy
 no bgp network import-check
 neighbor %[5]s remote-as %[3]d
 neighbor %[5]s port %[6]d
 neighbor %[5]s update-source %[4]s
 address-family ipv4 vpn
  neighbor %[5]s activate
  network %[7]s rd %[8]s label %[9]d route-map SITE
 exit-address-family
 address-family l2vpn evpn
  neighbor %[5]s activate
 exit-address-family
exit
`, dir, siteRT, asn, peNode.addr, rootAddr, bgpPort, sitePfx, siteRD, siteLbl)
	p := filepath.Join(dir, "bgpd.conf")
	if err := os.WriteFile(p, []byte(conf), 0o644); err != nil {
		return err
	}
	// -Z: no zebra; -S: stay root; -p 0: no listener (it dials the
	// reflector).
	return l.start("pe-bgpd", "ip", "netns", "exec", peNode.ns, frrBgpd, "-f", p, "-i", filepath.Join(dir, "bgpd.pid"),
		"-z", filepath.Join(dir, "zserv.api"), "--vty_socket", dir, "-Z", "-S", "-l", peNode.addr, "-p", "0", "-P", "0")
}

func vtysh(cmd string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "vtysh", "--vty_socket", filepath.Join(lab.dir, peVTYDir), "-c", cmd).CombinedOutput()
	return string(out), err
}

// The tenant associates its network with the BGPVPN the admin made with
// the site's RT: the PE learns the tenant's port route (the agent's RD,
// the port's label, the RT, the compute node as next hop), and the VRF on
// the compute node imports the site's prefix.
func TestExternalSite(t *testing.T) {
	enabled(t)
	startPE(t)
	tn := newTenant(t)
	a := tn.network("A", "10.120.1.0/24")
	vm1 := tn.vm(a, h1)
	vpn := tn.bgpvpn(obj{"route_targets": []string{siteRT}})
	tn.active(vpn, "network", tn.netAssoc(vpn, a))
	inst := "ipvpn_" + a.id

	r := hasRoute(t, h1, inst, sitePfx, peNode.addr)
	if r.RD != siteRD || r.Label != siteLbl {
		t.Errorf("the site's route on compute-1 = %+v, want RD %s, label %d", r, siteRD, siteLbl)
	}

	var view struct {
		RD string `json:"route_distinguisher"`
	}
	if !lgGet(h1, "/vpns/instances/"+inst, &view) || view.RD == "" {
		t.Fatalf("no RD for %s in compute-1's looking glass", inst)
	}
	var ports map[string]struct {
		Endpoints []struct{ Label uint32 } `json:"endpoints"`
	}
	if !lgGet(h1, "/vpns/instances/"+inst+"/ports", &ports) || len(ports[vm1.tap].Endpoints) == 0 {
		t.Fatalf("no endpoint of %s in %s on compute-1: %+v", vm1.tap, inst, ports)
	}
	label := ports[vm1.tap].Endpoints[0].Label
	want := []string{h1.addr, "RT:" + siteRT, "Remote label: " + strconv.Itoa(int(label))}
	var out string
	waitFor(t, converge, "the tenant's port route at the PE", func() bool {
		out, _ = vtysh("show bgp ipv4 vpn rd " + view.RD + " " + host32(vm1.ip))
		for _, w := range want {
			if !strings.Contains(out, w) {
				return false
			}
		}
		return true
	})

	t.Logf("the PE's view of the port route:\n%s", out)

	// Deleting the BGPVPN withdraws it from the PE.
	tn.delete(true, "/bgpvpn/bgpvpns/"+vpn)
	waitFor(t, converge, "the port route withdrawn from the PE", func() bool {
		out, err := vtysh("show bgp ipv4 vpn")
		return err == nil && !strings.Contains(out, host32(vm1.ip))
	})
}
