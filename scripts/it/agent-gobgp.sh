#!/usr/bin/env bash
# Interop stage: bgpvpn-agent against a real gobgpd route reflector, and
# bagpipe-bgp's own looking glass client against our looking glass.
# Installs gobgpd (Debian package, daemon + gobgp CLI) when missing, then runs
# the Go interop tests, which start gobgpd and two agents on 127.0.0.0/8,
# check routes, withdrawals, a session reset and an agent restart, and kill
# everything they started. EVPN type 5 routes gobgpd originates go through
# the linux driver into a network namespace the test creates and deletes
# (bvt-t5): root needed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh
. scripts/lib/gotest.sh

# bagpipe-looking-glass (python3-networking-bagpipe) must read our looking
# glass unchanged.
missing=()
command -v gobgpd >/dev/null && command -v gobgp >/dev/null || missing+=(gobgpd)
command -v bagpipe-looking-glass >/dev/null || missing+=(python3-networking-bagpipe)
command -v ip >/dev/null || missing+=(iproute2)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

BGPVPN_IT_GOBGPD=1 BGPVPN_IT_BAGPIPE_LG=1 go_test_noskip -count=1 -timeout 540s \
  -run 'GoBGP|LookingGlassTool|EBGP' ./internal/agent/interop/
