#!/usr/bin/env bash
# The drop-in proof: the original OpenStack stack on Open vSwitch with only
# bagpipe-bgp replaced by bgpvpn-agent.
#   controller (namespace bvd-<pid>-c): MariaDB, RabbitMQ, neutron-server 21
#     (ML2 openvswitch + l2population, VXLAN networks) with
#     networking-bgpvpn 17's bagpipe driver, and a gobgpd route reflector;
#   two compute nodes (namespaces bvd-<pid>-n1, -n2), each with its own
#     ovsdb-server and ovs-vswitchd (userspace datapath), Debian's
#     neutron-openvswitch-agent 21 with networking-bagpipe 17's
#     bagpipe_bgpvpn extension, and our bgpvpn-agent (ovs dataplane, on
#     br-mpls) on 127.0.0.1:8082 of the node, where the extension expects
#     bagpipe-bgp;
#   an underlay switch (192.0.2.0/24: GRE, VXLAN) and a management network
#     (10.254.0.0/24: RPC, BGP), both bridges of the controller namespace.
# VMs are namespaces whose veth is plugged into br-int as os-vif does
# (external_ids iface-id, attached-mac, iface-status), for ports created in
# Neutron with binding:host_id set by the admin as Nova does. Two networks,
# one VM each on a different node: no L2 path between them, so only the
# VPN joins them. Checked with the real `openstack` CLI: after `openstack
# bgpvpn network association create` of both networks, the VMs ping each
# other (MPLS over GRE between the br-mpls bridges); deleting an
# association cuts it.
# Needs root. Installs what it misses (scripts/lib/apt.sh), names
# everything bvd-<pid>-* (no lock needed: every daemon listens inside its
# own namespace), stops what it starts; exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
PY=/usr/bin/python3
. scripts/lib/services.sh

if [ "$(id -u)" -ne 0 ]; then
  echo "ovs-dropin: must run as root (network namespaces, Open vSwitch)" >&2
  exit 1
fi
# A lock descriptor inherited from flock must not reach the daemons
# (ovsdb-server and ovs-vswitchd detach).
for fd in $(ls /proc/$$/fd); do
  if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
done

. scripts/lib/apt.sh
apt_install_missing_nostart neutron-server neutron-openvswitch-agent python3-networking-bagpipe python3-networking-bgpvpn \
  python3-openstackclient python3-neutronclient rabbitmq-server mariadb-server python3-pymysql openvswitch-switch \
  gobgpd iproute2 iputils-ping curl >/dev/null || { echo "ovs-dropin: apt-get install failed" >&2; exit 1; }

id=bvd-$$
C=$id-c
work=$(mktemp -d /tmp/$id.XXXXXX)
chmod 755 "$work"
pids=()
cleanup() {
  local p n
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    p=${pids[$i]}
    kill -- -"$p" 2>/dev/null # the process's session (neutron's workers)
    stop_pid "$p"
  done
  [ -n "${rabbit_pid:-}" ] && stop_pid "$rabbit_pid"
  for n in 1 2; do
    for d in ovs-vswitchd ovsdb-server; do
      [ -f "$work/n$n/$d.pid" ] && stop_pid "$(cat "$work/n$n/$d.pid")"
    done
  done
  for ns in $(ip netns list | awk -v p="^$id-" '$1 ~ p {print $1}'); do
    # what is left in it (VM namespaces have no process)
    for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
    ip netns del "$ns"
  done
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }
die() { echo "ovs-dropin: $*" >&2; exit 1; }
# check NAME CMD...: a check that CMD succeeds.
check() { local name=$1; shift; if "$@" >"$work/out" 2>&1; then ok "$name"; else fail "$name: $(tr '\n' ' ' <"$work/out" | cut -c1-400)"; fi; }

echo "ovs-dropin: building bgpvpn-agent"
go build -o "$work/bgpvpn-agent" ./cmd/bgpvpn-agent || exit 1

