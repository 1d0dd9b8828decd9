package policy

// The networking-bgpvpn rules (networking_bgpvpn/policies). Upstream names the
// owner attribute tenant_id in some releases and project_id in others; both
// spellings are defined with the same check, so an owner never sees either
// and an operator's file may use either.

func bgpvpnDefaults() []Default {
	const coll, member = "/bgpvpn/bgpvpns", "/bgpvpn/bgpvpns/{id}"
	// Only an admin may read or change these.
	adminAttrs := [...]string{"project_id", "tenant_id", "route_targets", "import_targets", "export_targets", "route_distinguishers", "vni"}
	d := []Default{
		{Name: "create_bgpvpn", Check: adminOnly, Description: "Create a BGP VPN", Operations: postOp(coll)},
		{Name: "update_bgpvpn", Check: adminOrOwner, Description: "Update a BGP VPN", Operations: putOp(member)},
	}
	for _, a := range adminAttrs {
		d = append(d, Default{Name: "update_bgpvpn:" + a, Check: adminOnly, Description: "Update ``" + a + "`` attribute of a BGP VPN", Operations: putOp(member)})
	}
	d = append(d,
		Default{Name: "delete_bgpvpn", Check: adminOnly, Description: "Delete a BGP VPN", Operations: deleteOp(member)},
		Default{Name: "get_bgpvpn", Check: adminOrOwner, Description: "Get BGP VPNs", Operations: getOps(coll, member)},
	)
	for _, a := range adminAttrs {
		d = append(d, Default{Name: "get_bgpvpn:" + a, Check: adminOnly, Description: "Get ``" + a + "`` attributes of BGP VPNs", Operations: getOps(coll, member)})
	}
	return d
}

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
		{Name: "get_" + name, Check: adminOrOwner, Description: "Get " + kind + " associations", Operations: getOps(coll, member)},
		{Name: "get_" + name + ":project_id", Check: adminOnly, Description: "Get ``project_id`` attributes of " + kind + " associations", Operations: getOps(coll, member)},
		{Name: "get_" + name + ":tenant_id", Check: adminOnly, Description: "Get ``tenant_id`` attributes of " + kind + " associations", Operations: getOps(coll, member)},
	}
}
