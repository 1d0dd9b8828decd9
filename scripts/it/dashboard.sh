#!/usr/bin/env bash
# The dashboard in a real browser: Debian's Chromium, headless, driven over
# the DevTools protocol by chromedp from TestBrowser (internal/dashboard),
# against a real bgpvpn-server (bagpipe driver) with two simulated compute
# nodes on the agent feed: admin and tenant sign-in, create/edit/delete,
# network/router/port associations with routes, BUILD -> ACTIVE updated
# live, a refused action showing the server's message, the graph, the
# agents, a narrow window; every action checked through the REST API.
# Screenshots of each page are left in artifacts/dashboard (git-ignored)
# for CI to keep. Then BenchmarkList1000 prints the time to render a page
# of 1,000 BGPVPNs. Installs chromium with apt-get when missing. A skipped
# test fails the stage.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export DEBIAN_FRONTEND=noninteractive

. scripts/lib/apt.sh
if [ ! -x /usr/bin/chromium ]; then
  apt_install chromium >/dev/null || { echo "dashboard: installing chromium failed" >&2; exit 1; }
fi
echo "dashboard: $(/usr/bin/chromium --version 2>/dev/null || echo chromium)"

shots=$PWD/artifacts/dashboard
rm -rf "$shots"
mkdir -p "$shots"
log=$(mktemp /tmp/bgpvpn-dashboard.XXXXXX)
trap 'rm -f "$log"' EXIT

if ! BGPVPN_BROWSER=1 BGPVPN_SCREENSHOTS="$shots" BGPVPN_CHROMIUM=/usr/bin/chromium \
  go test -count=1 -v -run '^TestBrowser$' ./internal/dashboard/ >"$log" 2>&1; then
  grep -vE '^=== (RUN|PAUSE|CONT)' "$log" | tail -80
  echo "dashboard: FAIL (screenshots so far in $shots)"
  exit 1
fi
if grep -q -- '--- SKIP' "$log"; then
  grep -B2 -A2 -- '--- SKIP' "$log"; echo "dashboard: a test skipped: that is no pass"; exit 1
fi
grep -q -- '--- PASS: TestBrowser' "$log" || { cat "$log"; echo "dashboard: TestBrowser did not run"; exit 1; }
grep -E '^(--- PASS|ok)' "$log"
echo "dashboard: screenshots in $shots:"
ls "$shots"

echo "--- a page of 1,000 BGPVPNs, rendered on the server (load $(cut -d' ' -f1-3 /proc/loadavg))"
go test -count=1 -run '^$' -bench '^BenchmarkList1000$' -benchtime 20x ./internal/dashboard/ | grep -E '^Benchmark'
echo "dashboard: PASS"
