package dashboard_test

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/browsertest"
	"github.com/bgpvpn/bgpvpn/internal/server/servertest"
)

// browsers are the browsers every scenario runs in.
var browsers = []struct {
	name  string
	start browsertest.Start
}{{"chromium", browsertest.StartChromium}, {"firefox", browsertest.StartFirefox}}

// TestBrowser drives Debian's Chromium and Firefox ESR through the
// dashboard, as an admin and as a tenant, against a real bgpvpn-server
// with the bagpipe driver and two simulated compute nodes on the agent
// feed; then again with JavaScript off. Each action is checked through
// the REST API. Screenshots go to BGPVPN_SCREENSHOTS/BROWSER.
func TestBrowser(t *testing.T) {
	if os.Getenv("BGPVPN_BROWSER") == "" {
		t.Skip("set BGPVPN_BROWSER=1 to drive Chromium and Firefox (scripts/it/dashboard.sh does)")
	}
	shots := os.Getenv("BGPVPN_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	for _, br := range browsers {
		t.Run(br.name, func(t *testing.T) { browserScenario(t, br.start, shots) })
		t.Run(br.name+"-no-javascript", func(t *testing.T) { noScriptScenario(t, br.start, shots) })
	}
}

// browserScenario is every action of the issue in one browser.
func browserScenario(t *testing.T, start browsertest.Start, shots string) {
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

	b := newTab(t, start, srv.URL, shots)

	// A browser opening / lands on the sign-in page.
	b.open("/")
	b.waitVisible("input[name=project]")
	b.shot("01-sign-in")

	// Admin: the keyboard reaches everything in order, with a visible
	// focus; create (submitted with Enter) and edit a BGPVPN.
	b.signIn("admin-project", "admin-user", "admin")
	if !eval[bool](b, `document.documentElement.classList.contains("js")`) {
		t.Errorf("the dashboard's script did not run")
	}
	checkTabOrder(b)
	b.click("a.button.primary")
	b.waitVisible("input[name=route_targets]")
	b.setValue("input[name=route_targets]", "64512:1, 64512:2")
	b.setValue("input[name=project_id]", "project-a")
	b.setValue("input[name=name]", "blue")
	eval[any](b, `document.querySelector("input[name=name]").focus()`)
	b.shot("02-create")
	b.markPage()
	b.press(browsertest.Enter)
	b.waitNewPage("the page after Enter in the create form", "/dashboard/bgpvpns/")
	list := srv.Call("GET", "/bgpvpn/bgpvpns?name=blue", "")["bgpvpns"].([]any)
	if len(list) != 1 {
		t.Fatalf("after the create form, the API lists %v", list)
	}
	vpn := list[0].(map[string]any)
	id := vpn["id"].(string)
	if vpn["project_id"] != "project-a" || fmt.Sprint(vpn["route_targets"]) != "[64512:1 64512:2]" {
		t.Errorf("created: %v", vpn)
	}
	b.click(".toolbar a.button")
	b.waitVisible("input[name=local_pref]")
	b.setValue("input[name=name]", "blue-vpn")
	b.setValue("input[name=local_pref]", "200")
	// A specified attribute the server has: admin_state_up.
	b.click("input[name=admin_state_up]")
	b.shot("02b-edit")
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	vpn = srv.Call("GET", "/bgpvpn/bgpvpns/"+id, "")["bgpvpn"].(map[string]any)
	if vpn["name"] != "blue-vpn" || vpn["local_pref"] != 200.0 || vpn["admin_state_up"] != false {
		t.Errorf("after the edit form: %v", vpn)
	}
	b.click(".toolbar a.button")
	b.waitVisible("input[name=admin_state_up]")
	b.click("input[name=admin_state_up]")
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	if up := srv.Call("GET", "/bgpvpn/bgpvpns/"+id, "")["bgpvpn"].(map[string]any)["admin_state_up"]; up != true {
		t.Errorf("after the edit form ticked it again: admin_state_up %v", up)
	}
	// Sharing (RBAC): with a project, then no longer.
	b.setValue("#sharing input[name=target_tenant]", "project-b")
	b.submit("#sharing button[type=submit]", "/dashboard/bgpvpns/"+id)
	pols := srv.Call("GET", "/rbac-policies?object_id="+id, "")["rbac_policies"].([]any)
	if len(pols) != 1 || pols[0].(map[string]any)["target_tenant"] != "project-b" || pols[0].(map[string]any)["action"] != "access_as_shared" {
		t.Fatalf("after sharing: rbac-policies %v; page: %s", pols, b.text())
	}
	b.shot("03-shared")
	b.submit("#sharing tr[data-rbac] button.danger", "/dashboard/bgpvpns/"+id)
	if pols := srv.Call("GET", "/rbac-policies?object_id="+id, "")["rbac_policies"].([]any); len(pols) != 0 {
		t.Errorf("after stop sharing: rbac-policies %v", pols)
	}
	b.signOut()

	// Tenant: its list, no create; associations of its network, router
	// and port, with routes.
	b.signIn("project-a", "user-a", "member")
	if b.has("Create BGP VPN") || !b.has("blue-vpn") || b.has("64512:1") {
		t.Errorf("a tenant's list: %s", b.text())
	}
	b.shot("04-list-tenant")
	b.click(`a[href="/dashboard/bgpvpns/` + id + `"]`)
	b.waitVisible("#network_associations")
	if eval[bool](b, `!!document.querySelector('form[action$="/delete"] button.danger:not(.link)')`) {
		t.Errorf("a tenant is offered deleting the BGPVPN")
	}
	b.setValue("#network_associations select[name=target]", net)
	b.submit("#network_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	nas := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/network_associations", "")["network_associations"].([]any)
	if len(nas) != 1 || nas[0].(map[string]any)["network_id"] != net {
		t.Fatalf("network associations after the form: %v", nas)
	}
	netAssoc := nas[0].(map[string]any)["id"].(string)
	// The agents have not reported: BUILD, on the page as in the API.
	b.waitFor("the network association in BUILD", `document.querySelector('tr[data-assoc="`+netAssoc+`"] [data-status]').textContent === "BUILD"`)

	b.setValue("#router_associations select[name=target]", router)
	b.click("#router_associations input[name=advertise_extra_routes]")
	b.submit("#router_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	ras := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/router_associations", "")["router_associations"].([]any)
	if len(ras) != 1 || ras[0].(map[string]any)["router_id"] != router || ras[0].(map[string]any)["advertise_extra_routes"] != false {
		t.Fatalf("router associations after the form: %v; page: %s", ras, b.text())
	}

	b.setValue("#port_associations select[name=target]", vm1)
	b.setValue("#port_associations textarea[name=prefix_routes]", "10.9.0.0/24 300\n192.168.7.0/24")
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
	b.click("#port_associations summary")
	b.setValue("#port_associations select[name=target]", vm2)
	b.setValue("#port_associations textarea[name=prefix_routes]", "10.9.0.300/24")
	b.submit("#port_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	if got := eval[string](b, `document.getElementById("error").innerText`); !strings.Contains(got, msg) {
		t.Errorf("refused association shows %q, want the server's %q", got, msg)
	}
	b.shot("05-refused")
	if n := len(srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/port_associations", "")["port_associations"].([]any)); n != 1 {
		t.Errorf("the refused association left %d port associations, want 1", n)
	}

	// The agents report: every association turns ACTIVE on the open
	// page, without a reload.
	eval[any](b, `window.__same = true`)
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
	b.shot("06-detail-tenant")
	// The port association's routes, edited.
	paID := pa["id"].(string)
	b.submit(`tr[data-assoc="`+paID+`"] a[href$="/edit"]`, "/dashboard/bgpvpns/"+id+"/port_associations/"+paID+"/edit")
	b.setValue("textarea[name=prefix_routes]", eval[string](b, `document.querySelector("textarea[name=prefix_routes]").value`)+"\n10.10.0.0/24 100")
	b.click("input[name=advertise_fixed_ips]")
	b.shot("06b-edit-port-association")
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	pa = srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/port_associations/"+paID, "")["port_association"].(map[string]any)
	if pa["advertise_fixed_ips"] != false || !strings.Contains(fmt.Sprint(pa["routes"]), "map[local_pref:100 prefix:10.10.0.0/24 type:prefix]") ||
		!strings.Contains(fmt.Sprint(pa["routes"]), "10.9.0.0/24") {
		t.Errorf("port association after its edit form: %v", pa)
	}
	b.signOut()

	// Admin: the picture of what the BGPVPN joins, and the agents.
	b.signIn("admin-project", "admin-user", "admin")
	b.open("/dashboard/bgpvpns/" + id)
	for _, s := range []string{"compute-1", "compute-2", "vm-1", "vm-2", "vm-3", "net-a", "net-b", "router-a"} {
		if !eval[bool](b, `[...document.querySelectorAll("svg.graph text")].some(e => e.textContent === `+jsString(s)+`)`) {
			t.Errorf("the graph has no %q", s)
		}
	}
	b.shot("07-detail-admin")
	// Liveness is written in batches (every 5 s): reload until it shows.
	alive := func(h string) string {
		return `[...document.querySelectorAll("#agents tr")].some(r => r.cells[0].textContent === ` + jsString(h) + ` && r.cells[1].textContent === "alive")`
	}
	b.reloadUntil("/dashboard/agents", "both agents alive", alive("compute-1")+" && "+alive("compute-2"))
	b.shot("08-agents")
	b.open("/dashboard/bgpvpns")
	b.shot("09-list-admin")
	// A narrow window: the pages themselves do not scroll sideways.
	b.viewport(400, 800)
	for _, p := range []struct{ path, shot string }{{"/dashboard/bgpvpns/" + id, "10-detail-narrow"}, {"/dashboard/bgpvpns", "11-list-narrow"}} {
		b.open(p.path)
		if eval[bool](b, `document.documentElement.scrollWidth > window.innerWidth + 1`) {
			t.Errorf("on a 400 px window %s is %v px wide: %s", p.path, eval[int](b, `document.documentElement.scrollWidth`),
				eval[string](b, `[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !(e.parentElement && e.parentElement.closest(".scroll"))).map(e => e.tagName + "." + e.className).join(" ")`))
		}
		b.shot(p.shot)
	}
	b.viewport(1200, 900)

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
	t.Logf("%s: a page of 1,000 BGPVPNs: loaded in %.0f ms (navigation timing)", b.p.Name(),
		eval[float64](b, `performance.getEntriesByType("navigation")[0].duration`))
	listControls(b)
	if p := b.p.Problems(); len(p) > 0 {
		t.Errorf("the pages logged errors (scripts, CSP):\n%s", strings.Join(p, "\n"))
	}
}

