#!/usr/bin/env bash
# Dataplane stage: the ovs driver against real Open vSwitch (Debian's
# openvswitch-switch, userspace datapath: no kernel module needed), as
# root. The tests build their own "compute nodes" (network namespaces
# bvo-<pid>-n<N>, each with its own ovsdb-server and ovs-vswitchd in a
# temporary directory), VMs behind OVS ports and an underlay switch, and
# remove them: VMs ping over an IP VPN (MPLS over GRE, VXLAN) and an EVPN
# (VXLAN); restarts of the driver and of ovs-vswitchd under a ping flood,
# a deleted bridge, a renumbered port; a VM on a br-int (integration_bridge,
# the feed on an OVS cloud) reaching the Neutron router through the
# fallback; then whole agents with the ovs driver, a gobgpd reflector and
# an FRR PE. Names carry the test's pid and ports are free ones: no shared
# lock needed.
# Installs openvswitch-switch (its services not started: the tests start
# their own daemons), gobgpd, frr, iproute2 and ping when missing. Skipped
# tests do not count: they fail, rather than skip, when BGPVPN_OVS_TESTS=1
# and not root or a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh
. scripts/lib/gotest.sh
# Under flock, this script would hand the lock's descriptor to the
# daemons the tests start (ovsdb-server and ovs-vswitchd detach), and one
# left behind would hold the lock for ever: close every inherited
# descriptor (flock, our parent, keeps the lock).
for fd in $(ls /proc/$$/fd); do
  if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

if [ "$(id -u)" -ne 0 ]; then
  echo "dataplane-ovs: must run as root (network namespaces, Open vSwitch)" >&2
  exit 1
fi
missing=()
command -v ovs-vswitchd >/dev/null || missing+=(openvswitch-switch)
command -v ip >/dev/null || missing+=(iproute2)
command -v ping >/dev/null || missing+=(iputils-ping)
command -v gobgpd >/dev/null && command -v gobgp >/dev/null || missing+=(gobgpd)
[ -x /usr/lib/frr/bgpd ] && command -v vtysh >/dev/null || missing+=(frr)
[ ${#missing[@]} -eq 0 ] || apt_install_missing_nostart "${missing[@]}"

# What a killed run of this stage left: the daemons and bvo-<pid>-*
# namespaces of test processes that are gone (never those of a run still
# going, here or in another worktree).
cleanup() {
  local d id pid ns
  for d in /tmp/bvo-*-n*-*/; do
    [ -d "$d" ] || continue
    id=$(basename "$d" | cut -d- -f2)
    [ -d "/proc/$id" ] && continue
    for pid in "$d"ovs-vswitchd.pid "$d"ovsdb-server.pid; do
      [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
    done
    rm -rf "$d"
  done
  for ns in $(ip netns list | awk '/^bvo-[0-9]+-/ {print $1}'); do
    id=$(cut -d- -f2 <<<"$ns")
    [ -d "/proc/$id" ] || ip netns del "$ns" 2>/dev/null || true
  done
}
trap cleanup EXIT
cleanup

BGPVPN_OVS_TESTS=1 go_test_noskip -count=1 -timeout 840s ./internal/dataplane/ovs/
# Whole agents (a gobgpd reflector, two agents, an FRR PE, VMs attached by
# REST) over the driver.
BGPVPN_OVS_TESTS=1 go_test_noskip -count=1 -timeout 540s -run 'OVS' ./internal/agent/interop/
