#!/usr/bin/env bash
# bgpvpn-server in Neutron mode before a real neutron-server 21 (Debian
# bookworm packages; ML2 with the vxlan type driver, router service plugin,
# no agents, noauth), on a private MariaDB (unix socket) and free loopback
# ports. Everything goes through one endpoint, bgpvpn-server's front, with
# the real `openstack` CLI (auth type none):
#   a. networks, subnets, ports (binding:host_id set by the admin, as Nova
#      does) and routers created in Neutron through the front; BGPVPNs and
#      associations through the same endpoint
#   b. the agent feed's attachments of a host appear, move with the port's
#      binding, change with its fixed IPs, appear and disappear with a
#      router interface, and disappear when the port is deleted; a deleted
#      network loses its associations
#   c. the L3 rule of the original (no interface between a network and a
#      router both in L3 BGPVPNs) is enforced on requests through the front
#   d. bgpvpn-server restarted, Neutron stopped for a while: reads keep
#      working, the agents' feed keeps its state, and the mirror converges
#      on what changed meanwhile (periodic resync every second)
#   e. Neutron's notifications (messagingv2 on a RabbitMQ the stage starts,
#      private node name and ports) with the periodic resync an hour away:
#      a port change reaches the feed; RabbitMQ stopped for a while, the
#      mirror converges when it is back. Measured: port update committed
#      in Neutron -> new state on the agent feed, p50/p99 over 100 updates;
#      the front's added latency on a Neutron request (p50); with
#      NEUTRON_SCALE_PORTS=10000, the first full sync of that many more
#      ports (seconds from start, peak memory)
# Installs what it needs when missing; stops what it starts; exits non-zero
# if any check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
PY=/usr/bin/python3
# spawn, wait_for, stop_pid, freeport, mariadb_start, neutron_noauth_paste
. scripts/lib/services.sh

