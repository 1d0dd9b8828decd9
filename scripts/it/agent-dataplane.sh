#!/usr/bin/env bash
# Dataplane stage: the linux driver in network namespaces (root needed).
# Two "compute nodes" and two "VMs" as namespaces; the VMs ping each other
# over VXLAN through an EVI and through a VRF, then through two agents and
# a reflector attached by REST. Installs iproute2 and ping when missing;
# the tests create namespaces named bvt-* and delete them.
set -euo pipefail
cd "$(dirname "$0")/../.."

missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v ping >/dev/null || missing+=(iputils-ping)
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq </dev/null
  timeout 600 apt-get install -y -qq "${missing[@]}" </dev/null
fi

# -p 1: both packages use the same namespace names.
BGPVPN_IT_NETNS=1 exec timeout 600 go test -p 1 -count=1 -timeout 540s ./internal/dataplane/linux/ ./internal/agent/interop/ -run 'Ping' </dev/null
