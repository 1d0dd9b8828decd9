package cli

// Integration tests against a running bgpvpn-server, run by
// scripts/it/cli.sh with BGPVPN_IT_ENDPOINT=http://127.0.0.1:PORT (noauth).
// They use gophercloud's own packages, typed options and all, to prove an
// unmodified gophercloud program works against our server.

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/gophercloud/gophercloud/v2/openstack"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/bgpvpns"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/networks"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/ports"
	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/subnets"
	"github.com/gophercloud/gophercloud/v2/pagination"
)

func itClient(t *testing.T) *gophercloud.ServiceClient {
	t.Helper()
	ep := os.Getenv("BGPVPN_IT_ENDPOINT")
	if ep == "" {
		t.Skip("BGPVPN_IT_ENDPOINT not set: integration test (scripts/it/cli.sh runs it)")
	}
	pc, err := openstack.NewClient(ep)
	if err != nil {
		t.Fatal(err)
	}
	return withEndpoint(pc, ep)
}

// result lets a (value, error) call be checked inline:
// res(f()).must(t, "doing f").
type result[T any] struct {
	v   T
	err error
}

func res[T any](v T, err error) result[T] { return result[T]{v, err} }

func (r result[T]) must(t *testing.T, what string) T {
	t.Helper()
	if r.err != nil {
		t.Fatalf("%s: %v", what, r.err)
	}
	return r.v
}

func ptr[T any](v T) *T { return &v }

// itNetwork creates a network, a subnet and a port, removed at the end.
func itNetwork(t *testing.T, c *gophercloud.ServiceClient, name, cidr string) (netID, subnetID, portID string) {
	t.Helper()
	ctx := context.Background()
	n := res(networks.Create(ctx, c, networks.CreateOpts{Name: name}).Extract()).must(t, "create network")
	t.Cleanup(func() { networks.Delete(ctx, c, n.ID) })
	s := res(subnets.Create(ctx, c, subnets.CreateOpts{NetworkID: n.ID, CIDR: cidr, IPVersion: 4, Name: name}).Extract()).must(t, "create subnet")
	t.Cleanup(func() { subnets.Delete(ctx, c, s.ID) })
	p := res(ports.Create(ctx, c, ports.CreateOpts{NetworkID: n.ID, Name: name}).Extract()).must(t, "create port")
	t.Cleanup(func() { ports.Delete(ctx, c, p.ID) })
	return n.ID, s.ID, p.ID
}

