package sqlstore

import (
	"encoding/json"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

const stdCols = "t.description, t.created_at, t.updated_at, t.revision_number"

var (
	networkTable = &table{
		name:    "networks",
		columns: "t.id, t.project_id, t.name, t.admin_state_up, t.shared, t.external, t.mtu, t.status, " + stdCols,
		attrs: attrs(map[string]string{"name": "name", "admin_state_up": "admin_state_up", "shared": "shared",
			"router:external": "external", "mtu": "mtu", "status": "status"}),
		projectScope: "t.project_id = ? OR t.shared OR t.external",
	}
	subnetTable = &table{
		name: "subnets",
		columns: "t.id, t.project_id, t.network_id, t.name, t.ip_version, t.cidr, t.gateway_ip, t.enable_dhcp, " +
			"t.allocation_pools, t.dns_nameservers, t.host_routes, t.ipv6_ra_mode, t.ipv6_address_mode, " + stdCols,
		attrs: attrs(map[string]string{"network_id": "network_id", "name": "name", "ip_version": "ip_version",
			"cidr": "cidr", "gateway_ip": "gateway_ip", "enable_dhcp": "enable_dhcp",
			"ipv6_ra_mode": "ipv6_ra_mode", "ipv6_address_mode": "ipv6_address_mode"}),
		projectScope: "t.project_id = ? OR t.network_id IN (SELECT id FROM networks WHERE shared OR external)",
	}
	portTable = &table{
		name: "ports",
		columns: "t.id, t.project_id, t.network_id, t.name, t.mac_address, t.admin_state_up, t.status, " +
			"t.device_owner, t.device_id, t.host_id, " + stdCols,
		attrs: attrs(map[string]string{"network_id": "network_id", "name": "name", "mac_address": "mac_address",
			"admin_state_up": "admin_state_up", "status": "status", "device_owner": "device_owner",
			"device_id": "device_id", "binding:host_id": "host_id"}),
	}
	routerTable = &table{
		name:    "routers",
		columns: "t.id, t.project_id, t.name, t.admin_state_up, t.status, t.gw_network_id, t.routes, " + stdCols,
		attrs:   attrs(map[string]string{"name": "name", "admin_state_up": "admin_state_up", "status": "status"}),
	}
)

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Networks.

func (t *tx) CreateNetwork(n *store.Network) error {
	t.stamp(&n.Std)
	_, err := t.Exec(`INSERT INTO networks (id, project_id, name, admin_state_up, shared, external, mtu, status, description, created_at, updated_at, revision_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, n.ID, n.ProjectID, n.Name, n.AdminStateUp, n.Shared, n.External, n.MTU, n.Status,
		n.Description, fmtTime(n.CreatedAt), fmtTime(n.UpdatedAt), n.Revision)
	n.Subnets = []string{}
	return mapErr(err, "creating network")
}

func (t *tx) scanNetwork(r interface{ Scan(...any) error }) (*store.Network, error) {
	n := store.Network{Subnets: []string{}}
	err := t.scanStd(r, &n.Std, &n.ID, &n.ProjectID, &n.Name, &n.AdminStateUp, &n.Shared, &n.External, &n.MTU, &n.Status)
	return &n, err
}

func (t *tx) fillSubnetIDs(ns []*store.Network) error {
	if len(ns) == 0 {
		return nil
	}
	by := make(map[string]*store.Network, len(ns))
	ids := make([]string, len(ns))
	for i, n := range ns {
		by[n.ID], ids[i] = n, n.ID
	}
	in, args := inIDs("network_id", ids)
	rows, err := t.Query("SELECT network_id, id FROM subnets WHERE "+in+" ORDER BY created_at, id", args...)
	if err != nil {
		return mapErr(err, "reading subnets")
	}
	defer rows.Close()
	for rows.Next() {
		var nid, sid string
		if err := rows.Scan(&nid, &sid); err != nil {
			return err
		}
		by[nid].Subnets = append(by[nid].Subnets, sid)
	}
	return rows.Err()
}

func (t *tx) GetNetwork(id string) (*store.Network, error) {
	n, err := t.scanNetwork(t.QueryRow("SELECT "+networkTable.columns+" FROM networks t WHERE t.id = ?", id))
	if err != nil {
		return nil, mapErr(err, "getting network "+id)
	}
	return n, t.fillSubnetIDs([]*store.Network{n})
}

func (t *tx) ListNetworks(q store.Query) ([]*store.Network, error) {
	out := []*store.Network{}
	err := t.list(networkTable, q, nil, nil, func(r interface{ Scan(...any) error }) error {
		n, err := t.scanNetwork(r)
		out = append(out, n)
		return err
	})
	if err != nil {
		return nil, err
	}
	if q.Reverse {
		reverse(out)
	}
	return out, t.fillSubnetIDs(out)
}

func (t *tx) UpdateNetwork(n *store.Network) error {
	t.touch(&n.Std)
	res, err := t.Exec(`UPDATE networks SET name = ?, admin_state_up = ?, shared = ?, external = ?, mtu = ?, status = ?, description = ?, updated_at = ?, revision_number = ?
		WHERE id = ?`, n.Name, n.AdminStateUp, n.Shared, n.External, n.MTU, n.Status, n.Description, fmtTime(n.UpdatedAt), n.Revision, n.ID)
	return affected(res, err, "updating network "+n.ID)
}

func (t *tx) DeleteNetwork(id string) error {
	res, err := t.Exec(`DELETE FROM networks WHERE id = ?`, id)
	return affected(res, err, "deleting network "+id)
}

// Subnets.

func (t *tx) CreateSubnet(s *store.Subnet) error {
	t.stamp(&s.Std)
	_, err := t.Exec(`INSERT INTO subnets (id, project_id, network_id, name, ip_version, cidr, gateway_ip, enable_dhcp, allocation_pools,
		dns_nameservers, host_routes, ipv6_ra_mode, ipv6_address_mode, description, created_at, updated_at, revision_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, s.ID, s.ProjectID, s.NetworkID, s.Name, s.IPVersion, s.CIDR, s.GatewayIP,
		s.EnableDHCP, toJSON(s.AllocationPools), toJSON(s.DNSNameservers), toJSON(s.HostRoutes), s.IPv6RAMode, s.IPv6AddressMode,
		s.Description, fmtTime(s.CreatedAt), fmtTime(s.UpdatedAt), s.Revision)
	return mapErr(err, "creating subnet")
}

func (t *tx) scanSubnet(r interface{ Scan(...any) error }) (*store.Subnet, error) {
	var s store.Subnet
	var pools, dns, routes string
	err := t.scanStd(r, &s.Std, &s.ID, &s.ProjectID, &s.NetworkID, &s.Name, &s.IPVersion, &s.CIDR, &s.GatewayIP, &s.EnableDHCP,
		&pools, &dns, &routes, &s.IPv6RAMode, &s.IPv6AddressMode)
	if err != nil {
		return nil, err
	}
	s.AllocationPools, s.DNSNameservers, s.HostRoutes = []store.IPRange{}, []string{}, []store.Route{}
	if err := json.Unmarshal([]byte(pools), &s.AllocationPools); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(dns), &s.DNSNameservers); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(routes), &s.HostRoutes); err != nil {
		return nil, err
	}
	return &s, nil
}

