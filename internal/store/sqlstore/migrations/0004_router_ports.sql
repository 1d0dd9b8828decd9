-- Router interfaces (issue 9), as Neutron's routerports table: which port
-- add_router_interface plugged into which router. Router membership comes
-- only from here, never from device_owner/device_id, which a tenant may
-- write on its own ports. Existing interfaces (made by
-- add_router_interface, which set both fields) are carried over.
CREATE TABLE router_ports (
    router_id TEXT NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    port_id TEXT PRIMARY KEY REFERENCES ports (id) ON DELETE CASCADE
);
CREATE INDEX router_ports_router ON router_ports (router_id);
INSERT INTO router_ports (router_id, port_id)
    SELECT p.device_id, p.id FROM ports p JOIN routers r ON r.id = p.device_id
    WHERE p.device_owner = 'network:router_interface';