func TestITGophercloudBGPVPNCRUD(t *testing.T) {
	c := itClient(t)
	ctx := context.Background()

	create := bgpvpns.CreateOpts{
		Name:                "gc-vpn",
		RouteDistinguishers: []string{"64512:1777", "64512:1888"},
		RouteTargets:        []string{"64512:1444"},
		ImportTargets:       []string{"64512:1555"},
		ExportTargets:       []string{"64512:1666"},
		LocalPref:           100,
		VNI:                 1000,
		Type:                "l3",
	}
	vpn := res(bgpvpns.Create(ctx, c, create).Extract()).must(t, "Create")
	t.Cleanup(func() { bgpvpns.Delete(ctx, c, vpn.ID) })
	want := bgpvpns.BGPVPN{
		ID: vpn.ID, Name: "gc-vpn", Type: "l3",
		RouteDistinguishers: create.RouteDistinguishers, RouteTargets: create.RouteTargets,
		ImportTargets: create.ImportTargets, ExportTargets: create.ExportTargets,
		Networks: []string{}, Routers: []string{}, Ports: []string{},
		LocalPref: ptr(100), VNI: 1000, TenantID: vpn.TenantID, ProjectID: vpn.TenantID,
	}
	if diff := cmp.Diff(&want, vpn); diff != "" {
		t.Errorf("Create returned (-want +got):\n%s", diff)
	}
	if vpn.TenantID == "" {
		t.Errorf("Create returned no tenant_id")
	}
	got := res(bgpvpns.Get(ctx, c, vpn.ID).Extract()).must(t, "Get")
	if diff := cmp.Diff(vpn, got); diff != "" {
		t.Errorf("Get differs from Create (-create +get):\n%s", diff)
	}

	// Every UpdateOpts field.
	update := bgpvpns.UpdateOpts{
		Name:                ptr("gc-vpn-2"),
		RouteDistinguishers: &[]string{"64512:2000"},
		RouteTargets:        &[]string{"64512:2001", "64512:2002"},
		ImportTargets:       &[]string{},
		ExportTargets:       &[]string{"64512:2003"},
		LocalPref:           ptr(42),
	}
	upd := res(bgpvpns.Update(ctx, c, vpn.ID, update).Extract()).must(t, "Update")
	want.Name, want.RouteDistinguishers, want.RouteTargets = "gc-vpn-2", []string{"64512:2000"}, []string{"64512:2001", "64512:2002"}
	want.ImportTargets, want.ExportTargets, want.LocalPref = []string{}, []string{"64512:2003"}, ptr(42)
	if diff := cmp.Diff(&want, upd); diff != "" {
		t.Errorf("Update returned (-want +got):\n%s", diff)
	}

	// TenantID / ProjectID on create.
	other := res(bgpvpns.Create(ctx, c, bgpvpns.CreateOpts{Name: "gc-other", ProjectID: "gc-project"}).Extract()).must(t, "Create for another project")
	t.Cleanup(func() { bgpvpns.Delete(ctx, c, other.ID) })
	if other.ProjectID != "gc-project" || other.TenantID != "gc-project" {
		t.Errorf("Create(ProjectID gc-project) = project %q tenant %q", other.ProjectID, other.TenantID)
	}
	tenant := res(bgpvpns.Create(ctx, c, bgpvpns.CreateOpts{Name: "gc-tenant", TenantID: "gc-project-2", Type: "l2"}).Extract()).must(t, "Create with TenantID")
	t.Cleanup(func() { bgpvpns.Delete(ctx, c, tenant.ID) })
	if tenant.ProjectID != "gc-project-2" || tenant.Type != "l2" {
		t.Errorf("Create(TenantID gc-project-2, l2) = project %q type %q", tenant.ProjectID, tenant.Type)
	}

	// List filters: ProjectID, Fields.
	pages := res(bgpvpns.List(c, bgpvpns.ListOpts{ProjectID: "gc-project"}).AllPages(ctx)).must(t, "List ProjectID")
	list := res(bgpvpns.ExtractBGPVPNs(pages)).must(t, "Extract")
	if ids := vpnIDs(list); !slices.Equal(ids, []string{other.ID}) {
		t.Errorf("List(ProjectID gc-project) = %v, want [%s]", ids, other.ID)
	}
	pages = res(bgpvpns.List(c, bgpvpns.ListOpts{Fields: []string{"id", "name"}, ProjectID: "gc-project"}).AllPages(ctx)).must(t, "List Fields")
	var raw []map[string]any
	if err := bgpvpns.ExtractBGPVPNsInto(pages, &raw); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]any{{"id": other.ID, "name": "gc-other"}}, raw); diff != "" {
		t.Errorf("List(Fields id,name) (-want +got):\n%s", diff)
	}

	if err := bgpvpns.Delete(ctx, c, vpn.ID).ExtractErr(); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	if _, err := bgpvpns.Get(ctx, c, vpn.ID).Extract(); !gophercloud.ResponseCodeIs(err, 404) {
		t.Errorf("Get after Delete: %v, want 404", err)
	}
}

func vpnIDs(l []bgpvpns.BGPVPN) []string {
	var ids []string
	for _, v := range l {
		ids = append(ids, v.ID)
	}
	slices.Sort(ids)
	return ids
}

func TestITGophercloudPagination(t *testing.T) {
	c := itClient(t)
	ctx := context.Background()
	project := "gc-paging"
	var want []string
	for i := range 5 {
		v := res(bgpvpns.Create(ctx, c, bgpvpns.CreateOpts{Name: fmt.Sprintf("gc-page-%d", i), ProjectID: project}).Extract()).must(t, "Create")
		t.Cleanup(func() { bgpvpns.Delete(ctx, c, v.ID) })
		want = append(want, v.ID)
	}
	slices.Sort(want)
	var got []string
	pagesSeen := 0
	err := bgpvpns.List(c, bgpvpns.ListOpts{ProjectID: project, Limit: 2}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		l, err := bgpvpns.ExtractBGPVPNs(p)
		if err != nil {
			return false, err
		}
		if len(l) > 2 {
			t.Errorf("page of %d items with limit 2", len(l))
		}
		if len(l) > 0 {
			pagesSeen++
		}
		for _, v := range l {
			got = append(got, v.ID)
		}
		return true, nil
	})
	if err != nil {
		t.Fatalf("List(Limit 2): %v", err)
	}
	if pagesSeen != 3 {
		t.Errorf("List(Limit 2) over 5 items gave %d non-empty pages, want 3", pagesSeen)
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("List(Limit 2) pages = %v, want %v", got, want)
	}
	// An explicit marker starts after it.
	first := res(bgpvpns.List(c, bgpvpns.ListOpts{ProjectID: project, Limit: 1}).AllPages(ctx)).must(t, "first page")
	all := res(bgpvpns.ExtractBGPVPNs(first)).must(t, "Extract")
	if len(all) != 5 {
		t.Fatalf("AllPages(Limit 1) = %d items, want 5", len(all))
	}
	after := res(bgpvpns.List(c, bgpvpns.ListOpts{ProjectID: project, Marker: all[1].ID, Limit: 10}).AllPages(ctx)).must(t, "List Marker")
	rest := res(bgpvpns.ExtractBGPVPNs(after)).must(t, "Extract")
	var restIDs []string
	for _, v := range rest {
		restIDs = append(restIDs, v.ID)
	}
	var wantRest []string
	for _, v := range all[2:] {
		wantRest = append(wantRest, v.ID)
	}
	if !slices.Equal(restIDs, wantRest) {
		t.Errorf("List(Marker %s) = %v, want %v", all[1].ID, restIDs, wantRest)
	}
}

