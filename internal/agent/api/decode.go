package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net"
	"net/netip"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/rtrd"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

// fields is a request body: each value is decoded on its own so that an
// error can name its field.
type fields map[string]json.RawMessage

func bad(field, format string, args ...any) error {
	return &agent.InputError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

func parseBody(body []byte) (fields, error) {
	var f fields
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&f); err != nil || f == nil {
		return nil, bad("", "No local port details received: the body must be a JSON object")
	}
	return f, nil
}

func (f fields) has(name string) bool {
	v, ok := f[name]
	return ok && string(v) != "null"
}

func (f fields) str(name string, required bool) (string, error) {
	if !f.has(name) {
		if required {
			return "", bad(name, "Missing parameter: '%s'", name)
		}
		return "", nil
	}
	var s string
	if err := json.Unmarshal(f[name], &s); err != nil {
		return "", bad(name, "must be a string")
	}
	return s, nil
}

// text accepts any JSON value: free-form fields such as description, which
// the neutron agent sends as an object.
func (f fields) text(name string) string {
	if !f.has(name) {
		return ""
	}
	var s string
	if json.Unmarshal(f[name], &s) == nil {
		return s
	}
	return string(f[name])
}

func (f fields) uint(name string, max uint64) (uint64, error) {
	if !f.has(name) {
		return 0, nil
	}
	var n float64
	if err := json.Unmarshal(f[name], &n); err != nil {
		// Python clients may send numbers as strings.
		var s string
		if json.Unmarshal(f[name], &s) != nil {
			return 0, bad(name, "must be an integer")
		}
		if _, err := fmt.Sscanf(s, "%g", &n); err != nil || strings.TrimSpace(s) == "" {
			return 0, bad(name, "must be an integer")
		}
	}
	if n < 0 || n != math.Trunc(n) || n > float64(max) {
		return 0, bad(name, "must be an integer between 0 and %d", max)
	}
	return uint64(n), nil
}

func (f fields) boolean(name string) (bool, error) {
	if !f.has(name) {
		return false, nil
	}
	var b bool
	if err := json.Unmarshal(f[name], &b); err != nil {
		return false, bad(name, "must be a JSON boolean")
	}
	return b, nil
}

// rts reads a list of route targets, or a comma-separated string of them.
func rtList(name string, raw json.RawMessage) ([]speaker.RT, error) {
	var items []string
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		for _, it := range strings.Split(s, ",") {
			if it = strings.TrimSpace(it); it != "" {
				items = append(items, it)
			}
		}
	} else if err := json.Unmarshal(raw, &items); err != nil {
		return nil, bad(name, "must be a list of route targets or a comma-separated string")
	}
	out := make([]speaker.RT, 0, len(items))
	seen := map[speaker.RT]bool{}
	for _, it := range items {
		rt, err := rtrd.Parse(strings.TrimSpace(it))
		if err != nil {
			return nil, bad(name, "%v", err)
		}
		if !seen[rt] {
			seen[rt] = true
			out = append(out, rt)
		}
	}
	return out, nil
}

func (f fields) rts(name string, required bool) ([]speaker.RT, error) {
	if !f.has(name) {
		if required {
			return nil, bad(name, "Missing parameter: '%s'", name)
		}
		return nil, nil
	}
	return rtList(name, f[name])
}

func (f fields) mac(name string) (net.HardwareAddr, error) {
	s, err := f.str(name, true)
	if err != nil {
		return nil, err
	}
	m, err := net.ParseMAC(s)
	if err != nil || len(m) != 6 {
		return nil, bad(name, "MAC address %s is not valid", s)
	}
	return m, nil
}

// ipPrefix reads "a.b.c.d/len" or a bare address (a host route).
func (f fields) ipPrefix(name string, required bool) (netip.Prefix, error) {
	s, err := f.str(name, required)
	if err != nil || s == "" {
		if err == nil && required {
			err = bad(name, "Missing parameter: '%s'", name)
		}
		return netip.Prefix{}, err
	}
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, bad(name, "%q is not an IP address with a prefix length", s)
		}
		return netip.PrefixFrom(p.Addr().Unmap(), p.Bits()), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, bad(name, "%q is not an IP address", s)
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), nil
}

func (f fields) addr(name string, required bool) (netip.Addr, error) {
	s, err := f.str(name, required)
	if err != nil || s == "" {
		if err == nil && required {
			err = bad(name, "Missing parameter: '%s'", name)
		}
		return netip.Addr{}, err
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, bad(name, "%q is not an IP address", s)
	}
	return a.Unmap(), nil
}

// localPort reads a string (the interface name) or an object with linuxif,
// evpn.id, ovs…
func (f fields) localPort() (agent.LocalPort, error) {
	const name = "local_port"
	if !f.has(name) {
		return agent.LocalPort{}, bad(name, "Missing parameter: '%s'", name)
	}
	var s string
	if json.Unmarshal(f[name], &s) == nil {
		if s == "" {
			return agent.LocalPort{}, bad(name, "must not be empty")
		}
		return agent.LocalPort{LinuxIf: s}, nil
	}
	var obj map[string]any
	if err := json.Unmarshal(f[name], &obj); err != nil || obj == nil {
		return agent.LocalPort{}, bad(name, "must be a string or an object")
	}
	lp := agent.LocalPort{Raw: obj}
	if v, ok := obj["linuxif"]; ok && v != nil {
		if lp.LinuxIf, ok = v.(string); !ok {
			return agent.LocalPort{}, bad(name+".linuxif", "must be a string")
		}
	}
	if v, ok := obj["evpn"]; ok && v != nil {
		m, ok := v.(map[string]any)
		if !ok {
			return agent.LocalPort{}, bad(name+".evpn", "must be an object")
		}
		if lp.EVPNID, ok = m["id"].(string); !ok || lp.EVPNID == "" {
			return agent.LocalPort{}, bad(name+".evpn.id", "must be a string")
		}
		if lp.LinuxIf == "" {
			lp.LinuxIf = "evpn:" + lp.EVPNID
		}
	}
	if v, ok := obj["ovs"]; ok && v != nil {
		var err error
		if lp.OVS, err = ovsPort(v); err != nil {
			return agent.LocalPort{}, err
		}
	}
	if lp.LinuxIf == "" {
		return agent.LocalPort{}, bad(name+".linuxif", "Missing parameter: 'linuxif'")
	}
	return lp, nil
}

