package cli

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgpvpns"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/rbacpolicies"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
)

// asProject is c acting as a member of project (noauth identity headers).
func asProject(c *gophercloud.ServiceClient, project string) *gophercloud.ServiceClient {
	cp := *c
	cp.MoreHeaders = map[string]string{"X-User-Id": "user-" + project, "X-Project-Id": project, "X-Roles": "member"}
	return &cp
}

func wantStatus(t *testing.T, what string, err error, status int) {
	t.Helper()
	var e gophercloud.ErrUnexpectedResponseCode
	if !errors.As(err, &e) || e.Actual != status {
		t.Errorf("%s: %v, want status %d", what, err, status)
	}
}

// TestITGophercloudRBAC: gophercloud's rbacpolicies package, unchanged,
// shares a BGPVPN (object_type bgpvpn) and the project it is shared with
// uses it through gophercloud's bgpvpns package.
func TestITGophercloudRBAC(t *testing.T) {
	admin := itClient(t)
	ctx := context.Background()
	owner, guest := asProject(admin, "it-rbac-owner"), asProject(admin, "it-rbac-guest")
	vpn := res(bgpvpns.Create(ctx, admin, bgpvpns.CreateOpts{Name: "it-rbac", TenantID: "it-rbac-owner", RouteTargets: []string{"64512:77"}}).Extract()).must(t, "create bgpvpn")
	t.Cleanup(func() { bgpvpns.Delete(ctx, admin, vpn.ID) })

	if _, err := bgpvpns.Get(ctx, guest, vpn.ID).Extract(); err == nil {
		t.Fatalf("the guest project sees the BGPVPN before it is shared")
	}
	pol := res(rbacpolicies.Create(ctx, owner, rbacpolicies.CreateOpts{ObjectType: "bgpvpn", ObjectID: vpn.ID,
		TargetTenant: "it-rbac-guest", Action: rbacpolicies.ActionAccessShared}).Extract()).must(t, "create rbac policy")
	if pol.ObjectType != "bgpvpn" || pol.TargetTenant != "it-rbac-guest" || pol.ProjectID != "it-rbac-owner" || pol.Action != rbacpolicies.ActionAccessShared {
		t.Errorf("created policy: %+v", pol)
	}
	got := res(bgpvpns.Get(ctx, guest, vpn.ID).Extract()).must(t, "guest gets the shared bgpvpn")
	if !got.Shared || len(got.RouteTargets) != 0 {
		t.Errorf("guest's view: shared %v, route targets %v; want shared and no RTs (admin-only)", got.Shared, got.RouteTargets)
	}
	n := res(networks.Create(ctx, guest, networks.CreateOpts{Name: "it-rbac-guest-net"}).Extract()).must(t, "guest network")
	t.Cleanup(func() { networks.Delete(ctx, admin, n.ID) })
	na := res(bgpvpns.CreateNetworkAssociation(ctx, guest, vpn.ID, bgpvpns.CreateNetworkAssociationOpts{NetworkID: n.ID}).Extract()).must(t, "guest associates its network")
	assocs := res(bgpvpns.ListNetworkAssociations(owner, vpn.ID, bgpvpns.ListNetworkAssociationsOpts{}).AllPages(ctx)).must(t, "owner lists associations")
	list := res(bgpvpns.ExtractNetworkAssociations(assocs)).must(t, "extract associations")
	if len(list) != 1 || list[0].ID != na.ID || list[0].ProjectID != "it-rbac-guest" {
		t.Errorf("the owner's view of the associations: %+v, want the guest's with its project", list)
	}

	pages := res(rbacpolicies.List(admin, rbacpolicies.ListOpts{ObjectType: "bgpvpn", ObjectID: vpn.ID}).AllPages(ctx)).must(t, "list policies")
	pols := res(rbacpolicies.ExtractRBACPolicies(pages)).must(t, "extract policies")
	if len(pols) != 1 || pols[0].ID != pol.ID {
		t.Errorf("policies of the BGPVPN: %+v, want [%s]", pols, pol.ID)
	}
	wantStatus(t, "deleting the policy in use", rbacpolicies.Delete(ctx, owner, pol.ID).ExtractErr(), http.StatusConflict)
	wantStatus(t, "sharing with everyone as a tenant", rbacpolicies.Create(ctx, owner, rbacpolicies.CreateOpts{ObjectType: "bgpvpn",
		ObjectID: vpn.ID, TargetTenant: "*", Action: rbacpolicies.ActionAccessShared}).Err, http.StatusForbidden)

	res(bgpvpns.DeleteNetworkAssociation(ctx, guest, vpn.ID, na.ID).ExtractErr(), error(nil)).must(t, "guest deletes its association")
	upd := res(rbacpolicies.Update(ctx, owner, pol.ID, rbacpolicies.UpdateOpts{TargetTenant: "it-rbac-other"}).Extract()).must(t, "retarget the policy")
	if upd.TargetTenant != "it-rbac-other" {
		t.Errorf("updated target %q", upd.TargetTenant)
	}
	if err := rbacpolicies.Delete(ctx, owner, pol.ID).ExtractErr(); err != nil {
		t.Errorf("deleting the unused policy: %v", err)
	}
	if _, err := bgpvpns.Get(ctx, guest, vpn.ID).Extract(); err == nil {
		t.Errorf("the guest still sees the BGPVPN once unshared")
	}
}

