package dashboard_test

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

func TestRootSendsBrowsersToTheDashboardOnly(t *testing.T) {
	hs := startServer(t, "")
	b := newBrowser(t, hs.URL)
	if code, h, _ := b.do("GET", "/", nil); code != http.StatusFound || h.Get("Location") != "/dashboard/" {
		t.Errorf("GET / as a browser = %d to %q, want 302 to /dashboard/", code, h.Get("Location"))
	}
	// API clients keep their version document.
	res, err := http.Get(hs.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	json.NewDecoder(res.Body).Decode(&m)
	res.Body.Close()
	if _, ok := m["versions"]; res.StatusCode != http.StatusOK || !ok {
		t.Errorf("GET / as a client = %d %v, want 200 with versions", res.StatusCode, m)
	}
	// Other paths reach the API as they came (no redirect to a cleaned
	// path: the API answers them itself).
	if code, _, body := b.do("GET", "//v2.0/bgpvpn/bgpvpns", nil); code != http.StatusOK || !strings.Contains(body, `"bgpvpns"`) {
		t.Errorf("GET //v2.0/bgpvpn/bgpvpns = %d %s, want the API's own answer", code, body)
	}
}

func TestDashboardCanBeTurnedOff(t *testing.T) {
	hs := startServer(t, "[dashboard]\nenabled = false\n")
	b := newBrowser(t, hs.URL)
	if code, _, _ := b.do("GET", "/dashboard/login", nil); code != http.StatusNotFound {
		t.Errorf("GET /dashboard/login with the dashboard off = %d, want 404", code)
	}
	if code, _, body := b.do("GET", "/", nil); code != http.StatusOK || !strings.Contains(body, "versions") {
		t.Errorf("GET / with the dashboard off = %d %s, want the version document", code, body)
	}
}

func TestSessionCookieAndCSRF(t *testing.T) {
	hs := startServer(t, "")
	b := newBrowser(t, hs.URL)
	if code, h, _ := b.do("GET", "/dashboard/bgpvpns", nil); code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/dashboard/login") {
		t.Fatalf("signed-out GET = %d to %q, want 303 to the sign-in page", code, h.Get("Location"))
	}
	// A sign-in form not from this dashboard (no login cookie's token).
	if code, _, _ := b.do("POST", "/dashboard/login", url.Values{"csrf_token": {"forged"}, "project": {"p"}, "user": {"u"}}); code != http.StatusForbidden {
		t.Errorf("sign-in with a forged token = %d, want 403", code)
	}
	_, _, page := b.do("GET", "/dashboard/login", nil)
	req, _ := http.NewRequest("POST", hs.URL+"/dashboard/login", strings.NewReader(url.Values{"csrf_token": {csrf(t, page)},
		"project": {"admin-project"}, "user": {"admin-user"}, "roles": {"admin"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	var sess *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "bgpvpn_session" {
			sess = c
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || len(sess.Value) < 40 {
		t.Fatalf("session cookie = %+v, want HttpOnly, SameSite=Strict, a long random value", sess)
	}
	// A form without the session's token changes nothing.
	code, _, _ := b.do("POST", "/dashboard/bgpvpns", url.Values{"name": {"forged"}, "route_targets": {"64512:1"}})
	if code != http.StatusForbidden {
		t.Errorf("create without csrf_token = %d, want 403", code)
	}
	if _, m := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns", ""); len(m["bgpvpns"].([]any)) != 0 {
		t.Errorf("a forged form created %v", m["bgpvpns"])
	}
	// Sign out: the session is gone, the cookie no longer signs in.
	token := csrf(t, page)
	_, _, list := b.do("GET", "/dashboard/bgpvpns", nil)
	token = csrf(t, list)
	if code, h, _ := b.do("POST", "/dashboard/logout", url.Values{"csrf_token": {token}}); code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "login") {
		t.Fatalf("sign out = %d to %q", code, h.Get("Location"))
	}
	reuse := newBrowser(t, hs.URL)
	u, _ := url.Parse(hs.URL + "/dashboard/")
	reuse.c.Jar.SetCookies(u, []*http.Cookie{sess})
	if code, _, _ := reuse.do("GET", "/dashboard/bgpvpns", nil); code != http.StatusSeeOther {
		t.Errorf("GET with a signed-out session's cookie = %d, want 303 to sign in", code)
	}
}

func TestAdminCreatesEditsDeletesThroughForms(t *testing.T) {
	hs := startServer(t, "")
	b := newBrowser(t, hs.URL)
	tok := b.signIn("admin-project", "admin-user", "admin")
	code, h, _ := b.do("POST", "/dashboard/bgpvpns", url.Values{"csrf_token": {tok}, "name": {"blue"}, "type": {"l3"},
		"route_targets": {"64512:1, 64512:2"}, "local_pref": {"150"}, "project_id": {"project-a"}})
	if code != http.StatusSeeOther {
		t.Fatalf("create = %d, want 303", code)
	}
	id := strings.TrimPrefix(h.Get("Location"), "/dashboard/bgpvpns/")
	_, m := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+id, "")
	v, _ := m["bgpvpn"].(map[string]any)
	if v["name"] != "blue" || v["local_pref"] != 150.0 || v["project_id"] != "project-a" || len(v["route_targets"].([]any)) != 2 {
		t.Fatalf("created through the form: %v", v)
	}
	// The server has the RBAC API: the owner is offered sharing.
	if _, _, detail := b.do("GET", "/dashboard/bgpvpns/"+id, nil); !strings.Contains(detail, `id="sharing"`) || !strings.Contains(detail, "blue") {
		t.Errorf("the detail page of a server with RBAC:\n%s", detail)
	}
	_, _, page := b.do("GET", "/dashboard/bgpvpns/"+id+"/edit", nil)
	if code, _, body := b.do("POST", "/dashboard/bgpvpns/"+id+"/edit", url.Values{"csrf_token": {csrf(t, page)}, "name": {"green"},
		"route_targets": {"64512:1, 64512:2"}, "local_pref": {"150"}}); code != http.StatusSeeOther {
		t.Fatalf("edit = %d:\n%s", code, body)
	}
	if _, m = api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+id, ""); m["bgpvpn"].(map[string]any)["name"] != "green" {
		t.Errorf("after edit: %v, want name green", m["bgpvpn"])
	}
	_, _, page = b.do("GET", "/dashboard/bgpvpns/"+id, nil)
	if code, _, _ := b.do("POST", "/dashboard/bgpvpns/"+id+"/delete", url.Values{"csrf_token": {csrf(t, page)}}); code != http.StatusSeeOther {
		t.Fatalf("delete = %d", code)
	}
	if code, _ := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+id, ""); code != http.StatusNotFound {
		t.Errorf("after delete: GET = %d, want 404", code)
	}
}

