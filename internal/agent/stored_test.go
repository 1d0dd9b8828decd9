package agent

import (
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

func TestStoredAttrsShared(t *testing.T) {
	m := &Manager{rtSets: map[speaker.RT][]speaker.RT{}, attrSets: map[attrKey]*storedAttrs{}}
	route := func(prefix, nh string, label uint32) speaker.Route {
		return speaker.Route{
			Family: speaker.VPNv4, RD: rtrd.MustParse("64512:1"), Prefix: netip.MustParsePrefix(prefix), Label: label,
			NextHop: netip.MustParseAddr(nh), Peer: netip.MustParseAddr("127.0.0.1"), RTs: rts("64512:100"),
			LocalPref: 100, Encaps: []speaker.Encap{speaker.EncapMPLS},
		}
	}
	r1, r2, r3 := route("10.0.0.1/32", "192.0.2.1", 16), route("10.0.0.2/32", "192.0.2.1", 17), route("10.0.0.3/32", "192.0.2.2", 18)
	s1, s2, s3 := m.storeRoute(&r1), m.storeRoute(&r2), m.storeRoute(&r3)
	if s1.storedAttrs != s2.storedAttrs {
		t.Errorf("routes with the same attributes do not share them")
	}
	if s1.storedAttrs == s3.storedAttrs {
		t.Errorf("routes with different next hops share attributes")
	}
	for _, r := range []speaker.Route{r1, r2, r3} {
		if diff := cmp.Diff(r, m.storeRoute(&r).route(), cmpAddr); diff != "" {
			t.Errorf("storeRoute(%s).route() (-want +got):\n%s", &r, diff)
		}
	}
}