func (t *tx) GetSubnet(id string) (*store.Subnet, error) {
	s, err := t.scanSubnet(t.QueryRow("SELECT "+subnetTable.columns+" FROM subnets t WHERE t.id = ?", id))
	return s, mapErr(err, "getting subnet "+id)
}

func (t *tx) ListSubnets(q store.Query) ([]*store.Subnet, error) {
	out := []*store.Subnet{}
	err := t.list(subnetTable, q, nil, nil, func(r interface{ Scan(...any) error }) error {
		s, err := t.scanSubnet(r)
		out = append(out, s)
		return err
	})
	if q.Reverse {
		reverse(out)
	}
	return out, err
}

func (t *tx) UpdateSubnet(s *store.Subnet) error {
	t.touch(&s.Std)
	res, err := t.Exec(`UPDATE subnets SET name = ?, gateway_ip = ?, enable_dhcp = ?, allocation_pools = ?, dns_nameservers = ?, host_routes = ?,
		description = ?, updated_at = ?, revision_number = ? WHERE id = ?`, s.Name, s.GatewayIP, s.EnableDHCP, toJSON(s.AllocationPools),
		toJSON(s.DNSNameservers), toJSON(s.HostRoutes), s.Description, fmtTime(s.UpdatedAt), s.Revision, s.ID)
	return affected(res, err, "updating subnet "+s.ID)
}

