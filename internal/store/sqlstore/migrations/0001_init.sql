-- The whole schema of version 1. Lists of RTs/RDs are comma-joined text,
-- as in the original, so that list filters compare the same way.
CREATE TABLE networks (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    admin_state_up BOOLEAN NOT NULL,
    shared BOOLEAN NOT NULL,
    external BOOLEAN NOT NULL,
    mtu BIGINT NOT NULL,
    status TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX networks_project ON networks (project_id);

CREATE TABLE subnets (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    ip_version BIGINT NOT NULL,
    cidr TEXT NOT NULL,
    gateway_ip TEXT NOT NULL DEFAULT '',
    enable_dhcp BOOLEAN NOT NULL,
    allocation_pools TEXT NOT NULL DEFAULT '[]',
    dns_nameservers TEXT NOT NULL DEFAULT '[]',
    host_routes TEXT NOT NULL DEFAULT '[]',
    ipv6_ra_mode TEXT NOT NULL DEFAULT '',
    ipv6_address_mode TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX subnets_network ON subnets (network_id);

CREATE TABLE ports (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    name TEXT NOT NULL DEFAULT '',
    mac_address TEXT NOT NULL,
    admin_state_up BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    device_owner TEXT NOT NULL DEFAULT '',
    device_id TEXT NOT NULL DEFAULT '',
    host_id TEXT NOT NULL DEFAULT '',
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0,
    UNIQUE (network_id, mac_address)
);
CREATE INDEX ports_network ON ports (network_id);
CREATE INDEX ports_device ON ports (device_id);
CREATE INDEX ports_host ON ports (host_id);

CREATE TABLE port_fixed_ips (
    port_id TEXT NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    subnet_id TEXT NOT NULL REFERENCES subnets (id) ON DELETE CASCADE,
    ip_address TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (port_id, subnet_id, ip_address),
    UNIQUE (subnet_id, ip_address)
);

CREATE TABLE routers (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    admin_state_up BOOLEAN NOT NULL,
    status TEXT NOT NULL,
    gw_network_id TEXT NOT NULL DEFAULT '',
    routes TEXT NOT NULL DEFAULT '[]',
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX routers_project ON routers (project_id);

CREATE TABLE bgpvpns (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL CHECK (type IN ('l2', 'l3')),
    route_targets TEXT NOT NULL DEFAULT '',
    import_targets TEXT NOT NULL DEFAULT '',
    export_targets TEXT NOT NULL DEFAULT '',
    route_distinguishers TEXT NOT NULL DEFAULT '',
    vni BIGINT,
    local_pref BIGINT,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX bgpvpns_project ON bgpvpns (project_id);

CREATE TABLE bgpvpn_network_associations (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    bgpvpn_id TEXT NOT NULL REFERENCES bgpvpns (id) ON DELETE CASCADE,
    network_id TEXT NOT NULL REFERENCES networks (id) ON DELETE CASCADE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT uniq_net_assoc UNIQUE (bgpvpn_id, network_id)
);
CREATE INDEX net_assoc_network ON bgpvpn_network_associations (network_id);

CREATE TABLE bgpvpn_router_associations (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    bgpvpn_id TEXT NOT NULL REFERENCES bgpvpns (id) ON DELETE CASCADE,
    router_id TEXT NOT NULL REFERENCES routers (id) ON DELETE CASCADE,
    advertise_extra_routes BOOLEAN NOT NULL DEFAULT TRUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT uniq_router_assoc UNIQUE (bgpvpn_id, router_id)
);
CREATE INDEX router_assoc_router ON bgpvpn_router_associations (router_id);

CREATE TABLE bgpvpn_port_associations (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    bgpvpn_id TEXT NOT NULL REFERENCES bgpvpns (id) ON DELETE CASCADE,
    port_id TEXT NOT NULL REFERENCES ports (id) ON DELETE CASCADE,
    advertise_fixed_ips BOOLEAN NOT NULL DEFAULT TRUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    revision_number BIGINT NOT NULL DEFAULT 0,
    CONSTRAINT uniq_port_assoc UNIQUE (bgpvpn_id, port_id)
);
CREATE INDEX port_assoc_port ON bgpvpn_port_associations (port_id);

CREATE TABLE bgpvpn_port_association_routes (
    port_association_id TEXT NOT NULL REFERENCES bgpvpn_port_associations (id) ON DELETE CASCADE,
    position BIGINT NOT NULL,
    type TEXT NOT NULL CHECK (type IN ('prefix', 'bgpvpn')),
    prefix TEXT,
    bgpvpn_id TEXT REFERENCES bgpvpns (id) ON DELETE CASCADE,
    local_pref BIGINT,
    PRIMARY KEY (port_association_id, position)
);
CREATE INDEX port_assoc_routes_bgpvpn ON bgpvpn_port_association_routes (bgpvpn_id);
