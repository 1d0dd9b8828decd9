package api

import (
	enchex "encoding/hex"
	"net"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/jsonv"
	"github.com/bgpvpn/bgpvpn/internal/resource"
)

// convertMAC is neutron-lib's type:mac_address (an Ethernet address, not
// all zeros nor broadcast), plus a refusal of multicast (group) addresses,
// which no port can own and which agents refuse when they plug it. The
// address is returned in Neutron's stored form, lower case with colons, so
// that duplicates differing only by case or notation collide.
func convertMAC(v jsonv.Value) (any, error) {
	s, ok := v.(string)
	hw, err := parseMAC(s)
	if !ok || err != nil {
		return nil, resource.Invalidf("'%s' is not a valid MAC address", jsonv.Str(v))
	}
	norm := hw.String()
	if norm == "00:00:00:00:00:00" || norm == "ff:ff:ff:ff:ff:ff" {
		return nil, resource.Invalidf("'%s' is not a valid MAC address", s)
	}
	if hw[0]&1 == 1 {
		return nil, resource.Invalidf("'%s' is a multicast MAC address", s)
	}
	return norm, nil
}

// parseMAC reads the 48-bit forms netaddr accepts most often: colon,
// hyphen or dot separated, or 12 bare hex digits.
func parseMAC(s string) (net.HardwareAddr, error) {
	if len(s) == 12 && !strings.ContainsAny(s, ":-.") {
		b, err := enchex.DecodeString(s)
		return net.HardwareAddr(b), err
	}
	hw, err := net.ParseMAC(s)
	if err == nil && len(hw) != 6 {
		return nil, net.InvalidAddrError(s)
	}
	return hw, err
}
