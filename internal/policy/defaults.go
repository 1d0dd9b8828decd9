package policy

// Check strings the defaults share, as Neutron names them.
const (
	adminOnly           = "rule:admin_only"
	adminOrOwner        = "rule:admin_or_owner"
	adminOrNetworkOwner = "rule:admin_or_network_owner"
	advsvcOrNetOwner    = "rule:context_is_advsvc or rule:admin_or_network_owner"
)

// Defaults returns the built-in rules: Neutron's base rules, the core
// resources this server serves (networks, subnets, ports, routers), and every
// networking-bgpvpn rule. They are the pre-secure-RBAC defaults Neutron runs
// with enforce_new_defaults = False, which is what the reference deployment
// (neutron 21 + networking-bgpvpn 17) enforces. Each call returns a fresh
// slice.
func Defaults() []Default {
	var d []Default
	d = append(d, baseDefaults()...)
	d = append(d, networkDefaults()...)
	d = append(d, subnetDefaults()...)
	d = append(d, portDefaults()...)
	d = append(d, routerDefaults()...)
	d = append(d, bgpvpnDefaults()...)
	d = append(d, associationDefaults("network")...)
	d = append(d, associationDefaults("router")...)
	d = append(d, associationDefaults("port")...)
	d = append(d, quotaDefaults()...)
	d = append(d, rbacDefaults()...)
	return d
}

// baseDefaults are neutron/conf/policies/base.py.
func baseDefaults() []Default {
	return []Default{
		{Name: "context_is_admin", Check: "role:admin", Description: "Rule for cloud admin access"},
		{Name: "owner", Check: "tenant_id:%(tenant_id)s", Description: "Rule for resource owner access"},
		{Name: "admin_or_owner", Check: "rule:context_is_admin or rule:owner", Description: "Rule for admin or owner access"},
		{Name: "context_is_advsvc", Check: "role:advsvc", Description: "Rule for advsvc role access"},
		{Name: "admin_or_network_owner", Check: "rule:context_is_admin or tenant_id:%(network:tenant_id)s", Description: "Rule for admin or network owner access"},
		{Name: "admin_owner_or_network_owner", Check: "rule:owner or rule:admin_or_network_owner", Description: "Rule for resource owner, admin or network owner access"},
		{Name: "admin_only", Check: "rule:context_is_admin", Description: "Rule for admin-only access"},
		{Name: "regular_user", Check: "", Description: "Rule for regular user access"},
		{Name: "shared", Check: "field:networks:shared=True", Description: "Rule of shared network"},
		{Name: "external", Check: "field:networks:router:external=True", Description: "Rule of external network"},
		{Name: "network_device", Check: "field:port:device_owner=~^network:", Description: "Rule of port with network device_owner"},
		{Name: "default", Check: adminOrOwner, Description: "Default access rule"},
	}
}

// resourceOps builds the operation lists of the usual collection/member
// endpoints for a rule's documentation.
func postOp(collection string) []Operation {
	return []Operation{{Method: "POST", Path: collection}}
}

func getOps(collection, member string) []Operation {
	return []Operation{{Method: "GET", Path: collection}, {Method: "GET", Path: member}}
}

func putOp(member string) []Operation    { return []Operation{{Method: "PUT", Path: member}} }
func deleteOp(member string) []Operation { return []Operation{{Method: "DELETE", Path: member}} }