func (f fields) vpnType() (agent.VPNType, error) {
	s, err := f.str("vpn_type", true)
	if err != nil {
		return "", err
	}
	switch t := agent.VPNType(s); t {
	case agent.IPVPN, agent.EVPN:
		return t, nil
	}
	return "", bad("vpn_type", "unknown vpn_type: %s", s)
}

// DecodeAttach parses an attach_localport body.
func DecodeAttach(body []byte) (agent.Attachment, error) {
	f, err := parseBody(body)
	if err != nil {
		return agent.Attachment{}, err
	}
	var a agent.Attachment
	if a.VPNType, err = f.vpnType(); err != nil {
		return a, err
	}
	if a.VPNInstanceID, err = f.str("vpn_instance_id", true); err != nil {
		return a, err
	}
	if a.VPNInstanceID == "" {
		return a, bad("vpn_instance_id", "must not be empty")
	}
	if a.MAC, err = f.mac("mac_address"); err != nil {
		return a, err
	}
	ipvpn := a.VPNType == agent.IPVPN
	if a.IP, err = f.ipPrefix("ip_address", ipvpn); err != nil {
		return a, err
	}
	if a.GatewayIP, err = f.addr("gateway_ip", ipvpn); err != nil {
		return a, err
	}
	if a.LocalPort, err = f.localPort(); err != nil {
		return a, err
	}
	if a.ImportRTs, err = f.rts("import_rt", true); err != nil {
		return a, err
	}
	if a.ExportRTs, err = f.rts("export_rt", true); err != nil {
		return a, err
	}
	if a.AdvertiseSubnet, err = f.boolean("advertise_subnet"); err != nil {
		return a, err
	}
	if f.has("advertise_evpn_type5") {
		b, err := f.boolean("advertise_evpn_type5")
		if err != nil {
			return a, err
		}
		a.EVPNType5 = &b
	}
	lp, err := f.uint("local_pref", math.MaxUint32)
	if err != nil {
		return a, err
	}
	a.LocalPref = uint32(lp)
	vni, err := f.uint("vni", 1<<24-1)
	if err != nil {
		return a, err
	}
	a.VNI = uint32(vni)
	if _, err := f.uint("lb_consistent_hash_order", math.MaxUint8); err != nil {
		return a, err
	}
	dir, err := f.str("direction", false)
	if err != nil {
		return a, err
	}
	switch d := agent.Direction(dir); d {
	case "", agent.Both, agent.ToPort, agent.FromPort:
		a.Direction = d
	default:
		return a, bad("direction", "Unsupported direction: %s", dir)
	}
	a.Description = f.text("description")
	a.InstanceDescription = f.text("instance_description")
	if a.LinuxBridge, err = f.str("linuxbr", false); err != nil {
		return a, err
	}
	if f.has("readvertise") {
		var rv map[string]json.RawMessage
		if err := json.Unmarshal(f["readvertise"], &rv); err != nil {
			return a, bad("readvertise", "must be an object with from_rt and to_rt")
		}
		r := &agent.Readvertise{}
		for _, k := range []string{"from_rt", "to_rt"} {
			raw, ok := rv[k]
			if !ok || string(raw) == "null" {
				return a, bad("readvertise."+k, "Missing parameter: '%s'", k)
			}
			l, err := rtList("readvertise."+k, raw)
			if err != nil {
				return a, err
			}
			if k == "from_rt" {
				r.FromRTs = l
			} else {
				r.ToRTs = l
			}
		}
		a.Readvertise = r
	}
	if f.has("attract_traffic") {
		var at map[string]any
		if err := json.Unmarshal(f["attract_traffic"], &at); err != nil {
			return a, bad("attract_traffic", "must be an object")
		}
	}
	if f.has("fallback") {
		var err error
		if a.Fallback, err = fallback(f["fallback"]); err != nil {
			return a, err
		}
	}
	if f.has("rd") {
		s, err := f.str("rd", false)
		if err != nil {
			return a, err
		}
		rd, err := rtrd.Parse(s)
		if err != nil {
			return a, bad("rd", "%v", err)
		}
		a.RD = &rd
	}
	return a, nil
}

// DecodeDetach parses a detach_localport body.
func DecodeDetach(body []byte) (agent.Detachment, error) {
	f, err := parseBody(body)
	if err != nil {
		return agent.Detachment{}, err
	}
	var d agent.Detachment
	if d.VPNType, err = f.vpnType(); err != nil {
		return d, err
	}
	if d.VPNInstanceID, err = f.str("vpn_instance_id", true); err != nil {
		return d, err
	}
	if d.MAC, err = f.mac("mac_address"); err != nil {
		return d, err
	}
	if d.IP, err = f.ipPrefix("ip_address", d.VPNType == agent.IPVPN); err != nil {
		return d, err
	}
	if d.LocalPort, err = f.localPort(); err != nil {
		return d, err
	}
	return d, nil
}
