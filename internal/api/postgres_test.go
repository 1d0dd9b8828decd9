package api_test

import (
	"testing"

	"github.com/bgpvpn/bgpvpn/internal/store/sqlstore/pgtest"
)

// newServerPostgres is newServer on a fresh PostgreSQL schema of the
// server BGPVPN_TEST_POSTGRES names (scripts/it/postgres.sh runs the
// *Postgres tests); without it the test skips.
func newServerPostgres(t *testing.T) *apiServer {
	t.Helper()
	return newServerConf(t, "[database]\nconnection = "+pgtest.DSN(t)+"\n")
}
