package dashboard

import (
	"net/http"
	"sort"
	"time"

	"github.com/bgpvpn/bgpvpn/internal/store"
)

type agentRow struct {
	Host            string
	State           string // alive, dead, never heard from
	LastHeard       string
	Ago             string
	Replica, Remote string
	Ports           int
	Revision        int64
}

type agentsData struct {
	Rows     []agentRow
	NoDriver bool
}

// agents lists the compute nodes the feed knows (hosts ports are bound
// to, hosts the feed ever touched, agents ever heard from) with when
// their agent was last heard from and whether it counts as alive.
func (d *Dashboard) agents(w http.ResponseWriter, r *http.Request, ss *session) {
	if !d.admin(ss) {
		d.notFound(w, r, ss, "There is no such page.")
		return
	}
	data := agentsData{NoDriver: d.liveness == nil}
	if d.liveness != nil {
		rows, err := d.agentRows(r, time.Now())
		if err != nil {
			d.fail(w, r, ss, err)
			return
		}
		data.Rows = rows
	}
	d.render(w, r, ss, "agents", page{Title: "Agents", Nav: "agents", Data: data})
}

func (d *Dashboard) agentRows(r *http.Request, now time.Time) ([]agentRow, error) {
	var rows []agentRow
	err := d.store.View(r.Context(), func(tx store.Tx) error {
		ports, err := tx.ListPorts(store.Query{})
		if err != nil {
			return err
		}
		count := map[string]int{}
		for _, p := range ports {
			if p.HostID != "" {
				count[p.HostID]++
			}
		}
		touched, err := tx.HostsTouchedAfter(0)
		if err != nil {
			return err
		}
		hostSet := map[string]bool{}
		for h := range count {
			hostSet[h] = true
		}
		for h := range touched {
			hostSet[h] = true
		}
		hosts := make([]string, 0, len(hostSet))
		for h := range hostSet {
			hosts = append(hosts, h)
		}
		sort.Strings(hosts)
		seen, err := tx.AgentsSeen(hosts)
		if err != nil {
			return err
		}
		dead, never, err := d.liveness.Silent(tx, hosts)
		if err != nil {
			return err
		}
		state := map[string]string{}
		for _, h := range dead {
			state[h] = "dead"
		}
		for _, h := range never {
			state[h] = "never heard from"
		}
		for _, h := range hosts {
			row := agentRow{Host: h, State: "alive", Ports: count[h], Revision: touched[h]}
			if s, ok := state[h]; ok {
				row.State = s
			}
			if s, ok := seen[h]; ok {
				row.LastHeard = s.At.UTC().Format(time.RFC3339)
				row.Ago = now.Sub(s.At).Round(time.Second).String() + " ago"
				row.Replica, row.Remote = s.Replica, s.Remote
			} else if row.State == "alive" {
				// Within a replica's first agent_down_time every agent
				// counts as heard from at its start.
				row.State = "unknown (server starting)"
			}
			rows = append(rows, row)
		}
		return nil
	})
	return rows, err
}
