#!/usr/bin/env bash
# The dashboard in real browsers: Debian's Chromium (over the DevTools
# protocol, chromedp) and Firefox ESR (over WebDriver BiDi, no
# geckodriver), headless, each driven by the same scenario (TestBrowser,
# internal/dashboard, over internal/browsertest) against a real
# bgpvpn-server (bagpipe driver) with two simulated compute nodes on the
# agent feed: admin and tenant sign-in, tab order and focus ring, a form
# submitted with Enter, create/edit/delete, sharing, network/router/port
# associations with routes, BUILD -> ACTIVE updated live, a refused action
# showing the server's message, the graph, the agents, 400 px windows,
# filters/sorting/paging of 1,001; then the core actions with JavaScript
# off. Every action is checked through the REST API. Screenshots of each
# page are left in artifacts/dashboard/BROWSER (git-ignored) for CI to
# keep. Then BenchmarkList1000 prints the time to render a page of 1,000
# BGPVPNs. Installs chromium and firefox-esr with apt-get when missing. A
# skipped test fails the stage.
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export DEBIAN_FRONTEND=noninteractive

. scripts/lib/apt.sh
apt_install_missing chromium firefox-esr >/dev/null || { echo "dashboard: installing chromium and firefox-esr failed" >&2; exit 1; }
echo "dashboard: $(/usr/bin/chromium --version 2>/dev/null || echo chromium), $(/usr/bin/firefox-esr --version 2>/dev/null || echo firefox-esr)"

shots=$PWD/artifacts/dashboard
rm -rf "$shots"
mkdir -p "$shots"
log=$(mktemp /tmp/bgpvpn-dashboard.XXXXXX)
trap 'rm -f "$log"' EXIT

if ! BGPVPN_BROWSER=1 BGPVPN_SCREENSHOTS="$shots" BGPVPN_CHROMIUM=/usr/bin/chromium BGPVPN_FIREFOX=/usr/bin/firefox-esr \
  go test -count=1 -v -run '^(TestBrowser|TestPages)$' ./internal/browsertest/ ./internal/dashboard/ >"$log" 2>&1; then
  grep -vE '^=== (RUN|PAUSE|CONT)' "$log" | tail -80
  echo "dashboard: FAIL (screenshots so far in $shots)"
  exit 1
fi
if grep -q -- '--- SKIP' "$log"; then
  grep -B2 -A2 -- '--- SKIP' "$log"; echo "dashboard: a test skipped: that is no pass"; exit 1
fi
for t in TestPages TestBrowser; do
  grep -q -- "--- PASS: $t " "$log" || { cat "$log"; echo "dashboard: $t did not run"; exit 1; }
done
grep -E '^(\s*--- PASS|ok)|loaded in' "$log"
echo "dashboard: screenshots in $shots:"
(cd "$shots" && find . -name '*.png' | sort | sed 's|^\./|  |')

echo "--- a page of 1,000 BGPVPNs, rendered on the server (load $(cut -d' ' -f1-3 /proc/loadavg))"
go test -count=1 -run '^$' -bench '^BenchmarkList1000$' -benchtime 20x ./internal/dashboard/ | grep -E '^Benchmark'
echo "dashboard: PASS"