func TestITGophercloudAssociations(t *testing.T) {
	c := itClient(t)
	ctx := context.Background()
	netID, subnetID, portID := itNetwork(t, c, "gc-assoc", "10.77.0.0/24")
	router := res(routers.Create(ctx, c, routers.CreateOpts{Name: "gc-assoc"}).Extract()).must(t, "create router")
	t.Cleanup(func() { routers.Delete(ctx, c, router.ID) })
	_ = subnetID

	vpn := res(bgpvpns.Create(ctx, c, bgpvpns.CreateOpts{Name: "gc-assoc", RouteTargets: []string{"64512:77"}}).Extract()).must(t, "Create")
	t.Cleanup(func() { bgpvpns.Delete(ctx, c, vpn.ID) })
	leak := res(bgpvpns.Create(ctx, c, bgpvpns.CreateOpts{Name: "gc-leak", RouteTargets: []string{"64512:78"}}).Extract()).must(t, "Create")
	t.Cleanup(func() { bgpvpns.Delete(ctx, c, leak.ID) })

	// Network association.
	na := res(bgpvpns.CreateNetworkAssociation(ctx, c, vpn.ID, bgpvpns.CreateNetworkAssociationOpts{NetworkID: netID}).Extract()).must(t, "CreateNetworkAssociation")
	if na.NetworkID != netID || na.ID == "" {
		t.Errorf("CreateNetworkAssociation = %+v", na)
	}
	if got := res(bgpvpns.GetNetworkAssociation(ctx, c, vpn.ID, na.ID).Extract()).must(t, "GetNetworkAssociation"); !cmp.Equal(got, na) {
		t.Errorf("GetNetworkAssociation = %+v, want %+v", got, na)
	}
	pages := res(bgpvpns.ListNetworkAssociations(c, vpn.ID, bgpvpns.ListNetworkAssociationsOpts{}).AllPages(ctx)).must(t, "ListNetworkAssociations")
	nas := res(bgpvpns.ExtractNetworkAssociations(pages)).must(t, "Extract")
	if len(nas) != 1 || nas[0].ID != na.ID {
		t.Errorf("ListNetworkAssociations = %+v", nas)
	}
	pages = res(bgpvpns.ListNetworkAssociations(c, vpn.ID, bgpvpns.ListNetworkAssociationsOpts{Fields: []string{"network_id"}}).AllPages(ctx)).must(t, "ListNetworkAssociations Fields")
	var raw []map[string]any
	if err := bgpvpns.ExtractNetworkAssociationsInto(pages, &raw); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]map[string]any{{"network_id": netID}}, raw); diff != "" {
		t.Errorf("ListNetworkAssociations(Fields network_id) (-want +got):\n%s", diff)
	}
	// Association paging: limit and marker on a sub-collection.
	net2 := res(networks.Create(ctx, c, networks.CreateOpts{Name: "gc-assoc-2"}).Extract()).must(t, "create network")
	t.Cleanup(func() { networks.Delete(ctx, c, net2.ID) })
	na2 := res(bgpvpns.CreateNetworkAssociation(ctx, c, vpn.ID, bgpvpns.CreateNetworkAssociationOpts{NetworkID: net2.ID}).Extract()).must(t, "CreateNetworkAssociation 2")
	var paged []string
	nPages := 0
	err := bgpvpns.ListNetworkAssociations(c, vpn.ID, bgpvpns.ListNetworkAssociationsOpts{Limit: 1}).EachPage(ctx, func(_ context.Context, p pagination.Page) (bool, error) {
		l, err := bgpvpns.ExtractNetworkAssociations(p)
		if len(l) > 0 {
			nPages++
		}
		for _, a := range l {
			paged = append(paged, a.ID)
		}
		return true, err
	})
	if err != nil {
		t.Fatalf("ListNetworkAssociations(Limit 1): %v", err)
	}
	slices.Sort(paged)
	wantPaged := []string{na.ID, na2.ID}
	slices.Sort(wantPaged)
	if nPages != 2 || !slices.Equal(paged, wantPaged) {
		t.Errorf("ListNetworkAssociations(Limit 1) = %d pages %v, want 2 pages %v", nPages, paged, wantPaged)
	}
	all := res(bgpvpns.ListNetworkAssociations(c, vpn.ID, bgpvpns.ListNetworkAssociationsOpts{}).AllPages(ctx)).must(t, "ListNetworkAssociations")
	allNAs := res(bgpvpns.ExtractNetworkAssociations(all)).must(t, "Extract")
	if len(allNAs) == 2 {
		after := res(bgpvpns.ListNetworkAssociations(c, vpn.ID, bgpvpns.ListNetworkAssociationsOpts{Marker: allNAs[0].ID, Limit: 5}).AllPages(ctx)).must(t, "ListNetworkAssociations Marker")
		rest := res(bgpvpns.ExtractNetworkAssociations(after)).must(t, "Extract")
		if len(rest) != 1 || rest[0].ID != allNAs[1].ID {
			t.Errorf("ListNetworkAssociations(Marker %s) = %+v, want [%s]", allNAs[0].ID, rest, allNAs[1].ID)
		}
	}
	if err := bgpvpns.DeleteNetworkAssociation(ctx, c, vpn.ID, na2.ID).ExtractErr(); err != nil {
		t.Errorf("DeleteNetworkAssociation 2: %v", err)
	}

	byNet := res(bgpvpns.List(c, bgpvpns.ListOpts{Networks: []string{netID}}).AllPages(ctx)).must(t, "List Networks filter")
	if ids := vpnIDs(res(bgpvpns.ExtractBGPVPNs(byNet)).must(t, "Extract")); !slices.Equal(ids, []string{vpn.ID}) {
		t.Errorf("List(Networks %s) = %v, want [%s]", netID, ids, vpn.ID)
	}

	// Router association; false on create must stick (the reference loses it).
	ra := res(bgpvpns.CreateRouterAssociation(ctx, c, vpn.ID,
		bgpvpns.CreateRouterAssociationOpts{RouterID: router.ID, AdvertiseExtraRoutes: ptr(false)}).Extract()).must(t, "CreateRouterAssociation")
	if ra.RouterID != router.ID || ra.AdvertiseExtraRoutes {
		t.Errorf("CreateRouterAssociation(advertise false) = %+v", ra)
	}
	ra2 := res(bgpvpns.UpdateRouterAssociation(ctx, c, vpn.ID, ra.ID,
		bgpvpns.UpdateRouterAssociationOpts{AdvertiseExtraRoutes: ptr(true)}).Extract()).must(t, "UpdateRouterAssociation")
	if !ra2.AdvertiseExtraRoutes {
		t.Errorf("UpdateRouterAssociation(true) = %+v", ra2)
	}
	if got := res(bgpvpns.GetRouterAssociation(ctx, c, vpn.ID, ra.ID).Extract()).must(t, "GetRouterAssociation"); !got.AdvertiseExtraRoutes {
		t.Errorf("GetRouterAssociation after update = %+v", got)
	}
	pages = res(bgpvpns.ListRouterAssociations(c, vpn.ID, bgpvpns.ListRouterAssociationsOpts{}).AllPages(ctx)).must(t, "ListRouterAssociations")
	if ras := res(bgpvpns.ExtractRouterAssociations(pages)).must(t, "Extract"); len(ras) != 1 || ras[0].ID != ra.ID {
		t.Errorf("ListRouterAssociations = %+v", ras)
	}
	byRouter := res(bgpvpns.List(c, bgpvpns.ListOpts{Routers: []string{router.ID}}).AllPages(ctx)).must(t, "List Routers filter")
	if ids := vpnIDs(res(bgpvpns.ExtractBGPVPNs(byRouter)).must(t, "Extract")); !slices.Equal(ids, []string{vpn.ID}) {
		t.Errorf("List(Routers %s) = %v, want [%s]", router.ID, ids, vpn.ID)
	}

	// Port association with both kinds of routes.
	pa := res(bgpvpns.CreatePortAssociation(ctx, c, vpn.ID, bgpvpns.CreatePortAssociationOpts{
		PortID:            portID,
		AdvertiseFixedIPs: ptr(false),
		Routes: []bgpvpns.PortRoutes{
			{Type: "prefix", Prefix: "20.1.0.0/16", LocalPref: ptr(100)},
			{Type: "bgpvpn", BGPVPNID: leak.ID, LocalPref: ptr(50)},
		},
	}).Extract()).must(t, "CreatePortAssociation")
	if pa.PortID != portID || pa.AdvertiseFixedIPs || len(pa.Routes) != 2 {
		t.Errorf("CreatePortAssociation = %+v", pa)
	}
	newRoutes := []bgpvpns.PortRoutes{{Type: "prefix", Prefix: "20.2.0.0/16"}}
	pa2 := res(bgpvpns.UpdatePortAssociation(ctx, c, vpn.ID, pa.ID, bgpvpns.UpdatePortAssociationOpts{
		Routes: &newRoutes, AdvertiseFixedIPs: ptr(true),
	}).Extract()).must(t, "UpdatePortAssociation")
	if !pa2.AdvertiseFixedIPs || len(pa2.Routes) != 1 || pa2.Routes[0].Prefix != "20.2.0.0/16" {
		t.Errorf("UpdatePortAssociation = %+v", pa2)
	}
	got := res(bgpvpns.GetPortAssociation(ctx, c, vpn.ID, pa.ID).Extract()).must(t, "GetPortAssociation")
	if diff := cmp.Diff(pa2, got); diff != "" {
		t.Errorf("GetPortAssociation after update (-update +get):\n%s", diff)
	}
	pages = res(bgpvpns.ListPortAssociations(c, vpn.ID, bgpvpns.ListPortAssociationsOpts{Limit: 1}).AllPages(ctx)).must(t, "ListPortAssociations")
	if pas := res(bgpvpns.ExtractPortAssociations(pages)).must(t, "Extract"); len(pas) != 1 || pas[0].ID != pa.ID {
		t.Errorf("ListPortAssociations = %+v", pas)
	}
	byPort := res(bgpvpns.List(c, bgpvpns.ListOpts{Ports: []string{portID}}).AllPages(ctx)).must(t, "List Ports filter")
	if ids := vpnIDs(res(bgpvpns.ExtractBGPVPNs(byPort)).must(t, "Extract")); !slices.Equal(ids, []string{vpn.ID}) {
		t.Errorf("List(Ports %s) = %v, want [%s] (the reference's ports filter is broken; ours must not be)", portID, ids, vpn.ID)
	}
	shown := res(bgpvpns.Get(ctx, c, vpn.ID).Extract()).must(t, "Get")
	if !slices.Equal(shown.Networks, []string{netID}) || !slices.Equal(shown.Routers, []string{router.ID}) || !slices.Equal(shown.Ports, []string{portID}) {
		t.Errorf("BGPVPN after associations: networks %v routers %v ports %v", shown.Networks, shown.Routers, shown.Ports)
	}

	// Deletes.
	for what, err := range map[string]error{
		"DeletePortAssociation":    bgpvpns.DeletePortAssociation(ctx, c, vpn.ID, pa.ID).ExtractErr(),
		"DeleteRouterAssociation":  bgpvpns.DeleteRouterAssociation(ctx, c, vpn.ID, ra.ID).ExtractErr(),
		"DeleteNetworkAssociation": bgpvpns.DeleteNetworkAssociation(ctx, c, vpn.ID, na.ID).ExtractErr(),
	} {
		if err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	if _, err := bgpvpns.GetNetworkAssociation(ctx, c, vpn.ID, na.ID).Extract(); !gophercloud.ResponseCodeIs(err, 404) {
		t.Errorf("GetNetworkAssociation after delete: %v, want 404", err)
	}
	shown = res(bgpvpns.Get(ctx, c, vpn.ID).Extract()).must(t, "Get")
	if len(shown.Networks)+len(shown.Routers)+len(shown.Ports) != 0 {
		t.Errorf("BGPVPN after deleting associations still lists %v %v %v", shown.Networks, shown.Routers, shown.Ports)
	}
}
