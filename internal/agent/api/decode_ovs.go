package api

import (
	"encoding/json"
	"math"
	"net"

	"github.com/bgpvpn/bgpvpn/internal/dataplane"
)

// ovsPort reads local_port.ovs: {plugged, port_number, to_vm_port_number,
// vlan, port_name…} as the networking-bagpipe agent extension sends it.
// Names are accepted and unused (the numbers say where the port is).
func ovsPort(v any) (*dataplane.OVSPort, error) {
	const name = "local_port.ovs"
	m, ok := v.(map[string]any)
	if !ok {
		return nil, bad(name, "must be an object")
	}
	o := &dataplane.OVSPort{}
	if p, ok := m["plugged"]; ok && p != nil {
		if o.Plugged, ok = p.(bool); !ok {
			return nil, bad(name+".plugged", "must be true or false")
		}
	}
	num := func(field string, max float64) (float64, error) {
		x, ok := m[field]
		if !ok || x == nil {
			return 0, nil
		}
		f, ok := x.(float64)
		if !ok || f != math.Trunc(f) || f < 0 || f > max {
			return 0, bad(name+"."+field, "must be an integer in 0..%d", uint64(max))
		}
		return f, nil
	}
	for _, f := range []struct {
		field string
		max   float64
		set   func(float64)
	}{
		{"port_number", 0xfffffeff, func(x float64) { o.PortNumber = uint32(x) }},
		{"to_vm_port_number", 0xfffffeff, func(x float64) { o.ToVMPortNumber = uint32(x) }},
		{"vlan", 4094, func(x float64) { o.VLAN = uint16(x) }},
	} {
		x, err := num(f.field, f.max)
		if err != nil {
			return nil, err
		}
		f.set(x)
	}
	if o.Plugged && o.PortNumber == 0 {
		return nil, bad(name+".port_number", "Missing parameter: 'port_number' (required when plugged)")
	}
	return o, nil
}

// fallback reads {src_mac, dst_mac, ovs_port_number, ovs_port_name,
// ovs_resubmit}: nil (nothing to do) unless it names a port number; a
// port name or resubmit alone is accepted and unused.
func fallback(raw json.RawMessage) (*dataplane.Fallback, error) {
	var fb map[string]any
	if err := json.Unmarshal(raw, &fb); err != nil {
		return nil, bad("fallback", "must be an object")
	}
	n, ok := fb["ovs_port_number"]
	if !ok || n == nil {
		return nil, nil
	}
	f, ok := n.(float64)
	if !ok || f != math.Trunc(f) || f < 1 || f > 0xfffffeff {
		return nil, bad("fallback.ovs_port_number", "must be an integer in 1..%d", uint32(0xfffffeff))
	}
	out := &dataplane.Fallback{PortNumber: uint32(f)}
	for _, m := range []struct {
		field string
		dst   *dataplane.MAC
	}{{"src_mac", &out.SrcMAC}, {"dst_mac", &out.DstMAC}} {
		s, _ := fb[m.field].(string)
		hw, err := net.ParseMAC(s)
		if err != nil || len(hw) != 6 {
			return nil, bad("fallback."+m.field, "%q is not a MAC address", s)
		}
		*m.dst = dataplane.MAC(hw)
	}
	return out, nil
}
