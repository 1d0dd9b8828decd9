package cli

// Integration tests against bgpvpn-server with auth_strategy = keystone and
// a real Keystone, run by scripts/it/keystone.sh with
// BGPVPN_IT_KEYSTONE_CLOUDS=<clouds.yaml> naming the clouds ks-admin (admin
// of project admin), ks-demo (member of demo), ks-reader (reader of demo),
// ks-other (member of another project) and ks-bad (a wrong password); the
// network endpoint comes from Keystone's catalog.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/config/clouds"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/applicationcredentials"
	"github.com/gophercloud/gophercloud/v2/openstack/identity/v3/tokens"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgpvpns"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
)

func ksClouds(t *testing.T) string {
	t.Helper()
	p := os.Getenv("BGPVPN_IT_KEYSTONE_CLOUDS")
	if p == "" {
		t.Skip("BGPVPN_IT_KEYSTONE_CLOUDS not set: integration test (scripts/it/keystone.sh runs it)")
	}
	return p
}

// ksSession is an unmodified gophercloud program's view: a provider
// authenticated from clouds.yaml and the network client from the catalog.
type ksSession struct {
	provider *gophercloud.ProviderClient
	net      *gophercloud.ServiceClient
	user     string
	project  string
}

func ksLogin(t *testing.T, cloud string) ksSession {
	t.Helper()
	ctx := context.Background()
	ao, eo, _, err := clouds.Parse(clouds.WithCloudName(cloud), clouds.WithLocations(ksClouds(t)))
	if err != nil {
		t.Fatalf("clouds.yaml %s: %v", cloud, err)
	}
	pc, err := openstack.AuthenticatedClient(ctx, ao)
	if err != nil {
		t.Fatalf("authenticating as %s: %v", cloud, err)
	}
	nc, err := openstack.NewNetworkV2(pc, eo)
	if err != nil {
		t.Fatalf("network endpoint of %s: %v", cloud, err)
	}
	cr, ok := pc.GetAuthResult().(tokens.CreateResult)
	if !ok {
		t.Fatalf("%s: no v3 token", cloud)
	}
	u := res(cr.ExtractUser()).must(t, "token user")
	p := res(cr.ExtractProject()).must(t, "token project")
	return ksSession{provider: pc, net: nc, user: u.ID, project: p.ID}
}

func status(err error) int {
	var uc gophercloud.ErrUnexpectedResponseCode
	if errors.As(err, &uc) {
		return uc.Actual
	}
	return 0
}

func bgpvpnNames(t *testing.T, c *gophercloud.ServiceClient) []string {
	t.Helper()
	pages := res(bgpvpns.List(c, bgpvpns.ListOpts{}).AllPages(context.Background())).must(t, "list bgpvpns")
	all := res(bgpvpns.ExtractBGPVPNs(pages)).must(t, "extract bgpvpns")
	var names []string
	for _, b := range all {
		names = append(names, b.Name)
	}
	return names
}

