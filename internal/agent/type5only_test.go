package agent

import (
	"context"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// The evpn-prefix technique: an instance with type 5 on and VPN routes off
// advertises its prefixes as EVPN type 5 routes only; turning VPN routes
// back on advertises both, and turning them off again withdraws the VPN
// routes while the type 5 ones stay.
func TestEVPNType5Only(t *testing.T) {
	ctx := context.Background()
	a, b := twoNodesWith(t, Config{}, Config{})
	if err := b.m.Attach(ctx, ipvpnAttach("vrf-b", "52:54:00:00:00:06", "10.6.0.6/24", "tap-b", rts("64512:10"), rts("64512:2"))); err != nil {
		t.Fatal(err)
	}
	on, off := true, false
	x := ipvpnAttach("vrf-a", "52:54:00:00:00:01", "10.1.0.5/24", "tap-a", rts("64512:11"), rts("64512:10"))
	x.EVPNType5, x.VPNRoutes = &on, &off
	if err := a.m.Attach(ctx, x); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A's type 5 route at B", func() bool { _, ok := received(b, speaker.EVPN)["10.1.0.5/32"]; return ok })
	if vpn := received(b, speaker.VPNv4); len(vpn) != 0 {
		t.Errorf("type 5 only, yet B received VPNv4 routes %v", prefixes(vpn))
	}
	x.VPNRoutes = &on
	if err := a.m.Attach(ctx, x); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A's VPNv4 route at B", func() bool { _, ok := received(b, speaker.VPNv4)["10.1.0.5/32"]; return ok })
	x.VPNRoutes = &off
	if err := a.m.Attach(ctx, x); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "A's VPNv4 route withdrawn at B", func() bool { return len(received(b, speaker.VPNv4)) == 0 })
	if _, ok := received(b, speaker.EVPN)["10.1.0.5/32"]; !ok {
		t.Errorf("the type 5 route went with the VPNv4 one: %v", prefixes(received(b, speaker.EVPN)))
	}
	bad := ipvpnAttach("vrf-c", "52:54:00:00:00:02", "10.2.0.5/24", "tap-c", rts("64512:12"), rts("64512:10"))
	bad.VPNRoutes = &off
	if err := a.m.Attach(ctx, bad); err == nil {
		t.Errorf("VPN routes off without type 5: accepted, want refused (nothing would be advertised)")
	}
}
