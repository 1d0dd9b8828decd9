#!/usr/bin/env bash
# Dataplane stage: the linux driver against the real kernel, as root, in
# network namespaces the tests create and delete (two "compute nodes" joined
# by a veth underlay, "VMs" behind them pinging over VXLAN, restarts under
# ping). Installs iproute2 when missing. Skipped tests do not count: the
# tests fail, rather than skip, when BGPVPN_NETNS_TESTS=1 and not root.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "dataplane-linux: must run as root (network namespaces)" >&2
  exit 1
fi
if ! command -v ip >/dev/null || ! command -v bridge >/dev/null || ! command -v ping >/dev/null; then
  apt_install iproute2 iputils-ping
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
BGPVPN_NETNS_TESTS=1 timeout 600 go test -count=1 -timeout 540s -v ./internal/dataplane/linux/ </dev/null >"$out" 2>&1 || status=$?
grep -E '^(--- |ok|FAIL|PASS)|restart:' "$out" || true
if grep -q -- '--- SKIP' "$out"; then
  echo "dataplane-linux: some kernel tests were skipped" >&2
  exit 1
fi
if [ "$status" -ne 0 ] || ! grep -q '^ok' "$out"; then
  grep -v '^time=' "$out" | tail -100 >&2
  exit 1
fi