func TestRefusalShowsTheServersMessage(t *testing.T) {
	hs := startServer(t, "")
	b := newBrowser(t, hs.URL)
	tok := b.signIn("admin-project", "admin-user", "admin")
	_, want := api(t, hs.URL, "POST", "/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "x", "route_targets": ["not-an-rt"]}}`)
	msg := want["NeutronError"].(map[string]any)["message"].(string)
	code, _, body := b.do("POST", "/dashboard/bgpvpns", url.Values{"csrf_token": {tok}, "name": {"x"}, "route_targets": {"not-an-rt"}})
	if code != http.StatusBadRequest || !strings.Contains(html.UnescapeString(body), msg) {
		t.Errorf("refused create = %d, want 400 showing %q:\n%s", code, msg, body)
	}
	if !strings.Contains(body, `value="not-an-rt"`) {
		t.Errorf("the refused form lost what was typed")
	}
}

func TestTenantIsOfferedOnlyWhatPolicyAllows(t *testing.T) {
	hs := startServer(t, "")
	_, m := api(t, hs.URL, "POST", "/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "mine", "route_targets": ["64512:7"], "tenant_id": "project-a"}}`)
	id := m["bgpvpn"].(map[string]any)["id"].(string)
	_, m = api(t, hs.URL, "POST", "/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "theirs", "route_targets": ["64512:8"], "tenant_id": "project-b"}}`)
	foreign := m["bgpvpn"].(map[string]any)["id"].(string)

	b := newBrowser(t, hs.URL)
	tok := b.signIn("project-a", "user-a", "member")
	_, _, list := b.do("GET", "/dashboard/bgpvpns", nil)
	for _, absent := range []string{"Create BGP VPN", "theirs", "64512:7", "/dashboard/agents"} {
		if strings.Contains(list, absent) {
			t.Errorf("a tenant's list shows %q", absent)
		}
	}
	if !strings.Contains(list, ">mine<") || !strings.Contains(list, "/dashboard/bgpvpns/"+id+"/edit") {
		t.Errorf("a tenant's list lacks its own BGPVPN or its edit link:\n%s", list)
	}
	_, _, detail := b.do("GET", "/dashboard/bgpvpns/"+id, nil)
	if strings.Contains(detail, "/delete\" data-confirm=\"Delete this BGP VPN") {
		t.Errorf("a tenant is offered deleting a BGPVPN")
	}
	// The edit form offers the name, not the route targets.
	_, _, edit := b.do("GET", "/dashboard/bgpvpns/"+id+"/edit", nil)
	if !strings.Contains(edit, `name="name"`) || strings.Contains(edit, `name="route_targets"`) {
		t.Errorf("a tenant's edit form:\n%s", edit)
	}
	// Forced anyway, the server refuses with its own message.
	_, want := api(t, hs.URL, "DELETE", "/bgpvpn/bgpvpns/"+id, "", tenant("project-a")...)
	msg := want["NeutronError"].(map[string]any)["message"].(string)
	code, h, _ := b.do("POST", "/dashboard/bgpvpns/"+id+"/delete", url.Values{"csrf_token": {tok}})
	_, _, after := b.do("GET", h.Get("Location"), nil)
	if code != http.StatusSeeOther || !strings.Contains(html.UnescapeString(after), msg) {
		t.Errorf("forced delete: %d, then a page without %q:\n%s", code, msg, after)
	}
	if code, _ := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+id, ""); code != http.StatusOK {
		t.Errorf("the refused delete deleted it")
	}
	// Another project's BGPVPN is as missing as one that never existed.
	_, wantNF := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+foreign, "", tenant("project-a")...)
	code, _, page := b.do("GET", "/dashboard/bgpvpns/"+foreign, nil)
	codeMissing, _, pageMissing := b.do("GET", "/dashboard/bgpvpns/00000000-0000-4000-8000-000000000000", nil)
	nf := wantNF["NeutronError"].(map[string]any)["message"].(string)
	if code != http.StatusNotFound || codeMissing != http.StatusNotFound || !strings.Contains(html.UnescapeString(page), nf) ||
		strings.Contains(page, "theirs") || strings.ReplaceAll(page, foreign, "X") != strings.ReplaceAll(pageMissing, "00000000-0000-4000-8000-000000000000", "X") {
		t.Errorf("foreign BGPVPN page = %d, missing = %d; want identical 404 pages with %q", code, codeMissing, nf)
	}
	// Renaming its own BGPVPN works for the tenant.
	if code, _, _ := b.do("POST", "/dashboard/bgpvpns/"+id+"/edit", url.Values{"csrf_token": {tok}, "name": {"renamed"}}); code != http.StatusSeeOther {
		t.Errorf("tenant rename = %d, want 303", code)
	}
	if _, m = api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+id, ""); m["bgpvpn"].(map[string]any)["name"] != "renamed" {
		t.Errorf("after the tenant's rename: %v", m["bgpvpn"])
	}
}

