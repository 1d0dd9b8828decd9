package dashboard

import (
	"errors"
	"net/http"
	"net/url"
)

// rbacPath is Neutron's RBAC API, which this server has once BGPVPNs can
// be shared (object_type bgpvpn); without it the sharing section is not
// shown.
const rbacPath = "/v2.0/rbac-policies"

type rbacRow struct {
	ID, Target, Action string
	CanDelete          bool
}

type sharingData struct {
	Rows      []rbacRow
	CanCreate bool
}

// sharing reads who a BGPVPN is shared with; nil when the server has no
// RBAC API (404) or will not tell this caller.
func (d *Dashboard) sharing(r *http.Request, ss *session, v obj) *sharingData {
	var res struct {
		Policies []obj `json:"rbac_policies"`
	}
	q := url.Values{"object_type": {"bgpvpn"}, "object_id": {str(v, "id")}}
	if err := d.call(r.Context(), ss.who, http.MethodGet, rbacPath, q, nil, &res); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) {
			d.log.Error("reading the sharing of a BGPVPN", "vpn_id", str(v, "id"), "error", err)
		}
		return nil
	}
	sd := &sharingData{CanCreate: d.may(ss, "create_rbac_policy", obj{"object_type": "bgpvpn", "object_id": str(v, "id")})}
	for _, p := range res.Policies {
		if str(p, "object_id") != str(v, "id") {
			continue
		}
		sd.Rows = append(sd.Rows, rbacRow{ID: str(p, "id"), Target: str(p, "target_tenant"), Action: str(p, "action"),
			CanDelete: d.may(ss, "delete_rbac_policy", p)})
	}
	return sd
}

// share creates an RBAC policy sharing the BGPVPN with a project ("*":
// every project).
func (d *Dashboard) share(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	body := obj{"rbac_policy": obj{"object_type": "bgpvpn", "object_id": id, "action": "access_as_shared",
		"target_tenant": r.PostForm.Get("target_tenant")}}
	if err := d.call(r.Context(), ss.who, http.MethodPost, rbacPath, nil, body, nil); err != nil {
		d.sessions.setFlash(ss, "", message(err))
	} else {
		d.sessions.setFlash(ss, "Shared with "+r.PostForm.Get("target_tenant")+".", "")
	}
	http.Redirect(w, r, self+"#sharing", http.StatusSeeOther)
}

// unshare deletes one of the BGPVPN's RBAC policies.
func (d *Dashboard) unshare(w http.ResponseWriter, r *http.Request, ss *session) {
	id := r.PathValue("id")
	self := basePath + "bgpvpns/" + url.PathEscape(id)
	if err := d.call(r.Context(), ss.who, http.MethodDelete, rbacPath+"/"+url.PathEscape(r.PathValue("pid")), nil, nil, nil); err != nil {
		d.sessions.setFlash(ss, "", message(err))
	} else {
		d.sessions.setFlash(ss, "No longer shared that way.", "")
	}
	http.Redirect(w, r, self+"#sharing", http.StatusSeeOther)
}
