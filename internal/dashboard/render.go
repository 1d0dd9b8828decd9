package dashboard

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// page is what every template receives.
type page struct {
	Title    string
	Nav      string
	SignedIn bool
	Who      Identity
	Admin    bool
	CSRF     string
	Flash    string
	Error    string
	// ErrorType is the Neutron fault type of Error, when the API refused.
	ErrorType string
	Data      any
}

var pageNames = []string{"login", "list", "detail", "form", "assocform", "agents", "error"}

func parsePages() map[string]*template.Template {
	funcs := template.FuncMap{
		"join":    strings.Join,
		"base":    func() string { return basePath },
		"str":     str,
		"strs":    strs,
		"display": display,
		"attrs":   extraAttrs,
		"svg":     func(s string) template.HTML { return template.HTML(s) },
		"has":     func(o obj, k string) bool { _, ok := o[k]; return ok },
		"lower":   strings.ToLower,
		"sortCol": sortCol,
		"query": func(pairs ...string) template.URL {
			v := url.Values{}
			for i := 0; i+1 < len(pairs); i += 2 {
				if pairs[i+1] != "" {
					v.Set(pairs[i], pairs[i+1])
				}
			}
			return template.URL(v.Encode())
		},
	}
	out := map[string]*template.Template{}
	for _, name := range pageNames {
		out[name] = template.Must(template.New("layout.html").Funcs(funcs).
			ParseFS(templateFS, "templates/layout.html", "templates/"+name+".html"))
	}
	return out
}

// render writes a page with status 200.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, ss *session, name string, p page) {
	d.renderStatus(w, r, ss, http.StatusOK, name, p)
}

// renderStatus fills the session's part of p and writes the page.
func (d *Dashboard) renderStatus(w http.ResponseWriter, r *http.Request, ss *session, status int, name string, p page) {
	if ss != nil {
		p.SignedIn, p.Who, p.CSRF, p.Admin = true, ss.who, ss.csrf, d.admin(ss)
		flash, flashErr := d.sessions.takeFlash(ss)
		if p.Flash == "" {
			p.Flash = flash
		}
		if p.Error == "" {
			p.Error = flashErr
		}
	}
	var buf bytes.Buffer
	if err := d.pages[name].Execute(&buf, p); err != nil {
		d.log.Error("rendering a dashboard page", "page", name, "error", err)
		http.Error(w, "internal error rendering the page", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// fail shows an error: the API's own message and status when it refused,
// else a generic one (the cause is logged).
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, ss *session, err error) {
	var ae *apiError
	if errors.As(err, &ae) && ae.Status == http.StatusUnauthorized && ss != nil && ss.who.Token != "" {
		// Keystone no longer accepts the session's token (revoked, or
		// ended before the session): the session is over.
		d.sessions.end(ss)
		clearCookie(w, r)
		http.Redirect(w, r, basePath+"login?ended=1&next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
		return
	}
	if errors.As(err, &ae) {
		d.renderStatus(w, r, ss, ae.Status, "error", page{Title: http.StatusText(ae.Status), Error: ae.Error(), ErrorType: ae.Type})
		return
	}
	d.log.Error("dashboard request failed", "path", r.URL.Path, "error", err)
	d.renderStatus(w, r, ss, http.StatusInternalServerError, "error", page{Title: "Error", Error: "Internal error; the server's log says why."})
}

func (d *Dashboard) notFound(w http.ResponseWriter, r *http.Request, ss *session, msg string) {
	d.renderStatus(w, r, ss, http.StatusNotFound, "error", page{Title: "Not found", Error: msg})
}

// message is what a user reads of an error.
func message(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Error()
	}
	return "internal error; the server's log says why"
}

// display renders an attribute value for people.
func display(v any) string {
	switch x := v.(type) {
	case nil:
		return "—"
	case string:
		if x == "" {
			return "—"
		}
		return x
	case bool:
		if x {
			return "yes"
		}
		return "no"
	case []any:
		if len(x) == 0 {
			return "—"
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = display(e)
		}
		return strings.Join(parts, ", ")
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + "=" + display(x[k])
		}
		return strings.Join(parts, " ")
	}
	return fmt.Sprint(v)
}

// shown are the BGPVPN attributes the detail page lays out itself.
var shown = map[string]bool{"id": true, "name": true, "type": true, "networks": true, "routers": true, "ports": true,
	"tenant_id": true, "project_id": true, "description": true}

// attr is one more attribute, as the API returned it.
type attr struct{ Name, Value string }

// extraAttrs lists the attributes of o the page does not lay out itself,
// sorted: whatever the API returns (RTs, RDs, VNI, local_pref, sharing,
// admin_state_up, …) is shown.
func extraAttrs(o obj) []attr {
	var out []attr
	for k, v := range o {
		if !shown[k] {
			out = append(out, attr{k, display(v)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// safeNext keeps a post-sign-in destination inside the dashboard.
func safeNext(next string) string {
	if strings.HasPrefix(next, basePath) && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return basePath + "bgpvpns"
}

// statusOf is the status to answer a refused form with.
func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return http.StatusInternalServerError
}

// typeOf is the Neutron fault type of a refusal ("" otherwise).
func typeOf(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Type
	}
	return ""
}

// sortHead is a sortable column heading: a link that sorts by it, or
// reverses the order when it already does.
type sortHead struct {
	Label, Dir string
	Active     bool
	Query      template.URL
}

func sortCol(ld listData, key, label string) sortHead {
	h := sortHead{Label: label, Dir: ld.Dir, Active: ld.Sort == key}
	dir := "asc"
	if h.Active && ld.Dir == "asc" {
		dir = "desc"
	}
	v := url.Values{"sort": {key}, "dir": {dir}, "limit": {fmt.Sprint(ld.Limit)}}
	for k, x := range map[string]string{"name": ld.Name, "type": ld.Type, "project_id": ld.Project} {
		if x != "" {
			v.Set(k, x)
		}
	}
	h.Query = template.URL(v.Encode())
	return h
}
