#!/usr/bin/env bash
# bgpvpn-server on PostgreSQL: starts a throw-away cluster (initdb + pg_ctl
# as the postgres user, in a temp dir, trust auth on 127.0.0.1, a free
# port), exports its URL as BGPVPN_TEST_POSTGRES and runs
#   a. the store conformance suite on PostgreSQL (TestPostgres*)
#   b. two server replicas on one PostgreSQL database serving the agent
#      feed (TestAnyReplicaServesAnyAgent*, internal/driver/bagpipe)
#   c. the server tests on PostgreSQL (internal/server), and the API's
#      isolation and bad-input tests (internal/api, *Postgres)
#   d. the conformance replay against bgpvpn-server on PostgreSQL, with
#      the dummy and the bagpipe drivers
# Installs postgresql with apt-get when missing. A test that skips for want
# of PostgreSQL fails the stage. Stops and removes the cluster on exit.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

pgbin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
if [ -z "$pgbin" ] || [ ! -x "$pgbin/initdb" ]; then
  apt_install postgresql >/dev/null
  pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
fi

work=$(mktemp -d /tmp/bgpvpn-pg.XXXXXX)
chmod 755 "$work"
started=
cleanup() {
  if [ -n "$started" ]; then
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/data" -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
asuser() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir "$work/data" "$work/run"
[ "$(id -u)" = 0 ] && chown postgres: "$work/data" "$work/run"
asuser "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust --encoding=UTF8 --locale=en_US.UTF-8 >"$work/initdb.log" 2>&1 ||
  asuser "$pgbin/initdb" -D "$work/data" -U postgres --auth=trust --encoding=UTF8 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log"; exit 1; }
asuser "$pgbin/pg_ctl" -D "$work/data" -l "$work/run/server.log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $work/run -c fsync=off -c max_connections=200" start >/dev/null ||
  { cat "$work/run/server.log"; exit 1; }
started=1
# The databases sort text by an ICU en-US collation (where "B" sorts after
# "a"), not byte order, so that the store's own COLLATE "C" is put to test.
for db in bgpvpn bgpvpn_conf_dummy bgpvpn_conf_bagpipe; do
  psql -h 127.0.0.1 -p "$port" -U postgres -qc \
    "CREATE DATABASE $db TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'" postgres
done
export BGPVPN_TEST_POSTGRES="postgresql://postgres@127.0.0.1:$port/bgpvpn"
echo "postgres: cluster on 127.0.0.1:$port ($("$pgbin/postgres" --version))"

# Runs go test with -v and fails when any test skipped or none ran.
gotest() {
  local out=$work/test.out
  if ! go test -count=1 -v "$@" >"$out" 2>&1; then
    grep -E '^(=== RUN|--- FAIL|FAIL|ok|panic)|_test.go:' "$out" | grep -v '^=== RUN' | tail -60
    return 1
  fi
  if grep -q -- '--- SKIP' "$out"; then
    grep -B2 -A2 -- '--- SKIP' "$out"; echo "postgres: a test skipped: that is no pass"; return 1
  fi
  if ! grep -q -- '--- PASS' "$out"; then
    echo "postgres: no test ran for $*"; return 1
  fi
  grep -E '^(ok|---)' "$out" | grep -v '^    ' | grep -E '^(ok|--- PASS: Test[^/]*$|--- PASS: Test\S+ \()' | head -20
}

echo "--- a. store conformance on PostgreSQL"
gotest -run '^TestPostgres' ./internal/store/sqlstore/
echo "--- b. two replicas on one PostgreSQL database serve the feed"
gotest -run '^TestAnyReplicaServesAnyAgentPostgres$' ./internal/driver/bagpipe/
echo "--- c. server tests on PostgreSQL"
gotest -run 'Postgres' ./internal/server/
echo "--- c2. quotas (two replicas), tenants' isolation and bad input through the API on PostgreSQL"
gotest -run 'Postgres$' ./internal/api/
echo "--- d. conformance replay against bgpvpn-server on PostgreSQL"
BGPVPN_CONFORMANCE_DB="postgresql://postgres@127.0.0.1:$port/bgpvpn_conf" bash scripts/it/conformance.sh
echo "postgres: PASS"
