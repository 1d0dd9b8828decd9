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
#   f. the OpenStack lab's real Keystone: Neutron behind keystonemiddleware,
#      bgpvpn-server finding it in the catalog with a password
#   g. the catalog's network endpoint at bgpvpn-server (auth_strategy =
#      keystone): the lab's smoke (openstack CLI, Heat's HOT examples,
#      Horizon's BGPVPN panels) through the front; Heat's networks in
#      Neutron and its BGPVPN and association in bgpvpn-server, asked
#      directly, nothing left after the stack delete; a tenant's token
#      sees only its networks
# Installs what it needs when missing; stops what it starts; exits non-zero
# if any check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
PY=/usr/bin/python3

. scripts/lib/neutron.sh
work=$(mktemp -d /tmp/bgpvpn-it-neutron.XXXXXX)
chmod 755 "$work"
db_pid= neutron_pid= server_pid= rabbit_pid= epmd_pid=
lab_started=
cleanup() {
  stop_pid "$server_pid"
  [ -z "$lab_started" ] || "$LAB/stop.sh" >/dev/null 2>&1
  neutron_down
  type stop_rabbit >/dev/null 2>&1 && stop_rabbit
  stop_pid "$epmd_pid"
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0 failed=0
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); printf 'FAIL %s\n' "$*"; }

# --- what we need -----------------------------------------------------------
neutron_install || exit 1

# --- MariaDB ----------------------------------------------------------------
neutron_db_start "$work" || exit 1
sock=$NEUTRON_DB_SOCK
sql() { neutron_sql "$@"; }

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
  wait_for 600 RabbitMQ rabbitctl await_startup || { tail -30 "$work/rabbit.log"; exit 1; }
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
neutron_configure "$work" "$BUS" || exit 1
start_neutron() { neutron_start || exit 1; }
stop_neutron() { neutron_stop; }
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
  wait_for 60 bgpvpn-server server_answers || { tail -40 "$work/server.log"; exit 1; }
}
# server_answers: the BGPVPN API answers (with keystone auth, a 401 is an answer).
server_answers() {
  case "$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$EP/v2.0/bgpvpn/bgpvpns")" in 200 | 401) ;; *) return 1 ;; esac
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
# loadavg: the machine's load averages, printed with each measure.
loadavg() { awk '{print "load average " $1 ", " $2 ", " $3}' /proc/loadavg; }
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
# mirror_age: bgpvpn_server_neutron_mirror_age_seconds on /metrics.
mirror_age() { curl -fsS -m 5 "$EP/metrics" | awk '$1 == "bgpvpn_server_neutron_mirror_age_seconds" {print $2}'; }
age_over() { $PY -c "import sys; sys.exit(not float('$(mirror_age)' or 0) > $1)"; }
age_under() { a=$(mirror_age); [ -n "$a" ] && $PY -c "import sys; sys.exit(not $a < $1)"; }
check "Neutron down: the mirror's age metric grows past 5 s (resync every 1 s)" wait_for 30 "mirror age > 5 s" age_over 5
stale_age=$(mirror_age)
start_neutron
check "Neutron back: the mirror's age metric falls back (was ${stale_age} s)" wait_for 60 "mirror age < 3 s" age_under 3
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
# mirror_reads KIND: bgpvpn_server_neutron_mirror_reads_total{kind=KIND}.
mirror_reads() { curl -fsS -m 5 "$EP/metrics" | awk -v k="{kind=\"$1\"}" '$1 == "bgpvpn_server_neutron_mirror_reads_total" k {print $2}'; }
full_before=$(mirror_reads full) targeted_before=$(mirror_reads targeted)
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
then ok "100 port updates reached the feed"; echo "$(cat "$work/latency") ($(loadavg))"; else fail "latency run: $(tail -3 "$work/latency")"; fi
full_after=$(mirror_reads full) targeted_after=$(mirror_reads targeted)
read_alone() { [ "$full_after" = "$full_before" ] && [ $((targeted_after - targeted_before)) -ge 100 ]; }
check "each notification read only its port (full reads $full_before -> $full_after, targeted $targeted_before -> $targeted_after)" read_alone

echo "--- measure: the front's added latency on a Neutron request (GET /v2.0/networks, 300 pairs)"
if $PY - "$EP" "$NEUTRON" >"$work/proxy" 2>&1 <<'EOF'
import http.client, sys, time, urllib.parse
def conn(base):
    u = urllib.parse.urlparse(base)
    return http.client.HTTPConnection(u.hostname, u.port, timeout=60)
