package sqlstore

import (
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

var bgpvpnTable = &table{
	name: "bgpvpns",
	columns: "t.id, t.project_id, t.name, t.type, t.route_targets, t.import_targets, t.export_targets, " +
		"t.route_distinguishers, t.vni, t.local_pref, t.description, t.created_at, t.updated_at, t.revision_number, " +
		"t.admin_state_up, t.technique, t.auto_aggregate",
	attrs: attrs(map[string]string{
		"name": "name", "type": "type", "route_targets": "route_targets", "import_targets": "import_targets",
		"export_targets": "export_targets", "route_distinguishers": "route_distinguishers",
		"vni": "vni", "local_pref": "local_pref",
		"admin_state_up": "admin_state_up", "technique": "technique", "auto_aggregate": "auto_aggregate",
	}),
	// A project sees its own BGPVPNs and those an RBAC policy shares with
	// it or with everyone.
	projectScope: "t.project_id = ? OR t.id IN (SELECT r.object_id FROM bgpvpn_rbacs r " +
		"WHERE r.action = 'access_as_shared' AND (r.target_tenant = ? OR r.target_tenant = '*'))",
}

func scanBGPVPN(r interface{ Scan(...any) error }) (*store.BGPVPN, error) {
	var v store.BGPVPN
	var rts, its, ets, rds, created, updated string
	var vni, lp sql.NullInt64
	var up bool
	if err := r.Scan(&v.ID, &v.ProjectID, &v.Name, &v.Type, &rts, &its, &ets, &rds, &vni, &lp,
		&v.Description, &created, &updated, &v.Revision, &up, &v.Technique, &v.AutoAggregate); err != nil {
		return nil, err
	}
	v.RouteTargets, v.ImportTargets, v.ExportTargets, v.RouteDistinguishers = splitList(rts), splitList(its), splitList(ets), splitList(rds)
	v.VNI, v.LocalPref = intPtr(vni), intPtr(lp)
	v.AdminStateDown = !up
	v.CreatedAt, v.UpdatedAt = parseTime(created), parseTime(updated)
	v.Networks, v.Routers, v.Ports, v.SharedWith = []string{}, []string{}, []string{}, []string{}
	return &v, nil
}

func (t *tx) CreateBGPVPN(v *store.BGPVPN) error {
	t.stamp(&v.Std)
	_, err := t.Exec(`INSERT INTO bgpvpns (id, project_id, name, type, route_targets, import_targets, export_targets,
		route_distinguishers, vni, local_pref, description, created_at, updated_at, revision_number,
		admin_state_up, technique, auto_aggregate)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		v.ID, v.ProjectID, v.Name, v.Type, joinList(v.RouteTargets), joinList(v.ImportTargets), joinList(v.ExportTargets),
		joinList(v.RouteDistinguishers), nullInt(v.VNI), nullInt(v.LocalPref), v.Description,
		fmtTime(v.CreatedAt), fmtTime(v.UpdatedAt), v.Revision, !v.AdminStateDown, v.Technique, v.AutoAggregate)
	if err == nil {
		v.Networks, v.Routers, v.Ports, v.SharedWith = []string{}, []string{}, []string{}, []string{}
	}
	return mapErr(err, "creating bgpvpn")
}

func (t *tx) GetBGPVPN(id string) (*store.BGPVPN, error) {
	v, err := scanBGPVPN(t.QueryRow("SELECT "+bgpvpnTable.columns+" FROM bgpvpns t WHERE t.id = ?", id))
	if err != nil {
		return nil, mapErr(err, "getting bgpvpn "+id)
	}
	if err := t.fillAssociated([]*store.BGPVPN{v}, "t.bgpvpn_id = ?", []any{id}); err != nil {
		return nil, err
	}
	return v, nil
}

func (t *tx) ListBGPVPNs(q store.Query) ([]*store.BGPVPN, error) {
	var extra []string
	var args []any
	for _, sel := range []struct {
		table string
		col   string
		ids   []string
	}{
		{"bgpvpn_network_associations", "network_id", q.Networks},
		{"bgpvpn_router_associations", "router_id", q.Routers},
		{"bgpvpn_port_associations", "port_id", q.Ports},
	} {
		if len(sel.ids) == 0 {
			continue
		}
		in, inArgs := inIDs("a."+sel.col, sel.ids)
		extra = append(extra, "t.id IN (SELECT a.bgpvpn_id FROM "+sel.table+" a WHERE "+in+")")
		args = append(args, inArgs...)
	}
	if values, ok := q.Filters["shared"]; ok {
		filters := maps.Clone(q.Filters)
		delete(filters, "shared")
		q.Filters = filters
		if cond := sharedCond(values); cond != "" {
			extra = append(extra, cond)
			args = append(args, q.SharedFor)
		}
	}
	out, err := t.listBGPVPNRows(q, extra, args)
	if err != nil {
		return nil, err
	}
	if q.Reverse {
		reverse(out)
	}
	if len(out) == 0 {
		return []*store.BGPVPN{}, nil
	}
	// Small pages ask for their own associations; big lists read them all.
	if len(out) <= 200 {
		ids := make([]string, len(out))
		for i, v := range out {
			ids[i] = v.ID
		}
		cond, condArgs := inIDs("t.bgpvpn_id", ids)
		err = t.fillAssociated(out, cond, condArgs)
	} else {
		err = t.fillAssociated(out, "", nil)
	}
	return out, err
}

// fillAssociated sets Networks, Routers and Ports of vs from the
// association rows matching cond (all rows if cond is empty).
func (t *tx) fillAssociated(vs []*store.BGPVPN, cond string, args []any) error {
	byID := make(map[string]*store.BGPVPN, len(vs))
	for _, v := range vs {
		byID[v.ID] = v
	}
	where := ""
	if cond != "" {
		where = " WHERE " + cond
	}
	for _, sel := range []struct {
		table, col string
		field      func(*store.BGPVPN) *[]string
	}{
		{"bgpvpn_network_associations", "network_id", func(v *store.BGPVPN) *[]string { return &v.Networks }},
		{"bgpvpn_router_associations", "router_id", func(v *store.BGPVPN) *[]string { return &v.Routers }},
		{"bgpvpn_port_associations", "port_id", func(v *store.BGPVPN) *[]string { return &v.Ports }},
	} {
		rows, err := t.Query("SELECT t.bgpvpn_id, t."+sel.col+" FROM "+sel.table+" t"+where+" ORDER BY t.created_at, t.id", args...)
		if err != nil {
			return mapErr(err, "reading "+sel.table)
		}
		for rows.Next() {
			var vid, oid string
			if err := rows.Scan(&vid, &oid); err != nil {
				rows.Close()
				return err
			}
			if v, ok := byID[vid]; ok {
				f := sel.field(v)
				*f = append(*f, oid)
			}
		}
		if err := rows.Close(); err != nil {
			return err
		}
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return t.fillSharedWith(byID, strings.ReplaceAll(cond, "t.bgpvpn_id", "t.object_id"), args)
}

func (t *tx) UpdateBGPVPN(v *store.BGPVPN) error {
	t.touch(&v.Std)
	res, err := t.Exec(`UPDATE bgpvpns SET name = ?, route_targets = ?, import_targets = ?, export_targets = ?,
		route_distinguishers = ?, vni = ?, local_pref = ?, description = ?, updated_at = ?, revision_number = ?,
		admin_state_up = ?, technique = ?, auto_aggregate = ?
		WHERE id = ?`,
		v.Name, joinList(v.RouteTargets), joinList(v.ImportTargets), joinList(v.ExportTargets),
		joinList(v.RouteDistinguishers), nullInt(v.VNI), nullInt(v.LocalPref), v.Description,
		fmtTime(v.UpdatedAt), v.Revision, !v.AdminStateDown, v.Technique, v.AutoAggregate, v.ID)
	return affected(res, err, fmt.Sprintf("updating bgpvpn %s", v.ID))
}

func (t *tx) DeleteBGPVPN(id string) error {
	t.cache.drop(id)
	res, err := t.Exec(`DELETE FROM bgpvpns WHERE id = ?`, id)
	return affected(res, err, "deleting bgpvpn "+id)
}

// bgpvpnKeys selects only what identifies a row's content.
var bgpvpnKeys = &table{name: bgpvpnTable.name, columns: "t.id, t.revision_number", attrs: bgpvpnTable.attrs, projectScope: bgpvpnTable.projectScope}

// listBGPVPNRows lists the rows of a query: ids and revisions from SQL, the
// content from the row cache or, for what it lacks, from SQL by id.
func (t *tx) listBGPVPNRows(q store.Query, extra []string, args []any) ([]*store.BGPVPN, error) {
	type key struct {
		id  string
		rev int64
	}
	var keys []key
	err := t.list(bgpvpnKeys, q, extra, args, func(r interface{ Scan(...any) error }) error {
		var k key
		err := r.Scan(&k.id, &k.rev)
		keys = append(keys, k)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*store.BGPVPN, len(keys))
	var missing []string
	at := make(map[string]int)
	for i, k := range keys {
		if v, ok := t.cache.get(k.id, k.rev); ok {
			out[i] = v
			continue
		}
		missing = append(missing, k.id)
		at[k.id] = i
	}
	var fetched []*store.BGPVPN
	for len(missing) > 0 {
		batch := missing[:min(len(missing), 500)]
		missing = missing[len(batch):]
		in, inArgs := inIDs("t.id", batch)
		rows, err := t.Query("SELECT "+bgpvpnTable.columns+" FROM bgpvpns t WHERE "+in, inArgs...)
		if err != nil {
			return nil, mapErr(err, "listing bgpvpns")
		}
		for rows.Next() {
			v, err := scanBGPVPN(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			out[at[v.ID]] = v
			fetched = append(fetched, v)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return nil, err
		}
	}
	// A row cannot vanish inside one snapshot; keep nothing half-read if
	// it ever did.
	out = slices.DeleteFunc(out, func(v *store.BGPVPN) bool { return v == nil })
	if t.readOnly {
		full := len(q.Filters) == 0 && q.Project == "" && len(q.Networks)+len(q.Routers)+len(q.Ports) == 0 && q.Limit == 0 && q.Marker == ""
		if full {
			t.cache.put(out, true)
		} else if len(fetched) > 0 {
			t.cache.put(fetched, false)
		}
	}
	return out, nil
}
