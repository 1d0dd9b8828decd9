-- Quotas (issue 9): the limits an admin set per project and resource, as
-- Neutron's quotas table; a resource without a row has the configured
-- default. Usage is counted from the resources' own tables, so the
-- counts by project get indexes where 0001 has none.
CREATE TABLE quotas (
    project_id TEXT NOT NULL,
    resource TEXT NOT NULL,
    quota_limit BIGINT NOT NULL,
    PRIMARY KEY (project_id, resource)
);
CREATE INDEX quota_subnets_project ON subnets (project_id);
CREATE INDEX quota_ports_project ON ports (project_id);
CREATE INDEX quota_network_assoc_project ON bgpvpn_network_associations (project_id);
CREATE INDEX quota_router_assoc_project ON bgpvpn_router_associations (project_id);
CREATE INDEX quota_port_assoc_project ON bgpvpn_port_associations (project_id);
