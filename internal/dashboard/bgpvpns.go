package dashboard

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
)

const bgpvpnsPath = "/v2.0/bgpvpn/bgpvpns"

// pageSizes are the list page sizes offered.
var pageSizes = []int{20, 50, 100, 500, 1000}

type named struct{ ID, Name string }

type listRow struct {
	VPN                obj
	ID, Name, Type     string
	Project            string
	Networks, Routers  []named
	Ports              int
	CanEdit, CanDelete bool
	// Shared is the RBAC "shared" attribute when the API has it.
	Shared string
}

type listData struct {
	Rows                 []listRow
	Name, Type, Project  string
	Sort, Dir            string
	Limit                int
	Sizes                []int
	Next, Prev           string
	CanCreate, ShowOwner bool
	// HasShared shows a sharing column when the API returns "shared".
	HasShared bool
}

// sortKeys are the columns a list sorts by.
var sortKeys = []string{"name", "type", "project_id", "created_at", "local_pref", "vni"}

func (d *Dashboard) listBGPVPNs(w http.ResponseWriter, r *http.Request, ss *session) {
	in := r.URL.Query()
	admin := d.admin(ss)
	ld := listData{Name: in.Get("name"), Type: in.Get("type"), Sort: in.Get("sort"), Dir: in.Get("dir"),
		Limit: 50, Sizes: pageSizes, ShowOwner: admin}
	if admin {
		ld.Project = in.Get("project_id")
	}
	if n, err := strconv.Atoi(in.Get("limit")); err == nil && slices.Contains(pageSizes, n) {
		ld.Limit = n
	}
	if !slices.Contains(sortKeys, ld.Sort) {
		ld.Sort = "name"
	}
	if ld.Dir != "desc" {
		ld.Dir = "asc"
	}
	q := url.Values{"limit": {strconv.Itoa(ld.Limit)}, "sort_key": {ld.Sort, "id"}, "sort_dir": {ld.Dir, ld.Dir}}
	for k, v := range map[string]string{"name": ld.Name, "type": ld.Type, "project_id": ld.Project} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if m := in.Get("marker"); m != "" {
		q.Set("marker", m)
		if in.Get("reverse") == "1" {
			q.Set("page_reverse", "True")
		}
	}
	var res struct {
		BGPVPNs []obj `json:"bgpvpns"`
		Links   []obj `json:"bgpvpns_links"`
	}
	if err := d.call(r.Context(), ss.who, http.MethodGet, bgpvpnsPath, q, nil, &res); err != nil {
		d.fail(w, r, ss, err)
		return
	}
	for _, l := range res.Links {
		u, err := url.Parse(str(l, "href"))
		if err != nil {
			continue
		}
		switch str(l, "rel") {
		case "next":
			ld.Next = u.Query().Get("marker")
		case "previous":
			// Neutron links back from the first page too.
			if in.Get("marker") != "" {
				ld.Prev = u.Query().Get("marker")
			}
		}
	}
	var nets, routers map[string]string
	needNames := false
	for _, v := range res.BGPVPNs {
		if len(strs(v, "networks"))+len(strs(v, "routers")) > 0 {
			needNames = true
			break
		}
	}
	if needNames {
		nets = d.names(r, ss, "/v2.0/networks", "networks")
		routers = d.names(r, ss, "/v2.0/routers", "routers")
	}
	ld.CanCreate = d.may(ss, "create_bgpvpn", obj{})
	ld.Rows = make([]listRow, 0, len(res.BGPVPNs))
	for _, v := range res.BGPVPNs {
		row := listRow{VPN: v, ID: str(v, "id"), Name: str(v, "name"), Type: str(v, "type"), Project: str(v, "project_id"),
			Ports: len(strs(v, "ports")), CanEdit: d.may(ss, "update_bgpvpn", v), CanDelete: d.may(ss, "delete_bgpvpn", v)}
		if sh, ok := v["shared"]; ok {
			ld.HasShared, row.Shared = true, display(sh)
		}
		for _, id := range strs(v, "networks") {
			row.Networks = append(row.Networks, named{id, nets[id]})
		}
		for _, id := range strs(v, "routers") {
			row.Routers = append(row.Routers, named{id, routers[id]})
		}
		ld.Rows = append(ld.Rows, row)
	}
	d.render(w, r, ss, "list", page{Title: "BGP VPNs", Nav: "bgpvpns", Data: ld})
}

