package api

import (
	"net/http"

	"net/url"
	"strings"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/agent"
	"github.com/bgpvpn/bgpvpn/internal/speaker"
)

var errNoPath = &httpError{http.StatusNotFound, "no such looking glass path"}

// href is a subtree link, an absolute URL as bagpipe-looking-glass wants
// (it follows links that start with the URL it asked for).
func href(r *http.Request, elems ...string) map[string]any {
	parts := make([]string, 0, len(elems))
	for _, e := range elems {
		parts = append(parts, url.PathEscape(e))
	}
	return map[string]any{"href": "http://" + r.Host + "/looking-glass/" + strings.Join(parts, "/")}
}

func hrefID(r *http.Request, id string, elems ...string) map[string]any {
	h := href(r, elems...)
	h["id"] = id
	return h
}

func (s *Server) lookingGlass(r *http.Request) (any, error) {
	var p []string
	for _, e := range strings.Split(r.PathValue("path"), "/") {
		if e != "" {
			p = append(p, e)
		}
	}
	if len(p) == 0 {
		return map[string]any{
			"summary": s.summary(r),
			"config":  href(r, "config"),
			"bgp":     href(r, "bgp"),
			"vpns":    href(r, "vpns"),
			"logs":    href(r, "logs"),
		}, nil
	}
	switch p[0] {
	case "summary":
		if len(p) == 1 {
			return s.summary(r), nil
		}
	case "config":
		if len(p) == 1 {
			return s.Config, nil
		}
		if sec, ok := s.Config[p[1]]; ok && len(p) == 2 {
			return sec, nil
		}
	case "logs":
		if len(p) == 1 {
			return s.Logs.Records(), nil
		}
	case "bgp":
		return s.lgBGP(r, p[1:])
	case "vpns":
		return s.lgVPNs(r, p[1:])
	}
	return nil, errNoPath
}

func (s *Server) summary(r *http.Request) map[string]any {
	peers, _ := s.BGP.Peers(r.Context())
	up := 0
	for _, p := range peers {
		if p.State == "Established" {
			up++
		}
	}
	c := s.Manager.Counts()
	return map[string]any{
		"BGP_established_peers": up,
		"route_counts":          map[string]int{"local_routes_count": c.LocalRoutes, "received_routes_count": c.ReceivedRoutes},
		"vpn_instances_count":   c.Instances,
		"warnings_and_errors":   s.Logs.Count(),
		"start_time":            s.Manager.StartTime().Format(time.DateTime),
		"version":               s.Version,
	}
}

func (s *Server) lgBGP(r *http.Request, p []string) (any, error) {
	if len(p) == 0 {
		return map[string]any{"peers": href(r, "bgp", "peers"), "routes": href(r, "bgp", "routes"), "route_counts": href(r, "bgp", "route_counts")}, nil
	}
	switch p[0] {
	case "route_counts":
		c := s.Manager.Counts()
		return map[string]int{"local_routes_count": c.LocalRoutes, "received_routes_count": c.ReceivedRoutes}, nil
	case "routes":
		if len(p) == 1 {
			return s.Manager.RIB(), nil
		}
	case "peers":
		peers, err := s.BGP.Peers(r.Context())
		if err != nil {
			return nil, err
		}
		if len(p) == 1 {
			out := []map[string]any{}
			for _, ps := range peers {
				h := hrefID(r, ps.Address.String(), "bgp", "peers", ps.Address.String())
				h["state"] = ps.State
				out = append(out, h)
			}
			return out, nil
		}
		for _, ps := range peers {
			if ps.Address.String() != p[1] {
				continue
			}
			switch {
			case len(p) == 2:
				d, ok, err := s.BGP.PeerDetail(r.Context(), ps.Address)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, errNoPath
				}
				return peerView(r, d), nil
			case len(p) == 3 && p[2] == "adv_routes":
				out := map[string][]agent.RouteView{}
				for _, f := range speaker.AllFamilies {
					rs, err := s.BGP.AdjOut(ps.Address, f)
					if err != nil {
						continue
					}
					for i := range rs {
						out[f.String()] = append(out[f.String()], agent.ViewOf(&rs[i]))
					}
				}
				return out, nil
			}
		}
	}
	return nil, errNoPath
}