// TestITCLIRBAC: bgpvpn rbac create/list/show/set/delete, the new BGPVPN
// options and bgpvpn technique list.
func TestITCLIRBAC(t *testing.T) {
	guest := []string{"--os-project-id", "it-cli-guest", "--os-user-id", "u", "--os-roles", "member"}
	t.Cleanup(func() { itRunCode(t, "delete", "it-cli-rbac") })
	vpn := itJSON(t, "create", "--name", "it-cli-rbac", "--route-target", "64512:78", "--disable", "--technique", "evpn-prefix", "--auto-aggregate")
	for col, want := range map[string]any{"admin_state_up": false, "technique": "evpn-prefix", "auto_aggregate": true, "shared": false} {
		if vpn[col] != want {
			t.Errorf("create: %s = %v, want %v", col, vpn[col], want)
		}
	}
	itRun(t, "set", "it-cli-rbac", "--enable", "--technique", "", "--no-auto-aggregate")
	vpn = itJSON(t, "show", "it-cli-rbac")
	if vpn["admin_state_up"] != true || vpn["technique"] != nil || vpn["auto_aggregate"] != false {
		t.Errorf("after set --enable --technique '' --no-auto-aggregate: %v", vpn)
	}
	if _, errOut, code := itRunCode(t, "set", "it-cli-rbac", "--technique", "evpn"); code != 1 || !strings.Contains(errOut, "technique evpn is a technique of l2 BGPVPNs") {
		t.Errorf("set --technique evpn on l3 = (%q, %d), want the server's refusal", errOut, code)
	}
	if out := itRun(t, "technique", "list", "-f", "value"); out != "l3 ipvpn\nl3 evpn-prefix\nl2 evpn\n" {
		t.Errorf("technique list = %q", out)
	}

	if _, _, code := itRunCode(t, append([]string{"show", vpn["ID"].(string)}, guest...)...); code == 0 {
		t.Fatalf("the guest sees the BGPVPN before it is shared")
	}
	pol := itJSON(t, "rbac", "create", "it-cli-rbac", "--target-project", "it-cli-guest")
	id, _ := pol["id"].(string)
	want := map[string]any{"object_type": "bgpvpn", "object_id": vpn["ID"], "action": "access_as_shared",
		"project_id": "admin-project", "target_project_id": "it-cli-guest", "id": id}
	for k, v := range want {
		if pol[k] != v {
			t.Errorf("rbac create: %s = %v, want %v", k, pol[k], v)
		}
	}
	if shared := itJSON(t, append([]string{"show", "it-cli-rbac"}, guest...)...)["shared"]; shared != true {
		t.Errorf("the guest's show: shared %v, want true", shared)
	}
	if out := itRun(t, "rbac", "list", "--long", "--target-project", "it-cli-guest", "-f", "value"); out != id+" bgpvpn "+vpn["ID"].(string)+" access_as_shared\n" {
		t.Errorf("rbac list --long = %q", out)
	}
	itRun(t, "rbac", "set", id, "--target-all-projects")
	if got := itJSON(t, "rbac", "show", id)["target_project_id"]; got != "*" {
		t.Errorf("after rbac set --target-all-projects: target %v", got)
	}
	if _, errOut, code := itRunCode(t, "rbac", "create", "it-cli-rbac"); code != 2 || !strings.Contains(errOut, "--target-project") {
		t.Errorf("rbac create without a target = (%q, %d), want a usage error", errOut, code)
	}
	itRun(t, "rbac", "delete", id)
	if _, errOut, code := itRunCode(t, "rbac", "show", id); code != 1 || !strings.Contains(errOut, "not found") {
		t.Errorf("rbac show of a deleted policy = (%q, %d)", errOut, code)
	}
}
