#!/usr/bin/env bash
# bgpvpn-server with auth_strategy = keystone, against a real Keystone 22
# (Debian's, under uwsgi, private MariaDB), Heat 19 and Horizon 23, all
# started here from ../shared/tools/openstack-lab (state in a temp dir):
#   a. identities: admin; project demo with member demo and reader
#      ks-reader; project ks-other with member ks-other; bgpvpn-server is
#      the catalog's network endpoint (through the lab's netlog proxy)
#   b. the real openstack CLI, password auth through the catalog, as each
#      of them (keystone/flows.sh): create/list/show/set/delete of BGPVPNs
#      and of the three association kinds, hidden attributes, other
#      projects' objects, every policy refusal
#   c. gophercloud with Keystone auth and our bgpvpn CLI with a clouds.yaml
#      (token, password, application credential; go test TestITKeystone*)
#   d. tokens: missing, garbage, revoked (openstack token revoke), expired
#      (issued by a second Keystone on the same database with a 6 s
#      expiration), Keystone stopped and restarted in the middle
#   d2/d3. the dashboard: Keystone password sign-in (curl), then in Chromium
#      and Firefox: sign-in, CSRF, sign-out, expiry (go test TestBrowserKeystone)
#   e. the lab's smoke.sh --target go (CLI, Heat's HOT examples, Horizon),
#      bgpvpn-server started by it with this Keystone configuration
#      (BGPVPN_CONFIG_FILES): every check must pass
#   f. Heat: a stack update that changes a BGPVPN's route targets and adds
#      a port association with routes, then delete leaves nothing
#   g. Horizon in headless Chromium: every operation of the admin and
#      project BGPVPN panels, each result checked through the API
# KEYSTONE_ORACLE=1 also runs b against the original (neutron-server 21
# with keystonemiddleware, ../shared/tools/reference-server/start.sh
# --keystone) and prints the differences.
# Fixed ports (the lab's: 5000, 8004, 8080, 9690-9691; ours 9797-9798,
# 5010): takes /tmp/bgpvpn-keystone.lock itself (scripts/lib/lablock.sh). Installs what is missing with
# apt-get; stops what it started. Exits non-zero if any check failed.
set -uo pipefail
. "$(dirname "$0")/../lib/lablock.sh"
lab_lock_reexec "$(cd "$(dirname "$0")" && pwd)/$(basename "$0")" "$@"
cd "$(dirname "$0")/../.."
ROOT=$PWD
SHARED=$(cd "$ROOT/../shared" && pwd)
LAB=$SHARED/tools/openstack-lab
HERE=$ROOT/scripts/it/keystone
PY=/usr/bin/python3
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export DEBIAN_FRONTEND=noninteractive
export PYTHONDONTWRITEBYTECODE=1 # ../shared is read-only
KS=http://127.0.0.1:5000
PORT=9798
SHORT_PORT=5010
T0=$(date +%s)
log() { echo "[keystone +$(( $(date +%s) - T0 ))s] $*"; }

