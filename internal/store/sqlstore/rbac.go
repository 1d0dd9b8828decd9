package sqlstore

import (
	"github.com/bgpvpn/bgpvpn/internal/store"
)

var rbacTable = &table{
	name:    "bgpvpn_rbacs",
	columns: "t.id, t.project_id, t.object_id, t.target_tenant, t.action",
	attrs: map[string]string{"id": "id", "project_id": "project_id", "tenant_id": "project_id",
		"object_type": "object_type", "object_id": "object_id", "target_tenant": "target_tenant", "action": "action"},
}

func scanRBAC(r interface{ Scan(...any) error }) (*store.RBACPolicy, error) {
	var p store.RBACPolicy
	err := r.Scan(&p.ID, &p.ProjectID, &p.ObjectID, &p.TargetTenant, &p.Action)
	return &p, err
}

func (t *tx) CreateRBACPolicy(p *store.RBACPolicy) error {
	_, err := t.Exec(`INSERT INTO bgpvpn_rbacs (id, project_id, object_id, target_tenant, action) VALUES (?, ?, ?, ?, ?)`,
		p.ID, p.ProjectID, p.ObjectID, p.TargetTenant, p.Action)
	return mapErr(err, "creating rbac policy")
}

func (t *tx) GetRBACPolicy(id string) (*store.RBACPolicy, error) {
	p, err := scanRBAC(t.QueryRow("SELECT "+rbacTable.columns+" FROM bgpvpn_rbacs t WHERE t.id = ?", id))
	if err != nil {
		return nil, mapErr(err, "getting rbac policy "+id)
	}
	return p, nil
}

func (t *tx) ListRBACPolicies(q store.Query) ([]*store.RBACPolicy, error) {
	out := []*store.RBACPolicy{}
	err := t.list(rbacTable, q, nil, nil, func(r interface{ Scan(...any) error }) error {
		p, err := scanRBAC(r)
		if err == nil {
			out = append(out, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if q.Reverse {
		reverse(out)
	}
	return out, nil
}

func (t *tx) UpdateRBACPolicy(p *store.RBACPolicy) error {
	res, err := t.Exec(`UPDATE bgpvpn_rbacs SET target_tenant = ? WHERE id = ?`, p.TargetTenant, p.ID)
	return affected(res, err, "updating rbac policy "+p.ID)
}

func (t *tx) DeleteRBACPolicy(id string) error {
	res, err := t.Exec(`DELETE FROM bgpvpn_rbacs WHERE id = ?`, id)
	return affected(res, err, "deleting rbac policy "+id)
}

// fillSharedWith sets SharedWith of the BGPVPNs in byID from the
// access_as_shared policies matching cond (on t.object_id; all if empty).
func (t *tx) fillSharedWith(byID map[string]*store.BGPVPN, cond string, args []any) error {
	where := " WHERE t.action = 'access_as_shared'"
	if cond != "" {
		where += " AND (" + cond + ")"
	}
	rows, err := t.Query("SELECT t.object_id, t.target_tenant FROM bgpvpn_rbacs t"+where+" ORDER BY t.target_tenant", args...)
	if err != nil {
		return mapErr(err, "reading bgpvpn_rbacs")
	}
	defer rows.Close()
	for rows.Next() {
		var id, target string
		if err := rows.Scan(&id, &target); err != nil {
			return err
		}
		if v, ok := byID[id]; ok {
			v.SharedWith = append(v.SharedWith, target)
		}
	}
	return rows.Err()
}

// sharedCond is the WHERE fragment of a filter on shared (bool values;
// "?" is store.Query.SharedFor), "" when the values accept both.
func sharedCond(values []any) string {
	var yes, no bool
	for _, v := range values {
		b, _ := v.(bool)
		yes, no = yes || b, no || !b
	}
	in := "t.id IN (SELECT r.object_id FROM bgpvpn_rbacs r WHERE r.action = 'access_as_shared' AND (r.target_tenant = '*' OR r.target_tenant = ?))"
	switch {
	case yes && no:
		return ""
	case no:
		return "NOT " + in
	}
	return in
}