// names maps the ids of a collection the caller sees to their names
// (empty when the list cannot be read).
func (d *Dashboard) names(r *http.Request, ss *session, path, plural string) map[string]string {
	var res map[string][]obj
	out := map[string]string{}
	if err := d.call(r.Context(), ss.who, http.MethodGet, path, url.Values{"fields": {"id", "name"}}, nil, &res); err != nil {
		return out
	}
	for _, o := range res[plural] {
		out[str(o, "id")] = str(o, "name")
	}
	return out
}

// getBGPVPN reads one BGPVPN as the session.
func (d *Dashboard) getBGPVPN(r *http.Request, ss *session, id string) (obj, error) {
	var res struct {
		BGPVPN obj `json:"bgpvpn"`
	}
	if err := d.call(r.Context(), ss.who, http.MethodGet, bgpvpnsPath+"/"+url.PathEscape(id), nil, nil, &res); err != nil {
		return nil, err
	}
	return res.BGPVPN, nil
}

// formData is the data of the generic form page.
type formData struct {
	Action, Submit, Cancel string
	Fields                 []field
}

// bgpvpnFields are the inputs of the create and edit forms; on edit, only
// those the caller may change (policy per attribute), filled from v.
func (d *Dashboard) bgpvpnFields(ss *session, v obj, create bool, form url.Values) []field {
	action := "update_bgpvpn"
	if create {
		action = "create_bgpvpn"
	}
	val := func(k string) string {
		if form != nil {
			return form.Get(k)
		}
		if v == nil {
			return ""
		}
		if l, ok := v[k].([]any); ok {
			s := ""
			for i, e := range l {
				if i > 0 {
					s += ", "
				}
				s += display(e)
			}
			return s
		}
		if v[k] == nil {
			return ""
		}
		return display(v[k])
	}
	all := []field{
		{Name: "name", Label: "Name", Kind: "text"},
		{Name: "description", Label: "Description", Kind: "text"},
		{Name: "type", Label: "Type", Kind: "select", Options: []string{"l3", "l2"}, Help: "l3: IP VPN; l2: E-VPN"},
		{Name: "route_targets", Label: "Route targets", Kind: "text", Help: "ASN:N or IP:N, comma separated; imported and exported"},
		{Name: "import_targets", Label: "Import targets", Kind: "text"},
		{Name: "export_targets", Label: "Export targets", Kind: "text"},
		{Name: "route_distinguishers", Label: "Route distinguishers", Kind: "text"},
		{Name: "vni", Label: "VNI", Kind: "text", Help: "VXLAN network identifier, 1-16777215"},
		{Name: "local_pref", Label: "Local preference", Kind: "text", Help: "BGP LOCAL_PREF of the routes advertised"},
		{Name: "project_id", Label: "Project", Kind: "text", Help: "owner project (default: yours)"},
	}
	// Attributes other branches of the API add (RBAC sharing, the
	// specified-but-never-built ones): offered on edit when the API
	// returns them.
	if !create {
		for _, o := range optionalAttrs {
			if _, ok := v[o.Name]; ok {
				o.Checked = v[o.Name] == true
				all = append(all, o)
			}
		}
	}
	var out []field
	for _, f := range all {
		if !create && (f.Name == "type" || f.Name == "project_id") {
			continue // not updatable
		}
		if !d.may(ss, action, v, f.Name) {
			continue
		}
		f.Value = val(f.Name)
		if create && f.Name == "type" && f.Value == "" {
			f.Value = "l3"
		}
		out = append(out, f)
	}
	return out
}

// optionalAttrs are boolean attributes the server may have.
var optionalAttrs = []field{
	{Name: "shared", Label: "Shared with every project", Kind: "checkbox"},
	{Name: "admin_state_up", Label: "Administratively up", Kind: "checkbox"},
	{Name: "auto_aggregate", Label: "Auto aggregate", Kind: "checkbox"},
}

var listAttrs = map[string]bool{"route_targets": true, "import_targets": true, "export_targets": true, "route_distinguishers": true}
var numberAttrs = map[string]bool{"vni": true, "local_pref": true}

// bgpvpnBody builds the API body from the form: every field on create
// (empty ones left out), only the changed ones on edit.
func bgpvpnBody(fields []field, form url.Values, create bool) obj {
	body := obj{}
	for _, f := range fields {
		in := form.Get(f.Name)
		if f.Kind == "checkbox" {
			if on := in != ""; create || on != f.Checked {
				body[f.Name] = on
			}
			continue
		}
		if !create && in == f.Value {
			continue
		}
		switch {
		case listAttrs[f.Name]:
			if create && in == "" {
				continue
			}
			body[f.Name] = listOf(in)
		case numberAttrs[f.Name]:
			n := numberOf(in)
			if create && n == nil {
				continue
			}
			body[f.Name] = n
		default:
			if create && in == "" {
				continue
			}
			body[f.Name] = in
		}
	}
	return body
}