// focusables lists, in document order, what Tab should reach on a page.
const focusables = `[...document.querySelectorAll("a[href], button, input:not([type=hidden]), select, textarea, summary")].filter(e => !e.disabled && e.getClientRects().length > 0)`

// checkTabOrder presses Tab through the page: each press reaches the
// next control in document order (no tabindex reorders them), with a
// visible focus ring where the page has the focus (Chromium; a headless
// Firefox page never has it, see browsertest.Page).
func checkTabOrder(b *tab) {
	b.t.Helper()
	ring := b.p.Name() == "chromium"
	if ring && !eval[bool](b, `document.hasFocus()`) {
		b.t.Fatalf("%s: the page does not have the focus: no focus ring to check", b.p.Name())
	}
	n := eval[int](b, focusables+`.length`)
	if n < 5 {
		b.t.Fatalf("only %d focusable elements on %s", n, b.text())
	}
	for i := range min(n, 12) {
		b.press(browsertest.Tab)
		type focus struct {
			Index   int
			What    string
			Outline string
		}
		f := eval[focus](b, `(() => { const e = document.activeElement, s = getComputedStyle(e);
			return {Index: `+focusables+`.indexOf(e), What: e.tagName + " " + (e.textContent || e.name || "").trim().slice(0, 30),
				Outline: s.outlineStyle + " " + s.outlineWidth}; })()`)
		if f.Index != i {
			b.t.Errorf("%s: Tab %d reaches element %d (%s), want %d", b.p.Name(), i+1, f.Index, f.What, i)
		}
		if ring && (strings.HasPrefix(f.Outline, "none") || strings.HasSuffix(f.Outline, " 0px")) {
			b.t.Errorf("%s: Tab %d: %s has no visible focus (outline %s)", b.p.Name(), i+1, f.What, f.Outline)
		}
	}
}

