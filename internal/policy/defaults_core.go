package policy

// The core-resource rules follow the deprecated (pre-secure-RBAC) check
// strings of neutron/conf/policies/{network,subnet,port,router}.py, which are
// the ones in force with enforce_new_defaults = False.

func networkDefaults() []Default {
	const coll, member = "/networks", "/networks/{id}"
	return []Default{
		{Name: "create_network", Check: "", Description: "Create a network", Operations: postOp(coll)},
		{Name: "create_network:shared", Check: adminOnly, Description: "Create a shared network", Operations: postOp(coll)},
		{Name: "create_network:router:external", Check: adminOnly, Description: "Create an external network", Operations: postOp(coll)},
		{Name: "create_network:is_default", Check: adminOnly, Description: "Specify ``is_default`` attribute when creating a network", Operations: postOp(coll)},
		{Name: "create_network:segments", Check: adminOnly, Description: "Specify ``segments`` attribute when creating a network", Operations: postOp(coll)},
		{Name: "create_network:provider:network_type", Check: adminOnly, Description: "Specify ``provider:network_type`` when creating a network", Operations: postOp(coll)},
		{Name: "create_network:provider:physical_network", Check: adminOnly, Description: "Specify ``provider:physical_network`` when creating a network", Operations: postOp(coll)},
		{Name: "create_network:provider:segmentation_id", Check: adminOnly, Description: "Specify ``provider:segmentation_id`` when creating a network", Operations: postOp(coll)},
		{Name: "get_network", Check: "rule:admin_or_owner or rule:shared or rule:external or rule:context_is_advsvc", Description: "Get a network", Operations: getOps(coll, member)},
		{Name: "get_network:router:external", Check: "rule:regular_user", Description: "Get ``router:external`` attribute of a network", Operations: getOps(coll, member)},
		{Name: "get_network:segments", Check: adminOnly, Description: "Get ``segments`` attribute of a network", Operations: getOps(coll, member)},
		{Name: "get_network:provider:network_type", Check: adminOnly, Description: "Get ``provider:network_type`` attribute of a network", Operations: getOps(coll, member)},
		{Name: "get_network:provider:physical_network", Check: adminOnly, Description: "Get ``provider:physical_network`` attribute of a network", Operations: getOps(coll, member)},
		{Name: "get_network:provider:segmentation_id", Check: adminOnly, Description: "Get ``provider:segmentation_id`` attribute of a network", Operations: getOps(coll, member)},
		{Name: "update_network", Check: adminOrOwner, Description: "Update a network", Operations: putOp(member)},
		{Name: "update_network:segments", Check: adminOnly, Description: "Update ``segments`` attribute of a network", Operations: putOp(member)},
		{Name: "update_network:shared", Check: adminOnly, Description: "Update ``shared`` attribute of a network", Operations: putOp(member)},
		{Name: "update_network:provider:network_type", Check: adminOnly, Description: "Update ``provider:network_type`` attribute of a network", Operations: putOp(member)},
		{Name: "update_network:provider:physical_network", Check: adminOnly, Description: "Update ``provider:physical_network`` attribute of a network", Operations: putOp(member)},
		{Name: "update_network:provider:segmentation_id", Check: adminOnly, Description: "Update ``provider:segmentation_id`` attribute of a network", Operations: putOp(member)},
		{Name: "update_network:router:external", Check: adminOnly, Description: "Update ``router:external`` attribute of a network", Operations: putOp(member)},
		{Name: "delete_network", Check: adminOrOwner, Description: "Delete a network", Operations: deleteOp(member)},
	}
}

