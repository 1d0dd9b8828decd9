-- Issue 13: the BGPVPN attributes the specification defines and no
-- release built (admin_state_up, technique, auto_aggregate), and the
-- RBAC policies that share a BGPVPN with other projects (rbac-bgpvpn).
-- technique '' means none (the driver's default). The only RBAC object
-- type served is bgpvpn; the column is there for filters and sorting.
ALTER TABLE bgpvpns ADD COLUMN admin_state_up BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE bgpvpns ADD COLUMN technique TEXT NOT NULL DEFAULT '';
ALTER TABLE bgpvpns ADD COLUMN auto_aggregate BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE bgpvpn_rbacs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL,
    object_type TEXT NOT NULL DEFAULT 'bgpvpn' CHECK (object_type = 'bgpvpn'),
    object_id TEXT NOT NULL REFERENCES bgpvpns (id) ON DELETE CASCADE,
    target_tenant TEXT NOT NULL,
    action TEXT NOT NULL,
    CONSTRAINT uniq_bgpvpn_rbac UNIQUE (target_tenant, object_id, action)
);
CREATE INDEX bgpvpn_rbacs_object ON bgpvpn_rbacs (object_id);
CREATE INDEX bgpvpn_rbacs_target ON bgpvpn_rbacs (target_tenant);
