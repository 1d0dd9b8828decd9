package network

import (
	"net/netip"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/google/go-cmp/cmp"
)

func TestDefaultPools(t *testing.T) {
	tests := []struct {
		cidr, gw string
		want     []store.IPRange
	}{
		{"192.168.24.0/24", "192.168.24.1", []store.IPRange{rng("192.168.24.2", "192.168.24.254")}},
		{"10.0.0.0/29", "10.0.0.4", []store.IPRange{rng("10.0.0.1", "10.0.0.3"), rng("10.0.0.5", "10.0.0.6")}},
		{"10.0.0.0/24", "", []store.IPRange{rng("10.0.0.1", "10.0.0.254")}},
		{"2001:db8::/64", "2001:db8::1", []store.IPRange{rng("2001:db8::2", "2001:db8::ffff:ffff:ffff:ffff")}},
	}
	for _, tt := range tests {
		var gw netip.Addr
		if tt.gw != "" {
			gw = netip.MustParseAddr(tt.gw)
		}
		got := DefaultPools(netip.MustParsePrefix(tt.cidr), gw)
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("DefaultPools(%s, %s) mismatch (-want +got):\n%s", tt.cidr, tt.gw, d)
		}
	}
}

func TestAllocateSkipsUsed(t *testing.T) {
	pools := []store.IPRange{rng("10.0.0.2", "10.0.0.3")}
	got, ok := Allocate(pools, map[string]bool{"10.0.0.2": true})
	if !ok || got != netip.MustParseAddr("10.0.0.3") {
		t.Errorf("Allocate = %v, %v; want 10.0.0.3", got, ok)
	}
	if _, ok := Allocate(pools, map[string]bool{"10.0.0.2": true, "10.0.0.3": true}); ok {
		t.Error("Allocate on a full pool succeeded")
	}
}

func rng(start, end string) store.IPRange { return store.IPRange{Start: start, End: end} }