func (d *Dashboard) newBGPVPN(w http.ResponseWriter, r *http.Request, ss *session) {
	if !d.may(ss, "create_bgpvpn", obj{}) {
		d.renderStatus(w, r, ss, http.StatusForbidden, "error", page{Title: "Refused", Error: "You may not create BGP VPNs."})
		return
	}
	d.render(w, r, ss, "form", page{Title: "Create a BGP VPN", Nav: "bgpvpns", Data: formData{
		Action: basePath + "bgpvpns", Submit: "Create", Cancel: basePath + "bgpvpns", Fields: d.bgpvpnFields(ss, nil, true, nil)}})
}

func (d *Dashboard) createBGPVPN(w http.ResponseWriter, r *http.Request, ss *session) {
	fields := d.bgpvpnFields(ss, nil, true, nil)
	body := bgpvpnBody(fields, r.PostForm, true)
	var res struct {
		BGPVPN obj `json:"bgpvpn"`
	}
	if err := d.call(r.Context(), ss.who, http.MethodPost, bgpvpnsPath, nil, obj{"bgpvpn": body}, &res); err != nil {
		d.renderStatus(w, r, ss, statusOf(err), "form", page{Title: "Create a BGP VPN", Nav: "bgpvpns", Error: message(err),
			ErrorType: typeOf(err), Data: formData{Action: basePath + "bgpvpns", Submit: "Create", Cancel: basePath + "bgpvpns",
				Fields: d.bgpvpnFields(ss, nil, true, r.PostForm)}})
		return
	}
	d.sessions.setFlash(ss, "BGP VPN "+displayName(res.BGPVPN)+" created.", "")
	http.Redirect(w, r, basePath+"bgpvpns/"+url.PathEscape(str(res.BGPVPN, "id")), http.StatusSeeOther)
}

func (d *Dashboard) editBGPVPN(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	v, err := d.getBGPVPN(r, ss, id)
	if err != nil {
		d.fail(w, r, ss, err)
		return
	}
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	d.render(w, r, ss, "form", page{Title: "Edit BGP VPN " + displayName(v), Nav: "bgpvpns", Data: formData{
		Action: self + "/edit", Submit: "Save", Cancel: self, Fields: d.bgpvpnFields(ss, v, false, nil)}})
}

func (d *Dashboard) updateBGPVPN(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	v, err := d.getBGPVPN(r, ss, id)
	if err != nil {
		d.fail(w, r, ss, err)
		return
	}
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	fields := d.bgpvpnFields(ss, v, false, nil)
	body := bgpvpnBody(fields, r.PostForm, false)
	// Fields the form did not offer (the caller may not change them) but
	// a crafted request carries go to the API too, which refuses them.
	for k := range r.PostForm {
		if _, ok := body[k]; !ok && k != "csrf_token" && !slices.ContainsFunc(fields, func(f field) bool { return f.Name == k }) {
			if listAttrs[k] {
				body[k] = listOf(r.PostForm.Get(k))
			} else if numberAttrs[k] {
				body[k] = numberOf(r.PostForm.Get(k))
			} else {
				body[k] = r.PostForm.Get(k)
			}
		}
	}
	if len(body) > 0 {
		if err := d.call(r.Context(), ss.who, http.MethodPut, bgpvpnsPath+"/"+url.PathEscape(id), nil, obj{"bgpvpn": body}, nil); err != nil {
			d.renderStatus(w, r, ss, statusOf(err), "form", page{Title: "Edit BGP VPN " + displayName(v), Nav: "bgpvpns",
				Error: message(err), ErrorType: typeOf(err), Data: formData{Action: self + "/edit", Submit: "Save", Cancel: self,
					Fields: d.bgpvpnFields(ss, v, false, r.PostForm)}})
			return
		}
	}
	d.sessions.setFlash(ss, "BGP VPN saved.", "")
	http.Redirect(w, r, self, http.StatusSeeOther)
}

func (d *Dashboard) deleteBGPVPN(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	if err := d.call(r.Context(), ss.who, http.MethodDelete, bgpvpnsPath+"/"+url.PathEscape(id), nil, nil, nil); err != nil {
		d.sessions.setFlash(ss, "", message(err))
		http.Redirect(w, r, basePath+"bgpvpns/"+url.PathEscape(id), http.StatusSeeOther)
		return
	}
	d.sessions.setFlash(ss, "BGP VPN deleted.", "")
	http.Redirect(w, r, basePath+"bgpvpns", http.StatusSeeOther)
}

func displayName(v obj) string {
	if n := str(v, "name"); n != "" {
		return n
	}
	return str(v, "id")
}
