package dashboard

import (
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// graphNode is one box of the picture.
type graphNode struct {
	key, label, sub, class string
	col, row               int
}

// vpnGraph is what a BGPVPN joins: its networks and routers, their ports,
// and the compute nodes those ports are bound to.
type vpnGraph struct {
	nodes []*graphNode
	byKey map[string]*graphNode
	edges [][2]string
	rows  [4]int
	// hidden counts ports left out to keep the picture readable.
	hidden int
}

// maxGraphPorts bounds the ports drawn.
const maxGraphPorts = 60

func (g *vpnGraph) add(key, label, sub, class string, col int) {
	if g.byKey[key] != nil {
		return
	}
	n := &graphNode{key: key, label: label, sub: sub, class: class, col: col, row: g.rows[col]}
	g.rows[col]++
	g.nodes = append(g.nodes, n)
	g.byKey[key] = n
}

func (g *vpnGraph) link(a, b string) {
	if g.byKey[a] != nil && g.byKey[b] != nil {
		g.edges = append(g.edges, [2]string{a, b})
	}
}

// graph builds the picture of v through the API (as the session: an
// admin sees every port's binding:host_id).
func (d *Dashboard) graph(r *http.Request, ss *session, v obj, sections []assocSection) (string, error) {
	g := &vpnGraph{byKey: map[string]*graphNode{}}
	vpn := "vpn:" + str(v, "id")
	g.add(vpn, displayName(v), str(v, "type"), "vpn", 0)
	ports := func(q url.Values) ([]obj, error) {
		var res struct {
			Ports []obj `json:"ports"`
		}
		q["fields"] = []string{"id", "name", "network_id", "device_owner", "device_id", "binding:host_id", "fixed_ips"}
		err := d.call(r.Context(), ss.who, http.MethodGet, "/v2.0/ports", q, nil, &res)
		return res.Ports, err
	}
	addPort := func(p obj, from string) {
		key := "port:" + str(p, "id")
		if g.byKey[key] == nil {
			if g.rows[2] >= maxGraphPorts {
				g.hidden++
				return
			}
			var ips []string
			for _, ip := range objs(p, "fixed_ips") {
				ips = append(ips, str(ip, "ip_address"))
			}
			label := str(p, "name")
			if label == "" {
				label = short(str(p, "id"))
			}
			g.add(key, label, strings.Join(ips, " "), "port", 2)
		}
		g.link(from, key)
		if h := str(p, "binding:host_id"); h != "" {
			g.add("host:"+h, h, "compute node", "host", 3)
			g.link(key, "host:"+h)
		}
	}
	var netNames map[string]string
	addNetwork := func(id, name, from string) error {
		if name == "" {
			if netNames == nil {
				netNames = d.names(r, ss, "/v2.0/networks", "networks")
			}
			name = netNames[id]
		}
		key := "net:" + id
		fresh := g.byKey[key] == nil
		g.add(key, orID(name, id), "network", "network", 1)
		g.link(from, key)
		if !fresh {
			return nil
		}
		list, err := ports(url.Values{"network_id": {id}})
		if err != nil {
			return err
		}
		for _, p := range list {
			if !strings.HasPrefix(str(p, "device_owner"), "network:") {
				addPort(p, key)
			}
		}
		return nil
	}
	for _, sec := range sections {
		for _, a := range sec.Rows {
			switch sec.Kind.Path {
			case "network_associations":
				if err := addNetwork(a.TargetID, a.TargetName, vpn); err != nil {
					return "", err
				}
			case "router_associations":
				rk := "router:" + a.TargetID
				g.add(rk, orID(a.TargetName, a.TargetID), "router", "router", 1)
				g.link(vpn, rk)
				ifaces, err := ports(url.Values{"device_id": {a.TargetID}})
				if err != nil {
					return "", err
				}
				for _, p := range ifaces {
					if err := addNetwork(str(p, "network_id"), "", rk); err != nil {
						return "", err
					}
				}
			case "port_associations":
				list, err := ports(url.Values{"id": {a.TargetID}})
				if err != nil {
					return "", err
				}
				for _, p := range list {
					if str(p, "id") == a.TargetID {
						addPort(p, vpn)
					}
				}
			}
		}
	}
	return g.svg(), nil
}

func orID(name, id string) string {
	if name != "" {
		return name
	}
	return short(id)
}

func short(id string) string {
	if len(id) > 8 {
		return id[:8] + "…"
	}
	return id
}

// svg draws the graph in four columns: VPN, networks and routers, ports,
// compute nodes.
func (g *vpnGraph) svg() string {
	const colW, boxW, boxH, rowH, pad = 220, 180, 40, 52, 16
	rows := 1
	for _, n := range g.rows {
		rows = max(rows, n)
	}
	width, height := 4*colW+pad, rows*rowH+2*pad+24
	pos := func(n *graphNode) (int, int) {
		// Centre short columns against the tallest one.
		off := (rows - g.rows[n.col]) * rowH / 2
		return pad + n.col*colW, pad + 24 + off + n.row*rowH
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="graph" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="graph-title">`,
		width, height, width, height)
	b.WriteString(`<title id="graph-title">What this BGP VPN joins: networks and routers, their ports, and the compute nodes the ports are bound to</title>`)
	for i, h := range []string{"BGP VPN", "networks, routers", "ports", "compute nodes"} {
		fmt.Fprintf(&b, `<text class="colhead" x="%d" y="%d">%s</text>`, pad+i*colW, pad+8, h)
	}
	direct := false
	edges := append([][2]string(nil), g.edges...)
	sort.Slice(edges, func(i, j int) bool { return edges[i][0]+edges[i][1] < edges[j][0]+edges[j][1] })
	for i, e := range edges {
		if i > 0 && e == edges[i-1] {
			continue
		}
		a, z := g.byKey[e[0]], g.byKey[e[1]]
		ax, ay := pos(a)
		zx, zy := pos(z)
		if z.col == a.col { // a router's network, below it
			top, bottom := ay+boxH, zy
			if zy < ay {
				top, bottom = zy+boxH, ay
			}
			fmt.Fprintf(&b, `<path class="edge" d="M%d %d V%d"/>`, ax+16, top, bottom)
			continue
		}
		x1, y1, x2, y2 := ax+boxW, ay+boxH/2, zx, zy+boxH/2
		mid := (x1 + x2) / 2
		class := "edge"
		if z.col-a.col > 1 { // a port association: past the networks
			class, mid, direct = "edge direct", zx-colW/3, true
		}
		fmt.Fprintf(&b, `<path class="%s" d="M%d %d C%d %d %d %d %d %d"/>`, class, x1, y1, mid, y1, mid, y2, x2, y2)
	}
	for _, n := range g.nodes {
		x, y := pos(n)
		fmt.Fprintf(&b, `<g class="node %s"><rect x="%d" y="%d" width="%d" height="%d" rx="6"/>`, n.class, x, y, boxW, boxH)
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, x+8, y+17, template.HTMLEscapeString(clip(n.label, 24)))
		fmt.Fprintf(&b, `<text class="sub" x="%d" y="%d">%s</text></g>`, x+8, y+33, template.HTMLEscapeString(clip(n.sub, 28)))
	}
	if direct {
		fmt.Fprintf(&b, `<path class="edge direct" d="M%d %d h30"/><text class="sub" x="%d" y="%d">port association</text>`, pad, height-8, pad+36, height-4)
	}
	if g.hidden > 0 {
		fmt.Fprintf(&b, `<text class="colhead" x="%d" y="%d">+%d more ports</text>`, pad+2*colW, height-4, g.hidden)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// graphSVG serves the picture on its own (admins only).
func (d *Dashboard) graphSVG(w http.ResponseWriter, r *http.Request, ss *session) {
	if !d.admin(ss) {
		d.notFound(w, r, ss, "There is no such page.")
		return
	}
	id := r.PathValue("id")
	v, err := d.getBGPVPN(r, ss, id)
	if err != nil {
		d.fail(w, r, ss, err)
		return
	}
	var sections []assocSection
	for _, k := range assocKinds {
		list, err := d.listAssociations(r, ss, id, k)
		if err != nil {
			d.fail(w, r, ss, err)
			return
		}
		sec := assocSection{Kind: k}
		for _, a := range list {
			sec.Rows = append(sec.Rows, assocRow{ID: str(a, "id"), TargetID: str(a, k.Target)})
		}
		sections = append(sections, sec)
	}
	s, err := d.graph(r, ss, v, sections)
	if err != nil {
		d.fail(w, r, ss, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Write([]byte(s))
}
