package dashboard_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/dashboard"
	"github.com/bgpvpn/bgpvpn/internal/server/servertest"
)

// TestBrowserKeystone signs in to the dashboard of a bgpvpn-server with
// auth_strategy = keystone, in Chromium and Firefox, with the user names
// and passwords of a real Keystone (BGPVPN_IT_KEYSTONE: the lab's, with
// admin/admin and demo/demo); BGPVPN_IT_KEYSTONE_SHORT is the same
// Keystone issuing 6-second tokens, for expiry. scripts/it/keystone.sh
// runs it. Each action is checked through the API with a token of the
// same user.
func TestBrowserKeystone(t *testing.T) {
	ks, short := os.Getenv("BGPVPN_IT_KEYSTONE"), os.Getenv("BGPVPN_IT_KEYSTONE_SHORT")
	if ks == "" || short == "" {
		t.Skip("set BGPVPN_IT_KEYSTONE and BGPVPN_IT_KEYSTONE_SHORT to a Keystone (scripts/it/keystone.sh does)")
	}
	shots := os.Getenv("BGPVPN_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	srv := startKeystoneServer(t, ks)
	shortSrv := startKeystoneServer(t, short)
	admin, demo := keystoneIdentity(t, ks, "admin", "admin", "admin"), keystoneIdentity(t, ks, "demo", "demo", "demo")
	for _, br := range browsers {
		t.Run(br.name, func(t *testing.T) {
			b := newTab(t, br.start, srv.URL, shots)
			// A Keystone password sign-in is slow on a busy machine.
			b.wait = 90 * time.Second
			keystoneScenario(t, b, admin, demo)
			// Expiry: a session ends with its Keystone token.
			bs := *b
			bs.base = shortSrv.URL
			bs.open("/dashboard/login")
			bs.setValue("input[name=user]", "demo")
			bs.setValue("input[name=password]", "demo")
			bs.setValue("input[name=project]", "demo")
			bs.submit("main button[type=submit]", "/dashboard/")
			// On a busy machine the token may be over before the first
			// page: that page then asks to sign in again.
			t.Logf("%s: signed in with a 6 s token, the first page is %s", br.name, eval[string](&bs, `document.location.pathname`))
			bs.reloadUntil("/dashboard/bgpvpns", "the session ended with its 6 s token", `document.location.pathname === "/dashboard/login"`)
			if !bs.has("Your session has ended. Please sign in again.") || bs.has("Sign out") {
				t.Errorf("%s: after the token expired: %s", br.name, bs.text())
			}
			bs.shot("06-expired")
		})
	}
}

// keystoneScenario: a wrong password, admin creates a BGPVPN for demo, a
// forged form is refused, sign-out ends the session, demo sees its
// BGPVPN and associates a network.
func keystoneScenario(t *testing.T, b *tab, admin, demo dashboard.Identity) {
	name := "ks-" + b.p.Name()
	b.open("/dashboard/login")
	if !eval[bool](b, `!!document.querySelector("input[name=password][type=password]") && !document.querySelector("input[name=roles]")`) {
		t.Fatalf("%s: the sign-in page asks for no Keystone password: %s", b.p.Name(), b.text())
	}
	b.shot("01-sign-in")

	// A wrong password signs nobody in, with Keystone's refusal.
	b.setValue("input[name=user]", "demo")
	b.setValue("input[name=password]", "wrong-password")
	b.setValue("input[name=project]", "demo")
	b.submit("main button[type=submit]", "/dashboard/login")
	if !b.has(dashboard.ErrBadCredentials.Error()) || b.has("Sign out") {
		t.Errorf("%s: a wrong password shows: %s", b.p.Name(), b.text())
	}
	b.shot("02-wrong-password")

	// The admin creates a BGPVPN for demo's project.
	b.signInKeystone("admin", "admin", "admin")
	if who := eval[string](b, `document.querySelector(".who span").textContent`); !strings.HasPrefix(who, "admin · admin · ") || !strings.Contains(who, "admin") {
		t.Errorf("%s: signed in as %q, want admin · admin", b.p.Name(), who)
	}
	b.open("/dashboard/bgpvpns/new")
	b.setValue("input[name=name]", name)
	b.setValue("input[name=route_targets]", "64512:77")
	b.setValue("input[name=project_id]", demo.ProjectID)
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/")
	_, res := api(t, b.base, "GET", "/bgpvpn/bgpvpns?name="+name, "", "X-Auth-Token", admin.Token)
	list, _ := res["bgpvpns"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["project_id"] != demo.ProjectID {
		t.Fatalf("%s: after the create form, the API lists %v", b.p.Name(), res)
	}
	id := list[0].(map[string]any)["id"].(string)

	// A form whose CSRF token is not the session's is refused.
	b.open("/dashboard/bgpvpns/" + id + "/edit")
	b.setValue("input[name=name]", name+"-forged")
	b.setValue("form.card input[name=csrf_token]", "forged")
	b.submit("form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	if !b.has("did not come from this dashboard") {
		t.Errorf("%s: a forged form shows: %s", b.p.Name(), b.text())
	}
	b.shot("03-forged-form")
	if _, res := api(t, b.base, "GET", "/bgpvpn/bgpvpns/"+id, "", "X-Auth-Token", admin.Token); res["bgpvpn"].(map[string]any)["name"] != name {
		t.Errorf("%s: the forged form changed the BGPVPN: %v", b.p.Name(), res)
	}

	// Sign-out ends the session: its pages lead to the sign-in page.
	b.open("/dashboard/bgpvpns")
	b.signOut()
	if !b.has("You are signed out.") {
		t.Errorf("%s: after signing out: %s", b.p.Name(), b.text())
	}
	b.open("/dashboard/bgpvpns/" + id)
	if p := eval[string](b, `document.location.pathname`); p != "/dashboard/login" {
		t.Errorf("%s: after signing out, the BGPVPN's page is %s, want the sign-in page", b.p.Name(), p)
	}

	// demo: its BGPVPN, no create, and a network it associates.
	code, res := api(t, b.base, "POST", "/networks", `{"network": {"name": "`+name+`-net"}}`, "X-Auth-Token", demo.Token)
	if code != http.StatusCreated {
		t.Fatalf("%s: demo's network: %d %v", b.p.Name(), code, res)
	}
	netID := res["network"].(map[string]any)["id"].(string)
	b.signInKeystone("demo", "demo", "demo")
	if !b.has(name) || b.has("Create BGP VPN") || !b.has("demo · demo") {
		t.Errorf("%s: demo's list: %s", b.p.Name(), b.text())
	}
	b.shot("04-list-demo")
	b.open("/dashboard/bgpvpns/" + id)
	b.setValue("#network_associations select[name=target]", netID)
	b.submit("#network_associations form.card button[type=submit]", "/dashboard/bgpvpns/"+id)
	_, res = api(t, b.base, "GET", "/bgpvpn/bgpvpns/"+id+"/network_associations", "", "X-Auth-Token", demo.Token)
	if nas, _ := res["network_associations"].([]any); len(nas) != 1 || nas[0].(map[string]any)["network_id"] != netID {
		t.Errorf("%s: demo's network associations after the form: %v; page: %s", b.p.Name(), res, b.text())
	}
	b.shot("05-detail-demo")
	b.signOut()
}

// signInKeystone fills the sign-in form with a Keystone user's password.
func (b *tab) signInKeystone(user, password, project string) {
	b.t.Helper()
	b.signInWith("user", user, "password", password, "project", project)
}

// startKeystoneServer runs a bgpvpn-server whose callers are Keystone's
// (the lab's neutron service user validates their tokens).
func startKeystoneServer(t *testing.T, ks string) *servertest.Server {
	conf := fmt.Sprintf("[DEFAULT]\ndata_dir = %s\nauth_strategy = keystone\n[keystone_authtoken]\n"+
		"www_authenticate_uri = %s/v3\nauth_url = %s\nauth_type = password\nproject_domain_name = Default\n"+
		"user_domain_name = Default\nproject_name = service\nusername = neutron\npassword = service\n"+
		// The test is about the dashboard: a Keystone slow to answer on a
		// busy machine is waited for, not a 503.
		"http_connect_timeout = 60\n", t.TempDir(), ks, ks)
	return servertest.StartConf(t, conf, "127.0.0.1:0")
}

// keystoneIdentity is a project-scoped token of a Keystone user.
func keystoneIdentity(t *testing.T, ks, user, password, project string) dashboard.Identity {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := dashboard.Keystone{AuthURL: ks}.SignIn(ctx, dashboard.SignInForm{User: user, Password: password, Project: project})
	if err != nil {
		t.Fatalf("a token for %s: %v", user, err)
	}
	return id
}