func TestPortAndRouterAssociationForms(t *testing.T) {
	hs := startServer(t, "")
	create := func(path, kind, body string) string {
		t.Helper()
		code, m := api(t, hs.URL, "POST", path, `{"`+kind+`": `+body+`}`)
		if code != http.StatusCreated {
			t.Fatalf("POST %s: %d %v", path, code, m)
		}
		return m[kind].(map[string]any)["id"].(string)
	}
	net := create("/networks", "network", `{"name": "n1"}`)
	create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 4, "cidr": "10.0.0.0/24"}`)
	port := create("/ports", "port", `{"name": "p1", "network_id": "`+net+`"}`)
	router := create("/routers", "router", `{"name": "r1"}`)
	vpn := create("/bgpvpn/bgpvpns", "bgpvpn", `{"name": "v", "route_targets": ["64512:1"]}`)
	other := create("/bgpvpn/bgpvpns", "bgpvpn", `{"name": "w", "route_targets": ["64512:2"]}`)

	b := newBrowser(t, hs.URL)
	tok := b.signIn("admin-project", "admin-user", "admin")
	self := "/dashboard/bgpvpns/" + vpn
	if code, _, _ := b.do("POST", self+"/port_associations", url.Values{"csrf_token": {tok}, "target": {port},
		"prefix_routes": {"10.9.0.0/24 300\n"}, "bgpvpn_routes": {other + " 50"}}); code != http.StatusSeeOther {
		t.Fatalf("associate the port: %d", code)
	}
	_, m := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+"/port_associations", "")
	pas := m["port_associations"].([]any)
	if len(pas) != 1 {
		t.Fatalf("port associations: %v", pas)
	}
	pa := pas[0].(map[string]any)
	if pa["advertise_fixed_ips"] != false || len(pa["routes"].([]any)) != 2 {
		t.Errorf("port association from the form (checkbox unticked, two routes): %v", pa)
	}
	aid := pa["id"].(string)
	_, _, edit := b.do("GET", self+"/port_associations/"+aid+"/edit", nil)
	if !strings.Contains(edit, "10.9.0.0/24 300") || !strings.Contains(edit, other+" 50") {
		t.Errorf("the edit form does not show the routes:\n%s", edit)
	}
	if code, _, _ := b.do("POST", self+"/port_associations/"+aid+"/edit", url.Values{"csrf_token": {tok},
		"advertise_fixed_ips": {"1"}, "prefix_routes": {"10.8.0.0/16"}}); code != http.StatusSeeOther {
		t.Fatalf("edit the port association: %d", code)
	}
	_, m = api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+"/port_associations/"+aid, "")
	pa = m["port_association"].(map[string]any)
	routes := pa["routes"].([]any)
	if pa["advertise_fixed_ips"] != true || len(routes) != 1 || routes[0].(map[string]any)["prefix"] != "10.8.0.0/16" {
		t.Errorf("after the edit form: %v", pa)
	}

	if code, _, _ := b.do("POST", self+"/router_associations", url.Values{"csrf_token": {tok}, "target": {router}}); code != http.StatusSeeOther {
		t.Fatalf("associate the router: %d", code)
	}
	_, m = api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+"/router_associations", "")
	ra := m["router_associations"].([]any)[0].(map[string]any)
	if ra["advertise_extra_routes"] != false {
		t.Errorf("router association without the box ticked: %v", ra)
	}
	rid := ra["id"].(string)
	b.do("POST", self+"/router_associations/"+rid+"/edit", url.Values{"csrf_token": {tok}, "advertise_extra_routes": {"1"}})
	if _, m = api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+"/router_associations/"+rid, ""); m["router_association"].(map[string]any)["advertise_extra_routes"] != true {
		t.Errorf("after ticking advertise_extra_routes: %v", m)
	}
	// An id that smuggles a path ("delete the BGPVPN a/b/c") reaches
	// nothing else.
	if code, _, _ := b.do("POST", "/dashboard/bgpvpns/"+vpn+"%2Frouter_associations%2F"+rid+"/delete", url.Values{"csrf_token": {tok}}); code != http.StatusNotFound {
		t.Errorf("delete with a smuggled path = %d, want 404", code)
	}
	if code, _ := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+"/router_associations/"+rid, ""); code != http.StatusOK {
		t.Errorf("a smuggled path deleted the router association")
	}
	for _, p := range []string{"/port_associations/" + aid, "/router_associations/" + rid} {
		b.do("POST", self+p+"/delete", url.Values{"csrf_token": {tok}})
		if code, _ := api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+p, ""); code != http.StatusNotFound {
			t.Errorf("after disassociating %s: %d, want 404", p, code)
		}
	}
	// An unknown kind of association is a missing page, not a request to
	// the API.
	if code, _, _ := b.do("POST", self+"/bogus_associations", url.Values{"csrf_token": {tok}}); code != http.StatusNotFound {
		t.Errorf("POST to an unknown association kind = %d, want 404", code)
	}
}

func TestListPagesSortsAndFilters(t *testing.T) {
	hs := startServer(t, "")
	for i := range 25 {
		typ := "l3"
		if i%5 == 0 {
			typ = "l2"
		}
		if code, m := api(t, hs.URL, "POST", "/bgpvpn/bgpvpns", fmt.Sprintf(`{"bgpvpn": {"name": "vpn-%02d", "type": "%s", "route_targets": ["64512:%d"]}}`, i, typ, i)); code != http.StatusCreated {
			t.Fatalf("create: %d %v", code, m)
		}
	}
	b := newBrowser(t, hs.URL)
	b.signIn("admin-project", "admin-user", "admin")
	names := func(page string) []string {
		var out []string
		for _, m := range regexp.MustCompile(`>(vpn-\d\d)</a>`).FindAllStringSubmatch(page, -1) {
			out = append(out, m[1])
		}
		return out
	}
	next := regexp.MustCompile(`href="(/dashboard/bgpvpns\?[^"]*)" rel="next"`)
	prev := regexp.MustCompile(`href="(/dashboard/bgpvpns\?[^"]*)" rel="prev"`)
	_, _, p1 := b.do("GET", "/dashboard/bgpvpns?limit=20", nil)
	if got := names(p1); len(got) != 20 || got[0] != "vpn-00" || got[19] != "vpn-19" || prev.MatchString(p1) {
		t.Fatalf("page 1: %v (previous link: %v)", got, prev.MatchString(p1))
	}
	m := next.FindStringSubmatch(p1)
	if m == nil {
		t.Fatalf("page 1 has no next link")
	}
	_, _, p2 := b.do("GET", html.UnescapeString(m[1]), nil)
	if got := names(p2); len(got) != 5 || got[0] != "vpn-20" {
		t.Errorf("page 2: %v", got)
	}
	if m = prev.FindStringSubmatch(p2); m == nil {
		t.Fatalf("page 2 has no previous link")
	}
	_, _, back := b.do("GET", html.UnescapeString(m[1]), nil)
	if got := names(back); len(got) != 20 || got[0] != "vpn-00" {
		t.Errorf("back to page 1: %v", got)
	}
	_, _, desc := b.do("GET", "/dashboard/bgpvpns?sort=name&dir=desc&limit=20", nil)
	if got := names(desc); len(got) != 20 || got[0] != "vpn-24" {
		t.Errorf("sorted by name, descending: %v", got)
	}
	_, _, l2 := b.do("GET", "/dashboard/bgpvpns?type=l2", nil)
	if got := names(l2); strings.Join(got, " ") != "vpn-00 vpn-05 vpn-10 vpn-15 vpn-20" {
		t.Errorf("filtered on type l2: %v", got)
	}
	_, _, one := b.do("GET", "/dashboard/bgpvpns?name=vpn-07", nil)
	if got := names(one); strings.Join(got, " ") != "vpn-07" {
		t.Errorf("filtered on name: %v", got)
	}
	// Hostile query strings are ignored, not passed on.
	if code, _, page := b.do("GET", "/dashboard/bgpvpns?sort=route_targets&dir=sideways&limit=-1", nil); code != http.StatusOK || len(names(page)) != 25 {
		t.Errorf("bad sort/dir/limit: %d, %d rows", code, len(names(page)))
	}
}