# --- the lab's networks ---------------------------------------------------------
inns() { local ns=$1; shift; ip netns exec "$ns" "$@"; }
ip netns add "$C" || die "netns add $C"
ip -n "$C" link set lo up
for br in br0 br1; do ip -n "$C" link add "$br" type bridge && ip -n "$C" link set "$br" up; done
ip -n "$C" addr add 192.0.2.254/24 dev br0
ip -n "$C" addr add 10.254.0.254/24 dev br1

# ovs N ARGS...: a command on node N's Open vSwitch.
ovsenv() { local d=$work/n$1; echo "OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d OVS_SYSCONFDIR=$d"; }
onnode() { local n=$1; shift; env $(ovsenv "$n") ip netns exec "$id-n$n" "$@"; }
vsctl() { local n=$1; shift; onnode "$n" ovs-vsctl --db="unix:$work/n$n/db.sock" --timeout=30 "$@"; }
ofctl() { local n=$1; shift; onnode "$n" ovs-ofctl -O OpenFlow13 "$@"; }

node_up() { # node_up N: namespace, Open vSwitch, underlay 192.0.2.N on br-phy, management 10.254.0.N
  local n=$1 ns=$id-n$1 d=$work/n$1
  mkdir -p "$d"
  ip netns add "$ns" && ip -n "$ns" link set lo up || return 1
  # The kernel sees what arrives on u0 too (the userspace datapath reads
  # it with a packet socket): it must not answer ARP there.
  inns "$ns" sysctl -qw net.ipv4.conf.all.arp_ignore=1 net.ipv6.conf.all.disable_ipv6=1 || return 1
  ovsdb-tool create "$d/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return 1
  onnode "$n" ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --pidfile="$d/ovsdb-server.pid" \
    --unixctl="$d/ovsdb-server.ctl" --log-file="$d/ovsdb-server.log" --detach || return 1
  vsctl "$n" --no-wait init || return 1
  onnode "$n" ovs-vswitchd "unix:$d/db.sock" --pidfile="$d/ovs-vswitchd.pid" --unixctl="$d/ovs-vswitchd.ctl" \
    --log-file="$d/ovs-vswitchd.log" --detach || return 1
  ip -n "$C" link add "u$n" type veth peer name u0 netns "$ns" && ip -n "$C" link set "u$n" master br0 up || return 1
  vsctl "$n" add-br br-phy -- set bridge br-phy datapath_type=netdev -- add-port br-phy u0 || return 1
  ip -n "$ns" link set u0 up && ip -n "$ns" link set br-phy up && ip -n "$ns" addr add "192.0.2.$n/24" dev br-phy || return 1
  ip -n "$C" link add "m$n" type veth peer name m0 netns "$ns" && ip -n "$C" link set "m$n" master br1 up || return 1
  ip -n "$ns" addr add "10.254.0.$n/24" dev m0 && ip -n "$ns" link set m0 up
}
for n in 1 2; do node_up "$n" || die "node $n"; done
check "underlay: node 1 reaches node 2 through br-phy" wait_for 30 "underlay ping" inns "$id-n1" ping -c1 -W1 192.0.2.2

# --- controller: MariaDB, RabbitMQ, neutron-server, gobgpd ---------------------
mkdir -p "$work/c"
mariadb_start "$work/c" "$C" || die "MariaDB"
pids+=("$MARIADB_PID")
mariadb_sql "$work/c" -e "CREATE DATABASE neutron CHARACTER SET utf8mb4; CREATE USER 'neutron'@'localhost' IDENTIFIED BY 'neutron';
        GRANT ALL PRIVILEGES ON neutron.* TO 'neutron'@'localhost';" || die "database"

# RabbitMQ on the management network; its fixed ports are the namespace's own.
r=$work/c/rabbit
mkdir -p "$r/mnesia" "$r/log"
echo '[].' >"$r/enabled_plugins"
echo 'loopback_users = none' >"$r/rabbitmq.conf"
rabbit_env=(HOME="$r" RABBITMQ_NODENAME=bvd@localhost RABBITMQ_NODE_IP_ADDRESS=10.254.0.254 RABBITMQ_NODE_PORT=5672
  RABBITMQ_MNESIA_BASE="$r/mnesia" RABBITMQ_LOG_BASE="$r/log" RABBITMQ_ENABLED_PLUGINS_FILE="$r/enabled_plugins"
  RABBITMQ_CONFIG_FILE="$r/rabbitmq" RABBITMQ_PID_FILE="$r/pid")
