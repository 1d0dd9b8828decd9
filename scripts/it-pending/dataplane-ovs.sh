#!/usr/bin/env bash
# PENDING: not yet in scripts/it (which scripts/test runs) because its last
# lab run, before the final fixes, still failed (see the ovs branch's
# report); move it to scripts/it/ once "flock -o /tmp/bgpvpn-it.lock bash
# scripts/it-pending/dataplane-ovs.sh" passes.
# Dataplane stage: the ovs driver against real Open vSwitch (Debian's
# openvswitch-switch, userspace datapath: no kernel module needed), as
# root. The tests build their own "compute nodes" (network namespaces
# bvo-<pid>-n<N>, each with its own ovsdb-server and ovs-vswitchd in a
# temporary directory), VMs behind OVS ports and an underlay switch, and
# remove them: VMs ping over an IP VPN (MPLS over GRE, VXLAN) and an EVPN
# (VXLAN); restarts of the driver and of ovs-vswitchd under a ping flood;
# then two whole agents with the ovs driver and a reflector.
# Installs openvswitch-switch, iproute2 and ping when missing. Skipped
# tests do not count: they fail, rather than skip, when
# BGPVPN_OVS_TESTS=1 and not root or a tool is missing.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Run under "flock /tmp/bgpvpn-it.lock", this script would hand the lock's
# descriptor to the daemons the tests start (ovsdb-server and ovs-vswitchd
# detach), and one left behind would hold the lock for ever: close every
# inherited descriptor (flock, our parent, keeps the lock).
for fd in $(ls /proc/$$/fd); do
  if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

if [ "$(id -u)" -ne 0 ]; then
  echo "dataplane-ovs: must run as root (network namespaces, Open vSwitch)" >&2
  exit 1
fi
if ! command -v ovs-vswitchd >/dev/null || ! command -v ip >/dev/null || ! command -v ping >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get -o DPkg::Lock::Timeout=900 update -qq </dev/null
  timeout 900 apt-get -o DPkg::Lock::Timeout=900 install -y -qq openvswitch-switch iproute2 iputils-ping </dev/null
fi

out=$(mktemp)
# What a killed test run would leave: its daemons (pidfiles in its
# temporary directories) and its bvo-* namespaces.
cleanup() {
  rm -f "$out"
  for pid in /tmp/bvo-*-n*-*/ovs-vswitchd.pid /tmp/bvo-*-n*-*/ovsdb-server.pid; do
    [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true
  done
  for ns in $(ip netns list | awk '/^bvo-[0-9]+-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
  rm -rf /tmp/bvo-*-n*-*/ 2>/dev/null || true
}
trap cleanup EXIT
status=0
BGPVPN_OVS_TESTS=1 timeout 900 go test -count=1 -timeout 840s -v ./internal/dataplane/ovs/ </dev/null >"$out" 2>&1 || status=$?
# Whole agents (reflector, two agents, VMs attached by REST) over the driver.
BGPVPN_OVS_TESTS=1 timeout 600 go test -count=1 -timeout 540s -v -run 'OVS' ./internal/agent/interop/ </dev/null >>"$out" 2>&1 || status=$?
grep -E '^(--- |    --- |ok|FAIL|PASS)|restart:' "$out" || true
if grep -q -- '--- SKIP' "$out"; then
  echo "dataplane-ovs: some Open vSwitch tests were skipped" >&2
  exit 1
fi
if [ "$status" -ne 0 ] || [ "$(grep -c '^ok' "$out")" -ne 2 ]; then
  grep -v '^time=' "$out" | tail -100 >&2
  exit 1
fi