// An admin associating a tenant's network with the tenant's BGPVPN makes
// an association of the tenant's project, as Horizon's admin panel does
// (the API refuses one of the admin's own project).
func TestAdminAssociatesInATenantsBGPVPN(t *testing.T) {
	hs := startServer(t, "")
	_, m := api(t, hs.URL, "POST", "/networks", `{"network": {"name": "n1", "tenant_id": "project-a"}}`)
	net := m["network"].(map[string]any)["id"].(string)
	_, m = api(t, hs.URL, "POST", "/bgpvpn/bgpvpns", `{"bgpvpn": {"name": "v", "route_targets": ["64512:1"], "tenant_id": "project-a"}}`)
	vpn := m["bgpvpn"].(map[string]any)["id"].(string)
	b := newBrowser(t, hs.URL)
	tok := b.signIn("admin-project", "admin-user", "admin")
	if code, _, _ := b.do("POST", "/dashboard/bgpvpns/"+vpn+"/network_associations", url.Values{"csrf_token": {tok}, "target": {net}}); code != http.StatusSeeOther {
		t.Fatalf("associate = %d, want 303", code)
	}
	_, m = api(t, hs.URL, "GET", "/bgpvpn/bgpvpns/"+vpn+"/network_associations", "")
	if nas := m["network_associations"].([]any); len(nas) != 1 || nas[0].(map[string]any)["project_id"] != "project-a" {
		_, _, page := b.do("GET", "/dashboard/bgpvpns/"+vpn, nil)
		t.Errorf("network associations after the admin's form: %v; page error: %s", nas, regexp.MustCompile(`(?s)<p class="error".*?</p>`).FindString(page))
	}
}