func subnetDefaults() []Default {
	const coll, member = "/subnets", "/subnets/{id}"
	return []Default{
		{Name: "create_subnet", Check: adminOrNetworkOwner, Description: "Create a subnet", Operations: postOp(coll)},
		{Name: "create_subnet:segment_id", Check: adminOnly, Description: "Specify ``segment_id`` attribute when creating a subnet", Operations: postOp(coll)},
		{Name: "create_subnet:service_types", Check: adminOnly, Description: "Specify ``service_types`` attribute when creating a subnet", Operations: postOp(coll)},
		{Name: "get_subnet", Check: "rule:admin_or_owner or rule:shared", Description: "Get a subnet", Operations: getOps(coll, member)},
		{Name: "get_subnet:segment_id", Check: adminOnly, Description: "Get ``segment_id`` attribute of a subnet", Operations: getOps(coll, member)},
		{Name: "update_subnet", Check: adminOrNetworkOwner, Description: "Update a subnet", Operations: putOp(member)},
		{Name: "update_subnet:segment_id", Check: adminOnly, Description: "Update ``segment_id`` attribute of a subnet", Operations: putOp(member)},
		{Name: "update_subnet:service_types", Check: adminOnly, Description: "Update ``service_types`` attribute of a subnet", Operations: putOp(member)},
		{Name: "delete_subnet", Check: adminOrNetworkOwner, Description: "Delete a subnet", Operations: deleteOp(member)},
	}
}

func portDefaults() []Default {
	const coll, member = "/ports", "/ports/{id}"
	const deviceOwner = "not rule:network_device or rule:context_is_advsvc or rule:admin_or_network_owner"
	return []Default{
		{Name: "create_port", Check: "", Description: "Create a port", Operations: postOp(coll)},
		{Name: "create_port:device_owner", Check: deviceOwner, Description: "Specify ``device_owner`` attribute when creating a port", Operations: postOp(coll)},
		{Name: "create_port:mac_address", Check: advsvcOrNetOwner, Description: "Specify ``mac_address`` attribute when creating a port", Operations: postOp(coll)},
		{Name: "create_port:fixed_ips", Check: advsvcOrNetOwner + " or rule:shared", Description: "Specify ``fixed_ips`` information when creating a port", Operations: postOp(coll)},
		{Name: "create_port:fixed_ips:ip_address", Check: advsvcOrNetOwner, Description: "Specify IP address in ``fixed_ips`` when creating a port", Operations: postOp(coll)},
		{Name: "create_port:fixed_ips:subnet_id", Check: advsvcOrNetOwner + " or rule:shared", Description: "Specify subnet ID in ``fixed_ips`` when creating a port", Operations: postOp(coll)},
		{Name: "create_port:port_security_enabled", Check: advsvcOrNetOwner, Description: "Specify ``port_security_enabled`` attribute when creating a port", Operations: postOp(coll)},
		{Name: "create_port:binding:host_id", Check: adminOnly, Description: "Specify ``binding:host_id`` attribute when creating a port", Operations: postOp(coll)},
		{Name: "create_port:binding:profile", Check: adminOnly, Description: "Specify ``binding:profile`` attribute when creating a port", Operations: postOp(coll)},
		{Name: "create_port:allowed_address_pairs", Check: adminOrNetworkOwner, Description: "Specify ``allowed_address_pairs`` attribute when creating a port", Operations: postOp(coll)},
		{Name: "get_port", Check: "rule:context_is_advsvc or rule:admin_owner_or_network_owner", Description: "Get a port", Operations: getOps(coll, member)},
		{Name: "get_port:binding:vif_type", Check: adminOnly, Description: "Get ``binding:vif_type`` attribute of a port", Operations: getOps(coll, member)},
		{Name: "get_port:binding:vif_details", Check: adminOnly, Description: "Get ``binding:vif_details`` attribute of a port", Operations: getOps(coll, member)},
		{Name: "get_port:binding:host_id", Check: adminOnly, Description: "Get ``binding:host_id`` attribute of a port", Operations: getOps(coll, member)},
		{Name: "get_port:binding:profile", Check: adminOnly, Description: "Get ``binding:profile`` attribute of a port", Operations: getOps(coll, member)},
		{Name: "update_port", Check: "rule:admin_or_owner or rule:context_is_advsvc", Description: "Update a port", Operations: putOp(member)},
		{Name: "update_port:device_owner", Check: deviceOwner, Description: "Update ``device_owner`` attribute of a port", Operations: putOp(member)},
		{Name: "update_port:mac_address", Check: "rule:admin_only or rule:context_is_advsvc", Description: "Update ``mac_address`` attribute of a port", Operations: putOp(member)},
		{Name: "update_port:fixed_ips", Check: advsvcOrNetOwner, Description: "Specify ``fixed_ips`` information when updating a port", Operations: putOp(member)},
		{Name: "update_port:fixed_ips:ip_address", Check: advsvcOrNetOwner, Description: "Specify IP address in ``fixed_ips`` when updating a port", Operations: putOp(member)},
		{Name: "update_port:fixed_ips:subnet_id", Check: advsvcOrNetOwner + " or rule:shared", Description: "Specify subnet ID in ``fixed_ips`` when updating a port", Operations: putOp(member)},
		{Name: "update_port:port_security_enabled", Check: advsvcOrNetOwner, Description: "Update ``port_security_enabled`` attribute of a port", Operations: putOp(member)},
		{Name: "update_port:binding:host_id", Check: adminOnly, Description: "Update ``binding:host_id`` attribute of a port", Operations: putOp(member)},
		{Name: "update_port:binding:profile", Check: adminOnly, Description: "Update ``binding:profile`` attribute of a port", Operations: putOp(member)},
		{Name: "update_port:allowed_address_pairs", Check: adminOrNetworkOwner, Description: "Update ``allowed_address_pairs`` attribute of a port", Operations: putOp(member)},
		{Name: "delete_port", Check: "rule:context_is_advsvc or rule:admin_owner_or_network_owner", Description: "Delete a port", Operations: deleteOp(member)},
	}
}