// listControls filters (with Enter), sorts and pages the list of 1,001.
func listControls(b *tab) {
	b.t.Helper()
	first := `document.querySelector("#bgpvpns tbody tr td a").textContent`
	rows := `document.querySelectorAll("#bgpvpns tbody tr").length`
	b.open("/dashboard/bgpvpns")
	if got := eval[string](b, first); got != "vpn-0000" || eval[int](b, rows) != 50 {
		b.t.Errorf("%s: the list starts at %q with %d rows, want vpn-0000 and 50", b.p.Name(), got, eval[int](b, rows))
	}
	b.setValue("form.filters input[name=name]", "vpn-0500")
	eval[any](b, `document.querySelector("form.filters input[name=name]").focus()`)
	b.markPage()
	b.press(browsertest.Enter)
	b.waitNewPage("the list filtered with Enter", "/dashboard/bgpvpns")
	if got := eval[string](b, first); got != "vpn-0500" || eval[int](b, rows) != 1 {
		b.t.Errorf("%s: filtered by name: %q and %d rows, want vpn-0500 alone", b.p.Name(), got, eval[int](b, rows))
	}
	b.open("/dashboard/bgpvpns")
	b.submit(`#bgpvpns th[aria-sort] a`, "/dashboard/bgpvpns")
	if got := eval[string](b, first); got != "vpn-1000" {
		b.t.Errorf("%s: sorted by name, descending: first %q, want vpn-1000", b.p.Name(), got)
	}
	b.submit(`a[rel="next"]`, "/dashboard/bgpvpns")
	if got := eval[string](b, first); got != "vpn-0950" || !eval[bool](b, `!!document.querySelector('a[rel="prev"]')`) {
		b.t.Errorf("%s: the next page starts at %q, want vpn-0950, with a link back", b.p.Name(), got)
	}
	b.shot("12-list-sorted-paged")
}

