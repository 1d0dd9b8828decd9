package store

// Quota resources: the names Neutron's quota API uses (its singular
// resource names), plus ours for the BGPVPN resources.
const (
	QuotaNetwork                  = "network"
	QuotaSubnet                   = "subnet"
	QuotaPort                     = "port"
	QuotaRouter                   = "router"
	QuotaBGPVPN                   = "bgpvpn"
	QuotaBGPVPNNetworkAssociation = "bgpvpn_network_association"
	QuotaBGPVPNRouterAssociation  = "bgpvpn_router_association"
	QuotaBGPVPNPortAssociation    = "bgpvpn_port_association"
)

// QuotaResources lists every quota resource, in the order the API shows
// them.
func QuotaResources() []string {
	return []string{QuotaNetwork, QuotaSubnet, QuotaPort, QuotaRouter, QuotaBGPVPN,
		QuotaBGPVPNNetworkAssociation, QuotaBGPVPNRouterAssociation, QuotaBGPVPNPortAssociation}
}

// Quotas keeps the per-project quota limits an admin set, and counts what
// each project owns. Counting inside the write transaction that creates is
// what makes enforcement race-free: writers run one at a time.
type Quotas interface {
	// QuotaLimits returns the limits set for project, by resource; a
	// resource without a limit of its own is absent (the default applies).
	QuotaLimits(project string) (map[string]int64, error)
	// AllQuotaLimits returns the limits of every project that has any.
	AllQuotaLimits() (map[string]map[string]int64, error)
	// SetQuotaLimit sets project's limit on resource.
	SetQuotaLimit(project, resource string, limit int64) error
	// DeleteQuotaLimits removes every limit of project, which returns to
	// the defaults; ErrNotFound when it had none.
	DeleteQuotaLimits(project string) error
	// CountOwned counts the objects of a quota resource that project owns.
	CountOwned(resource, project string) (int64, error)
}
