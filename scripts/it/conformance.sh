#!/usr/bin/env bash
# Replays ../shared/conformance against a freshly started bgpvpn-server on an
# empty data directory, once with the dummy driver and once with the bagpipe
# driver, and fails on any difference from the original.
# With BGPVPN_CONFORMANCE_DB=postgresql://…/NAME the server runs on
# PostgreSQL instead, on the empty databases NAME_dummy and NAME_bagpipe
# (scripts/it/postgres.sh creates them).
set -euo pipefail
cd "$(dirname "$0")/../.."
cases=../shared/conformance
if [ ! -d "$cases" ]; then
  echo "conformance: $cases not found (CI lays shared/ beside the repository)" >&2
  exit 1
fi
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
go build -o "$work/bgpvpn-server" ./cmd/bgpvpn-server
(cd "$cases" && go build -o "$work/conformance" .)
printf '[service_providers]\nservice_provider = BGPVPN:BaGPipe:bagpipe:default\n[agent_feed]\nshared_secret = conformance\n' >"$work/bagpipe.conf"
for driver in dummy bagpipe; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 19696)
  conf=()
  [ "$driver" = bagpipe ] && conf=(--config-file "$work/bagpipe.conf")
  if [ -n "${BGPVPN_CONFORMANCE_DB:-}" ]; then
    base=${BGPVPN_CONFORMANCE_DB%%\?*}
    printf '[database]\nconnection = %s\n' "${base}_$driver" >"$work/db-$driver.conf"
    conf+=(--config-file "$work/db-$driver.conf")
  fi
  "$work/bgpvpn-server" "${conf[@]}" --bind "127.0.0.1:$port" --data-dir "$work/data-$driver" >"$work/server.log" 2>&1 &
  pid=$!
  up=
  for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/" >/dev/null 2>&1; then up=1; break; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$up" ]; then
    echo "conformance: bgpvpn-server ($driver driver) did not answer within 30s"; tail -50 "$work/server.log"
    exit 1
  fi
  echo "--- $driver driver${BGPVPN_CONFORMANCE_DB:+ on PostgreSQL}"
  if ! "$work/conformance" check -base "http://127.0.0.1:$port" -cases "$cases/cases" -want "$cases/expected.json"; then
    echo "--- server log"; tail -50 "$work/server.log"
    exit 1
  fi
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=
done
