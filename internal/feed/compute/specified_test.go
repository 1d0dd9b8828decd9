package compute_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/bgpvpn/bgpvpn/internal/feed"
	"github.com/bgpvpn/bgpvpn/internal/feed/compute"
	"github.com/bgpvpn/bgpvpn/internal/store"
	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore"
)

// TestHostSpecified: what admin_state_up, technique and sharing (issue 13)
// make of a host's attachments.
func TestHostSpecified(t *testing.T) {
	tests := []struct {
		name  string
		setup func(s seed)
		want  []feed.Attachment
	}{
		{
			name: "a BGPVPN turned off by the admin is left out; the others stay",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), AdminStateDown: true})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l3", RouteTargets: rts("64512:2")})
				s.bgpvpn(store.BGPVPN{ID: "vpn3", Type: "l3", RouteTargets: rts("64512:3"), AdminStateDown: true})
				s.netAssoc("na1", "vpn1", "net1")
				s.netAssoc("na2", "vpn2", "net1")
				s.portAssoc("pa3", "vpn3", "p1", true, store.PortRoute{Type: "prefix", Prefix: "192.168.0.0/16"})
			},
			want: []feed.Attachment{netInstance(feed.IPVPN, rts("64512:2"), rts("64512:2"), "na2")},
		},
		{
			name: "only BGPVPNs turned off: nothing at all",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l2", RouteTargets: rts("64512:1"), AdminStateDown: true})
				s.netAssoc("na1", "vpn1", "net1")
			},
			want: []feed.Attachment{},
		},
		{
			name: "evpn-prefix: the instance says type 5 only",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), Technique: "evpn-prefix"})
				s.netAssoc("na1", "vpn1", "net1")
			},
			want: []feed.Attachment{with(netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "na1"),
				func(a *feed.Attachment) { a.Techniques = []string{"evpn-prefix"} })},
		},
		{
			name: "evpn-prefix and the default on one network: both kinds of routes",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), Technique: "evpn-prefix"})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l3", RouteTargets: rts("64512:2")})
				s.netAssoc("na1", "vpn1", "net1")
				s.netAssoc("na2", "vpn2", "net1")
			},
			want: []feed.Attachment{with(netInstance(feed.IPVPN, rts("64512:1", "64512:2"), rts("64512:1", "64512:2"), "na1", "na2"),
				func(a *feed.Attachment) { a.Techniques = []string{"evpn-prefix", "ipvpn"} })},
		},
		{
			name: "ipvpn named explicitly is the default: no field",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), Technique: "ipvpn"})
				s.netAssoc("na1", "vpn1", "net1")
			},
			want: []feed.Attachment{netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "na1")},
		},
		{
			name: "auto_aggregate: subnet aggregates with the BGPVPN's RTs, host routes with the network's own RT",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1"), ExportTargets: rts("64512:9"), AutoAggregate: true})
				s.bgpvpn(store.BGPVPN{ID: "vpn2", Type: "l3", RouteTargets: rts("64512:2")})
				s.netAssoc("na1", "vpn1", "net1")
				s.netAssoc("na2", "vpn2", "net1")
			},
			want: []feed.Attachment{with(netInstance(feed.IPVPN, rts("64512:1", "64512:2", "65534:1"), rts("64512:2", "65534:1"), "na1", "na2"),
				func(a *feed.Attachment) { a.AggregateRTs = rts("64512:1", "64512:9") })},
		},
		{
			name: "shared BGPVPN: another project's association joins the same VPN",
			setup: func(s seed) {
				s.bgpvpn(store.BGPVPN{ID: "vpn1", Type: "l3", RouteTargets: rts("64512:1")})
				s.check(s.tx.CreateRBACPolicy(&store.RBACPolicy{ID: "rbac1", ProjectID: "p", ObjectID: "vpn1", TargetTenant: "q", Action: "access_as_shared"}))
				s.check(s.tx.CreateNetworkAssociation(&store.NetworkAssociation{ID: "na-q", ProjectID: "q", BGPVPNID: "vpn1", NetworkID: "net1"}))
			},
			want: []feed.Attachment{netInstance(feed.IPVPN, rts("64512:1"), rts("64512:1"), "na-q")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, err := sqlstore.OpenSQLite(context.Background(), filepath.Join(t.TempDir(), "bgpvpn.db"))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			err = st.Update(context.Background(), func(tx store.Tx) error {
				s := seed{t, tx}
				base(s)
				tt.setup(s)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			var got []feed.Attachment
			err = st.View(context.Background(), func(tx store.Tx) (err error) {
				got, err = compute.Host(tx, "h1")
				return err
			})
			if err != nil {
				t.Fatalf("Host(h1) error: %v", err)
			}
			want := tt.want
			feed.Sort(want)
			if d := cmp.Diff(want, got, cmpIP); d != "" {
				t.Errorf("Host(h1) (-want +got):\n%s", d)
			}
		})
	}
}
