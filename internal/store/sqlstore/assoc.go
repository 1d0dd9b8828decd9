package sqlstore

import (
	"database/sql"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

const assocStd = "t.description, t.created_at, t.updated_at, t.revision_number"

// assocScope: a project sees its own associations and, as the owner of a
// BGPVPN shared with others, theirs on it.
const assocScope = "t.project_id = ? OR t.bgpvpn_id IN (SELECT b.id FROM bgpvpns b WHERE b.project_id = ?)"

var (
	netAssocTable = &table{
		name:         "bgpvpn_network_associations",
		columns:      "t.id, t.project_id, t.bgpvpn_id, t.network_id, " + assocStd,
		attrs:        attrs(map[string]string{"network_id": "network_id", "bgpvpn_id": "bgpvpn_id"}),
		projectScope: assocScope,
	}
	routerAssocTable = &table{
		name:    "bgpvpn_router_associations",
		columns: "t.id, t.project_id, t.bgpvpn_id, t.router_id, t.advertise_extra_routes, " + assocStd,
		attrs: attrs(map[string]string{"router_id": "router_id", "bgpvpn_id": "bgpvpn_id",
			"advertise_extra_routes": "advertise_extra_routes"}),
		projectScope: assocScope,
	}
	portAssocTable = &table{
		name:    "bgpvpn_port_associations",
		columns: "t.id, t.project_id, t.bgpvpn_id, t.port_id, t.advertise_fixed_ips, " + assocStd,
		attrs: attrs(map[string]string{"port_id": "port_id", "bgpvpn_id": "bgpvpn_id",
			"advertise_fixed_ips": "advertise_fixed_ips"}),
		projectScope: assocScope,
	}
)

func (t *tx) scanStd(r interface{ Scan(...any) error }, s *store.Std, dest ...any) error {
	var created, updated string
	if err := r.Scan(append(dest, &s.Description, &created, &updated, &s.Revision)...); err != nil {
		return err
	}
	s.CreatedAt, s.UpdatedAt = parseTime(created), parseTime(updated)
	return nil
}

func parentScope(q store.Query) ([]string, []any) {
	if q.Parent == "" {
		return nil, nil
	}
	return []string{"t.bgpvpn_id = ?"}, []any{q.Parent}
}

// Network associations.

func (t *tx) CreateNetworkAssociation(a *store.NetworkAssociation) error {
	t.stamp(&a.Std)
	_, err := t.Exec(`INSERT INTO bgpvpn_network_associations (id, project_id, bgpvpn_id, network_id, description, created_at, updated_at, revision_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.ProjectID, a.BGPVPNID, a.NetworkID, a.Description,
		fmtTime(a.CreatedAt), fmtTime(a.UpdatedAt), a.Revision)
	return mapErr(err, "creating network association")
}

func (t *tx) scanNetAssoc(r interface{ Scan(...any) error }) (*store.NetworkAssociation, error) {
	var a store.NetworkAssociation
	err := t.scanStd(r, &a.Std, &a.ID, &a.ProjectID, &a.BGPVPNID, &a.NetworkID)
	return &a, err
}

func (t *tx) GetNetworkAssociation(bgpvpnID, id string) (*store.NetworkAssociation, error) {
	a, err := t.scanNetAssoc(t.QueryRow("SELECT "+netAssocTable.columns+" FROM "+netAssocTable.name+" t WHERE t.id = ? AND t.bgpvpn_id = ?", id, bgpvpnID))
	return a, mapErr(err, "getting network association "+id)
}

func (t *tx) ListNetworkAssociations(q store.Query) ([]*store.NetworkAssociation, error) {
	out := []*store.NetworkAssociation{}
	extra, args := parentScope(q)
	err := t.list(netAssocTable, q, extra, args, func(r interface{ Scan(...any) error }) error {
		a, err := t.scanNetAssoc(r)
		out = append(out, a)
		return err
	})
	if q.Reverse {
		reverse(out)
	}
	return out, err
}

func (t *tx) DeleteNetworkAssociation(bgpvpnID, id string) error {
	res, err := t.Exec(`DELETE FROM bgpvpn_network_associations WHERE id = ? AND bgpvpn_id = ?`, id, bgpvpnID)
	return affected(res, err, "deleting network association "+id)
}

// Router associations.

func (t *tx) CreateRouterAssociation(a *store.RouterAssociation) error {
	t.stamp(&a.Std)
	_, err := t.Exec(`INSERT INTO bgpvpn_router_associations (id, project_id, bgpvpn_id, router_id, advertise_extra_routes, description, created_at, updated_at, revision_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.ProjectID, a.BGPVPNID, a.RouterID, a.AdvertiseExtraRoutes, a.Description,
		fmtTime(a.CreatedAt), fmtTime(a.UpdatedAt), a.Revision)
	return mapErr(err, "creating router association")
}

func (t *tx) scanRouterAssoc(r interface{ Scan(...any) error }) (*store.RouterAssociation, error) {
	var a store.RouterAssociation
	err := t.scanStd(r, &a.Std, &a.ID, &a.ProjectID, &a.BGPVPNID, &a.RouterID, &a.AdvertiseExtraRoutes)
	return &a, err
}

func (t *tx) GetRouterAssociation(bgpvpnID, id string) (*store.RouterAssociation, error) {
	a, err := t.scanRouterAssoc(t.QueryRow("SELECT "+routerAssocTable.columns+" FROM "+routerAssocTable.name+" t WHERE t.id = ? AND t.bgpvpn_id = ?", id, bgpvpnID))
	return a, mapErr(err, "getting router association "+id)
}

func (t *tx) ListRouterAssociations(q store.Query) ([]*store.RouterAssociation, error) {
	out := []*store.RouterAssociation{}
	extra, args := parentScope(q)
	err := t.list(routerAssocTable, q, extra, args, func(r interface{ Scan(...any) error }) error {
		a, err := t.scanRouterAssoc(r)
		out = append(out, a)
		return err
	})
	if q.Reverse {
		reverse(out)
	}
	return out, err
}

func (t *tx) UpdateRouterAssociation(a *store.RouterAssociation) error {
	t.touch(&a.Std)
	res, err := t.Exec(`UPDATE bgpvpn_router_associations SET advertise_extra_routes = ?, description = ?, updated_at = ?, revision_number = ?
		WHERE id = ? AND bgpvpn_id = ?`, a.AdvertiseExtraRoutes, a.Description, fmtTime(a.UpdatedAt), a.Revision, a.ID, a.BGPVPNID)
	return affected(res, err, "updating router association "+a.ID)
}

func (t *tx) DeleteRouterAssociation(bgpvpnID, id string) error {
	res, err := t.Exec(`DELETE FROM bgpvpn_router_associations WHERE id = ? AND bgpvpn_id = ?`, id, bgpvpnID)
	return affected(res, err, "deleting router association "+id)
}

// Port associations.

func (t *tx) CreatePortAssociation(a *store.PortAssociation) error {
	t.stamp(&a.Std)
	_, err := t.Exec(`INSERT INTO bgpvpn_port_associations (id, project_id, bgpvpn_id, port_id, advertise_fixed_ips, description, created_at, updated_at, revision_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.ProjectID, a.BGPVPNID, a.PortID, a.AdvertiseFixedIPs, a.Description,
		fmtTime(a.CreatedAt), fmtTime(a.UpdatedAt), a.Revision)
	if err != nil {
		return mapErr(err, "creating port association")
	}
	return t.writeRoutes(a)
}

func (t *tx) writeRoutes(a *store.PortAssociation) error {
	if _, err := t.Exec(`DELETE FROM bgpvpn_port_association_routes WHERE port_association_id = ?`, a.ID); err != nil {
		return mapErr(err, "replacing port association routes")
	}
	for i, r := range a.Routes {
		var prefix, vpn sql.NullString
		if r.Type == "prefix" {
			prefix = sql.NullString{String: r.Prefix, Valid: true}
		} else {
			vpn = sql.NullString{String: r.BGPVPNID, Valid: true}
		}
		if _, err := t.Exec(`INSERT INTO bgpvpn_port_association_routes (port_association_id, position, type, prefix, bgpvpn_id, local_pref)
			VALUES (?, ?, ?, ?, ?, ?)`, a.ID, i, r.Type, prefix, vpn, nullInt(r.LocalPref)); err != nil {
			return mapErr(err, "writing port association route")
		}
	}
	return nil
}

func (t *tx) scanPortAssoc(r interface{ Scan(...any) error }) (*store.PortAssociation, error) {
	a := store.PortAssociation{Routes: []store.PortRoute{}}
	err := t.scanStd(r, &a.Std, &a.ID, &a.ProjectID, &a.BGPVPNID, &a.PortID, &a.AdvertiseFixedIPs)
	return &a, err
}

// fillRoutes reads the routes of as.
func (t *tx) fillRoutes(as []*store.PortAssociation) error {
	if len(as) == 0 {
		return nil
	}
	byID := make(map[string]*store.PortAssociation, len(as))
	ids := make([]string, len(as))
	for i, a := range as {
		byID[a.ID] = a
		ids[i] = a.ID
	}
	in, args := inIDs("port_association_id", ids)
	rows, err := t.Query(`SELECT port_association_id, type, prefix, bgpvpn_id, local_pref FROM bgpvpn_port_association_routes
		WHERE `+in+` ORDER BY port_association_id, position`, args...)
	if err != nil {
		return mapErr(err, "reading port association routes")
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var r store.PortRoute
		var prefix, vpn sql.NullString
		var lp sql.NullInt64
		if err := rows.Scan(&id, &r.Type, &prefix, &vpn, &lp); err != nil {
			return err
		}
		r.Prefix, r.BGPVPNID, r.LocalPref = prefix.String, vpn.String, intPtr(lp)
		byID[id].Routes = append(byID[id].Routes, r)
	}
	return rows.Err()
}

func (t *tx) GetPortAssociation(bgpvpnID, id string) (*store.PortAssociation, error) {
	a, err := t.scanPortAssoc(t.QueryRow("SELECT "+portAssocTable.columns+" FROM "+portAssocTable.name+" t WHERE t.id = ? AND t.bgpvpn_id = ?", id, bgpvpnID))
	if err != nil {
		return nil, mapErr(err, "getting port association "+id)
	}
	return a, t.fillRoutes([]*store.PortAssociation{a})
}

func (t *tx) ListPortAssociations(q store.Query) ([]*store.PortAssociation, error) {
	out := []*store.PortAssociation{}
	extra, args := parentScope(q)
	err := t.list(portAssocTable, q, extra, args, func(r interface{ Scan(...any) error }) error {
		a, err := t.scanPortAssoc(r)
		out = append(out, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	if q.Reverse {
		reverse(out)
	}
	return out, t.fillRoutes(out)
}

func (t *tx) UpdatePortAssociation(a *store.PortAssociation) error {
	t.touch(&a.Std)
	res, err := t.Exec(`UPDATE bgpvpn_port_associations SET advertise_fixed_ips = ?, description = ?, updated_at = ?, revision_number = ?
		WHERE id = ? AND bgpvpn_id = ?`, a.AdvertiseFixedIPs, a.Description, fmtTime(a.UpdatedAt), a.Revision, a.ID, a.BGPVPNID)
	if err := affected(res, err, "updating port association "+a.ID); err != nil {
		return err
	}
	return t.writeRoutes(a)
}

func (t *tx) DeletePortAssociation(bgpvpnID, id string) error {
	res, err := t.Exec(`DELETE FROM bgpvpn_port_associations WHERE id = ? AND bgpvpn_id = ?`, id, bgpvpnID)
	return affected(res, err, "deleting port association "+id)
}

func (t *tx) UpdateNetworkAssociation(a *store.NetworkAssociation) error {
	t.touch(&a.Std)
	res, err := t.Exec(`UPDATE bgpvpn_network_associations SET description = ?, updated_at = ?, revision_number = ?
		WHERE id = ? AND bgpvpn_id = ?`, a.Description, fmtTime(a.UpdatedAt), a.Revision, a.ID, a.BGPVPNID)
	return affected(res, err, "updating network association "+a.ID)
}