rabbitctl() { inns "$C" env "${rabbit_env[@]}" timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n bvd@localhost "$@"; }
pids+=("$(spawn "$work/c/epmd.log" ip netns exec "$C" epmd)")
rabbit_pid=$(spawn "$work/c/rabbit.log" ip netns exec "$C" env "${rabbit_env[@]}" /usr/lib/rabbitmq/bin/rabbitmq-server)
wait_for 180 RabbitMQ rabbitctl await_startup || { tail -30 "$work/c/rabbit.log"; die "RabbitMQ"; }
BUS=rabbit://guest:guest@10.254.0.254:5672/

neutron_noauth_paste "$work/c"
mkdir -p "$work/c/state" "$work/c/lock"
cat >"$work/c/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9696
auth_strategy = noauth
api_paste_config = $work/c/api-paste.ini
core_plugin = ml2
service_plugins = router,bgpvpn
transport_url = $BUS
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
state_path = $work/c/state
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
use_stderr = true
[database]
connection = mysql+pymysql://neutron:neutron@localhost/neutron?unix_socket=$work/c/mysql.sock&charset=utf8
[oslo_concurrency]
lock_path = $work/c/lock
[oslo_messaging_notifications]
driver = noop
[oslo_policy]
policy_file = $work/c/policy.yaml
[service_providers]
service_provider = BGPVPN:BaGPipe:networking_bgpvpn.neutron.services.service_drivers.bagpipe.bagpipe_v2.BaGPipeBGPVPNDriver:default
[ml2]
type_drivers = vxlan
tenant_network_types = vxlan
mechanism_drivers = openvswitch,l2population
extension_drivers = port_security
[ml2_type_vxlan]
vni_ranges = 1:20000
[securitygroup]
enable_security_group = true
EOF
echo '{}' >"$work/c/policy.yaml"
export PYTHONPATH=$work/c/py
echo "ovs-dropin: neutron-db-manage upgrade heads"
inns "$C" $PY /usr/bin/neutron-db-manage --config-file "$work/c/neutron.conf" upgrade heads >"$work/c/db-manage.log" 2>&1 ||
  { tail -30 "$work/c/db-manage.log"; die "neutron-db-manage"; }
pids+=("$(spawn "$work/c/neutron.log" ip netns exec "$C" $PY /usr/bin/neutron-server --config-file "$work/c/neutron.conf")")
wait_for 180 neutron-server inns "$C" curl -fsS -m 2 http://127.0.0.1:9696/v2.0/extensions || { tail -40 "$work/c/neutron.log"; die "neutron-server"; }
echo "ovs-dropin: neutron-server up"

cat >"$work/c/rr.toml" <<'EOF'
[global.config]
  as = 64512
  router-id = "10.254.0.254"
  local-address-list = ["10.254.0.254"]
EOF
for n in 1 2; do
  cat >>"$work/c/rr.toml" <<EOF
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.254.0.$n"
    peer-as = 64512
  [neighbors.transport.config]
    passive-mode = true
  [neighbors.route-reflector.config]
    route-reflector-client = true
    route-reflector-cluster-id = "10.254.0.254"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l3vpn-ipv4-unicast"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "rtc"
EOF
done
pids+=("$(spawn "$work/c/gobgpd.log" ip netns exec "$C" gobgpd -f "$work/c/rr.toml" -p -l info --api-hosts 127.0.0.1:50051 --pprof-disable)")