func TestITKeystoneGophercloud(t *testing.T) {
	admin, demo, reader, other := ksLogin(t, "ks-admin"), ksLogin(t, "ks-demo"), ksLogin(t, "ks-reader"), ksLogin(t, "ks-other")
	ctx := context.Background()

	vpn := res(bgpvpns.Create(ctx, admin.net, bgpvpns.CreateOpts{Name: "ks-gc", TenantID: demo.project, RouteTargets: []string{"64512:77"}}).Extract()).must(t, "admin creates a BGPVPN for demo")
	t.Cleanup(func() { bgpvpns.Delete(ctx, admin.net, vpn.ID) })
	own := res(bgpvpns.Create(ctx, admin.net, bgpvpns.CreateOpts{Name: "ks-gc-admin", RouteTargets: []string{"64512:78"}}).Extract()).must(t, "admin creates its own BGPVPN")
	t.Cleanup(func() { bgpvpns.Delete(ctx, admin.net, own.ID) })
	if vpn.ProjectID != demo.project || own.ProjectID != admin.project {
		t.Errorf("owners: %s and %s, want demo's %s and admin's %s (the tokens' projects)", vpn.ProjectID, own.ProjectID, demo.project, admin.project)
	}

	for _, s := range []struct {
		name       string
		c          ksSession
		see, blind []string
	}{
		{"admin", admin, []string{"ks-gc", "ks-gc-admin"}, nil},
		{"member", demo, []string{"ks-gc"}, []string{"ks-gc-admin"}},
		{"reader", reader, []string{"ks-gc"}, []string{"ks-gc-admin"}},
		{"other project", other, nil, []string{"ks-gc", "ks-gc-admin"}},
	} {
		names := bgpvpnNames(t, s.c.net)
		for _, n := range s.see {
			if !slices.Contains(names, n) {
				t.Errorf("%s's list %v lacks %s", s.name, names, n)
			}
		}
		for _, n := range s.blind {
			if slices.Contains(names, n) {
				t.Errorf("%s's list %v shows %s", s.name, names, n)
			}
		}
	}
	got := res(bgpvpns.Get(ctx, demo.net, vpn.ID).Extract()).must(t, "member shows the BGPVPN")
	if len(got.RouteTargets) != 0 {
		t.Errorf("member sees route_targets %v, an admin-only attribute", got.RouteTargets)
	}
	if _, err := bgpvpns.Get(ctx, other.net, vpn.ID).Extract(); status(err) != http.StatusNotFound {
		t.Errorf("other project's GET: %v, want 404", err)
	}
	if _, err := bgpvpns.Create(ctx, demo.net, bgpvpns.CreateOpts{Name: "ks-member"}).Extract(); status(err) != http.StatusForbidden {
		t.Errorf("member's create: %v, want 403 (admin only)", err)
	}
	if _, err := bgpvpns.Update(ctx, demo.net, vpn.ID, bgpvpns.UpdateOpts{RouteTargets: &[]string{"64512:99"}}).Extract(); status(err) != http.StatusForbidden {
		t.Errorf("member's route target update: %v, want 403", err)
	}
	name := "ks-gc-renamed"
	if _, err := bgpvpns.Update(ctx, demo.net, vpn.ID, bgpvpns.UpdateOpts{Name: &name}).Extract(); err != nil {
		t.Errorf("member renames its BGPVPN: %v", err)
	}

	// The member associates its network, router and port.
	n := res(networks.Create(ctx, demo.net, networks.CreateOpts{Name: "ks-gc-net"}).Extract()).must(t, "member's network")
	t.Cleanup(func() { networks.Delete(ctx, demo.net, n.ID) })
	sub := res(subnets.Create(ctx, demo.net, subnets.CreateOpts{NetworkID: n.ID, CIDR: "10.77.0.0/24", IPVersion: 4}).Extract()).must(t, "member's subnet")
	t.Cleanup(func() { subnets.Delete(ctx, demo.net, sub.ID) })
	p := res(ports.Create(ctx, demo.net, ports.CreateOpts{NetworkID: n.ID}).Extract()).must(t, "member's port")
	t.Cleanup(func() { ports.Delete(ctx, demo.net, p.ID) })
	r := res(routers.Create(ctx, demo.net, routers.CreateOpts{Name: "ks-gc-router"}).Extract()).must(t, "member's router")
	t.Cleanup(func() { routers.Delete(ctx, demo.net, r.ID) })
	if n.ProjectID != demo.project {
		t.Errorf("member's network project %s, want %s", n.ProjectID, demo.project)
	}

	na := res(bgpvpns.CreateNetworkAssociation(ctx, demo.net, vpn.ID, bgpvpns.CreateNetworkAssociationOpts{NetworkID: n.ID}).Extract()).must(t, "member's network association")
	ra := res(bgpvpns.CreateRouterAssociation(ctx, demo.net, vpn.ID, bgpvpns.CreateRouterAssociationOpts{RouterID: r.ID}).Extract()).must(t, "member's router association")
	pa := res(bgpvpns.CreatePortAssociation(ctx, demo.net, vpn.ID, bgpvpns.CreatePortAssociationOpts{PortID: p.ID,
		Routes: []bgpvpns.PortRoutes{{Type: "prefix", Prefix: "192.0.2.0/24"}}}).Extract()).must(t, "member's port association")
	// Owners are admin-only attributes (as in the original): ask as admin.
	naAdmin := res(bgpvpns.GetNetworkAssociation(ctx, admin.net, vpn.ID, na.ID).Extract()).must(t, "admin reads the network association")
	raAdmin := res(bgpvpns.GetRouterAssociation(ctx, admin.net, vpn.ID, ra.ID).Extract()).must(t, "admin reads the router association")
	paAdmin := res(bgpvpns.GetPortAssociation(ctx, admin.net, vpn.ID, pa.ID).Extract()).must(t, "admin reads the port association")
	if naAdmin.ProjectID != demo.project || raAdmin.ProjectID != demo.project || paAdmin.ProjectID != demo.project {
		t.Errorf("association owners %s %s %s, want the member's project %s", naAdmin.ProjectID, raAdmin.ProjectID, paAdmin.ProjectID, demo.project)
	}
	if na.ProjectID != "" {
		t.Errorf("member sees the association's project_id %s, an admin-only attribute", na.ProjectID)
	}
	if _, err := bgpvpns.CreateNetworkAssociation(ctx, other.net, vpn.ID, bgpvpns.CreateNetworkAssociationOpts{NetworkID: n.ID}).Extract(); status(err) != http.StatusNotFound {
		t.Errorf("other project associating demo's BGPVPN: %v, want 404", err)
	}
	if _, err := bgpvpns.GetNetworkAssociation(ctx, other.net, vpn.ID, na.ID).Extract(); status(err) != http.StatusNotFound {
		t.Errorf("other project reading demo's association: %v, want 404", err)
	}
	for what, err := range map[string]error{
		"network": bgpvpns.DeleteNetworkAssociation(ctx, demo.net, vpn.ID, na.ID).ExtractErr(),
		"router":  bgpvpns.DeleteRouterAssociation(ctx, demo.net, vpn.ID, ra.ID).ExtractErr(),
		"port":    bgpvpns.DeletePortAssociation(ctx, demo.net, vpn.ID, pa.ID).ExtractErr(),
	} {
		if err != nil {
			t.Errorf("member deletes its %s association: %v", what, err)
		}
	}
	if err := bgpvpns.Delete(ctx, demo.net, vpn.ID).ExtractErr(); status(err) != http.StatusForbidden {
		t.Errorf("member deletes the BGPVPN: %v, want 403 (admin only)", err)
	}
}