func peerView(r *http.Request, ps speaker.PeerStatus) map[string]any {
	fams := func(fs []speaker.Family) []string {
		out := []string{}
		for _, f := range fs {
			out = append(out, f.String())
		}
		return out
	}
	local := ""
	if ps.LocalAddress.IsValid() {
		local = ps.LocalAddress.String()
	}
	return map[string]any{
		"peering_addresses":   map[string]string{"peer_address": ps.Address.String(), "local_address": local},
		"as_info":             map[string]any{"peer_as": ps.ASN},
		"rtc":                 map[string]bool{"active": ps.RTCActive(), "enabled": containsFamily(ps.Families, speaker.RTC)},
		"active_families":     fams(ps.Negotiated),
		"configured_families": fams(ps.Families),
		"passive":             ps.Passive,
		"protocol": map[string]any{
			"state":                ps.State,
			"previous_state":       ps.PreviousState,
			"hold_time":            ps.HoldTime,
			"last_transition_time": ps.LastTransition.Format(time.DateTime),
		},
		"received_routes": ps.Received,
		"adv_routes":      href(r, "bgp", "peers", ps.Address.String(), "adv_routes"),
	}
}

func containsFamily(fs []speaker.Family, f speaker.Family) bool {
	for _, x := range fs {
		if x == f {
			return true
		}
	}
	return false
}

func (s *Server) lgVPNs(r *http.Request, p []string) (any, error) {
	m := s.Manager
	if len(p) == 0 {
		return map[string]any{"instances": href(r, "vpns", "instances"), "dataplane": href(r, "vpns", "dataplane"), "instances_per_vni": href(r, "vpns", "instances_per_vni")}, nil
	}
	switch p[0] {
	case "instances_per_vni":
		if len(p) == 1 {
			return m.InstancesPerVNI(), nil
		}
	case "dataplane":
		switch {
		case len(p) == 1:
			return map[string]any{"drivers": href(r, "vpns", "dataplane", "drivers"), "ids": href(r, "vpns", "dataplane", "ids")}, nil
		case len(p) == 2 && p[1] == "ids":
			return m.Labels(), nil
		case len(p) == 2 && p[1] == "drivers":
			return m.Drivers(), nil
		case len(p) == 3 && p[1] == "drivers":
			if d, ok := m.Drivers()[p[2]]; ok {
				return d, nil
			}
		}
	case "instances":
		if len(p) == 1 {
			out := []map[string]any{}
			for _, ref := range m.Instances() {
				h := hrefID(r, ref.ID, "vpns", "instances", ref.ID)
				h["name"], h["description"] = ref.Name, ref.Description
				out = append(out, h)
			}
			return out, nil
		}
		return s.lgInstance(r, p[1], p[2:])
	}
	return nil, errNoPath
}

func (s *Server) lgInstance(r *http.Request, id string, p []string) (any, error) {
	m := s.Manager
	if len(p) == 0 {
		v, ok := m.Instance(id)
		if !ok {
			return nil, errNoPath
		}
		out := map[string]any{
			"name": v.Name, "instance_type": v.InstanceType, "external_instance_id": v.ExternalInstanceID,
			"description": v.Description, "route_targets": v.RouteTargets, "route_distinguisher": v.RouteDistinguisher,
			"gateway_ip": v.GatewayIP, "subnet_prefix_length": v.SubnetPrefixLength, "subnet_mask": v.SubnetPrefixLength,
			"instance_dataplane_id": v.InstanceDataplaneID, "readvertise": v.Readvertise,
			"attract_traffic": v.AttractTraffic, "fallback": v.Fallback, "internals": v.Internals, "route_counts": v.Counts,
		}
		if v.VNI != 0 {
			out["vni"] = v.VNI
		}
		if v.GatewayIPv6 != "" {
			out["gateway_ipv6"] = v.GatewayIPv6
		}
		if len(v.PluggedEVIs) > 0 {
			out["plugged_evpn_instances"] = v.PluggedEVIs
		}
		for _, sub := range []string{"ports", "received_routes", "best_routes", "adv_routes", "readvertised", "refused_routes", "dataplane", "logs"} {
			out[sub] = href(r, "vpns", "instances", id, sub)
		}
		return out, nil
	}
	if len(p) != 1 {
		return nil, errNoPath
	}
	switch p[0] {
	case "ports":
		if v, ok := m.Ports(id); ok {
			return v, nil
		}
	case "dataplane":
		if v, ok := m.InstanceDataplane(id); ok {
			return v, nil
		}
	case "logs":
		if _, ok := m.Instance(id); ok {
			var out []LogRecord
			for _, rec := range s.Logs.Records() {
				if rec.Attrs["vpn_id"] == id {
					out = append(out, rec)
				}
			}
			return out, nil
		}
	default:
		if v, ok := m.Routes(id, agent.RouteSet(p[0])); ok {
			return v, nil
		}
	}
	return nil, errNoPath
}
