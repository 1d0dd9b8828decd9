package sqlstore

import (
	"github.com/bgpvpn/bgpvpn/internal/store"
)

func (t *tx) AddRouterPort(routerID, portID string) error {
	_, err := t.Exec(`INSERT INTO router_ports (router_id, port_id) VALUES (?, ?)`, routerID, portID)
	return mapErr(err, "recording router interface "+portID)
}

func (t *tx) ListRouterPorts(routers, networks []string) ([]store.RouterPort, error) {
	col, ids := "rp.router_id", routers
	if routers == nil {
		col, ids = "t.network_id", networks
	}
	out := []store.RouterPort{}
	if len(ids) == 0 {
		return out, nil
	}
	in, args := inIDs(col, ids)
	rows, err := t.Query("SELECT rp.router_id, "+portTable.columns+" FROM router_ports rp JOIN ports t ON t.id = rp.port_id WHERE "+
		in+" ORDER BY t.created_at, t.id", args...)
	if err != nil {
		return nil, mapErr(err, "listing router interfaces")
	}
	defer rows.Close()
	var ports []*store.Port
	for rows.Next() {
		var routerID string
		p := store.Port{FixedIPs: []store.FixedIP{}}
		err := t.scanStd(rows, &p.Std, &routerID, &p.ID, &p.ProjectID, &p.NetworkID, &p.Name, &p.MACAddress, &p.AdminStateUp,
			&p.Status, &p.DeviceOwner, &p.DeviceID, &p.HostID)
		if err != nil {
			return nil, err
		}
		out = append(out, store.RouterPort{RouterID: routerID, Port: &p})
		ports = append(ports, &p)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, t.fillFixedIPs(ports)
}
