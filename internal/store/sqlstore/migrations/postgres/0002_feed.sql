-- PostgreSQL's 0002: as ../0002_feed.sql but for the epoch, 32 random hex
-- digits from gen_random_uuid (PostgreSQL 13 or later).
-- The agent feed (issue 5).
--
-- Every network gets a VXLAN VNI, as ML2's vxlan type driver allocates one:
-- the EVPN instance of a network reuses it. Existing networks are numbered
-- in creation order.
ALTER TABLE networks ADD COLUMN segmentation_id BIGINT;
UPDATE networks SET segmentation_id = (SELECT COUNT(*) FROM networks n2
    WHERE n2.created_at < networks.created_at OR (n2.created_at = networks.created_at AND n2.id <= networks.id));
CREATE UNIQUE INDEX networks_segmentation ON networks (segmentation_id);

-- The feed revision: bumped once by every transaction that changes what
-- some host must realise. The epoch names this database, so that an agent
-- can tell a revision of another (restored, replaced) database.
CREATE TABLE feed_state (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    epoch TEXT NOT NULL,
    revision BIGINT NOT NULL
);
INSERT INTO feed_state (id, epoch, revision) VALUES (1, replace(gen_random_uuid()::text, '-', ''), 0);

-- The newest revision that changed each host's desired attachments.
CREATE TABLE host_changes (
    host TEXT PRIMARY KEY,
    revision BIGINT NOT NULL
);
CREATE INDEX host_changes_revision ON host_changes (revision);

-- What each host's agent last reported, per association.
CREATE TABLE agent_status (
    association_id TEXT NOT NULL,
    host TEXT NOT NULL,
    revision BIGINT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL DEFAULT '',
    reported_at TEXT NOT NULL,
    PRIMARY KEY (association_id, host)
);
CREATE INDEX agent_status_host ON agent_status (host);