work=$(mktemp -d /tmp/bgpvpn-ks.XXXXXX)
chmod 755 "$work"
export LAB_RUN_DIR=$work/lab
server_pid=
short_pid=
ref_started=
cleanup() {
  for p in $server_pid $short_pid; do kill "$p" 2>/dev/null; done
  for p in $server_pid $short_pid; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  if [ -s "$LAB_RUN_DIR/bgpvpn-server.pid" ]; then kill "$(cat "$LAB_RUN_DIR/bgpvpn-server.pid")" 2>/dev/null; fi
  [ -n "$ref_started" ] && REF_RUN_DIR=$work/ref "$work/reference-server/stop.sh" >/dev/null 2>&1
  "$LAB/stop.sh" >/dev/null 2>&1
  if [ "${KEYSTONE_KEEP:-}" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0
failed=0
failures=()
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); failures+=("$*"); printf 'FAIL %s\n' "$*"; }
finish() {
  log "$passed passed, $failed failed"
  for f in "${failures[@]}"; do echo "  FAIL $f"; done
  [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

# --- what we need -----------------------------------------------------------
for p in 5000 8004 8080 9690 9691 9797 9798 $SHORT_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
    echo "keystone.sh: port $p is in use (another OpenStack lab not under /tmp/bgpvpn-keystone.lock?)" >&2; exit 1
  fi
done
. scripts/lib/apt.sh
apt_install_missing curl chromium chromium-driver firefox-esr python3-selenium python3-openstackclient python3-neutronclient python3-heatclient >/dev/null ||
  { echo "keystone.sh: installing the clients failed" >&2; exit 1; }
# the lab's own packages, with our lock wait (its start.sh installs without one)
apt_install_missing_nostart "${OPENSTACK_LAB_PKGS[@]}" >/dev/null ||
  { echo "keystone.sh: installing the openstack lab's packages failed" >&2; exit 1; }

log "building bgpvpn-server and bgpvpn"
go build -o "$work/bin/bgpvpn-server" ./cmd/bgpvpn-server && go build -o "$work/bin/bgpvpn" ./cmd/bgpvpn || exit 1
# the CLI's integration tests (c.) compile while the lab starts
go test -c -o "$work/bin/cli.test" ./internal/cli/ >"$work/gotest-build.log" 2>&1 &
build_pid=$!

# What an operator copies from neutron.conf (see README).
cat > "$work/server.conf" <<CONF
[DEFAULT]
auth_strategy = keystone

[keystone_authtoken]
www_authenticate_uri = $KS/v3
auth_url = $KS
memcached_servers = 127.0.0.1:11211
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = service
token_cache_time = 20
CONF

start_server() {
  "$work/bin/bgpvpn-server" --config-file "$work/server.conf" --bind "127.0.0.1:$PORT" --data-dir "$work/data" >>"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -s -o /dev/null "http://127.0.0.1:$PORT/" && return 0
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "bgpvpn-server did not start:"; tail -20 "$work/server.log"; exit 1
}
start_server
log "bgpvpn-server (keystone auth) on 127.0.0.1:$PORT"

log "starting the OpenStack lab (Keystone, Heat, Horizon) in $LAB_RUN_DIR"
if ! "$LAB/start.sh" --network-endpoint "http://127.0.0.1:$PORT" >"$work/lab-start.log" 2>&1; then
  tail -30 "$work/lab-start.log"; exit 1
fi
grep -E 'up:|ready' "$work/lab-start.log" | sed 's/^/    /'

# --- a. identities --------------------------------------------------------
export OS_CLIENT_CONFIG_FILE=$work/clouds.yaml
cloud() { # cloud NAME USER PASSWORD PROJECT
  printf '  %s:\n    auth:\n      auth_url: %s/v3\n      username: %s\n      password: %s\n      project_name: %s\n      user_domain_name: Default\n      project_domain_name: Default\n    region_name: RegionOne\n    interface: public\n    identity_api_version: 3\n' \
    "$1" "$KS" "$2" "$3" "$4"
}
{
  echo "clouds:"
  cloud ks-admin admin admin admin
  cloud ks-admin-demo admin admin demo
  cloud ks-demo demo demo demo
  cloud ks-reader ks-reader reader demo
  cloud ks-other ks-other other ks-other
  cloud ks-bad demo wrong-password demo
} > "$OS_CLIENT_CONFIG_FILE"
# demo's tokens from the short-lived Keystone (d.)
cloud ks-demo-short demo demo demo | sed "s|$KS/v3|http://127.0.0.1:$SHORT_PORT/v3|" >> "$OS_CLIENT_CONFIG_FILE"
osc() { local c=$1; shift; OS_CLOUD=$c timeout 120 /usr/bin/openstack "$@"; }
osc ks-admin project create ks-other -f value -c id >/dev/null &&
  osc ks-admin user create --password reader ks-reader -f value -c id >/dev/null &&
  osc ks-admin role add --user ks-reader --project demo reader &&
  osc ks-admin user create --password other ks-other -f value -c id >/dev/null &&
  osc ks-admin role add --user ks-other --project ks-other member ||
  { echo "keystone.sh: making the identities failed"; exit 1; }
log "identities: admin (admin), demo (member of demo), ks-reader (reader of demo), ks-other (member of ks-other)"

# --- b. the openstack CLI ---------------------------------------------------
. "$HERE/flows.sh"
log "b. openstack CLI flows against bgpvpn-server"
flows "$work/flows-go"

# --- c. gophercloud and our CLI ---------------------------------------------
log "c. gophercloud and bgpvpn CLI (go test TestITKeystone)"
wait "$build_pid" || { cat "$work/gotest-build.log"; fail "go test -c ./internal/cli/"; }
if (cd internal/cli && BGPVPN_IT_KEYSTONE_CLOUDS=$OS_CLIENT_CONFIG_FILE "$work/bin/cli.test" -test.count=1 -test.v -test.run '^TestITKeystone') >"$work/gotest.log" 2>&1; then
  if grep -q -- '--- SKIP' "$work/gotest.log"; then fail "go test: a test skipped"; else
    grep -E '^--- PASS' "$work/gotest.log" | while read -r l; do ok "go: $l"; done
    passed=$((passed + $(grep -c '^--- PASS' "$work/gotest.log")))
  fi
else
  fail "go test TestITKeystone: $(grep -E '^\s+\S+_test.go|^--- FAIL' "$work/gotest.log" | head -20)"
fi

# --- d. tokens --------------------------------------------------------------
log "d. tokens: missing, garbage, revoked, expired, Keystone stopped"
API=http://127.0.0.1:$PORT/v2.0/bgpvpn/bgpvpns
code() { curl -s -o "$work/body" -D "$work/headers" -w '%{http_code}' ${1:+-H "X-Auth-Token: $1"} "$API"; }
token() { osc "$1" token issue -f value -c id; }
# wait_code TOKEN CODE SECONDS: poll until the answer is CODE
wait_code() {
  local deadline=$(( $(date +%s) + $3 )) c
  while :; do
    c=$(code "$1"); [ "$c" = "$2" ] && return 0
    [ "$(date +%s)" -ge "$deadline" ] && { echo "last answer $c"; return 1; }
    sleep 0.5
  done
}
want401() { # want401 NAME TOKEN
  local c; c=$(code "$2")
  if [ "$c" = 401 ] && grep -qi "^WWW-Authenticate: Keystone uri=\"$KS/v3\"" "$work/headers" &&
    grep -q '"message": "The request you have made requires authentication."' "$work/body"; then
    ok "$1: 401 with WWW-Authenticate"
  else
    fail "$1: $c $(cat "$work/headers" "$work/body" | tr '\r\n' '  ' | tail -c 300)"
  fi
}
want401 token-missing ""
want401 token-garbage "gAAAAABgarbage"
t=$(token ks-demo)
c=$(code "$t"); [ "$c" = 200 ] && ok "token-valid: 200" || fail "token-valid: $c"
osc ks-admin token revoke "$t" && ok "token revoke" || fail "token revoke"
if wait_code "$t" 401 40; then ok "token-revoked: 401 once the cache time is over"; else fail "token-revoked: still accepted"; fi
t=$(token ks-demo); osc ks-demo token revoke "$t"
want401 token-revoked-before-use "$t"

# A second Keystone on the same database and keys issues 6 s tokens.
sed 's/^expiration = .*/expiration = 6/' "$LAB_RUN_DIR/etc/keystone/keystone.conf" > "$work/keystone-short.conf"
start_short_keystone() { # also for the dashboard's browsers (d3.)
  /usr/bin/uwsgi --plugin python3 --http-socket "127.0.0.1:$SHORT_PORT" --env "OS_KEYSTONE_CONFIG_FILES=$work/keystone-short.conf" \
    --wsgi-file /usr/bin/keystone-wsgi-public --master --die-on-term --need-app --processes 1 --threads 2 \
    --add-header 'Connection: close' >>"$work/keystone-short.log" 2>&1 &
  short_pid=$!
  for _ in $(seq 1 600); do curl -s -o /dev/null "http://127.0.0.1:$SHORT_PORT/v3" && break; sleep 0.1; done
}
start_short_keystone
t=$(token ks-demo-short)
c=$(code "$t"); [ "$c" = 200 ] && ok "token-short: 200 while valid" || fail "token-short: $c while valid"
if wait_code "$t" 401 30; then ok "token-expired: 401"; want401 token-expired-answer "$t"; else fail "token-expired: still accepted"; fi
kill "$short_pid"; wait "$short_pid" 2>/dev/null; short_pid=

# Keystone stopped in the middle: cached tokens work, new ones get 503.
cached=$(token ks-demo); fresh=$(token ks-other)
c=$(code "$cached"); [ "$c" = 200 ] || fail "token-cached: $c"
kspid=$(cat "$LAB_RUN_DIR/keystone.pid")
kill -TERM "$kspid"
for _ in $(seq 1 300); do kill -0 "$kspid" 2>/dev/null || break; sleep 0.1; done
c=$(code "$cached"); [ "$c" = 200 ] && ok "keystone-down: cached token 200" || fail "keystone-down: cached token $c"
c=$(code "$fresh")
if [ "$c" = 503 ] && grep -q "The Keystone service is temporarily unavailable." "$work/body"; then ok "keystone-down: new token 503"; else fail "keystone-down: new token $c $(head -c 200 "$work/body")"; fi
"$LAB/start.sh" --network-endpoint "http://127.0.0.1:$PORT" >>"$work/lab-start.log" 2>&1 || fail "restarting Keystone"
if wait_code "$fresh" 200 30; then ok "keystone-back: new token 200 without restarting bgpvpn-server"; else fail "keystone-back: new token still refused"; fi

# Figures (no assertion): a request with a token the server has not seen
# (one validation with Keystone) against the next one (cached).
first=(); again=()
for _ in 1 2 3 4 5; do
  t=$(token ks-demo)
  first+=("$(curl -s -o /dev/null -w '%{time_total}' -H "X-Auth-Token: $t" "$API")")
  again+=("$(curl -s -o /dev/null -w '%{time_total}' -H "X-Auth-Token: $t" "$API")")
done
log "latency (s): first request with a new token ${first[*]}; same token again ${again[*]} (load $(cut -d' ' -f1-3 /proc/loadavg))"

# --- d2. the dashboard signs in with a Keystone password ---------------------
log "d2. dashboard: Keystone password sign-in"
DASH=http://127.0.0.1:$PORT/dashboard
# dash_login USER PASSWORD: signs in with a fresh cookie jar, prints the status
dash_login() {
  local jar=$work/dash-$1.jar csrf
  rm -f "$jar"
  csrf=$(curl -s -c "$jar" -b "$jar" "$DASH/login" | sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -o "$work/dash-login.html" -w '%{http_code}' -c "$jar" -b "$jar" \
    --data-urlencode "csrf_token=$csrf" --data-urlencode "user=$1" --data-urlencode "password=$2" \
    --data-urlencode project=demo --data-urlencode domain=Default "$DASH/login"
}
c=$(dash_login demo demo)
if [ "$c" = 303 ] && curl -s -L -b "$work/dash-demo.jar" "$DASH/" | grep -q "demo · demo"; then
  ok "dashboard: demo signs in with its Keystone password and acts as demo"
else
  fail "dashboard: demo's sign-in answered $c"
fi
c=$(dash_login demo wrong-password)
if [ "$c" != 303 ] && ! curl -s -L -b "$work/dash-demo.jar" "$DASH/" | grep -q "Sign out"; then
  ok "dashboard: a wrong Keystone password signs nobody in ($c)"
else
  fail "dashboard: a wrong password answered $c"
fi

# --- d3. the dashboard in Chromium and Firefox --------------------------------
# Sign-in with Keystone passwords, a forged CSRF token, sign-out, a session
# ending with its token (the 6 s Keystone again), each checked through the
# API with the user's own token; screenshots in artifacts/dashboard-keystone.
log "d3. dashboard in Chromium and Firefox: Keystone sign-in (go test TestBrowserKeystone)"
start_short_keystone
if BGPVPN_BROWSER=1 BGPVPN_IT_KEYSTONE=$KS BGPVPN_IT_KEYSTONE_SHORT=http://127.0.0.1:$SHORT_PORT \
  BGPVPN_SCREENSHOTS=$ROOT/artifacts/dashboard-keystone BGPVPN_CHROMIUM=/usr/bin/chromium BGPVPN_FIREFOX=/usr/bin/firefox-esr \
  go test -count=1 -v -run '^TestBrowserKeystone$' ./internal/dashboard/ >"$work/dash-browsers.log" 2>&1 &&
  ! grep -q -- '--- SKIP' "$work/dash-browsers.log" && grep -q -- '--- PASS: TestBrowserKeystone ' "$work/dash-browsers.log"; then
  grep -E '^\s+--- PASS' "$work/dash-browsers.log" | while read -r l; do ok "dashboard: $l"; done
  passed=$((passed + $(grep -cE '^\s+--- PASS' "$work/dash-browsers.log")))
else
  fail "dashboard in browsers: $(grep -E '^\s+\S+_test.go|--- (FAIL|SKIP)' "$work/dash-browsers.log" | head -20)"
fi
kill "$short_pid"; wait "$short_pid" 2>/dev/null; short_pid=

# --- e. the lab's smoke test ------------------------------------------------
log "e. smoke.sh --target go (CLI, Heat HOT examples, Horizon), keystone auth"
if BGPVPN_CONFIG_FILES=$work/server.conf BGPVPN_MAIN=$ROOT "$LAB/smoke.sh" --target go >"$work/smoke.log" 2>&1; then
  ok "smoke: $(tail -3 "$work/smoke.log" | grep -E 'passed' | head -1)"
else
  fail "smoke: $(grep -E 'passed|FAIL' "$work/smoke.log" | tail -8)"
fi
# smoke.sh leaves the catalog on its server, which it stopped: back to ours
"$LAB/start.sh" --network-endpoint "http://127.0.0.1:$PORT" >>"$work/lab-start.log" 2>&1 || fail "re-pointing the lab"

# --- f. Heat stack update ---------------------------------------------------
if [ -f "$HERE/heat.sh" ]; then
  log "f. Heat: stack update (route targets, port association with routes)"
  . "$HERE/heat.sh"
  heat_update
fi

# --- g. Horizon --------------------------------------------------------------
if [ -f "$HERE/horizon_ops.py" ]; then
  log "g. Horizon: every operation of the admin and project panels"
  if LAB_BIN=$LAB/bin "$PY" "$HERE/horizon_ops.py" --out "$work/horizon" >"$work/horizon.log" 2>&1; then
    grep '^ok' "$work/horizon.log" | while read -r l; do echo "$l"; done
    passed=$((passed + $(grep -c '^ok' "$work/horizon.log")))
  else
    grep -E '^(ok|FAIL)' "$work/horizon.log"; fail "horizon: $(grep -E '^FAIL|Error' "$work/horizon.log" | head -5)"
  fi
fi

# --- the original as the oracle -------------------------------------------------
if [ "${KEYSTONE_ORACLE:-}" = 1 ]; then
  log "oracle: the same flows against neutron-server 21 + keystonemiddleware"
  ref_started=1
  # a copy: start.sh writes its etc/ beside itself, and ../shared is read-only
  cp -r "$SHARED/tools/reference-server" "$work/reference-server"
  if REF_RUN_DIR=$work/ref API_WORKERS=1 "$work/reference-server/start.sh" --reset --keystone >"$work/ref.log" 2>&1 &&
    "$LAB/start.sh" --network-endpoint http://127.0.0.1:9696 >>"$work/lab-start.log" 2>&1; then
    saved=$failed
    flows "$work/flows-ref" >"$work/flows-ref.log"
    [ "$failed" = "$saved" ] || echo "oracle: the original itself misses $((failed - saved)) checks: $(grep FAIL "$work/flows-ref.log" | head)"
    failed=$saved
    if diff -r "$work/flows-ref" "$work/flows-go" >"$work/flows.diff"; then ok "oracle: same answers as the original"; else
      echo "oracle: differences (original < > ours):"; cat "$work/flows.diff"
    fi
  else
    fail "oracle: reference server did not start: $(tail -5 "$work/ref.log")"
  fi
fi
finish