# --- compute nodes: bgpvpn-agent, then neutron-openvswitch-agent ------------------
agent_up() { # agent_up N [EXTRA-CONF [EXTRA-IPVPN]]: bgpvpn-agent on node N, EXTRA-CONF appended to its bgp.conf, EXTRA-IPVPN to its [DATAPLANE_DRIVER_IPVPN]
  local n=$1 d=$work/n$1
  cat >"$d/bgp.conf" <<EOF
[BGP]
local_address = 10.254.0.$n
peers = 10.254.0.254
my_as = 64512
enable_rtc = True
[API]
host = 127.0.0.1
port = 8082
[DATAPLANE_DRIVER_IPVPN]
dataplane_driver = ovs
dataplane_local_address = 192.0.2.$n
ovs_bridge = br-mpls
ovs_datapath_type = netdev
ovs_rundir = $d
ovsdb_connection = unix:$d/db.sock
${3:-}
[DATAPLANE_DRIVER_EVPN]
dataplane_driver = ovs
EOF
  [ -n "${2:-}" ] && printf '%s\n' "$2" >>"$d/bgp.conf"
  : >"$d/bgpvpn-agent.log"
  agent_pid[$n]=$(spawn "$d/bgpvpn-agent.log" ip netns exec "$id-n$n" "$work/bgpvpn-agent" --config-file "$d/bgp.conf")
  pids+=("${agent_pid[$n]}")
  wait_for 60 "bgpvpn-agent on node $n" inns "$id-n$n" curl -fsS -m 2 http://127.0.0.1:8082/ping ||
    { tail -30 "$d/bgpvpn-agent.log"; return 1; }
}
declare -A agent_pid
for n in 1 2; do agent_up "$n" || die "bgpvpn-agent $n"; done
check "br-mpls created by bgpvpn-agent on node 1" vsctl 1 br-exists br-mpls

ovs_agent_up() { # ovs_agent_up N [EXTENSIONS]: neutron-openvswitch-agent on node N (default: bagpipe_bgpvpn)
  local n=$1 d=$work/n$1 ext=${2-bagpipe_bgpvpn}
  mkdir -p "$d/neutron/state" "$d/neutron/lock"
  cat >"$d/neutron/ovs-agent.conf" <<EOF
[DEFAULT]
host = node$n
transport_url = $BUS
state_path = $d/neutron/state
use_stderr = true
debug = true
[oslo_concurrency]
lock_path = $d/neutron/lock
[agent]
# what the agent runs as root (ovs-ofctl through privsep) must find this
# node's Open vSwitch
root_helper = env $(ovsenv "$n")
tunnel_types = vxlan
l2_population = true
arp_responder = true
extensions = $ext
[ovs]
local_ip = 192.0.2.$n
datapath_type = netdev
ovsdb_connection = unix:$d/db.sock
of_listen_address = 127.0.0.1
of_listen_port = 6633
integration_bridge = br-int
tunnel_bridge = br-tun
[securitygroup]
firewall_driver = noop
[BAGPIPE]
bagpipe_bgp_ip = 127.0.0.1
bagpipe_bgp_port = 8082
mpls_bridge = br-mpls
EOF
  ovs_pid[$n]=$(spawn "$d/neutron/ovs-agent.log" env $(ovsenv "$n") ip netns exec "$id-n$n" $PY /usr/bin/neutron-openvswitch-agent \
    --config-file "$d/neutron/ovs-agent.conf")
  pids+=("${ovs_pid[$n]}")
}
declare -A ovs_pid
for n in 1 2; do ovs_agent_up "$n"; done

