#!/usr/bin/env bash
# Dataplane stage: two agents and a reflector over the linux driver in
# network namespaces (root needed): "VMs" attached by REST ping each other
# over VXLAN through an EVI and through a VRF. Installs iproute2 and ping when missing;
# the tests create namespaces named bvt-* and delete them.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh
. scripts/lib/gotest.sh

missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v ping >/dev/null || missing+=(iputils-ping)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

# The driver alone is proven by dataplane-linux.sh; this stage runs whole
# agents (reflector, two agents, VMs attached by REST) over it.
BGPVPN_IT_NETNS=1 go_test_noskip -count=1 -timeout 540s -run 'Ping' ./internal/agent/interop/