func (t *tx) DeleteSubnet(id string) error {
	res, err := t.Exec(`DELETE FROM subnets WHERE id = ?`, id)
	return affected(res, err, "deleting subnet "+id)
}

// Ports.

func (t *tx) CreatePort(p *store.Port) error {
	t.stamp(&p.Std)
	_, err := t.Exec(`INSERT INTO ports (id, project_id, network_id, name, mac_address, admin_state_up, status, device_owner, device_id, host_id,
		description, created_at, updated_at, revision_number) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.ProjectID, p.NetworkID, p.Name, p.MACAddress, p.AdminStateUp, p.Status, p.DeviceOwner, p.DeviceID, p.HostID,
		p.Description, fmtTime(p.CreatedAt), fmtTime(p.UpdatedAt), p.Revision)
	if err != nil {
		return mapErr(err, "creating port")
	}
	return t.writeFixedIPs(p)
}

func (t *tx) writeFixedIPs(p *store.Port) error {
	if _, err := t.Exec(`DELETE FROM port_fixed_ips WHERE port_id = ?`, p.ID); err != nil {
		return mapErr(err, "replacing fixed ips")
	}
	for i, ip := range p.FixedIPs {
		if _, err := t.Exec(`INSERT INTO port_fixed_ips (port_id, subnet_id, ip_address, position) VALUES (?, ?, ?, ?)`,
			p.ID, ip.SubnetID, ip.IPAddress, i); err != nil {
			return mapErr(err, "writing fixed ip "+ip.IPAddress)
		}
	}
	return nil
}

func (t *tx) scanPort(r interface{ Scan(...any) error }) (*store.Port, error) {
	p := store.Port{FixedIPs: []store.FixedIP{}}
	err := t.scanStd(r, &p.Std, &p.ID, &p.ProjectID, &p.NetworkID, &p.Name, &p.MACAddress, &p.AdminStateUp, &p.Status,
		&p.DeviceOwner, &p.DeviceID, &p.HostID)
	return &p, err
}

func (t *tx) fillFixedIPs(ps []*store.Port) error {
	if len(ps) == 0 {
		return nil
	}
	by := make(map[string]*store.Port, len(ps))
	ids := make([]string, len(ps))
	for i, p := range ps {
		by[p.ID], ids[i] = p, p.ID
	}
	in, args := inIDs("port_id", ids)
	rows, err := t.Query("SELECT port_id, subnet_id, ip_address FROM port_fixed_ips WHERE "+in+" ORDER BY port_id, position", args...)
	if err != nil {
		return mapErr(err, "reading fixed ips")
	}
	defer rows.Close()
	for rows.Next() {
		var pid string
		var ip store.FixedIP
		if err := rows.Scan(&pid, &ip.SubnetID, &ip.IPAddress); err != nil {
			return err
		}
		by[pid].FixedIPs = append(by[pid].FixedIPs, ip)
	}
	return rows.Err()
}

func (t *tx) GetPort(id string) (*store.Port, error) {
	p, err := t.scanPort(t.QueryRow("SELECT "+portTable.columns+" FROM ports t WHERE t.id = ?", id))
	if err != nil {
		return nil, mapErr(err, "getting port "+id)
	}
	return p, t.fillFixedIPs([]*store.Port{p})
}

func (t *tx) ListPorts(q store.Query) ([]*store.Port, error) {
	out := []*store.Port{}
	err := t.list(portTable, q, nil, nil, func(r interface{ Scan(...any) error }) error {
		p, err := t.scanPort(r)
		out = append(out, p)
		return err
	})
	if err != nil {
		return nil, err
	}
	if q.Reverse {
		reverse(out)
	}
	return out, t.fillFixedIPs(out)
}

func (t *tx) UpdatePort(p *store.Port) error {
	t.touch(&p.Std)
	res, err := t.Exec(`UPDATE ports SET name = ?, mac_address = ?, admin_state_up = ?, status = ?, device_owner = ?, device_id = ?, host_id = ?,
		description = ?, updated_at = ?, revision_number = ? WHERE id = ?`, p.Name, p.MACAddress, p.AdminStateUp, p.Status, p.DeviceOwner,
		p.DeviceID, p.HostID, p.Description, fmtTime(p.UpdatedAt), p.Revision, p.ID)
	if err := affected(res, err, "updating port "+p.ID); err != nil {
		return err
	}
	return t.writeFixedIPs(p)
}

func (t *tx) DeletePort(id string) error {
	res, err := t.Exec(`DELETE FROM ports WHERE id = ?`, id)
	return affected(res, err, "deleting port "+id)
}

func (t *tx) AllocatedIPs(subnetID string) ([]string, error) {
	rows, err := t.Query(`SELECT ip_address FROM port_fixed_ips WHERE subnet_id = ?`, subnetID)
	if err != nil {
		return nil, mapErr(err, "reading allocated ips")
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ip string
		if err := rows.Scan(&ip); err != nil {
			return nil, err
		}
		out = append(out, ip)
	}
	return out, rows.Err()
}

// Routers.

func (t *tx) CreateRouter(r *store.Router) error {
	t.stamp(&r.Std)
	if r.Routes == nil {
		r.Routes = []store.Route{}
	}
	_, err := t.Exec(`INSERT INTO routers (id, project_id, name, admin_state_up, status, gw_network_id, routes, description, created_at, updated_at, revision_number)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.ID, r.ProjectID, r.Name, r.AdminStateUp, r.Status, r.GatewayNetworkID, toJSON(r.Routes),
		r.Description, fmtTime(r.CreatedAt), fmtTime(r.UpdatedAt), r.Revision)
	return mapErr(err, "creating router")
}

