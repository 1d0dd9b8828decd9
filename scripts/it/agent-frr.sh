#!/usr/bin/env bash
# Interop stage: bgpvpn-agent peering directly with FRR bgpd (VPNv4 routes
# originated with "network … rd … label …", EVPN type 2/3/5 received, no RT
# constraint so full tables). Installs frr when missing, then runs the gated
# Go test, which starts bgpd without zebra and the agent on 127.0.0.0/8 and
# kills them at the end.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh
. scripts/lib/gotest.sh

if [ ! -x /usr/lib/frr/bgpd ] || ! command -v vtysh >/dev/null; then
  apt_install frr
fi

BGPVPN_IT_FRR=1 go_test_noskip -count=1 -timeout 540s -run 'FRR' ./internal/agent/interop/
