package api

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/fault"
	"github.com/bgpvpn/bgpvpn/internal/resource"
	"github.com/bgpvpn/bgpvpn/internal/store"
)

// quotaOf names the quota resource each collection counts against.
var quotaOf = map[string]string{
	"networks":             store.QuotaNetwork,
	"subnets":              store.QuotaSubnet,
	"ports":                store.QuotaPort,
	"routers":              store.QuotaRouter,
	"bgpvpns":              store.QuotaBGPVPN,
	"network_associations": store.QuotaBGPVPNNetworkAssociation,
	"router_associations":  store.QuotaBGPVPNRouterAssociation,
	"port_associations":    store.QuotaBGPVPNPortAssociation,
}

// overQuota is neutron-lib's OverQuota; overs prints as Python prints a
// list of strings.
func overQuota(overs ...string) error {
	quoted := make([]string, len(overs))
	for i, o := range overs {
		quoted[i] = "'" + o + "'"
	}
	return fault.Conflict("OverQuota", "Quota exceeded for resources: [%s].", strings.Join(quoted, ", "))
}

// enforceQuota refuses a create that would take a project over its limit
// for the kind's resource, as Neutron's quota engine does before a POST:
// every item of a bulk request counts, all or nothing. It counts inside the
// write transaction that then creates, and writers run one at a time, so
// two concurrent requests cannot both take the last unit.
func (a *API) enforceQuota(tx store.Tx, k *kind, bodies []resource.Body) error {
	res, ok := quotaOf[k.spec.Plural]
	if !ok {
		return nil
	}
	deltas := map[string]int64{}
	for _, b := range bodies {
		p, _ := b.Values["tenant_id"].(string)
		deltas[p]++
	}
	projects := make([]string, 0, len(deltas))
	for p := range deltas {
		projects = append(projects, p)
	}
	slices.Sort(projects)
	for _, p := range projects {
		l, err := a.limits(tx, p)
		if err != nil {
			return fmt.Errorf("reading the quotas of %s: %w", p, err)
		}
		limit := l[res]
		if limit < 0 {
			continue
		}
		used, err := tx.CountOwned(res, p)
		if err != nil {
			return err
		}
		if limit-used < deltas[p] {
			return overQuota(res)
		}
	}
	return nil
}
