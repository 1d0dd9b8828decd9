package dashboard_test

import (
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/bgpvpn/bgpvpn/internal/server/servertest"
)

// TestBrowser drives Debian's Chromium through the dashboard, as an admin
// and as a tenant, against a real bgpvpn-server with the bagpipe driver
// and two simulated compute nodes on the agent feed. Each action is
// checked through the REST API. Screenshots go to BGPVPN_SCREENSHOTS.
func TestBrowser(t *testing.T) {
	if os.Getenv("BGPVPN_BROWSER") == "" {
		t.Skip("set BGPVPN_BROWSER=1 to drive Chromium (scripts/it/dashboard.sh does)")
	}
	shots := os.Getenv("BGPVPN_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	srv := servertest.Start(t, feedSecret, t.TempDir(), "127.0.0.1:0")
	net := srv.Create("/networks", "network", `{"name": "net-a", "tenant_id": "project-a"}`)
	srv.Create("/subnets", "subnet", `{"network_id": "`+net+`", "ip_version": 4, "cidr": "10.0.0.0/24", "tenant_id": "project-a"}`)
	vm1 := srv.Create("/ports", "port", `{"name": "vm-1", "network_id": "`+net+`", "binding:host_id": "compute-1", "device_owner": "compute:nova", "tenant_id": "project-a"}`)
	vm2 := srv.Create("/ports", "port", `{"name": "vm-2", "network_id": "`+net+`", "binding:host_id": "compute-2", "device_owner": "compute:nova", "tenant_id": "project-a"}`)
	// The router joins another network (one network cannot be in a
	// BGPVPN both directly and through a router).
	netB := srv.Create("/networks", "network", `{"name": "net-b", "tenant_id": "project-a"}`)
	subB := srv.Create("/subnets", "subnet", `{"network_id": "`+netB+`", "ip_version": 4, "cidr": "10.1.0.0/24", "tenant_id": "project-a"}`)
	srv.Create("/ports", "port", `{"name": "vm-3", "network_id": "`+netB+`", "binding:host_id": "compute-2", "device_owner": "compute:nova", "tenant_id": "project-a"}`)
	router := srv.Create("/routers", "router", `{"name": "router-a", "tenant_id": "project-a"}`)
	srv.Call("PUT", "/routers/"+router+"/add_router_interface", `{"subnet_id": "`+subB+`"}`)
	agents := []*heldAgent{startHeldAgent(t, srv.URL, "compute-1"), startHeldAgent(t, srv.URL, "compute-2")}

	b := newTab(t, srv.URL, shots)

	// A browser opening / lands on the sign-in page.
	b.do("open /", chromedp.Navigate(srv.URL+"/"), chromedp.WaitVisible(chromedp.CSS("input[name=project]")))
	b.shot("01-sign-in")

	// Admin: create and edit a BGPVPN.
	b.signIn("admin-project", "admin-user", "admin")
	b.do("press Tab", chromedp.KeyEvent("\t"))
	if cls := eval[string](b, `document.activeElement.tagName + "." + document.activeElement.className`); cls != "A.skip" {
		t.Errorf("the first Tab focuses %q, want the skip link", cls)
	}
	b.do("open the create form", chromedp.Click(chromedp.CSS("a.button.primary")), chromedp.WaitVisible(chromedp.CSS("input[name=route_targets]")))
	b.do("fill the create form",
		chromedp.SetValue(chromedp.CSS("input[name=name]"), "blue"),
		chromedp.SetValue(chromedp.CSS("input[name=route_targets]"), "64512:1, 64512:2"),
		chromedp.SetValue(chromedp.CSS("input[name=project_id]"), "project-a"))
	b.shot("02-create")
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/")
	list := srv.Call("GET", "/bgpvpn/bgpvpns?name=blue", "")["bgpvpns"].([]any)
	if len(list) != 1 {
		t.Fatalf("after the create form, the API lists %v", list)
	}
	vpn := list[0].(map[string]any)
	id := vpn["id"].(string)
	if vpn["project_id"] != "project-a" || fmt.Sprint(vpn["route_targets"]) != "[64512:1 64512:2]" {
		t.Errorf("created: %v", vpn)
	}
	b.do("open the edit form", chromedp.Click(chromedp.CSS(".toolbar a.button")), chromedp.WaitVisible(chromedp.CSS("input[name=local_pref]")))
	b.do("fill the edit form", chromedp.SetValue(chromedp.CSS("input[name=name]"), "blue-vpn"),
		chromedp.SetValue(chromedp.CSS("input[name=local_pref]"), "200"))
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	vpn = srv.Call("GET", "/bgpvpn/bgpvpns/"+id, "")["bgpvpn"].(map[string]any)
	if vpn["name"] != "blue-vpn" || vpn["local_pref"] != 200.0 {
		t.Errorf("after the edit form: %v", vpn)
	}
	b.signOut()

	// Tenant: its list, no create; associations of its network, router
	// and port, with routes.
	b.signIn("project-a", "user-a", "member")
	if b.has("Create BGP VPN") || !b.has("blue-vpn") || b.has("64512:1") {
		t.Errorf("a tenant's list: %s", b.text())
	}
	b.shot("03-list-tenant")
	b.do("open the BGPVPN", chromedp.Click(chromedp.CSS(`a[href="/dashboard/bgpvpns/`+id+`"]`)), chromedp.WaitVisible(chromedp.CSS("#network_associations")))
	if eval[bool](b, `!!document.querySelector('form[action$="/delete"] button.danger:not(.link)')`) {
		t.Errorf("a tenant is offered deleting the BGPVPN")
	}
	b.do("choose the network", chromedp.SetValue(chromedp.CSS("#network_associations select[name=target]"), net))
	b.submit("#network_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	nas := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/network_associations", "")["network_associations"].([]any)
	if len(nas) != 1 || nas[0].(map[string]any)["network_id"] != net {
		t.Fatalf("network associations after the form: %v", nas)
	}
	netAssoc := nas[0].(map[string]any)["id"].(string)
	// The agents have not reported: BUILD, on the page as in the API.
	b.waitFor("the network association in BUILD", `document.querySelector('tr[data-assoc="`+netAssoc+`"] [data-status]').textContent === "BUILD"`)

	b.do("choose the router", chromedp.SetValue(chromedp.CSS("#router_associations select[name=target]"), router),
		chromedp.Click(chromedp.CSS("#router_associations input[name=advertise_extra_routes]")))
	b.submit("#router_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	ras := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/router_associations", "")["router_associations"].([]any)
	if len(ras) != 1 || ras[0].(map[string]any)["router_id"] != router || ras[0].(map[string]any)["advertise_extra_routes"] != false {
		t.Fatalf("router associations after the form: %v; page: %s", ras, b.text())
	}

	b.do("choose the port and its routes", chromedp.SetValue(chromedp.CSS("#port_associations select[name=target]"), vm1),
		chromedp.SetValue(chromedp.CSS("#port_associations textarea[name=prefix_routes]"), "10.9.0.0/24 300\n192.168.7.0/24"))
	b.submit("#port_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	pas := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/port_associations", "")["port_associations"].([]any)
	if len(pas) != 1 {
		t.Fatalf("port associations after the form: %v", pas)
	}
	pa := pas[0].(map[string]any)
	if pa["port_id"] != vm1 || pa["advertise_fixed_ips"] != true ||
		fmt.Sprint(pa["routes"]) != "[map[local_pref:300 prefix:10.9.0.0/24 type:prefix] map[local_pref:<nil> prefix:192.168.7.0/24 type:prefix]]" {
		t.Errorf("port association after the form: %v", pa)
	}

	// A refused action shows the server's own message, and changes nothing.
	code, refusal := api(t, srv.URL, "POST", "/bgpvpn/bgpvpns/"+id+"/port_associations",
		`{"port_association": {"port_id": "`+vm2+`", "routes": [{"type": "prefix", "prefix": "10.9.0.300/24"}]}}`, tenant("project-a")...)
	msg := refusal["NeutronError"].(map[string]any)["message"].(string)
	if code != http.StatusBadRequest {
		t.Fatalf("the API accepted a bad prefix: %d", code)
	}
	b.do("choose a port and a bad route", chromedp.Click(chromedp.CSS("#port_associations summary")), chromedp.SetValue(chromedp.CSS("#port_associations select[name=target]"), vm2),
		chromedp.SetValue(chromedp.CSS("#port_associations textarea[name=prefix_routes]"), "10.9.0.300/24"))
	b.submit("#port_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	if got := eval[string](b, `document.getElementById("error").innerText`); !strings.Contains(got, msg) {
		t.Errorf("refused association shows %q, want the server's %q", got, msg)
	}
	b.shot("04-refused")
	if n := len(srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/port_associations", "")["port_associations"].([]any)); n != 1 {
		t.Errorf("the refused association left %d port associations, want 1", n)
	}

	// The agents report: every association turns ACTIVE on the open
	// page, without a reload.
	b.do("mark the page", chromedp.Evaluate[chromedp.Void](`window.__same = true`))
	for _, a := range agents {
		close(a.release)
	}
	b.waitFor("every association ACTIVE", `window.__same && [...document.querySelectorAll("[data-status]")].length === 3 && [...document.querySelectorAll("[data-status]")].every(e => e.textContent === "ACTIVE")`)
	for _, kind := range []string{"network", "router", "port"} {
		for _, a := range srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/"+kind+"_associations", "")[kind+"_associations"].([]any) {
			if s := a.(map[string]any)["status"]; s != "ACTIVE" {
				t.Errorf("API: %s association status %v, want ACTIVE", kind, s)
			}
		}
	}
	b.shot("05-detail-tenant")
	b.signOut()

	// Admin: the picture of what the BGPVPN joins, and the agents.
	b.signIn("admin-project", "admin-user", "admin")
	b.open("/dashboard/bgpvpns/" + id)
	for _, s := range []string{"compute-1", "compute-2", "vm-1", "vm-2", "vm-3", "net-a", "net-b", "router-a"} {
		if !eval[bool](b, `[...document.querySelectorAll("svg.graph text")].some(e => e.textContent === `+jsString(s)+`)`) {
			t.Errorf("the graph has no %q", s)
		}
	}
	b.shot("06-detail-admin")
	// Liveness is written in batches (every 5 s): reload until it shows.
	alive := func(h string) string {
		return `[...document.querySelectorAll("#agents tr")].some(r => r.cells[0].textContent === ` + jsString(h) + ` && r.cells[1].textContent === "alive")`
	}
	b.reloadUntil("/dashboard/agents", "both agents alive", alive("compute-1")+" && "+alive("compute-2"))
	b.shot("07-agents")
	b.open("/dashboard/bgpvpns")
	b.shot("08-list-admin")
	// A narrow window: the page itself does not scroll sideways.
	b.do("narrow the window", chromedp.EmulateViewport(380, 800))
	b.open("/dashboard/bgpvpns/" + id)
	if eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
		t.Errorf("on a 380 px window the page is %v px wide: %s", eval[int](b, `document.documentElement.scrollWidth`),
			eval[string](b, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest(".scroll"))).map(e => e.tagName + "." + e.className).join(" ")`))
	}
	b.shot("09-detail-narrow")
	b.do("widen the window", chromedp.EmulateViewport(1200, 900))

	// Disassociate all three (confirmations accepted), then delete.
	for _, kind := range []string{"network", "router", "port"} {
		aid := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/"+kind+"_associations", "")[kind+"_associations"].([]any)[0].(map[string]any)["id"].(string)
		b.open("/dashboard/bgpvpns/" + id)
		b.submit(`tr[data-assoc="`+aid+`"] button.danger`, "/dashboard/bgpvpns/"+id)
		if code, _ := api(t, srv.URL, "GET", "/bgpvpn/bgpvpns/"+id+"/"+kind+"_associations/"+aid, ""); code != http.StatusNotFound {
			t.Errorf("after disassociating the %s: GET = %d, want 404", kind, code)
		}
	}
	b.submit(`.toolbar button.danger`, "/dashboard/bgpvpns")
	if code, _ := api(t, srv.URL, "GET", "/bgpvpn/bgpvpns/"+id, ""); code != http.StatusNotFound {
		t.Errorf("after delete: GET = %d, want 404", code)
	}
	if !b.has("BGP VPN deleted.") {
		t.Errorf("no confirmation after delete: %s", b.text())
	}

	// A page of 1,000 in the browser: every row there, the next page
	// linked. (How long it took is logged, not asserted.)
	for i := range 1001 {
		srv.Create("/bgpvpn/bgpvpns", "bgpvpn", fmt.Sprintf(`{"name": "vpn-%04d", "route_targets": ["64512:%d"], "tenant_id": "project-%d"}`, i, i+10, i%7))
	}
	b.open("/dashboard/bgpvpns?limit=1000")
	if n := eval[int](b, `document.querySelectorAll("#bgpvpns tbody tr").length`); n != 1000 {
		t.Errorf("a page of 1,000 shows %d rows", n)
	}
	if !eval[bool](b, `!!document.querySelector('a[rel="next"]')`) {
		t.Errorf("a page of 1,000 of 1,001 links no next page")
	}
	if p := b.consoleProblems(); len(p) > 0 {
		t.Errorf("the pages logged errors (scripts, CSP):\n%s", strings.Join(p, "\n"))
	}
	t.Logf("a page of 1,000 BGPVPNs: loaded in %.0f ms in Chromium (navigation timing)",
		eval[float64](b, `performance.getEntriesByType("navigation")[0].duration`))
}
