package policy

// quotaDefaults are the quota rules (neutron/conf/policies/quotas.py): an
// admin reads and changes anyone's quotas, a project reads its own. Neutron
// 21 writes get_quota as admin only and skips the check when a project asks
// for its own; the rule says the same with the project in it, as Neutron
// writes it since 2023.1. The target is the project whose quotas are asked
// for (none for the list of every project's).
func quotaDefaults() []Default {
	const coll, member = "/quotas", "/quotas/{project_id}"
	return []Default{
		{Name: "get_quota", Check: "rule:admin_only or project_id:%(project_id)s", Description: "Get a resource quota",
			Operations: []Operation{{Method: "GET", Path: coll}, {Method: "GET", Path: member},
				{Method: "GET", Path: member + "/default"}, {Method: "GET", Path: member + "/details"}}},
		{Name: "update_quota", Check: adminOnly, Description: "Update a resource quota", Operations: putOp(member)},
		{Name: "delete_quota", Check: adminOnly, Description: "Delete a resource quota", Operations: deleteOp(member)},
	}
}
