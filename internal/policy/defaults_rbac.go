package policy

// rbacDefaults are Neutron's rbac-policies rules (neutron/conf/policies/
// rbac.py), the pre-secure-RBAC ones as elsewhere: anyone creates a policy
// (the service checks that the object is theirs), only an admin shares
// with everyone ("*"), and a policy is its maker's (or an admin's) to read,
// change and delete.
func rbacDefaults() []Default {
	const coll, member = "/rbac-policies", "/rbac-policies/{id}"
	return []Default{
		{Name: "restrict_wildcard", Check: "(not field:rbac_policy:target_tenant=* and not field:rbac_policy:target_project=*) or " + adminOnly,
			Description: "Definition of a wildcard target_project"},
		{Name: "create_rbac_policy", Check: "rule:regular_user", Description: "Create an RBAC policy", Operations: postOp(coll)},
		{Name: "create_rbac_policy:target_tenant", Check: "rule:restrict_wildcard", Description: "Specify ``target_tenant`` when creating an RBAC policy", Operations: postOp(coll)},
		{Name: "update_rbac_policy", Check: adminOrOwner, Description: "Update an RBAC policy", Operations: putOp(member)},
		{Name: "update_rbac_policy:target_tenant", Check: "rule:restrict_wildcard and " + adminOrOwner, Description: "Update ``target_tenant`` attribute of an RBAC policy", Operations: putOp(member)},
		{Name: "get_rbac_policy", Check: adminOrOwner, Description: "Get an RBAC policy", Operations: getOps(coll, member)},
		{Name: "delete_rbac_policy", Check: adminOrOwner, Description: "Delete an RBAC policy", Operations: deleteOp(member)},
	}
}
