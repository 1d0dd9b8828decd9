#!/usr/bin/env bash
# Interop stage: bgpvpn-agent against a real gobgpd route reflector.
# Installs gobgpd (Debian package, daemon + gobgp CLI) when missing, then runs
# the Go interop tests, which start gobgpd and two agents on 127.0.0.0/8,
# check routes, withdrawals, a session reset and an agent restart, and kill
# everything they started. Needs root only to install packages.
set -euo pipefail
cd "$(dirname "$0")/../.."

if ! command -v gobgpd >/dev/null || ! command -v gobgp >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq </dev/null
  timeout 600 apt-get install -y -qq gobgpd </dev/null
fi

BGPVPN_IT_GOBGPD=1 exec timeout 600 go test -count=1 -timeout 540s -run 'GoBGP' ./internal/agent/interop/ </dev/null