// noScriptScenario does the core actions with JavaScript off: sign in,
// create, associate, disassociate, delete, sign out; each checked
// through the API.
func noScriptScenario(t *testing.T, start browsertest.Start, shots string) {
	srv := servertest.Start(t, feedSecret, t.TempDir(), "127.0.0.1:0")
	net := srv.Create("/networks", "network", `{"name": "net-a", "tenant_id": "project-a"}`)
	b := newTab(t, start, srv.URL, filepath.Join(shots, "no-javascript"), browsertest.NoScripts())
	b.signIn("admin-project", "admin-user", "admin")
	if eval[bool](b, `document.documentElement.classList.contains("js")`) {
		t.Fatalf("the dashboard's script ran in a browser without JavaScript")
	}
	b.open("/dashboard/bgpvpns/new")
	b.setValue("input[name=name]", "plain")
	b.setValue("input[name=route_targets]", "64512:9")
	b.setValue("input[name=project_id]", "project-a")
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/")
	list := srv.Call("GET", "/bgpvpn/bgpvpns?name=plain", "")["bgpvpns"].([]any)
	if len(list) != 1 {
		t.Fatalf("without JavaScript, after the create form the API lists %v", list)
	}
	id := list[0].(map[string]any)["id"].(string)
	b.setValue("#network_associations select[name=target]", net)
	b.submit("#network_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	nas := srv.Call("GET", "/bgpvpn/bgpvpns/"+id+"/network_associations", "")["network_associations"].([]any)
	if len(nas) != 1 {
		t.Fatalf("without JavaScript, network associations after the form: %v; page: %s", nas, b.text())
	}
	b.shot("01-detail")
	aid := nas[0].(map[string]any)["id"].(string)
	b.submit(`tr[data-assoc="`+aid+`"] button.danger`, "/dashboard/bgpvpns/"+id)
	if code, _ := api(t, srv.URL, "GET", "/bgpvpn/bgpvpns/"+id+"/network_associations/"+aid, ""); code != http.StatusNotFound {
		t.Errorf("without JavaScript, after disassociating: GET = %d, want 404", code)
	}
	b.submit(`.toolbar button.danger`, "/dashboard/bgpvpns")
	if code, _ := api(t, srv.URL, "GET", "/bgpvpn/bgpvpns/"+id, ""); code != http.StatusNotFound {
		t.Errorf("without JavaScript, after delete: GET = %d, want 404", code)
	}
	b.signOut()
	if !b.has("You are signed out.") {
		t.Errorf("without JavaScript, signing out shows: %s", b.text())
	}
}