for v in $(env | grep -o '^OS_[A-Z_]*'); do unset "$v"; done
osc() { inns "$C" timeout 120 /usr/bin/openstack --os-auth-type none --os-endpoint http://127.0.0.1:9696 "$@"; }
field() { $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
agents_alive() { [ "$(osc network agent list --agent-type open-vswitch -f value -c Host -c Alive | grep -c True)" = 2 ]; }
check "both neutron-openvswitch-agents report to neutron-server" wait_for 180 "OVS agents alive" agents_alive
patched() { local o; o=$(vsctl "$1" get Interface patch-from-tun ofport) && [ "$o" -gt 0 ] 2>/dev/null; }
for n in 1 2; do check "node $n: the extension patched br-mpls to br-tun" wait_for 60 "patch-from-tun" patched "$n"; done

# --- Neutron resources, VMs plugged as os-vif does -----------------------------------
for i in 1 2; do
  check "network net$i" osc network create "net$i"
  check "subnet sn$i" osc subnet create "sn$i" --network "net$i" --subnet-range "10.0.$i.0/24" --no-dhcp
  check "port vm$i on node$i" osc port create "vm$i" --network "net$i" --host "node$i" --fixed-ip "subnet=sn$i,ip-address=10.0.$i.5"
done

# plug N NAME: the VM namespace $id-N-NAME behind a veth on br-int of node N,
# with the MAC and address of Neutron port NAME, as os-vif plugs a VIF.
plug() {
  local n=$1 name=$2 ns=$id-n$1 vm=$id-n$1-$2 js port mac ip tap
  js=$(osc port show "$name" -f json) || return 1
  port=$(field id <<<"$js")
  mac=$(field mac_address <<<"$js")
  ip=$($PY -c "import json,sys; print(json.load(sys.stdin)['fixed_ips'][0]['ip_address'])" <<<"$js")
  tap=tap${port:0:11}
  ip netns add "$vm" && ip -n "$vm" link set lo up || return 1
  ip -n "$ns" link add "$tap" type veth peer name eth0 netns "$vm" || return 1
  ip -n "$vm" link set eth0 address "$mac" && ip -n "$vm" addr add "$ip/24" dev eth0 && ip -n "$vm" link set eth0 up || return 1
  ip -n "$vm" route add default via "${ip%.*}.1" || return 1
  ip -n "$ns" link set "$tap" up || return 1
  vsctl "$n" -- --may-exist add-port br-int "$tap" -- set Interface "$tap" \
    external_ids:iface-id="$port" external_ids:attached-mac="$mac" external_ids:iface-status=active external_ids:vm-uuid="vm-$name"
}
for i in 1 2; do check "vm$i plugged into br-int of node$i" plug "$i" "vm$i"; done
port_active() { [ "$(osc port show "$1" -f value -c status)" = ACTIVE ]; }
for i in 1 2; do check "port vm$i ACTIVE (bound by the OVS agent of node$i)" wait_for 120 "vm$i ACTIVE" port_active "vm$i"; done

pings() { inns "$id-n$1-vm$1" ping -c1 -W1 "$2"; }
no_ping() { ! pings "$@"; }
# never_pings N TO: for 3 s, N never reaches TO.
never_pings() {
  local end=$((SECONDS + 3))
  while [ $SECONDS -lt $end ]; do pings "$1" "$2" >/dev/null 2>&1 && return 1; done
  return 0
}
check "no VPN yet: vm1 does not reach vm2" never_pings 1 10.0.2.5

check "bgpvpn create" osc bgpvpn create --name vpn1 --route-target 64512:77
for i in 1 2; do check "bgpvpn network association create vpn1 net$i" osc bgpvpn network association create vpn1 "net$i"; done
check "vm1 pings vm2 through the IP VPN" wait_for 60 "vm1 -> vm2" pings 1 10.0.2.5
check "vm2 pings vm1 through the IP VPN" wait_for 30 "vm2 -> vm1" pings 2 10.0.1.5
mpls_flows() { ofctl "$1" dump-flows br-mpls | grep -q 'push_mpls'; }
check "node 1's br-mpls pushes MPLS labels" mpls_flows 1

assoc=$(osc bgpvpn network association list vpn1 -f value -c ID -c "Network ID" | awk -v net="$(osc network show net2 -f value -c id)" '$2 == net {print $1}')
check "bgpvpn network association delete (net2)" osc bgpvpn network association delete "$assoc" vpn1
check "association deleted: vm1 no longer reaches vm2" wait_for 60 "vm1 -/-> vm2" no_ping 1 10.0.2.5

echo "--- our feed on the same OVS cloud: bgpvpn-server (Neutron mode) in networking-bgpvpn's place, no extension"
# The OVS agents restart without networking-bagpipe's extension (their
# restart removes the extension's flows from br-int and br-tun); our
# agents follow the feed and do the plumbing on br-int themselves.
# A restarted OVS agent takes a new cookie and, once in sync, removes the
# flows of other cookies from its tables (ours in table 0 too), br-int's
# then br-tun's, which it logs: cleanups N counts them.
cleanups() { grep -c 'Cleaning stale br-tun flows' "$work/n$1/neutron/ovs-agent.log"; }
declare -A cleaned
for n in 1 2; do
  cleaned[$n]=$(cleanups "$n")
  stop_pid "${agent_pid[$n]}"
  kill -- -"${ovs_pid[$n]}" 2>/dev/null
  stop_pid "${ovs_pid[$n]}"
done
for n in 1 2; do ovs_agent_up "$n" ""; done
cat >"$work/c/server.conf" <<EOF
[DEFAULT]
data_dir = $work/c/server-data
[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = stage-secret
[neutron]
auth_type = none
endpoint_override = http://127.0.0.1:9696
resync_interval = 1
EOF
go build -o "$work/bgpvpn-server" ./cmd/bgpvpn-server || exit 1
pids+=("$(spawn "$work/c/server.log" ip netns exec "$C" "$work/bgpvpn-server" --config-file "$work/c/server.conf" --bind 10.254.0.254:9797)")
wait_for 60 bgpvpn-server inns "$C" curl -fsS -m 2 http://10.254.0.254:9797/v2.0/bgpvpn/bgpvpns || { tail -30 "$work/c/server.log"; die "bgpvpn-server"; }
feed_conf() { printf '[AGENT_FEED]\nserver_url = http://10.254.0.254:9797\nshared_secret = stage-secret\nhost = node%s\n' "$1"; }
for n in 1 2; do
  agent_up "$n" "$(feed_conf "$n")" "$(printf 'integration_bridge = br-int\nadopt_grace = 5')" || die "bgpvpn-agent $n on the feed"
done
check "both neutron-openvswitch-agents back without the extension" wait_for 180 "OVS agents alive" agents_alive
osf() { inns "$C" timeout 120 /usr/bin/openstack --os-auth-type none --os-endpoint http://10.254.0.254:9797 "$@"; }
# The OVS agent's flows on br-int, without ours and without counters.
foreign_flows() { ofctl "$1" dump-flows br-int --no-stats | grep -v 'cookie=0xb6b0' | sed -e 's/^ *//' | sort; }
resynced() { [ "$(cleanups "$1")" -gt "${cleaned[$1]}" ]; }
for n in 1 2; do check "node $n: the restarted OVS agent replaced its flows" wait_for 180 "node $n's OVS agent resync" resynced "$n"; done
for n in 1 2; do foreign_flows "$n" >"$work/n$n/flows-before"; done
for i in 1 2; do inns "$id-n$i-vm$i" ip neigh flush all; done
check "no VPN on the feed yet: vm1 does not reach vm2" never_pings 1 10.0.2.5
check "bgpvpn create (bgpvpn-server)" osf bgpvpn create --name vpn2 --route-target 64512:88
for i in 1 2; do check "bgpvpn network association create vpn2 net$i (bgpvpn-server)" wait_for 60 "net$i in the mirror" osf bgpvpn network association create vpn2 "net$i"; done
check "feed: vm1 pings vm2 through the IP VPN" wait_for 60 "vm1 -> vm2" pings 1 10.0.2.5
check "feed: vm2 pings vm1 through the IP VPN" wait_for 30 "vm2 -> vm1" pings 2 10.0.1.5
ours_on_brint() { ofctl "$1" dump-flows br-int | grep -q 'cookie=0xb6b0'; }
check "node 1's br-int has our redirect flows" ours_on_brint 1
same_flows() { foreign_flows "$1" | diff "$work/n$1/flows-before" -; }
for n in 1 2; do check "node $n: the OVS agent's flows on br-int untouched" same_flows "$n"; done
# A restarted OVS agent removes the flows it does not know, ours too: the
# driver puts them back (it checks every 2 s).
cleaned[1]=$(cleanups 1)
kill -- -"${ovs_pid[1]}" 2>/dev/null
stop_pid "${ovs_pid[1]}"
ovs_agent_up 1 ""
check "node 1's OVS agent restarted and resynced" wait_for 180 "node 1's OVS agent resync" resynced 1
check "after the OVS agent's restart, vm1 pings vm2 again" wait_for 60 "vm1 -> vm2" pings 1 10.0.2.5
# The fallback toward the Neutron router: what matches no VPN route goes to
# the router of the VM's subnet (the feed's gateway_mac) through br-int, on
# the network's local VLAN. Router r1's interface on sn1 is plugged on
# node 1 as the L3 agent plugs its qr- port (bound to node1, so that the
# OVS agent wires it with net1's local VLAN); the router's namespace
# answers for 198.51.100.1, which no VPN route covers.
rtr_out=198.51.100.1
check "no router yet: vm1 does not reach $rtr_out" never_pings 1 $rtr_out
check "router create r1" osc router create r1
check "router add subnet r1 sn1" osc router add subnet r1 sn1
plug_router() {
  local port mac ns=$id-n1 rt=$id-n1-r1 qr
  port=$(osc port list --router r1 -f value -c ID | head -1) && [ -n "$port" ] || return 1
  osc port set --host node1 "$port" || return 1
  mac=$(osc port show "$port" -f value -c mac_address) || return 1
  qr=qr-${port:0:11}
  ip netns add "$rt" && ip -n "$rt" link set lo up || return 1
  ip -n "$ns" link add "$qr" type veth peer name eth0 netns "$rt" || return 1
  ip -n "$rt" link set eth0 address "$mac" && ip -n "$rt" addr add 10.0.1.1/24 dev eth0 && ip -n "$rt" link set eth0 up || return 1
  ip -n "$rt" addr add "$rtr_out/32" dev lo && ip -n "$ns" link set "$qr" up || return 1
  vsctl 1 -- --may-exist add-port br-int "$qr" -- set Interface "$qr" \
    external_ids:iface-id="$port" external_ids:attached-mac="$mac" external_ids:iface-status=active
}
check "router r1's interface on net1 plugged into br-int of node1" plug_router
check "feed: vm1 reaches the router's $rtr_out through the fallback" wait_for 90 "vm1 -> router" pings 1 $rtr_out
fallback_flow() { ofctl 1 dump-flows br-mpls | grep '00:00:5e:2a:10:00->eth_src'; }
check "node 1's br-mpls sends the rest to the router (source 00:00:5e:2a:10:00)" fallback_flow
check "router remove subnet r1 sn1" osc router remove subnet r1 sn1
check "router interface removed: vm1 no longer reaches $rtr_out" wait_for 60 "vm1 -/-> router" no_ping 1 $rtr_out
assoc2=$(osf bgpvpn network association list vpn2 -f value -c ID -c "Network ID" | awk -v net="$(osc network show net2 -f value -c id)" '$2 == net {print $1}')
check "bgpvpn network association delete (net2, bgpvpn-server)" osf bgpvpn network association delete "$assoc2" vpn2
check "feed: association deleted, vm1 no longer reaches vm2" wait_for 60 "vm1 -/-> vm2" no_ping 1 10.0.2.5
no_ours_on_brint2() { ! ofctl 2 dump-flows br-int | grep -q 'cookie=0xb6b0'; }
check "node 2's br-int: our flows gone with its last VPN port" wait_for 30 "flows removed" no_ours_on_brint2

echo "ovs-dropin: $passed passed, $failed failed, in ${SECONDS}s (load $(cut -d' ' -f1-3 /proc/loadavg))"
if [ $failed -gt 0 ]; then
  for n in 1 2; do
    echo "--- node $n: bgpvpn-agent log (tail)"; tail -20 "$work/n$n/bgpvpn-agent.log"
    echo "--- node $n: neutron-openvswitch-agent errors"; grep -E 'ERROR|Traceback' "$work/n$n/neutron/ovs-agent.log" | tail -10
  done
  exit 1
fi