func (t *tx) scanRouter(rs interface{ Scan(...any) error }) (*store.Router, error) {
	var r store.Router
	var routes string
	if err := t.scanStd(rs, &r.Std, &r.ID, &r.ProjectID, &r.Name, &r.AdminStateUp, &r.Status, &r.GatewayNetworkID, &routes); err != nil {
		return nil, err
	}
	r.Routes = []store.Route{}
	return &r, json.Unmarshal([]byte(routes), &r.Routes)
}

func (t *tx) GetRouter(id string) (*store.Router, error) {
	r, err := t.scanRouter(t.QueryRow("SELECT "+routerTable.columns+" FROM routers t WHERE t.id = ?", id))
	return r, mapErr(err, "getting router "+id)
}

func (t *tx) ListRouters(q store.Query) ([]*store.Router, error) {
	out := []*store.Router{}
	err := t.list(routerTable, q, nil, nil, func(rs interface{ Scan(...any) error }) error {
		r, err := t.scanRouter(rs)
		out = append(out, r)
		return err
	})
	if q.Reverse {
		reverse(out)
	}
	return out, err
}

func (t *tx) UpdateRouter(r *store.Router) error {
	t.touch(&r.Std)
	res, err := t.Exec(`UPDATE routers SET name = ?, admin_state_up = ?, status = ?, gw_network_id = ?, routes = ?, description = ?,
		updated_at = ?, revision_number = ? WHERE id = ?`, r.Name, r.AdminStateUp, r.Status, r.GatewayNetworkID, toJSON(r.Routes),
		r.Description, fmtTime(r.UpdatedAt), r.Revision, r.ID)
	return affected(res, err, "updating router "+r.ID)
}

func (t *tx) DeleteRouter(id string) error {
	res, err := t.Exec(`DELETE FROM routers WHERE id = ?`, id)
	return affected(res, err, "deleting router "+id)
}