work=$(mktemp -d /tmp/bgpvpn-it-neutron.XXXXXX)
chmod 755 "$work"
db_pid= neutron_pid= server_pid= rabbit_pid= epmd_pid=
cleanup() {
  stop_pid "$server_pid"
  # neutron-server forks API workers in its session: end the session.
  [ -n "$neutron_pid" ] && kill -- -"$neutron_pid" 2>/dev/null
  stop_pid "$neutron_pid"
  stop_pid "$db_pid"
  type stop_rabbit >/dev/null 2>&1 && stop_rabbit
  stop_pid "$epmd_pid"
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# --- what we need -----------------------------------------------------------
need=()
for p in neutron-server python3-openstackclient python3-neutronclient mariadb-server python3-pymysql rabbitmq-server curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "neutron: installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Debian's maintainer scripts must not start a system-wide neutron-server
  # or MariaDB (ports 9696, 3306).
  made_policy=
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made_policy=1
  fi
  . scripts/lib/apt.sh
  apt_install "${need[@]}" >/dev/null
  rc=$?
  [ -n "$made_policy" ] && rm -f /usr/sbin/policy-rc.d
  [ $rc -eq 0 ] || { echo "neutron: apt-get install failed" >&2; exit 1; }
fi


# --- MariaDB ----------------------------------------------------------------
sock=$work/mysql.sock
mariadb_start "$work" || exit 1
db_pid=$MARIADB_PID
sql() { mariadb_sql "$work" "$@"; }
sql -e "CREATE DATABASE neutron CHARACTER SET utf8mb4; CREATE USER 'neutron'@'localhost' IDENTIFIED BY 'neutron';
        GRANT ALL PRIVILEGES ON neutron.* TO 'neutron'@'localhost';"

# --- RabbitMQ (private node, ports, epmd) -------------------------------------
rport=$(freeport)
export RABBITMQ_NODENAME=bgpvpnit$$@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$rport \
  RABBITMQ_DIST_PORT=$(freeport) ERL_EPMD_PORT=$(freeport) RABBITMQ_MNESIA_BASE=$work/rabbit/mnesia \
  RABBITMQ_LOG_BASE=$work/rabbit/log RABBITMQ_ENABLED_PLUGINS_FILE=$work/rabbit/enabled_plugins \
  RABBITMQ_CONFIG_FILE=$work/rabbit/rabbitmq RABBITMQ_PID_FILE=$work/rabbit/pid
mkdir -p "$work/rabbit/mnesia" "$work/rabbit/log"
echo '[].' >"$work/rabbit/enabled_plugins"
echo 'loopback_users = none' >"$work/rabbit/rabbitmq.conf"
rabbitctl() { HOME=$work/rabbit timeout 60 /usr/lib/rabbitmq/bin/rabbitmqctl -n "$RABBITMQ_NODENAME" "$@"; }
epmd_pid=$(spawn "$work/epmd.log" epmd -port "$ERL_EPMD_PORT")
start_rabbit() {
  rabbit_pid=$(HOME=$work/rabbit spawn "$work/rabbit.log" /usr/lib/rabbitmq/bin/rabbitmq-server)
  wait_for 120 RabbitMQ rabbitctl await_startup || { tail -30 "$work/rabbit.log"; exit 1; }
}
stop_rabbit() {
  [ -n "$rabbit_pid" ] || return 0
  rabbitctl stop >/dev/null 2>&1
  stop_pid "$rabbit_pid"
  rabbit_pid=
}
start_rabbit
BUS=rabbit://guest:guest@127.0.0.1:$rport/
echo "neutron: RabbitMQ on 127.0.0.1:$rport"

# --- neutron-server -----------------------------------------------------------
nport=$(freeport)
NEUTRON=http://127.0.0.1:$nport
mkdir -p "$work/etc" "$work/state" "$work/lock" "$work/policy.d" "$work/py"
cat >"$work/etc/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $nport
auth_strategy = noauth
api_paste_config = $work/etc/api-paste.ini
core_plugin = ml2
service_plugins = router
transport_url = fake:/
api_workers = 1
rpc_workers = 0
state_path = $work/state
notify_nova_on_port_status_changes = false
notify_nova_on_port_data_changes = false
use_stderr = true
[database]
connection = mysql+pymysql://neutron:neutron@localhost/neutron?unix_socket=$sock&charset=utf8
[oslo_concurrency]
lock_path = $work/lock
[oslo_messaging_notifications]
# RPC stays on fake:/ (no agents); notifications go to RabbitMQ, dropped
# rather than retried while it is down, so that Neutron's API never waits.
driver = messagingv2
transport_url = $BUS
topics = notifications
retry = 0
[oslo_policy]
policy_file = $work/etc/policy.yaml
policy_dirs = $work/policy.d
[ml2]
type_drivers = vxlan
tenant_network_types = vxlan
mechanism_drivers =
extension_drivers =
[ml2_type_vxlan]
vni_ranges = 1:20000
[securitygroup]
# true: Neutron 21's bulk port create fails (500) with them disabled
enable_security_group = true
[quotas]
# the scale measure creates more ports than Neutron's default 500
quota_port = -1
EOF
echo '{}' >"$work/etc/policy.yaml"
# noauth with an identity: a request without identity headers is the
# admin (what `openstack --os-auth-type none` sends), as Neutron's
# keystonecontext then reads it from the headers.
neutron_noauth_paste "$work/etc"
export PYTHONPATH=$work/etc/py
echo "neutron: neutron-db-manage upgrade heads"
$PY /usr/bin/neutron-db-manage --config-file "$work/etc/neutron.conf" --subproject neutron upgrade heads >"$work/db-manage.log" 2>&1 ||
  { tail -30 "$work/db-manage.log"; exit 1; }
start_neutron() {
  neutron_pid=$(spawn "$work/neutron.log" $PY /usr/bin/neutron-server --config-file "$work/etc/neutron.conf")
  wait_for 180 neutron-server curl -fsS -m 2 "$NEUTRON/v2.0/extensions" || { tail -40 "$work/neutron.log"; exit 1; }
}
stop_neutron() {
  kill -- -"$neutron_pid" 2>/dev/null
  stop_pid "$neutron_pid"
  neutron_pid=
}
start_neutron
echo "neutron: neutron-server on $NEUTRON"

# --- bgpvpn-server in Neutron mode --------------------------------------------
go build -o "$work/bgpvpn-server" ./cmd/bgpvpn-server || exit 1
fport=$(freeport)
EP=http://127.0.0.1:$fport
cat >"$work/server.conf" <<EOF
[DEFAULT]
data_dir = $work/data
[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = stage-secret
[neutron]
auth_type = none
endpoint_override = $NEUTRON
resync_interval = 1
EOF
start_server() { # start_server [CONF]
  server_pid=$(spawn "$work/server.log" "$work/bgpvpn-server" --config-file "${1:-$work/server.conf}" --bind "127.0.0.1:$fport")
  wait_for 60 bgpvpn-server curl -fsS -m 2 "$EP/v2.0/bgpvpn/bgpvpns" || { tail -40 "$work/server.log"; exit 1; }
}
start_server
echo "neutron: bgpvpn-server (Neutron mode) on $EP"

for v in $(env | grep -o '^OS_[A-Z_]*'); do unset "$v"; done
osc() { timeout 120 /usr/bin/openstack --os-auth-type none --os-endpoint "$EP" "$@"; }
# check NAME CMD...: a check that CMD succeeds.
check() { local name=$1; shift; if "$@" >"$work/out" 2>&1; then ok "$name"; else fail "$name: $(tr '\n' ' ' <"$work/out" | cut -c1-400)"; fi; }

# feed HOST: the host's attachments on the agent feed, one "port ip" a line.
feed() {
  $PY - "$EP" "$1" <<'EOF'
import json, sys, urllib.request
ep, host = sys.argv[1], sys.argv[2]
req = urllib.request.Request(f"{ep}/v2.0/agent-feed/hosts/{host}/watch", headers={"Authorization": "Bearer stage-secret"})
with urllib.request.urlopen(req, timeout=10) as r:
    msg = json.loads(r.readline())
out = sorted({f"{a['port_id']} {ip['address']}" for a in msg.get("attachments") or [] for ip in a["ip_addresses"]})
print("\n".join(out))
EOF
}
# feed_is HOST WANT: the host's feed is exactly WANT (lines).
feed_is() { [ "$(feed "$1")" = "$2" ]; }
# converges NAME SECONDS HOST WANT
converges() {
  if wait_for "$2" "$1" feed_is "$3" "$4"; then ok "$1"; else fail "$1: feed of $3 is '$(feed "$3" | tr '\n' ',')', want '$(tr '\n' ',' <<<"$4")'"; fi
}
field() { $PY -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }

echo "--- a. Neutron's resources and BGPVPNs through one endpoint"
check "network create" osc network create net1
check "subnet create" osc subnet create sn1 --network net1 --subnet-range 10.10.0.0/24 --no-dhcp
check "port create with binding:host_id" osc port create p1 --network net1 --host h1 --fixed-ip subnet=sn1,ip-address=10.10.0.5
port1=$(osc port show p1 -f json | field id)
check "bgpvpn create" osc bgpvpn create --name vpn1 --route-target 64512:1
check "bgpvpn network association create" wait_for 30 "net1 in the mirror" osc bgpvpn network association create vpn1 net1
has_extensions() { curl -fsS "$EP/v2.0/extensions" | $PY -c 'import json,sys; a={e["alias"] for e in json.load(sys.stdin)["extensions"]}; sys.exit(not {"bgpvpn","router","binding"} <= a)'; }
check "extensions: Neutron's and ours" has_extensions

echo "--- b. the agent feed follows Neutron"
converges "attachments of h1 appear" 30 h1 "$port1 10.10.0.5/24"
check "port rebound to h2 in Neutron" osc port set p1 --host h2
converges "attachments move to h2" 30 h2 "$port1 10.10.0.5/24"
converges "and leave h1" 30 h1 ""
check "port's fixed IP changed in Neutron" osc port set p1 --no-fixed-ip --fixed-ip subnet=sn1,ip-address=10.10.0.77
converges "attachments follow the fixed IP" 30 h2 "$port1 10.10.0.77/24"

check "network create net2" osc network create net2
check "subnet create sn2" osc subnet create sn2 --network net2 --subnet-range 10.20.0.0/24 --no-dhcp
check "port create p2 on h3" osc port create p2 --network net2 --host h3 --fixed-ip subnet=sn2,ip-address=10.20.0.5
port2=$(osc port show p2 -f json | field id)
check "router create" osc router create r1
check "bgpvpn create vpn2" osc bgpvpn create --name vpn2 --route-target 64512:2
check "bgpvpn router association create" wait_for 30 "r1 in the mirror" osc bgpvpn router association create vpn2 r1
converges "no router interface, no attachment" 30 h3 ""
check "router add subnet in Neutron" osc router add subnet r1 sn2
converges "router interface added: attachments of h3 appear" 30 h3 "$port2 10.20.0.5/24"
check "router remove subnet in Neutron" osc router remove subnet r1 sn2
converges "router interface removed: attachments of h3 disappear" 30 h3 ""

check "port delete in Neutron" osc port delete p1
converges "port deleted: attachments of h2 disappear" 30 h2 ""
check "network delete in Neutron" osc network delete net1
assoc_gone() { [ -z "$(osc bgpvpn network association list vpn1 -f value -c ID)" ]; }
check "network deleted: its association is gone" wait_for 30 "association of net1 gone" assoc_gone

echo "--- c. the original's L3 rule on requests through the front"
check "bgpvpn network association of net2 with vpn2" osc bgpvpn network association create vpn2 net2
refused() { ! osc router add subnet r1 sn2 >"$work/refused" 2>&1 && grep -q "both the router and the network are bound to an L3 BGPVPN" "$work/refused"; }
check "router add subnet refused (both in L3 BGPVPNs)" refused
no_interface() { [ -z "$(timeout 60 /usr/bin/openstack --os-auth-type none --os-endpoint "$NEUTRON" port list --router r1 -f value -c ID)" ]; }
check "Neutron did not add it" no_interface

echo "--- d. restarts and outages"
unassociate_router() { osc bgpvpn router association delete "$(osc bgpvpn router association list vpn2 -f value -c ID)" vpn2; }
check "router association removed" unassociate_router
converges "net2 associated: attachments of h3" 30 h3 "$port2 10.20.0.5/24"
stop_pid "$server_pid"; server_pid=
# Changed in Neutron while bgpvpn-server is down.
NOSC=(timeout 120 /usr/bin/openstack --os-auth-type none --os-endpoint "$NEUTRON")
check "port created in Neutron while bgpvpn-server is down" "${NOSC[@]}" port create p3 --network net2 --host h3 --fixed-ip subnet=sn2,ip-address=10.20.0.9
port3=$("${NOSC[@]}" port show p3 -f json | field id)
start_server
converges "bgpvpn-server restarted: the mirror has the new port" 30 h3 "$(printf '%s\n' "$port2 10.20.0.5/24" "$port3 10.20.0.9/24" | sort)"
stop_neutron
check "Neutron down: BGPVPNs still read" curl -fsS -m 5 "$EP/v2.0/bgpvpn/bgpvpns"
converges "Neutron down: the feed keeps its state" 5 h3 "$(printf '%s\n' "$port2 10.20.0.5/24" "$port3 10.20.0.9/24" | sort)"
down_503() { [ "$(curl -s -o /dev/null -w '%{http_code}' -m 10 "$EP/v2.0/networks")" = 503 ]; }
check "Neutron down: proxied requests answer 503" down_503
check "the mirror's staleness is logged" wait_for 30 "stale log line" grep -q 'neutron mirror is stale' "$work/server.log"
start_neutron
check "port deleted in Neutron after its outage" "${NOSC[@]}" port delete p3
converges "Neutron back: the mirror converges" 30 h3 "$port2 10.20.0.5/24"

echo "--- e. Neutron's notifications"
stop_pid "$server_pid"; server_pid=
sed -e 's/^resync_interval = .*/resync_interval = 3600/' "$work/server.conf" >"$work/server-bus.conf"
printf '[DEFAULT]\ntransport_url = %s\n' "$BUS" >>"$work/server-bus.conf"
: >"$work/server.log"
start_server "$work/server-bus.conf"
check "bgpvpn-server listens to the bus" wait_for 30 "listening log line" grep -q "listening to neutron's notifications" "$work/server.log"
converges "resynced at start" 30 h3 "$port2 10.20.0.5/24"
check "port p5 created on h5 in Neutron" "${NOSC[@]}" port create p5 --network net2 --host h5 --fixed-ip subnet=sn2,ip-address=10.20.0.50
port5=$("${NOSC[@]}" port show p5 -f json | field id)
converges "notification: the new port reaches the feed (resync an hour away)" 30 h5 "$port5 10.20.0.50/24"
stop_rabbit
check "RabbitMQ down: Neutron still answers a port update" "${NOSC[@]}" port set p5 --no-fixed-ip --fixed-ip subnet=sn2,ip-address=10.20.0.51
start_rabbit
converges "RabbitMQ back: the mirror converges on what it missed" 60 h5 "$port5 10.20.0.51/24"
sn2=$("${NOSC[@]}" subnet show sn2 -f json | field id)
echo "--- measure: port update in Neutron -> agent feed (100 updates)"
if $PY - "$EP" "$NEUTRON" "$port5" "$sn2" >"$work/latency" 2>&1 <<'EOF'
import json, sys, threading, time, urllib.request
ep, neutron, port, subnet = sys.argv[1:5]
seen = threading.Condition()
state = {"ips": None}
def watch():
    req = urllib.request.Request(f"{ep}/v2.0/agent-feed/hosts/h5/watch", headers={"Authorization": "Bearer stage-secret"})
    with urllib.request.urlopen(req, timeout=3600) as r:
        for line in r:
            m = json.loads(line)
            if m.get("type") != "state":
                continue
            ips = {ip["address"] for a in m.get("attachments") or [] for ip in a["ip_addresses"]}
            with seen:
                state["ips"] = ips
                seen.notify_all()
threading.Thread(target=watch, daemon=True).start()
lat = []
for i in range(100):
    ip = f"10.20.0.{60 + i % 2}"
    body = json.dumps({"port": {"fixed_ips": [{"subnet_id": subnet, "ip_address": ip}]}}).encode()
    req = urllib.request.Request(f"{neutron}/v2.0/ports/{port}", data=body, method="PUT", headers={"Content-Type": "application/json"})
    urllib.request.urlopen(req, timeout=60).read()
    t0 = time.monotonic()
    with seen:
        if not seen.wait_for(lambda: state["ips"] == {ip + "/24"}, timeout=30):
            sys.exit(f"update {i}: {ip} not on the feed within 30 s")
    lat.append(time.monotonic() - t0)
lat.sort()
print(f"port update -> feed over {len(lat)} updates: p50 {lat[49]*1000:.0f} ms, p99 {lat[98]*1000:.0f} ms, max {lat[-1]*1000:.0f} ms")
EOF
then ok "100 port updates reached the feed"; cat "$work/latency"; else fail "latency run: $(tail -3 "$work/latency")"; fi

echo "--- measure: the front's added latency on a Neutron request (GET /v2.0/networks, 200 each)"
if $PY - "$EP" "$NEUTRON" >"$work/proxy" 2>&1 <<'EOF'
import http.client, sys, time, urllib.parse
def p50(base):
    u = urllib.parse.urlparse(base)
    c = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
    out = []
    for _ in range(200):
        t0 = time.monotonic()
        c.request("GET", "/v2.0/networks")
        r = c.getresponse(); r.read()
        if r.status != 200:
            sys.exit(f"{base}: status {r.status}")
        out.append(time.monotonic() - t0)
    out.sort()
    return out[len(out) // 2]
# Interleaved, so that load on the machine weighs on both alike.
direct, front = [], []
for _ in range(3):
    direct.append(p50(sys.argv[2])); front.append(p50(sys.argv[1]))
d, f = sorted(direct)[1], sorted(front)[1]
print(f"GET /v2.0/networks p50: Neutron {d*1000:.1f} ms, through the front {f*1000:.1f} ms, added {1000*(f-d):.1f} ms")
EOF
then ok "proxy overhead measured"; cat "$work/proxy"; else fail "proxy measure: $(tail -3 "$work/proxy")"; fi

# NEUTRON_SCALE_PORTS=N (opt-in, a measure, not a check): the first full
# sync of a Neutron holding N more ports, from bgpvpn-server's start with an
# empty database, and its peak memory.
scale=${NEUTRON_SCALE_PORTS:-0}
if [ "$scale" -gt 0 ]; then
  echo "--- measure: full sync of a Neutron holding $scale more ports"
  if $PY - "$NEUTRON" "$scale" >"$work/scale" 2>&1 <<'EOF'
import json, sys, time, urllib.error, urllib.request
neutron, n = sys.argv[1], int(sys.argv[2])
def call(method, path, body):
    req = urllib.request.Request(neutron + path, data=json.dumps(body).encode(), method=method, headers={"Content-Type": "application/json"})
    try:
        return json.loads(urllib.request.urlopen(req, timeout=600).read())
    except urllib.error.HTTPError as e:
        sys.exit(f"{method} {path}: {e.code} {e.read()[:300]!r}")
net = call("POST", "/v2.0/networks", {"network": {"name": "scale"}})["network"]["id"]
call("POST", "/v2.0/subnets", {"subnet": {"network_id": net, "ip_version": 4, "cidr": "10.128.0.0/16", "enable_dhcp": False}})
t0 = time.monotonic()
for start in range(0, n, 100):
    call("POST", "/v2.0/ports", {"ports": [{"network_id": net, "name": f"scale-{i}", "binding:host_id": f"scale-host-{i % 50}"}
                                           for i in range(start, min(n, start + 100))]})
print(f"Neutron created {n} ports in {time.monotonic() - t0:.0f} s")
EOF
  then cat "$work/scale"; else fail "scale ports: $(tail -3 "$work/scale")"; scale=0; fi
fi
if [ "$scale" -gt 0 ]; then
  stop_pid "$server_pid"; server_pid=
  rm -rf "$work/data"
  : >"$work/server.log"
  t0=$(date +%s.%N)
  start_server "$work/server-bus.conf"
  if wait_for 600 "the first full sync" grep -q 'neutron mirror synced' "$work/server.log"; then
    t1=$(date +%s.%N)
    ok "full sync of $scale+ ports"
    echo "full sync from start: $($PY -c "print(f'{$t1 - $t0:.1f}')") s; $(grep -m1 'neutron mirror synced' "$work/server.log" | grep -o 'created=[0-9]*'); bgpvpn-server peak RSS $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/"$server_pid"/status)"
  else
    fail "full sync of $scale+ ports"
  fi
fi

echo "neutron: $passed passed, $failed failed"
if [ $failed -gt 0 ]; then
  echo "--- bgpvpn-server log (tail)"; tail -30 "$work/server.log"
  exit 1
fi
