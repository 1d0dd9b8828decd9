package agent

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// Two VMs behind one OVS patch port (networking-bagpipe's
// local_port {linuxif: patch2tun:<vlan>, ovs: {…}}) are two ports for the
// dataplane, each with its MAC and address, and local_port.ovs reaches
// the driver.
func TestOVSPortsBehindOnePatchPort(t *testing.T) {
	ctx := context.Background()
	n := newNode(t, "127.0.0.21", -1, Config{})
	ovs := &dataplane.OVSPort{Plugged: true, PortNumber: 4, VLAN: 3}
	for _, vm := range []struct{ mac, ip string }{{"fa:16:3e:00:00:01", "10.0.0.5/24"}, {"fa:16:3e:00:00:02", "10.0.0.6/24"}} {
		a := ipvpnAttach("ipvpn_net", vm.mac, vm.ip, "patch2tun:3", rts("64512:1"), rts("64512:1"))
		a.LocalPort.OVS = ovs
		if err := n.m.Attach(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the VRF in the dataplane", func() bool { return len(n.ipvpn.State().VRFs) == 1 })
	var got []string
	for _, p := range n.ipvpn.State().VRFs[0].Ports {
		got = append(got, p.LinuxIf+" "+p.MAC.String()+" "+p.IPs[0].String())
		if p.OVS == nil || *p.OVS != *ovs {
			t.Errorf("port %s %s: OVS = %v, want %v", p.LinuxIf, p.MAC, p.OVS, ovs)
		}
	}
	want := []string{"patch2tun:3 fa:16:3e:00:00:01 10.0.0.5/24", "patch2tun:3 fa:16:3e:00:00:02 10.0.0.6/24"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("dataplane ports (-want +got):\n%s", diff)
	}
}
