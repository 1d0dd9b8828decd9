package sqlstore

import "github.com/bgpvpn/bgpvpn/internal/store"

// Feed revisions and agent status.

func (t *tx) TouchHosts(hosts []string) (int64, error) {
	if len(hosts) == 0 {
		return 0, nil
	}
	if t.feedRevision == 0 {
		// The UPDATE takes the write lock on feed_state until commit, so
		// that revisions are handed out in commit order (SQLite serialises
		// writers anyway; PostgreSQL holds the row lock).
		if err := t.QueryRow(`UPDATE feed_state SET revision = revision + 1 WHERE id = 1 RETURNING revision`).Scan(&t.feedRevision); err != nil {
			return 0, mapErr(err, "bumping the feed revision")
		}
	}
	for _, h := range hosts {
		if h == "" {
			continue
		}
		if _, err := t.Exec(`INSERT INTO host_changes (host, revision) VALUES (?, ?)
			ON CONFLICT (host) DO UPDATE SET revision = excluded.revision`, h, t.feedRevision); err != nil {
			return 0, mapErr(err, "recording a host change")
		}
	}
	return t.feedRevision, nil
}

func (t *tx) FeedRevision() (store.FeedRevision, error) {
	var r store.FeedRevision
	err := t.QueryRow(`SELECT epoch, revision FROM feed_state WHERE id = 1`).Scan(&r.Epoch, &r.Revision)
	return r, mapErr(err, "reading the feed revision")
}

func (t *tx) HostRevisions(hosts []string) (map[string]int64, error) {
	out := make(map[string]int64, len(hosts))
	if len(hosts) == 0 {
		return out, nil
	}
	in, args := inIDs("host", hosts)
	return out, t.scanHostRevisions(out, `SELECT host, revision FROM host_changes WHERE `+in, args...)
}

func (t *tx) HostsTouchedAfter(revision int64) (map[string]int64, error) {
	out := map[string]int64{}
	return out, t.scanHostRevisions(out, `SELECT host, revision FROM host_changes WHERE revision > ?`, revision)
}

func (t *tx) scanHostRevisions(out map[string]int64, q string, args ...any) error {
	rows, err := t.Query(q, args...)
	if err != nil {
		return mapErr(err, "reading host changes")
	}
	defer rows.Close()
	for rows.Next() {
		var h string
		var r int64
		if err := rows.Scan(&h, &r); err != nil {
			return err
		}
		out[h] = r
	}
	return rows.Err()
}

func (t *tx) ReplaceAgentStatus(host string, statuses []store.AgentStatus) error {
	if _, err := t.Exec(`DELETE FROM agent_status WHERE host = ?`, host); err != nil {
		return mapErr(err, "replacing agent status")
	}
	for _, s := range statuses {
		at := s.ReportedAt
		if at.IsZero() {
			at = t.now
		}
		if _, err := t.Exec(`INSERT INTO agent_status (association_id, host, revision, status, reason, reported_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (association_id, host) DO UPDATE SET revision = excluded.revision, status = excluded.status, reason = excluded.reason,
			reported_at = excluded.reported_at`, s.AssociationID, host, s.Revision, s.Status, s.Reason, fmtTime(at)); err != nil {
			return mapErr(err, "writing agent status")
		}
	}
	return nil
}

func (t *tx) ListAgentStatus(associationIDs []string) ([]store.AgentStatus, error) {
	out := []store.AgentStatus{}
	if len(associationIDs) == 0 {
		return out, nil
	}
	in, args := inIDs("association_id", associationIDs)
	rows, err := t.Query(`SELECT association_id, host, revision, status, reason, reported_at FROM agent_status WHERE `+in+
		` ORDER BY association_id, host`, args...)
	if err != nil {
		return nil, mapErr(err, "reading agent status")
	}
	defer rows.Close()
	for rows.Next() {
		var s store.AgentStatus
		var at string
		if err := rows.Scan(&s.AssociationID, &s.Host, &s.Revision, &s.Status, &s.Reason, &at); err != nil {
			return nil, err
		}
		s.ReportedAt = parseTime(at)
		out = append(out, s)
	}
	return out, rows.Err()
}

func (t *tx) RecordAgentsSeen(seen []store.AgentSeen) error {
	for _, s := range seen {
		if s.Host == "" {
			continue
		}
		// Times are fixed-width UTC text: they compare as strings.
		if _, err := t.Exec(`INSERT INTO agent_liveness (host, last_seen, replica, remote) VALUES (?, ?, ?, ?)
			ON CONFLICT (host) DO UPDATE SET last_seen = excluded.last_seen, replica = excluded.replica, remote = excluded.remote
			WHERE excluded.last_seen > agent_liveness.last_seen`, s.Host, fmtTime(s.At), s.Replica, s.Remote); err != nil {
			return mapErr(err, "recording agent liveness")
		}
	}
	return nil
}

func (t *tx) AgentsSeen(hosts []string) (map[string]store.AgentSeen, error) {
	out := make(map[string]store.AgentSeen, len(hosts))
	if len(hosts) == 0 {
		return out, nil
	}
	in, args := inIDs("host", hosts)
	rows, err := t.Query(`SELECT host, last_seen, replica, remote FROM agent_liveness WHERE `+in, args...)
	if err != nil {
		return nil, mapErr(err, "reading agent liveness")
	}
	defer rows.Close()
	for rows.Next() {
		var s store.AgentSeen
		var at string
		if err := rows.Scan(&s.Host, &at, &s.Replica, &s.Remote); err != nil {
			return nil, err
		}
		s.At = parseTime(at)
		out[s.Host] = s
	}
	return out, rows.Err()
}
