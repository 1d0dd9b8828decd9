package bgpvpn

import (
	"net/http"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// TechniqueTypes maps each technique the specification defines to the
// BGPVPN type it implements.
var TechniqueTypes = map[string]string{"ipvpn": "l3", "evpn-prefix": "l3", "evpn": "l2"}

// checkSpecified applies the rules of the attributes the specification
// defines (technique, auto_aggregate): a technique of the BGPVPN's type
// that the driver implements, auto_aggregate on l3 only and with a driver
// that acts on it.
func (s *Service) checkSpecified(v *store.BGPVPN) error {
	f := s.Driver.Features()
	if v.Technique != "" {
		if typ := TechniqueTypes[v.Technique]; typ != v.Type {
			return fault.BadBGPVPNRequest("technique %s is a technique of %s BGPVPNs, this BGPVPN is of type %s", v.Technique, typ, v.Type)
		}
		if !f.SupportsTechnique(v.Type, v.Technique) {
			return fault.New(http.StatusBadRequest, "BGPVPNTechniqueNotSupported",
				"BGPVPN %s driver does not support technique %s for %s BGPVPNs", s.Driver.Name(), v.Technique, v.Type)
		}
	}
	if v.AutoAggregate {
		if v.Type != "l3" {
			return fault.BadBGPVPNRequest("auto_aggregate applies to l3 BGPVPNs only, this BGPVPN is of type %s", v.Type)
		}
		if !f.AutoAggregate {
			return s.unsupported("the auto_aggregate attribute")
		}
	}
	return nil
}
