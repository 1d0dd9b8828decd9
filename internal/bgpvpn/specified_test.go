package bgpvpn

import (
	"context"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/driver"
	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// ipvpnOnly is a driver that implements the ipvpn technique alone and no
// auto_aggregate.
type ipvpnOnly struct{}

func (ipvpnOnly) Name() string { return "IPVPNOnly" }
func (ipvpnOnly) Features() driver.Features {
	return driver.Features{Types: []string{"l3", "l2"}, Techniques: map[string][]string{"l3": {"ipvpn"}}}
}
func (ipvpnOnly) Precommit(context.Context, store.Tx, driver.Event) error { return nil }
func (ipvpnOnly) Postcommit(context.Context, driver.Event) error          { return nil }
func (ipvpnOnly) Close() error                                            { return nil }

func TestCheckSpecified(t *testing.T) {
	s := &Service{Driver: ipvpnOnly{}}
	tests := []struct {
		name         string
		v            store.BGPVPN
		typ, message string
	}{
		{"no technique: the driver's default", store.BGPVPN{Type: "l3"}, "", ""},
		{"a technique the driver has", store.BGPVPN{Type: "l3", Technique: "ipvpn"}, "", ""},
		{"a technique the driver lacks", store.BGPVPN{Type: "l3", Technique: "evpn-prefix"}, "BGPVPNTechniqueNotSupported",
			"BGPVPN IPVPNOnly driver does not support technique evpn-prefix for l3 BGPVPNs"},
		{"an l2 technique the driver lacks", store.BGPVPN{Type: "l2", Technique: "evpn"}, "BGPVPNTechniqueNotSupported",
			"BGPVPN IPVPNOnly driver does not support technique evpn for l2 BGPVPNs"},
		{"a technique of the other type", store.BGPVPN{Type: "l2", Technique: "ipvpn"}, "BadRequest",
			"Bad bgpvpn request: technique ipvpn is a technique of l3 BGPVPNs, this BGPVPN is of type l2."},
		{"auto_aggregate the driver lacks", store.BGPVPN{Type: "l3", AutoAggregate: true}, "BGPVPNDriverNotSupported",
			"BGPVPN IPVPNOnly driver does not support the auto_aggregate attribute"},
		{"auto_aggregate on l2", store.BGPVPN{Type: "l2", AutoAggregate: true}, "BadRequest",
			"Bad bgpvpn request: auto_aggregate applies to l3 BGPVPNs only, this BGPVPN is of type l2."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := s.checkFeatures(&tc.v)
			if tc.typ == "" {
				if err != nil {
					t.Errorf("checkFeatures(%+v) = %v, want nil", tc.v, err)
				}
				return
			}
			f, ok := fault.As(err)
			if !ok || f.Status != 400 || f.Type != tc.typ || f.Message != tc.message {
				t.Errorf("checkFeatures(%+v) = %v, want 400 %s %q", tc.v, err, tc.typ, tc.message)
			}
		})
	}
}