func routerDefaults() []Default {
	const coll, member = "/routers", "/routers/{id}"
	return []Default{
		{Name: "create_router", Check: "rule:regular_user", Description: "Create a router", Operations: postOp(coll)},
		{Name: "create_router:ha", Check: adminOnly, Description: "Specify ``ha`` attribute when creating a router", Operations: postOp(coll)},
		{Name: "create_router:distributed", Check: adminOnly, Description: "Specify ``distributed`` attribute when creating a router", Operations: postOp(coll)},
		{Name: "create_router:external_gateway_info:enable_snat", Check: adminOnly, Description: "Specify ``enable_snat`` in ``external_gateway_info`` when creating a router", Operations: postOp(coll)},
		{Name: "create_router:external_gateway_info:external_fixed_ips", Check: adminOnly, Description: "Specify ``external_fixed_ips`` in ``external_gateway_info`` when creating a router", Operations: postOp(coll)},
		{Name: "get_router", Check: adminOrOwner, Description: "Get a router", Operations: getOps(coll, member)},
		{Name: "get_router:ha", Check: adminOnly, Description: "Get ``ha`` attribute of a router", Operations: getOps(coll, member)},
		{Name: "get_router:distributed", Check: adminOnly, Description: "Get ``distributed`` attribute of a router", Operations: getOps(coll, member)},
		{Name: "update_router", Check: adminOrOwner, Description: "Update a router", Operations: putOp(member)},
		{Name: "update_router:ha", Check: adminOnly, Description: "Update ``ha`` attribute of a router", Operations: putOp(member)},
		{Name: "update_router:distributed", Check: adminOnly, Description: "Update ``distributed`` attribute of a router", Operations: putOp(member)},
		{Name: "update_router:external_gateway_info:enable_snat", Check: adminOnly, Description: "Update ``enable_snat`` in ``external_gateway_info`` of a router", Operations: putOp(member)},
		{Name: "update_router:external_gateway_info:external_fixed_ips", Check: adminOnly, Description: "Update ``external_fixed_ips`` in ``external_gateway_info`` of a router", Operations: putOp(member)},
		{Name: "delete_router", Check: adminOrOwner, Description: "Delete a router", Operations: deleteOp(member)},
		{Name: "add_router_interface", Check: adminOrOwner, Description: "Add an interface to a router", Operations: putOp(member + "/add_router_interface")},
		{Name: "remove_router_interface", Check: adminOrOwner, Description: "Remove an interface from a router", Operations: putOp(member + "/remove_router_interface")},
	}
}