def timed(c):
    t0 = time.monotonic()
    c.request("GET", "/v2.0/networks")
    r = c.getresponse(); r.read()
    if r.status != 200:
        sys.exit(f"status {r.status}")
    return time.monotonic() - t0
# Pairs, one request each way back to back (in alternating order), so that
# the machine's load, which moves Neutron's own time by tens of ms, weighs
# on both alike: the added latency is the median of the differences.
front, direct = conn(sys.argv[1]), conn(sys.argv[2])
d, f, diff = [], [], []
for i in range(300):
    if i % 2:
        a = timed(direct); b = timed(front)
    else:
        b = timed(front); a = timed(direct)
    d.append(a); f.append(b); diff.append(b - a)
for l in (d, f, diff):
    l.sort()
print(f"GET /v2.0/networks p50: Neutron {d[150]*1000:.1f} ms, through the front {f[150]*1000:.1f} ms, added {diff[150]*1000:.1f} ms (p50 of 300 paired differences)")
EOF
then ok "proxy overhead measured"; echo "$(cat "$work/proxy") ($(loadavg))"; else fail "proxy measure: $(tail -3 "$work/proxy")"; fi

# NEUTRON_SCALE_PORTS=N (10000 by default; 0: skipped): the first full
# sync of a Neutron holding N more ports, from bgpvpn-server's start with an
# empty database, and its peak memory. Neutron's API creates ports at a few
# a second here, so the ports are written straight into Neutron's
# database, in the rows Neutron itself writes for a port bound to a host
# (standardattributes, ports, ipallocations and its IPAM's ipamallocations,
# ml2_port_bindings, the project's default security group); Neutron's API
# must then list them all.
scale=${NEUTRON_SCALE_PORTS:-10000}
if [ "$scale" -gt 0 ]; then
  echo "--- measure: full sync of a Neutron holding $scale more ports"
  scale_net=$("${NOSC[@]}" network create scale -f json | field id)
  scale_sn=$("${NOSC[@]}" subnet create scale --network scale --subnet-range 10.128.0.0/16 --no-dhcp -f json | field id)
  t_sql=$(date +%s.%N)
  if $PY - "$scale" "$scale_net" "$scale_sn" >"$work/scale.sql" 2>"$work/scale" <<'EOF2'
import sys, uuid
n, net, sn = int(sys.argv[1]), sys.argv[2], sys.argv[3]
ids = [str(uuid.uuid4()) for _ in range(n)]
ip = lambda i: f"10.128.{(i + 2) // 256}.{(i + 2) % 256}"
mac = lambda i: "fa:16:3f:%02x:%02x:%02x" % (i >> 16 & 255, i >> 8 & 255, i & 255)
print("SET autocommit = 0;")
print("SELECT COALESCE(MAX(id), 0) INTO @base FROM standardattributes;")
print(f"SELECT id INTO @ipam FROM ipamsubnets WHERE neutron_subnet_id = '{sn}';")
def rows(table, cols, make):
    for start in range(0, n, 1000):
        vals = ",".join(make(i) for i in range(start, min(n, start + 1000)))
        print(f"INSERT INTO {table} ({cols}) VALUES {vals};")
rows("standardattributes", "id, resource_type, created_at, updated_at, description, revision_number",
     lambda i: f"(@base + {i + 1}, 'ports', NOW(), NOW(), '', 1)")
rows("ports", "project_id, id, name, network_id, mac_address, admin_state_up, status, device_id, device_owner, standard_attr_id, ip_allocation",
     lambda i: f"('admin-project', '{ids[i]}', 'scale-{i}', '{net}', '{mac(i)}', 1, 'DOWN', 'vm-scale-{i}', 'compute:nova', @base + {i + 1}, 'immediate')")
rows("ipallocations", "port_id, ip_address, subnet_id, network_id", lambda i: f"('{ids[i]}', '{ip(i)}', '{sn}', '{net}')")
rows("ipamallocations", "ip_address, status, ipam_subnet_id", lambda i: f"('{ip(i)}', 'ALLOCATED', @ipam)")
rows("ml2_port_bindings", "port_id, host, vif_type, vnic_type, profile, vif_details, status",
     lambda i: f"('{ids[i]}', 'scale-host-{i % 50}', 'binding_failed', 'normal', '', '', 'ACTIVE')")
