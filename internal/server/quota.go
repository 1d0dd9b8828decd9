package server

import (
	"github.com/bgpvpn/bgpvpn/internal/config"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// quotaOption names the [quotas] option of each quota resource: Neutron's
// for the core resources, in the same style for ours.
func quotaOption(resource string) string { return "quota_" + resource }

// quotaOpts are the [quotas] options: Neutron's names and defaults, plus
// one per BGPVPN resource, which like Neutron's quota_bgpvpn fall back to
// default_quota when not set.
func quotaOpts() []config.Opt {
	core := map[string]string{store.QuotaNetwork: "100", store.QuotaSubnet: "100", store.QuotaPort: "500", store.QuotaRouter: "10"}
	opts := []config.Opt{
		{Section: "quotas", Name: "default_quota", Type: config.Int, Default: "-1",
			Help: "Default number of resources of a kind allowed per project, for the kinds without a default of their own (quota_bgpvpn and the associations when they are not set). A negative value means unlimited."},
	}
	nouns := map[string]string{
		store.QuotaNetwork: "networks", store.QuotaSubnet: "subnets", store.QuotaPort: "ports", store.QuotaRouter: "routers",
		store.QuotaBGPVPN:                   "BGPVPNs",
		store.QuotaBGPVPNNetworkAssociation: "network associations of BGPVPNs",
		store.QuotaBGPVPNRouterAssociation:  "router associations of BGPVPNs",
		store.QuotaBGPVPNPortAssociation:    "port associations of BGPVPNs",
	}
	for _, r := range store.QuotaResources() {
		o := config.Opt{Section: "quotas", Name: quotaOption(r), Type: config.Int, Default: core[r],
			Help: "Number of " + nouns[r] + " allowed per project. A negative value means unlimited."}
		if core[r] == "" {
			o.Help = "Number of " + nouns[r] + " allowed per project; default_quota when not set. A negative value means unlimited."
		}
		opts = append(opts, o)
	}
	return append(opts,
		config.Opt{Section: "quotas", Name: "quota_driver", Type: config.String,
			Help: "Accepted for compatibility with Neutron's configuration and ignored: quotas are always kept in the server's database."},
		config.Opt{Section: "quotas", Name: "track_quota_usage", Type: config.Bool, Default: "true",
			Help: "Accepted for compatibility with Neutron's configuration and ignored: usage is counted in the write transaction of every create."},
	)
}

// quotaDefaults reads the default limit of every quota resource.
func quotaDefaults(v *config.Values) map[string]int64 {
	out := map[string]int64{}
	for _, r := range store.QuotaResources() {
		name := quotaOption(r)
		if v.IsSet("quotas", name) || v.String("quotas", name) != "" {
			out[r] = v.Int("quotas", name)
			continue
		}
		out[r] = v.Int("quotas", "default_quota")
	}
	return out
}
