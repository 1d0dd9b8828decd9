package sqlstore

import (
	"fmt"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

// Quota limits and usage counts.

// quotaTables maps each quota resource to the table whose rows it counts.
var quotaTables = map[string]string{
	store.QuotaNetwork:                  "networks",
	store.QuotaSubnet:                   "subnets",
	store.QuotaPort:                     "ports",
	store.QuotaRouter:                   "routers",
	store.QuotaBGPVPN:                   "bgpvpns",
	store.QuotaBGPVPNNetworkAssociation: "bgpvpn_network_associations",
	store.QuotaBGPVPNRouterAssociation:  "bgpvpn_router_associations",
	store.QuotaBGPVPNPortAssociation:    "bgpvpn_port_associations",
}

func (t *tx) QuotaLimits(project string) (map[string]int64, error) {
	all, err := t.scanQuotas(`SELECT project_id, resource, quota_limit FROM quotas WHERE project_id = ?`, project)
	if err != nil {
		return nil, err
	}
	if l := all[project]; l != nil {
		return l, nil
	}
	return map[string]int64{}, nil
}

func (t *tx) AllQuotaLimits() (map[string]map[string]int64, error) {
	return t.scanQuotas(`SELECT project_id, resource, quota_limit FROM quotas`)
}

func (t *tx) scanQuotas(q string, args ...any) (map[string]map[string]int64, error) {
	rows, err := t.Query(q, args...)
	if err != nil {
		return nil, mapErr(err, "reading quotas")
	}
	defer rows.Close()
	out := map[string]map[string]int64{}
	for rows.Next() {
		var project, resource string
		var limit int64
		if err := rows.Scan(&project, &resource, &limit); err != nil {
			return nil, mapErr(err, "reading quotas")
		}
		if out[project] == nil {
			out[project] = map[string]int64{}
		}
		out[project][resource] = limit
	}
	return out, mapErr(rows.Err(), "reading quotas")
}

func (t *tx) SetQuotaLimit(project, resource string, limit int64) error {
	_, err := t.Exec(`INSERT INTO quotas (project_id, resource, quota_limit) VALUES (?, ?, ?)
		ON CONFLICT (project_id, resource) DO UPDATE SET quota_limit = excluded.quota_limit`, project, resource, limit)
	return mapErr(err, "setting a quota")
}

func (t *tx) DeleteQuotaLimits(project string) error {
	res, err := t.Exec(`DELETE FROM quotas WHERE project_id = ?`, project)
	return affected(res, err, "deleting quotas")
}

func (t *tx) CountOwned(resource, project string) (int64, error) {
	table, ok := quotaTables[resource]
	if !ok {
		return 0, fmt.Errorf("counting %q: not a quota resource", resource)
	}
	var n int64
	err := t.QueryRow(`SELECT COUNT(*) FROM `+table+` WHERE project_id = ?`, project).Scan(&n)
	return n, mapErr(err, "counting "+table)
}
