-- Agent liveness (issue 5): when each host's agent was last heard from,
-- so that every replica tells a dead agent alike. Hosts that reported
-- before this table existed start from their last report.
CREATE TABLE agent_liveness (
    host TEXT PRIMARY KEY,
    last_seen TEXT NOT NULL,
    replica TEXT NOT NULL DEFAULT '',
    remote TEXT NOT NULL DEFAULT ''
);
INSERT INTO agent_liveness (host, last_seen) SELECT host, MAX(reported_at) FROM agent_status GROUP BY host;
