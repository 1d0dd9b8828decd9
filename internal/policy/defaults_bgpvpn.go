package policy

// The networking-bgpvpn rules (networking_bgpvpn/policies). Upstream names the
// owner attribute tenant_id in some releases and project_id in others; both
// spellings are defined with the same check, so an owner never sees either
// and an operator's file may use either.

func bgpvpnDefaults() []Default {
	const coll, member = "/bgpvpn/bgpvpns", "/bgpvpn/bgpvpns/{id}"
	// Only an admin may read or change these (technique and
	// auto_aggregate: the specification's "RW admin only" attributes that
	// say how the VPN is built, like the RTs).
	adminAttrs := [...]string{"project_id", "tenant_id", "route_targets", "import_targets", "export_targets", "route_distinguishers", "vni",
		"technique", "auto_aggregate"}
	d := []Default{
		{Name: "create_bgpvpn", Check: adminOnly, Description: "Create a BGP VPN", Operations: postOp(coll)},
		{Name: "update_bgpvpn", Check: adminOrOwner, Description: "Update a BGP VPN", Operations: putOp(member)},
	}
	for _, a := range adminAttrs {
		d = append(d, Default{Name: "update_bgpvpn:" + a, Check: adminOnly, Description: "Update ``" + a + "`` attribute of a BGP VPN", Operations: putOp(member)})
	}
	// admin_state_up: only an admin changes it; tenants see it (the
	// specification's "expose this state to the tenant").
	d = append(d,
		Default{Name: "update_bgpvpn:admin_state_up", Check: adminOnly, Description: "Update ``admin_state_up`` attribute of a BGP VPN", Operations: putOp(member)},
		Default{Name: "delete_bgpvpn", Check: adminOnly, Description: "Delete a BGP VPN", Operations: deleteOp(member)},
		// shared is true for a project an RBAC policy shares the BGPVPN
		// with (rbac-bgpvpn), as on networks.
		Default{Name: "get_bgpvpn", Check: adminOrOwner + " or field:bgpvpns:shared=True", Description: "Get BGP VPNs", Operations: getOps(coll, member)},
	)
	for _, a := range adminAttrs {
		d = append(d, Default{Name: "get_bgpvpn:" + a, Check: adminOnly, Description: "Get ``" + a + "`` attributes of BGP VPNs", Operations: getOps(coll, member)})
	}
	return d
}

// bgpvpnOwner matches the owner of an association's BGPVPN.
const bgpvpnOwner = "tenant_id:%(bgpvpn:tenant_id)s"

// adminOthersAssoc: an admin, or the BGPVPN's owner looking at an
// association another project made through an RBAC policy.
const adminOthersAssoc = adminOnly + " or (" + bgpvpnOwner + " and not rule:owner)"

// associationDefaults are the rules of one association sub-resource
// (kind is network, router or port).
func associationDefaults(kind string) []Default {
	coll := "/bgpvpn/bgpvpns/{bgpvpn_id}/" + kind + "_associations"
	member := coll + "/{" + kind + "_association_id}"
	name := "bgpvpn_" + kind + "_association"
	return []Default{
		{Name: "create_" + name, Check: adminOrOwner, Description: "Create a " + kind + " association", Operations: postOp(coll)},
		{Name: "update_" + name, Check: adminOrOwner, Description: "Update a " + kind + " association", Operations: putOp(member)},
		{Name: "delete_" + name, Check: adminOrOwner, Description: "Delete a " + kind + " association", Operations: deleteOp(member)},
		// The owner of a shared BGPVPN sees the associations other
		// projects made with it, and who made them.
		{Name: "get_" + name, Check: adminOrOwner + " or " + bgpvpnOwner, Description: "Get " + kind + " associations", Operations: getOps(coll, member)},
		{Name: "get_" + name + ":project_id", Check: adminOthersAssoc, Description: "Get ``project_id`` attributes of " + kind + " associations", Operations: getOps(coll, member)},
		{Name: "get_" + name + ":tenant_id", Check: adminOthersAssoc, Description: "Get ``tenant_id`` attributes of " + kind + " associations", Operations: getOps(coll, member)},
	}
}
