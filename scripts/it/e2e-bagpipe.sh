#!/usr/bin/env bash
# End-to-end stage: bgpvpn-server (bagpipe driver, agent feed), a route
# reflector, two compute nodes running bgpvpn-agent on the feed with the
# linux dataplane, VMs as namespaces behind tap interfaces, an FRR PE
# as an external site and a site gateway (a third bgpvpn-agent, a PE with a
# data plane, sites as namespaces behind it); the tempest scenarios replayed
# through the REST API and checked with ping and the looking glass.
# TestNeutronOwnsThePorts also needs a real neutron-server 21
# (scripts/lib/neutron.sh: private MariaDB, free loopback port, noauth),
# started here and named to the test in BGPVPN_E2E_NEUTRON. Needs root;
# installs iproute2, ping, frr and neutron-server when missing. The test creates namespaces bve-*
# and a veth bve-root, and removes them, and its daemons die with it; the
# trap below cleans up after a test binary that was killed.
set -euo pipefail
cd "$(dirname "$0")/../.."
. scripts/lib/apt.sh
. scripts/lib/gotest.sh
. scripts/lib/neutron.sh

nwork=
cleanup() {
  neutron_down
  [ -z "$nwork" ] || rm -rf "$nwork"
  for ns in $(ip netns list 2>/dev/null | awk '$1 ~ /^bve-/ {print $1}'); do ip netns del "$ns" 2>/dev/null || true; done
  ip link del bve-root 2>/dev/null || true
}
trap cleanup EXIT

missing=()
command -v ip >/dev/null || missing+=(iproute2)
command -v ping >/dev/null || missing+=(iputils-ping)
{ [ -x /usr/lib/frr/bgpd ] && command -v vtysh >/dev/null; } || missing+=(frr)
[ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"

neutron_install
nwork=$(mktemp -d /tmp/bgpvpn-e2e-neutron.XXXXXX)
chmod 755 "$nwork"
neutron_db_start "$nwork"
neutron_configure "$nwork"
neutron_start
export BGPVPN_E2E_NEUTRON=$NEUTRON

BGPVPN_E2E=1 go_test_noskip -count=1 -timeout 400s ./internal/e2e/
