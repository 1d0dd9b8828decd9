// Package server wires bgpvpn-server together: configuration, store,
// policy, identity, service driver and the HTTP API, with a clean shutdown.
package server

import (
	"fmt"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/config"
	"github.com/bgpvpn/bgpvpn/internal/identity/keystone"
)

// Schema is every option the server reads.
func Schema() *config.Schema {
	s := config.NewSchema(append(baseOpts(), keystone.Opts()...)...)
	s.Add(quotaOpts()...)
	s.Add(neutronOpts()...)
	return s
}

func baseOpts() []config.Opt {
	return []config.Opt{
		config.Opt{Section: "DEFAULT", Name: "bind_host", Type: config.String, Default: "127.0.0.1",
			Help: "Address the API listens on."},
		config.Opt{Section: "DEFAULT", Name: "bind_port", Type: config.Port, Default: "9696",
			Help: "Port the API listens on."},
		config.Opt{Section: "DEFAULT", Name: "data_dir", Type: config.String, Default: "data",
			Help: "Directory of the SQLite database (bgpvpn.db) when [database] connection is not set."},
		config.Opt{Section: "DEFAULT", Name: "auth_strategy", Type: config.String, Default: "noauth", Choices: []string{"noauth", "keystone"},
			Help: "How callers are identified. noauth trusts the X-User-Id, X-Project-Id and X-Roles headers; a request without them is the admin of [noauth]. keystone validates the X-Auth-Token of every request with Keystone ([keystone_authtoken])."},
		config.Opt{Section: "DEFAULT", Name: "client_body_timeout", Type: config.Float, Default: "30",
			Help: "Seconds a client may take to send a request body; a slower one is answered 408 and its connection closed."},
		config.Opt{Section: "DEFAULT", Name: "debug", Type: config.Bool, Default: "false",
			Help: "Log every request at debug level."},
		config.Opt{Section: "noauth", Name: "admin_user_id", Type: config.String, Default: "admin-user",
			Help: "User of a request that carries no identity headers."},
		config.Opt{Section: "noauth", Name: "admin_project_id", Type: config.String, Default: "admin-project",
			Help: "Project of a request that carries no identity headers."},
		config.Opt{Section: "database", Name: "connection", Type: config.String, Secret: true,
			Help: "Database URL: postgresql://user:password@host:port/database (PostgreSQL 13 or later, for several replicas on one database; postgresql+psycopg2:// is accepted) or sqlite:///path/to/file.db. Empty means a SQLite file in data_dir."},
		config.Opt{Section: "oslo_policy", Name: "policy_file", Type: config.String,
			Help: "YAML or JSON file of policy rules overriding the defaults (see `bgpvpn-server policy-sample`)."},
		config.Opt{Section: "service_providers", Name: "service_provider", Type: config.Multi, Default: "BGPVPN:Dummy:dummy:default",
			Help: "Service driver, as BGPVPN:<name>:<driver>:default. Drivers: dummy (stores only), bagpipe (publishes per-host attachments on the agent feed that bgpvpn-agent watches). The original's class paths are accepted: the DB-only drivers as dummy, the bagpipe drivers as bagpipe."},
		config.Opt{Section: "agent_feed", Name: "shared_secret", Type: config.String, Secret: true,
			Help: "Bearer token every bgpvpn-agent presents to watch the agent feed (bagpipe driver). Empty refuses every agent."},
		config.Opt{Section: "agent_feed", Name: "heartbeat_interval", Type: config.Float, Default: "5",
			Help: "Seconds between heartbeats on a quiet agent feed stream; agents reconnect after a few missed ones."},
		config.Opt{Section: "agent_feed", Name: "poll_interval", Type: config.Float, Default: "0.2",
			Help: "Seconds between reads of the feed revision, which is how a replica learns of changes committed by another replica."},
		config.Opt{Section: "agent_feed", Name: "agent_down_time", Type: config.Float, Default: "75",
			Help: "Seconds after which a host whose agent has not been heard from is considered dead, as Neutron's agent_down_time: its associations turn DOWN. Agents say they are alive every third of it. A replica gives every agent this long after it starts."},
		config.Opt{Section: "dashboard", Name: "enabled", Type: config.Bool, Default: "true",
			Help: "Serve the browser dashboard under /dashboard/ (a browser opening / is sent there; API paths are unchanged)."},
		config.Opt{Section: "dashboard", Name: "session_idle_timeout", Type: config.Float, Default: "3600",
			Help: "Seconds after which a dashboard session nobody used ends (sessions also end after 12 hours, or when their Keystone token does)."},
	}
}

// driverConfig reads the driver options the schema declares.
func driverConfig(v *config.Values) func(section, name string) string {
	return func(section, name string) string {
		if section != "agent_feed" {
			return ""
		}
		return v.String(section, name)
	}
}

// Provider is a parsed service_provider line.
type Provider struct{ Name, Driver string }

// originalDrivers maps networking-bgpvpn's class paths to our drivers.
var originalDrivers = map[string]string{
	"networking_bgpvpn.neutron.services.service_drivers.driver_api.BGPVPNDriver":   "dummy",
	"networking_bgpvpn.neutron.services.service_drivers.driver_api.BGPVPNDriverRC": "dummy",
	// v2 (the recommended one) and v1, which only adds pre-Queens RPCs.
	"networking_bgpvpn.neutron.services.service_drivers.bagpipe.bagpipe_v2.BaGPipeBGPVPNDriver": "bagpipe",
	"networking_bgpvpn.neutron.services.service_drivers.bagpipe.bagpipe.BaGPipeBGPVPNDriver":    "bagpipe",
}

// ParseProvider reads "BGPVPN:<name>:<driver>[:default]".
func ParseProvider(lines []string) (Provider, error) {
	var found []Provider
	for _, line := range lines {
		parts := strings.Split(line, ":")
		if len(parts) < 3 || len(parts) > 4 || (len(parts) == 4 && parts[3] != "default") {
			return Provider{}, fmt.Errorf("[service_providers] service_provider %q: want BGPVPN:<name>:<driver>:default", line)
		}
		if parts[0] != "BGPVPN" {
			continue
		}
		d := parts[2]
		if mapped, ok := originalDrivers[d]; ok {
			d = mapped
		}
		found = append(found, Provider{Name: parts[1], Driver: d})
	}
	switch len(found) {
	case 0:
		return Provider{}, fmt.Errorf("[service_providers] no BGPVPN service_provider")
	case 1:
		return found[0], nil
	}
	return Provider{}, fmt.Errorf("[service_providers] %d BGPVPN service providers; exactly one is supported", len(found))
}
