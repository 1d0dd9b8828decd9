package dashboard

import (
	"encoding/json"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// assocKind is one of the three association sub-collections.
type assocKind struct {
	Path, Singular, Target, Label, One string
}

var assocKinds = []assocKind{
	{"network_associations", "network_association", "network_id", "Networks", "Network"},
	{"router_associations", "router_association", "router_id", "Routers", "Router"},
	{"port_associations", "port_association", "port_id", "Ports", "Port"},
}

func kindOf(path string) (assocKind, bool) {
	for _, k := range assocKinds {
		if k.Path == path {
			return k, true
		}
	}
	return assocKind{}, false
}

// policyName is the association's policy rule suffix.
func (k assocKind) policyName() string { return "bgpvpn_" + k.Singular }

type assocRow struct {
	ID, TargetID, TargetName string
	Status, Reason           string
	HasStatus                bool
	Details                  []string
	CanEdit, CanDelete       bool
}

type assocSection struct {
	Kind      assocKind
	Rows      []assocRow
	CanCreate bool
	Choices   []named
}

type detailData struct {
	VPN                obj
	ID                 string
	Sections           []assocSection
	CanEdit, CanDelete bool
	Graph              string
	// Sharing is nil when the server has no RBAC API.
	Sharing *sharingData
}

func (d *Dashboard) listAssociations(r *http.Request, ss *session, id string, k assocKind) ([]obj, error) {
	var res map[string][]obj
	if err := d.call(r.Context(), ss.who, http.MethodGet, bgpvpnsPath+"/"+url.PathEscape(id)+"/"+k.Path, nil, nil, &res); err != nil {
		return nil, err
	}
	return res[k.Path], nil
}

func (d *Dashboard) showBGPVPN(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	v, err := d.getBGPVPN(r, ss, id)
	if err != nil {
		d.fail(w, r, ss, err)
		return
	}
	dd := detailData{VPN: v, ID: id, CanEdit: d.may(ss, "update_bgpvpn", v), CanDelete: d.may(ss, "delete_bgpvpn", v)}
	for _, k := range assocKinds {
		list, err := d.listAssociations(r, ss, id, k)
		if err != nil {
			d.fail(w, r, ss, err)
			return
		}
		sec := assocSection{Kind: k, CanCreate: d.may(ss, "create_"+k.policyName(), v)}
		choices := d.choices(r, ss, k)
		names := map[string]string{}
		for _, c := range choices {
			names[c.ID] = c.Name
		}
		taken := map[string]bool{}
		for _, a := range list {
			sec.Rows = append(sec.Rows, d.assocRow(ss, k, a, names))
			taken[str(a, k.Target)] = true
		}
		if sec.CanCreate {
			for _, c := range choices {
				if !taken[c.ID] {
					sec.Choices = append(sec.Choices, c)
				}
			}
		}
		dd.Sections = append(dd.Sections, sec)
	}
	dd.Sharing = d.sharing(r, ss, v)
	if d.admin(ss) {
		g, err := d.graph(r, ss, v, dd.Sections)
		if err != nil {
			d.fail(w, r, ss, err)
			return
		}
		dd.Graph = g
	}
	d.render(w, r, ss, "detail", page{Title: "BGP VPN " + displayName(v), Nav: "bgpvpns", Data: dd})
}

func (d *Dashboard) assocRow(ss *session, k assocKind, a obj, names map[string]string) assocRow {
	row := assocRow{ID: str(a, "id"), TargetID: str(a, k.Target), Status: str(a, "status"), Reason: str(a, "status_reason"),
		CanEdit:   k.Path != "network_associations" && d.may(ss, "update_"+k.policyName(), a),
		CanDelete: d.may(ss, "delete_"+k.policyName(), a)}
	row.TargetName = names[row.TargetID]
	_, row.HasStatus = a["status"]
	switch k.Path {
	case "router_associations":
		row.Details = append(row.Details, "advertise_extra_routes: "+display(a["advertise_extra_routes"]))
	case "port_associations":
		row.Details = append(row.Details, "advertise_fixed_ips: "+display(a["advertise_fixed_ips"]))
		row.Details = append(row.Details, routeSummary(objs(a, "routes"))...)
	}
	return row
}

// choices are the objects of a kind the caller sees, to associate.
func (d *Dashboard) choices(r *http.Request, ss *session, k assocKind) []named {
	var path, plural string
	switch k.Path {
	case "network_associations":
		path, plural = "/v2.0/networks", "networks"
	case "router_associations":
		path, plural = "/v2.0/routers", "routers"
	default:
		path, plural = "/v2.0/ports", "ports"
	}
	var res map[string][]obj
	q := url.Values{"fields": {"id", "name", "fixed_ips"}, "sort_key": {"name"}, "sort_dir": {"asc"}}
	if err := d.call(r.Context(), ss.who, http.MethodGet, path, q, nil, &res); err != nil {
		return nil
	}
	out := make([]named, 0, len(res[plural]))
	for _, o := range res[plural] {
		n := named{ID: str(o, "id"), Name: str(o, "name")}
		if plural == "ports" {
			var ips []string
			for _, ip := range objs(o, "fixed_ips") {
				ips = append(ips, str(ip, "ip_address"))
			}
			if len(ips) > 0 {
				n.Name = strings.TrimSpace(n.Name + " " + strings.Join(ips, " "))
			}
		}
		out = append(out, n)
	}
	return out
}

// assocBody reads an association form.
func assocBody(k assocKind, form url.Values, create bool) obj {
	b := obj{}
	if create {
		b[k.Target] = form.Get("target")
	}
	switch k.Path {
	case "router_associations":
		b["advertise_extra_routes"] = form.Get("advertise_extra_routes") != ""
	case "port_associations":
		b["advertise_fixed_ips"] = form.Get("advertise_fixed_ips") != ""
		b["routes"] = routesOf(form)
	}
	return b
}

func (d *Dashboard) associate(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	k, ok := kindOf(r.PathValue("kind"))
	if !ok {
		d.notFound(w, r, ss, "There is no such page.")
		return
	}
	body := assocBody(k, r.PostForm, true)
	err := d.ownAssociation(r, ss, id, body)
	if err == nil {
		err = d.call(r.Context(), ss.who, http.MethodPost, bgpvpnsPath+"/"+url.PathEscape(id)+"/"+k.Path, nil,
			obj{k.Singular: body}, nil)
	}
	if err != nil {
		d.sessions.setFlash(ss, "", message(err))
	} else {
		d.sessions.setFlash(ss, k.One+" associated.", "")
	}
	http.Redirect(w, r, self+"#"+k.Path, http.StatusSeeOther)
}

// ownAssociation makes an admin's association belong to the BGPVPN's
// project, as Horizon's admin panel does: the API refuses an association
// of another project than its BGPVPN's, and one without an owner is the
// caller's.
func (d *Dashboard) ownAssociation(r *http.Request, ss *session, id string, body obj) error {
	if !d.admin(ss) {
		return nil
	}
	v, err := d.getBGPVPN(r, ss, id)
	if err != nil {
		return err
	}
	if p := str(v, "project_id"); p != "" && p != ss.who.ProjectID {
		body["tenant_id"] = p
	}
	return nil
}

func (d *Dashboard) disassociate(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	k, ok := kindOf(r.PathValue("kind"))
	if !ok {
		d.notFound(w, r, ss, "There is no such page.")
		return
	}
	err := d.call(r.Context(), ss.who, http.MethodDelete,
		bgpvpnsPath+"/"+url.PathEscape(id)+"/"+k.Path+"/"+url.PathEscape(r.PathValue("aid")), nil, nil, nil)
	if err != nil {
		d.sessions.setFlash(ss, "", message(err))
	} else {
		d.sessions.setFlash(ss, k.One+" disassociated.", "")
	}
	http.Redirect(w, r, self+"#"+k.Path, http.StatusSeeOther)
}

type assocFormData struct {
	Action, Cancel string
	Kind           assocKind
	Assoc          obj
	AdvertiseFixed bool
	AdvertiseExtra bool
	PrefixRoutes   string
	BGPVPNRoutes   string
}

func (d *Dashboard) getAssociation(r *http.Request, ss *session, id string, k assocKind, aid string) (obj, error) {
	var res map[string]obj
	if err := d.call(r.Context(), ss.who, http.MethodGet,
		bgpvpnsPath+"/"+url.PathEscape(id)+"/"+k.Path+"/"+url.PathEscape(aid), nil, nil, &res); err != nil {
		return nil, err
	}
	return res[k.Singular], nil
}

func (d *Dashboard) editAssociation(w http.ResponseWriter, r *http.Request, ss *session) {
	id, aid := r.PathValue("id"), r.PathValue("aid")
	k, ok := kindOf(r.PathValue("kind"))
	if !ok || k.Path == "network_associations" {
		d.notFound(w, r, ss, "There is no such page.")
		return
	}
	a, err := d.getAssociation(r, ss, id, k, aid)
	if err != nil {
		d.fail(w, r, ss, err)
		return
	}
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	fd := assocFormData{Action: self + "/" + k.Path + "/" + url.PathEscape(aid) + "/edit", Cancel: self, Kind: k, Assoc: a,
		AdvertiseFixed: a["advertise_fixed_ips"] == true, AdvertiseExtra: a["advertise_extra_routes"] == true,
		PrefixRoutes: routesText(objs(a, "routes"), "prefix"), BGPVPNRoutes: routesText(objs(a, "routes"), "bgpvpn")}
	d.render(w, r, ss, "assocform", page{Title: "Edit " + strings.ReplaceAll(k.Singular, "_", " "), Nav: "bgpvpns", Data: fd})
}

func (d *Dashboard) updateAssociation(w http.ResponseWriter, r *http.Request, ss *session) {
	id, aid := r.PathValue("id"), r.PathValue("aid")
	k, ok := kindOf(r.PathValue("kind"))
	if !ok || k.Path == "network_associations" {
		d.notFound(w, r, ss, "There is no such page.")
		return
	}
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	err := d.call(r.Context(), ss.who, http.MethodPut, bgpvpnsPath+"/"+url.PathEscape(id)+"/"+k.Path+"/"+url.PathEscape(aid),
		nil, obj{k.Singular: assocBody(k, r.PostForm, false)}, nil)
	if err != nil {
		fd := assocFormData{Action: self + "/" + k.Path + "/" + url.PathEscape(aid) + "/edit", Cancel: self, Kind: k,
			AdvertiseFixed: r.PostForm.Get("advertise_fixed_ips") != "", AdvertiseExtra: r.PostForm.Get("advertise_extra_routes") != "",
			PrefixRoutes: r.PostForm.Get("prefix_routes"), BGPVPNRoutes: r.PostForm.Get("bgpvpn_routes")}
		d.renderStatus(w, r, ss, statusOf(err), "assocform", page{Title: "Edit " + strings.ReplaceAll(k.Singular, "_", " "),
			Nav: "bgpvpns", Error: message(err), ErrorType: typeOf(err), Data: fd})
		return
	}
	d.sessions.setFlash(ss, "Association saved.", "")
	http.Redirect(w, r, self+"#"+k.Path, http.StatusSeeOther)
}

// assocStatus is one association's status, for live updates.
type assocStatus struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Reason string `json:"status_reason"`
}

// statusJSON answers the page's polling: the status of every
// association of the BGPVPN the caller sees.
func (d *Dashboard) statusJSON(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	out := struct {
		Associations []assocStatus `json:"associations"`
	}{Associations: []assocStatus{}}
	for _, k := range assocKinds {
		list, err := d.listAssociations(r, ss, id, k)
		if err != nil {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(statusOf(err))
			json.NewEncoder(w).Encode(map[string]string{"error": message(err)})
			return
		}
		for _, a := range list {
			out.Associations = append(out.Associations, assocStatus{ID: str(a, "id"), Status: str(a, "status"), Reason: str(a, "status_reason")})
		}
	}
	sort.Slice(out.Associations, func(i, j int) bool { return out.Associations[i].ID < out.Associations[j].ID })
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	json.NewEncoder(w).Encode(out)
}