print("INSERT INTO securitygroupportbindings (port_id, security_group_id) SELECT p.id, sg.id FROM ports p"
      f" JOIN securitygroups sg ON sg.project_id = p.project_id AND sg.name = 'default' WHERE p.network_id = '{net}';")
print("COMMIT;")
EOF2
  then
    if sql neutron <"$work/scale.sql" >>"$work/scale" 2>&1; then
      listed=$(curl -fsS -m 600 "$NEUTRON/v2.0/ports?network_id=$scale_net&fields=id" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)["ports"]))')
      if [ "$listed" = "$scale" ]; then
        echo "wrote $scale ports into Neutron's database in $($PY -c "print(f'{$(date +%s.%N) - $t_sql:.1f}')") s; Neutron's API lists $listed"
      else
        fail "Neutron's API lists $listed of the $scale ports written"; scale=0
      fi
    else
      fail "scale ports: $(tail -3 "$work/scale")"; scale=0
    fi
  else
    fail "scale ports: $(tail -3 "$work/scale")"; scale=0
  fi
fi
if [ "$scale" -gt 0 ]; then
  stop_pid "$server_pid"; server_pid=
  rm -rf "$work/data"
  : >"$work/server.log"
  t0=$(date +%s.%N)
  start_server "$work/server-bus.conf"
  if wait_for 600 "the first full sync" grep -q 'neutron mirror synced' "$work/server.log"; then
    t1=$(date +%s.%N)
    created=$(grep -m1 'neutron mirror synced' "$work/server.log" | grep -o 'created=[0-9]*' | cut -d= -f2)
    if [ "${created:-0}" -ge "$scale" ]; then ok "full sync of $scale+ ports"; else fail "full sync of $scale+ ports: created=$created"; fi
    echo "full sync from start: $($PY -c "print(f'{$t1 - $t0:.1f}')") s; $(grep -m1 'neutron mirror synced' "$work/server.log" | grep -o 'created=[0-9]* .*seconds=[0-9.]*'); bgpvpn-server peak RSS $(awk '/VmHWM/ {printf "%.0f MiB", $2/1024}' /proc/"$server_pid"/status) ($(loadavg))"
  else
    fail "full sync of $scale+ ports"
  fi
fi
if [ -n "${scale_net:-}" ]; then
  # Removed as they were written, from Neutron's tables (a port's rows go
  # with it: ipallocations, ml2_port_bindings and securitygroupportbindings
  # cascade), then the network and subnet through Neutron's API, so that
  # the last section starts from a Neutron holding only what it made.
  if sql neutron >"$work/scale-rm" 2>&1 <<EOF2
SET autocommit = 0;
DELETE FROM ipamallocations WHERE ipam_subnet_id = (SELECT id FROM ipamsubnets WHERE neutron_subnet_id = '$scale_sn');
DELETE FROM ports WHERE network_id = '$scale_net';
DELETE FROM standardattributes WHERE resource_type = 'ports' AND id NOT IN (SELECT standard_attr_id FROM ports);
COMMIT;
EOF2
  then
    check "scale network deleted in Neutron" "${NOSC[@]}" network delete scale
  else
    fail "scale ports removed: $(tail -3 "$work/scale-rm")"
  fi
fi