// ksRun runs our CLI with clouds.yaml.
func ksRun(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	t.Setenv("OS_CLIENT_CONFIG_FILE", ksClouds(t))
	var out, errb bytes.Buffer
	a := &app{stdout: &out, stderr: &errb, newClient: func(ctx context.Context, au Auth) (*gophercloud.ServiceClient, error) {
		return au.NetworkClient(ctx)
	}}
	code := a.run(context.Background(), args)
	return out.String(), errb.String(), code
}

func TestITKeystoneCLI(t *testing.T) {
	demo := ksLogin(t, "ks-demo")
	out, errOut, code := ksRun(t, "--os-cloud", "ks-admin", "create", "--name", "ks-cli", "--project", demo.project, "--route-target", "64512:79", "-f", "json")
	if code != 0 {
		t.Fatalf("admin create: exit %d: %s", code, errOut)
	}
	var created map[string]any
	if err := json.Unmarshal([]byte(out), &created); err != nil {
		t.Fatal(err)
	}
	id, _ := created["ID"].(string) // the openstack CLI's display name, as ours
	if id == "" {
		t.Fatalf("admin create printed no ID: %s", out)
	}
	t.Cleanup(func() { ksRun(t, "--os-cloud", "ks-admin", "delete", id) })

	listed := func(args ...string) string {
		t.Helper()
		out, errOut, code := ksRun(t, append(args, "list", "-f", "value", "-c", "Name")...)
		if code != 0 {
			t.Fatalf("bgpvpn %v list: exit %d: %s", args, code, errOut)
		}
		return out
	}
	if out := listed("--os-cloud", "ks-demo"); !strings.Contains(out, "ks-cli") {
		t.Errorf("member's list (password, clouds.yaml) = %q, want ks-cli", out)
	}
	if out := listed("--os-cloud", "ks-other"); strings.Contains(out, "ks-cli") {
		t.Errorf("other project's list = %q, shows ks-cli", out)
	}
	_, errOut, code = ksRun(t, "--os-cloud", "ks-demo", "create", "--name", "ks-cli-member")
	if code != 1 || !strings.Contains(errOut, "is disallowed by policy") {
		t.Errorf("member's create: exit %d, %q; want 1 and the policy refusal", code, errOut)
	}
	_, errOut, code = ksRun(t, "--os-cloud", "ks-bad", "list")
	if code != 1 || !strings.Contains(errOut, "refused the credentials (HTTP 401): The request you have made requires authentication.") {
		t.Errorf("wrong password: exit %d, %q; want 1 and Keystone's refusal", code, errOut)
	}

	// Token auth: demo's token, as OS_TOKEN would carry it.
	ao, eo, _, err := clouds.Parse(clouds.WithCloudName("ks-demo"), clouds.WithLocations(ksClouds(t)))
	if err != nil {
		t.Fatal(err)
	}
	tok := demo.provider.Token()
	if out := listed("--os-auth-type", "token", "--os-auth-url", ao.IdentityEndpoint, "--os-token", tok, "--os-project-id", demo.project,
		"--os-region-name", eo.Region); !strings.Contains(out, "ks-cli") {
		t.Errorf("member's list with a token = %q, want ks-cli", out)
	}

	// Application credential of demo, made through Keystone's API.
	idc := res(openstack.NewIdentityV3(demo.provider, gophercloud.EndpointOpts{Region: eo.Region})).must(t, "identity client")
	ac := res(applicationcredentials.Create(context.Background(), idc, demo.user, applicationcredentials.CreateOpts{Name: "ks-cli-appcred"}).Extract()).must(t, "application credential")
	t.Cleanup(func() { applicationcredentials.Delete(context.Background(), idc, demo.user, ac.ID) })
	if out := listed("--os-auth-type", "v3applicationcredential", "--os-auth-url", ao.IdentityEndpoint,
		"--os-application-credential-id", ac.ID, "--os-application-credential-secret", ac.Secret); !strings.Contains(out, "ks-cli") {
		t.Errorf("member's list with an application credential = %q, want ks-cli", out)
	}
}
