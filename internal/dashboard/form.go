package dashboard

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
)

// field is one input of a generated form.
type field struct {
	Name, Label, Kind, Value, Help string
	Options                        []string
	Checked                        bool
}

// listOf splits a list typed in one box: commas, spaces or new lines.
func listOf(s string) []string {
	out := []string{}
	for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		out = append(out, p)
	}
	return out
}

// numberOf is a typed number as JSON: an integer when it is one, else the
// text itself, for the API to refuse with its own message; nil when empty.
func numberOf(s string) any {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return json.Number(s)
	}
	return s
}

// route is a port association route, its keys in the order clients send
// them (the API's messages echo a refused route in that order).
type route struct {
	Type      string `json:"type"`
	Prefix    string `json:"prefix,omitempty"`
	BGPVPNID  string `json:"bgpvpn_id,omitempty"`
	LocalPref any    `json:"local_pref,omitempty"`
}

// routesOf reads the routes boxes of a port association: one per line,
// "PREFIX [LOCAL_PREF]" and "BGPVPN_ID [LOCAL_PREF]".
func routesOf(form url.Values) []route {
	routes := []route{}
	add := func(typ, key, text string) {
		_ = key
		for _, line := range strings.Split(text, "\n") {
			f := strings.Fields(line)
			if len(f) == 0 {
				continue
			}
			r := route{Type: typ}
			if key == "prefix" {
				r.Prefix = f[0]
			} else {
				r.BGPVPNID = f[0]
			}
			if len(f) > 1 {
				r.LocalPref = numberOf(f[1])
			}
			routes = append(routes, r)
		}
	}
	add("prefix", "prefix", form.Get("prefix_routes"))
	add("bgpvpn", "bgpvpn_id", form.Get("bgpvpn_routes"))
	return routes
}

// routesText is the inverse of routesOf for one route type.
func routesText(routes []obj, typ string) string {
	key := "prefix"
	if typ == "bgpvpn" {
		key = "bgpvpn_id"
	}
	var lines []string
	for _, r := range routes {
		if str(r, "type") != typ {
			continue
		}
		line := str(r, key)
		if lp, ok := r["local_pref"]; ok && lp != nil {
			line += " " + display(lp)
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n")
}

// routeSummary is a port association's routes on one line each.
func routeSummary(routes []obj) []string {
	var out []string
	for _, r := range routes {
		s := str(r, "prefix")
		if str(r, "type") == "bgpvpn" {
			s = "routes of BGPVPN " + str(r, "bgpvpn_id")
		}
		if lp, ok := r["local_pref"]; ok && lp != nil {
			s += " (local_pref " + display(lp) + ")"
		}
		out = append(out, s)
	}
	return out
}