# --- f. the source through Keystone --------------------------------------------
# The OpenStack lab's real Keystone (fixed ports: only while holding
# /tmp/bgpvpn-keystone.lock, on fd 9, closed in every daemon started
# meanwhile); neutron-server restarted with keystonemiddleware (no token
# cache); the catalog's network endpoint is the lab's logging proxy before
# it. bgpvpn-server's [neutron] section: auth_type = password, no
# endpoint_override (the catalog, with region_name and valid_interfaces =
# internal), user bgpvpn (admin of project service).
echo "--- f. the source through Keystone (waiting for /tmp/bgpvpn-keystone.lock)"
LAB=$(cd "${OPENSTACK_LAB:-../shared/tools/openstack-lab}" && pwd) || exit 1
export LAB_RUN_DIR=$work/lab PYTHONDONTWRITEBYTECODE=1 # ../shared is read-only
exec 9>/tmp/bgpvpn-keystone.lock
flock 9
lab_started=1
. scripts/lib/apt.sh
apt_install_missing_nostart "${OPENSTACK_LAB_PKGS[@]}" >/dev/null 9>&- || { echo "neutron: installing the openstack lab failed" >&2; exit 1; }
stop_pid "$server_pid"; server_pid=
stop_neutron
NEUTRON_AUTH=keystone NEUTRON_KEYSTONE=http://127.0.0.1:5000 neutron_configure "$work" "$BUS" 9>&- || exit 1
export NEUTRON_AUTH=keystone
start_neutron 9>&-
"$LAB/start.sh" --network-endpoint "$NEUTRON" >"$work/lab.log" 2>&1 9>&- || { tail -20 "$work/lab.log"; exit 1; }
KOSC=(env OS_CLIENT_CONFIG_FILE="$LAB/clouds.yaml" OS_CLOUD=lab-admin timeout 120 /usr/bin/openstack)
no_token_401() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$NEUTRON/v2.0/ports")" = 401 ]; }
check "Neutron refuses a request without a token" no_token_401
"${KOSC[@]}" user create --domain Default --password bgpvpn-pw bgpvpn >/dev/null 2>&1
check "user bgpvpn, admin of project service" "${KOSC[@]}" role add --project service --user bgpvpn admin
cat >"$work/server-ks.conf" <<CONF
[DEFAULT]
data_dir = $work/data
transport_url = $BUS
[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = stage-secret
[neutron]
auth_type = password
auth_url = http://127.0.0.1:5000/v3
username = bgpvpn
password = bgpvpn-pw
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
valid_interfaces = internal
resync_interval = 3600
CONF
: >"$work/server.log"
start_server "$work/server-ks.conf" 9>&-
read_full() { [ "$(mirror_reads full)" -ge 1 ]; }
check "full read of Neutron through Keystone and the catalog" wait_for 300 "the first full read" read_full
# A BGPVPN on net2 (the scale measure started from an empty database).
net2=$("${KOSC[@]}" network show net2 -f json | field id)
api() { curl -fsS -m 30 -X POST -H 'Content-Type: application/json' "$EP/v2.0/bgpvpn/$1" -d "$2"; }
vpn_ks=$(api bgpvpns '{"bgpvpn": {"name": "vpn-ks", "route_targets": ["64512:9"]}}' | $PY -c 'import json,sys; print(json.load(sys.stdin)["bgpvpn"]["id"])')
check "bgpvpn vpn-ks associated with net2" api "bgpvpns/$vpn_ks/network_associations" "{\"network_association\": {\"network_id\": \"$net2\"}}"
check "port p7 created on h7 (Keystone auth)" "${KOSC[@]}" port create p7 --network net2 --host h7 --fixed-ip subnet=sn2,ip-address=10.20.0.70
port7=$("${KOSC[@]}" port show p7 -f json | field id)
converges "Keystone: the new port reaches the feed" 30 h7 "$port7 10.20.0.70/24"
# ours: bgpvpn-server's requests in the lab's network log, "tag status" a line.
ours() {
  $PY -c 'import json, sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["ua"].startswith("bgpvpn-server"): print(r["tag"], r["status"])' "$LAB_RUN_DIR/netlog.jsonl"
}
only_internal() { [ -n "$(ours)" ] && ! ours | grep -qv '^internal '; }
check "bgpvpn-server found Neutron on the catalog's internal interface (valid_interfaces)" only_internal
# Disabling a user revokes its tokens; enabled again, its password works.
check "bgpvpn's token revoked (user disabled)" "${KOSC[@]}" user set --disable bgpvpn
check "user bgpvpn enabled again" "${KOSC[@]}" user set --enable bgpvpn
check "port p8 created on h8" "${KOSC[@]}" port create p8 --network net2 --host h8 --fixed-ip subnet=sn2,ip-address=10.20.0.80
port8=$("${KOSC[@]}" port show p8 -f json | field id)
converges "after the revocation: a new token, the new port reaches the feed" 30 h8 "$port8 10.20.0.80/24"
renewed() { ours | grep -q '^internal 401$' && [ "$(ours | tail -1)" = "internal 200" ]; }
check "Neutron refused the revoked token (401), the renewed one passed" renewed

# --- g. Heat, Horizon and the CLI through the front (Keystone) -----------------
# The catalog's network endpoint (the lab's logging proxy) now points at
# bgpvpn-server, itself checking tokens (auth_strategy = keystone) and
# reaching Neutron at endpoint_override, since the catalog's network
# endpoint is itself. Neutron is emptied first (the smoke's Heat step wants
# an admin who lists no network, router or BGPVPN once its stacks are gone).
echo "--- g. Heat, Horizon and the CLI through the front, with Keystone"
stop_pid "$server_pid"; server_pid=
# Neutron now caches validated tokens (5 minutes, as keystonemiddleware's
# default): without, each request validates its token with Keystone, and
# Horizon's pages, several Neutron requests each, take seconds here.
stop_neutron
NEUTRON_TOKEN_CACHE_TIME=300 NEUTRON_KEYSTONE=http://127.0.0.1:5000 neutron_configure "$work" "$BUS" 9>&- || exit 1
start_neutron 9>&-
cat >"$work/server-front.conf" <<CONF
[DEFAULT]
data_dir = $work/data
transport_url = $BUS
auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = http://127.0.0.1:5000/v3
auth_url = http://127.0.0.1:5000
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = service
[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = stage-secret
[neutron]
auth_type = password
auth_url = http://127.0.0.1:5000/v3
username = bgpvpn
password = bgpvpn-pw
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
endpoint_override = $NEUTRON
resync_interval = 3600
CONF
: >"$work/server.log"
start_server "$work/server-front.conf" 9>&-
"$LAB/start.sh" --network-endpoint "$EP" >>"$work/lab.log" 2>&1 9>&- || { tail -20 "$work/lab.log"; exit 1; }
# FOSC CLOUD ARGS...: the openstack CLI as CLOUD, through the catalog (the front).
FOSC() { local c=$1; shift; env OS_CLIENT_CONFIG_FILE="$LAB/clouds.yaml" OS_CLOUD="$c" timeout 120 /usr/bin/openstack "$@"; }
ADMIN_TOKEN=$(FOSC lab-admin token issue -f value -c id)
# direct PATH: Neutron's answer (status, then body) with the admin's token, not through the front.
direct() { curl -s -m 30 -w '\n%{http_code}' -H "X-Auth-Token: $ADMIN_TOKEN" "$NEUTRON$1"; }
direct_code() { direct "$1" | tail -1; }
# ours PATH: bgpvpn-server's answer with the admin's token.
ours_get() { curl -fsS -m 30 -H "X-Auth-Token: $ADMIN_TOKEN" "$EP$1"; }
empty_neutron() {
  local id
  for id in $(FOSC lab-admin bgpvpn list -f value -c ID); do FOSC lab-admin bgpvpn delete "$id" || return 1; done
  for id in $(FOSC lab-admin port list --long -f json | $PY -c 'import json,sys; print(" ".join(p["ID"] for p in json.load(sys.stdin) if not p["Device Owner"].startswith("network:")))'); do FOSC lab-admin port delete "$id" || return 1; done
  for id in $(FOSC lab-admin router list -f value -c ID); do FOSC lab-admin router delete "$id" || return 1; done
  for id in $(FOSC lab-admin network list -f value -c ID); do FOSC lab-admin network delete "$id" || return 1; done
  [ -z "$(FOSC lab-admin network list -f value -c ID)$(FOSC lab-admin router list -f value -c ID)$(FOSC lab-admin bgpvpn list -f value -c ID)" ]
}
check "earlier sections' objects deleted through the front (admin token)" empty_neutron

# The lab's smoke: CLI, Heat's HOT examples 1 and 2, Horizon's BGPVPN panels.
apt_install_missing chromium chromium-driver python3-selenium >/dev/null 9>&- || fail "installing chromium, chromium-driver, python3-selenium"
if "$LAB/smoke.sh" --target "$EP" --label front >"$work/smoke.log" 2>&1 9>&-; then
  ok "smoke.sh --target the front: $(grep -E '^[0-9]+ passed' "$work/smoke.log" | tail -1)"
else
  fail "smoke.sh --target the front: $(grep -E 'passed|FAIL' "$work/smoke.log" | tail -12 | tr '\n' ' ')"
fi
cp -r "$LAB_RUN_DIR/smoke-front" "$work/smoke-front" 2>/dev/null

# Heat's HOT example 1 again, checked where each object lives: the network
# and subnet in Neutron (asked directly), the BGPVPN and its association in
# bgpvpn-server (Neutron here has no BGPVPN API at all).
res() { FOSC lab-admin-demo stack resource show heat-front "$1" -f value -c physical_resource_id; }
posts_before=$(grep -c '"POST /v2.0/networks HTTP/1.1" status: 201' "$NEUTRON_WORK/neutron.log")
check "Heat stack (HOT example 1) created through the front" FOSC lab-admin-demo stack create -t "$LAB/templates/bgpvpn_test-00.yaml" heat-front --wait --timeout 10
hnet=$(res Net1) hsub=$(res SubNet1) hvpn=$(res BGPVPN1) hassoc=$(res BGPVPN_NET_assoc1)
demo_id=$(FOSC lab-admin project show demo -f value -c id)
in_neutron() { direct "/v2.0/networks/$hnet" | $PY -c "import json,sys; l=sys.stdin.read().rsplit('\n',1); sys.exit(not (l[1]=='200' and json.loads(l[0])['network']['project_id']=='$demo_id'))"; }
check "Heat's network is in Neutron, asked directly, owned by demo ($hnet)" in_neutron
check "Heat's subnet is in Neutron, asked directly ($hsub)" test "$(direct_code "/v2.0/subnets/$hsub")" = 200
neutron_made_it() { [ "$(grep -c '"POST /v2.0/networks HTTP/1.1" status: 201' "$NEUTRON_WORK/neutron.log")" -gt "$posts_before" ]; }
check "Neutron created it (its own log has the POST /v2.0/networks)" neutron_made_it
check "Neutron has no BGPVPN API (404 asked directly)" test "$(direct_code /v2.0/bgpvpn/bgpvpns)" = 404
assoc_ours() { ours_get "/v2.0/bgpvpn/bgpvpns/$hvpn/network_associations/$hassoc" | $PY -c "import json,sys; sys.exit(json.load(sys.stdin)['network_association']['network_id'] != '$hnet')"; }
check "Heat's BGPVPN and its association to the network are in bgpvpn-server" assoc_ours
check "Heat stack deleted through the front" FOSC lab-admin-demo stack delete -y --wait heat-front
check "stack deleted: the network is gone from Neutron" test "$(direct_code "/v2.0/networks/$hnet")" = 404
check "stack deleted: the subnet is gone from Neutron" test "$(direct_code "/v2.0/subnets/$hsub")" = 404
vpn_gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' -m 30 -H "X-Auth-Token: $ADMIN_TOKEN" "$EP/v2.0/bgpvpn/bgpvpns/$hvpn")" = 404 ]; }
check "stack deleted: the BGPVPN is gone from bgpvpn-server" vpn_gone
nothing_left() { [ -z "$(FOSC lab-admin network list -f value -c ID)$(FOSC lab-admin bgpvpn list -f value -c ID)" ] &&
  direct /v2.0/networks | $PY -c "import json,sys; sys.exit(json.loads(sys.stdin.read().rsplit('\n',1)[0])['networks'] != [])"; }
check "stack deleted: nothing left in Neutron or bgpvpn-server" nothing_left

# Neutron's visibility passes through: a tenant's token lists its own networks only.
check "admin network in project admin" FOSC lab-admin network create vis-admin
check "demo network in project demo" FOSC lab-demo network create vis-demo
demo_sees() { [ "$(FOSC lab-demo network list -f value -c Name | sort | tr '\n' ' ')" = "vis-demo " ]; }
check "demo's token lists only demo's network through the front" demo_sees
admin_sees() { [ "$(FOSC lab-admin network list -f value -c Name | sort | tr '\n' ' ')" = "vis-admin vis-demo " ]; }
check "admin's token lists both through the front" admin_sees
demo_hidden() { ! FOSC lab-demo network show vis-admin >"$work/hidden" 2>&1 && grep -qi 'no network found\|could not be found' "$work/hidden"; }
check "demo's token cannot see admin's network through the front" demo_hidden
check "visibility networks deleted" FOSC lab-admin network delete vis-admin vis-demo
stop_pid "$server_pid"; server_pid=
"$LAB/stop.sh" >/dev/null 2>&1; lab_started=
flock -u 9; exec 9>&-

echo "neutron: $passed passed, $failed failed"
if [ $failed -gt 0 ]; then
  echo "--- bgpvpn-server log (tail)"; tail -30 "$work/server.log"
  exit 1
fi
