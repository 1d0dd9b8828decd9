package api

import "net/http"

type extension struct{ alias, name, description, updated string }

// extensions lists what the server advertises: the three BGPVPN
// extensions with the original's texts, the standard-attribute shims, and
// the core extensions that clients look for.
func extensions() []extension {
	return []extension{
		{"bgpvpn", "BGPVPN Extension", "Provides support for BGP VPN interconnections", "2014-06-10T17:00:00-00:00"},
		{"bgpvpn-routes-control", "BGPVPN Routes Control Extension", "Provides support for controlling routes advertised to a BGPVPN", "2017-05-20T00:00:00-00:00"},
		{"bgpvpn-vni", "BGPVPN VXLAN VNI extension", "BGPVPN VXLAN VNI extension", "2017-09-12T10:00:00-00:00"},
		{"bgpvpn-admin-state", "BGPVPN admin state extension", "Lets an admin shut down the interconnection of a BGPVPN (admin_state_up) and shows the state to its tenants", "2026-12-07T00:00:00-00:00"},
		{"bgpvpn-technique", "BGPVPN technique extension", "Selects the technique that implements a BGPVPN (technique: ipvpn or evpn-prefix for l3, evpn for l2) and lists the driver's (GET /bgpvpn/techniques)", "2026-12-07T00:00:00-00:00"},
		{"bgpvpn-auto-aggregate", "BGPVPN auto aggregate extension", "Aggregates the routes of an l3 BGPVPN advertised outside the cloud (auto_aggregate)", "2026-12-07T00:00:00-00:00"},
		{"rbac-policies", "RBAC Policies", "Allows creation and modification of policies that control tenant access to resources.", "2015-06-17T12:15:12-00:00"},
		{"rbac-bgpvpn", "Add bgpvpn type to RBAC", "Add bgpvpn type to RBAC", "2021-06-07T00:00:00-00:00"},
		{"standard-attr-bgpvpn", "Standard attributes extension for bgpvpn", "Extension to add standard attributes to bgpvpn resource", "2018-09-18T18:00:00-00:00"},
		{"standard-attr-bgpvpn-network-association", "Standard attributes extension for network association", "Extension to add standard attributes to network association", "2018-09-18T18:00:00-00:00"},
		{"standard-attr-bgpvpn-router-association", "Standard attributes extension for router association", "Extension to add standard attributes to router association", "2018-09-18T18:00:00-00:00"},
		{"standard-attr-bgpvpn-port-association", "Standard attributes extension for port association", "Extension to add standard attributes to port association", "2018-09-18T18:00:00-00:00"},
		{"router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway.", "2012-07-20T10:00:00-00:00"},
		{"extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router", "2013-02-01T10:00:00-00:00"},
		{"external-net", "Neutron external network", "Adds external network attribute to network resource.", "2013-01-14T10:00:00-00:00"},
		{"binding", "Port Binding", "Expose port bindings of a virtual port to external application", "2014-02-03T10:00:00-00:00"},
		{"standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes", "2016-02-10T10:00:00-00:00"},
		{"standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes.", "2016-09-12T10:00:00-00:00"},
		{"standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources.", "2016-04-11T10:00:00-00:00"},
		{"project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled.", "2016-09-09T09:09:09-09:09"},
		{"pagination", "Pagination support", "Extension that indicates that pagination is enabled.", "2016-06-12T00:00:00-00:00"},
		{"sorting", "Sorting support", "Extension that indicates that sorting is enabled.", "2016-06-12T00:00:00-00:00"},
		{"empty-string-filtering", "Empty String Filtering Extension", "Allow filtering by attributes with empty string value", "2017-05-01T10:00:00-00:00"},
		{"quotas", "Quota management support", "Expose functions for quotas management per project", "2012-07-29T10:00:00-00:00"},
		{"quota_details", "Quota details management support", "Expose functions for quotas usage statistics per project", "2017-02-10T10:00:00-00:00"},
		{"quota-check-limit", "Quota engine limit check", "Support for checking the resource usage before applying a new quota limit", "2021-09-08T16:00:00-00:00"},
	}
}

func (e extension) fields() Fields {
	return Fields{{"name", e.name}, {"alias", e.alias}, {"description", e.description}, {"updated", e.updated}, {"links", []Fields{}}}
}

func (a *API) extensionsHandler(w http.ResponseWriter, r *http.Request, seg []string) error {
	if r.Method != http.MethodGet {
		return methodNotAllowed()
	}
	switch len(seg) {
	case 0:
		out := make([]Fields, len(a.extensions))
		for i, e := range a.extensions {
			out[i] = e.fields()
		}
		writeJSON(w, http.StatusOK, Fields{{"extensions", out}})
		return nil
	case 1:
		for _, e := range a.extensions {
			if e.alias == seg[0] {
				writeJSON(w, http.StatusOK, Fields{{"extension", e.fields()}})
				return nil
			}
		}
	}
	return notFoundPath()
}
