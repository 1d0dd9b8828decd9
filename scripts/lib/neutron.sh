# Sourced by the stages that run a real neutron-server 21 (Debian bookworm
# packages; ML2 with the vxlan type driver, router service plugin, no
# agents) on a private MariaDB (unix socket) and a free loopback port:
# scripts/it/neutron.sh and scripts/it/e2e-bagpipe.sh.
#
#   neutron_install                  installs what is missing (services not started)
#   neutron_db_start WORK            MariaDB in WORK, database neutron (sets db_pid, NEUTRON_DB_SOCK)
#   neutron_configure WORK [BUS]     neutron.conf and api-paste.ini in WORK/etc, schema upgraded;
#                                    BUS: notifications to that transport_url (messagingv2), else none.
#                                    NEUTRON_AUTH=keystone NEUTRON_KEYSTONE=URL: tokens checked by
#                                    keystonemiddleware (user neutron/service), else noauth with a
#                                    default admin (NEUTRON_TOKEN_CACHE_TIME: keystonemiddleware's
#                                    token_cache_time, default -1). Sets NEUTRON (its URL).
#   neutron_start / neutron_stop     neutron-server (sets neutron_pid)
#   neutron_down                     stops neutron-server and MariaDB
# Daemons are started, awaited and stopped with services.sh's helpers
# (spawn, wait_for, stop_pid, freeport), which this file sources.
NLIB_PY=/usr/bin/python3
NEUTRON_PKGS=(neutron-server python3-openstackclient python3-neutronclient mariadb-server python3-pymysql
  python3-keystonemiddleware rabbitmq-server curl)

neutron_install() {
  . "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
  # Debian's maintainer scripts must not start a system-wide neutron-server
  # or MariaDB (ports 9696, 3306).
  apt_install_missing_nostart "${NEUTRON_PKGS[@]}" >/dev/null ||
    { echo "neutron: apt-get install failed" >&2; return 1; }
}

. "$(dirname "${BASH_SOURCE[0]}")/services.sh"

neutron_sql() { mariadb --no-defaults --socket="$NEUTRON_DB_SOCK" -uroot "$@"; }

neutron_db_start() {
  local work=$1
  NEUTRON_DB_SOCK=$work/mysql.sock
  PY=$NLIB_PY mariadb_start "$work" || return 1
  db_pid=$MARIADB_PID
  neutron_sql -e "CREATE DATABASE neutron CHARACTER SET utf8mb4; CREATE USER 'neutron'@'localhost' IDENTIFIED BY 'neutron';
          GRANT ALL PRIVILEGES ON neutron.* TO 'neutron'@'localhost';"
}

neutron_configure() {
  NEUTRON_WORK=$1
  local work=$1 bus=${2:-} notif
  # A second configure (another auth) keeps the port: clients keep the URL.
  [ -n "${NEUTRON_PORT:-}" ] || NEUTRON_PORT=$(freeport)
  local nport=$NEUTRON_PORT
  NEUTRON=http://127.0.0.1:$nport
  mkdir -p "$work/etc" "$work/state" "$work/lock" "$work/policy.d" "$work/py"
  if [ -n "$bus" ]; then
    # RPC stays on fake:/ (no agents); notifications go to the bus, dropped
    # rather than retried while it is down, so that Neutron's API never waits.
    notif="driver = messagingv2
transport_url = $bus
topics = notifications
retry = 0"
  else
    notif="driver = noop"
  fi
  cat >"$work/etc/neutron.conf" <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = $nport
auth_strategy = ${NEUTRON_AUTH:-noauth}
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
connection = mysql+pymysql://neutron:neutron@localhost/neutron?unix_socket=$NEUTRON_DB_SOCK&charset=utf8
[oslo_concurrency]
lock_path = $work/lock
[oslo_messaging_notifications]
$notif
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
  if [ "${NEUTRON_AUTH:-}" = keystone ]; then
    # keystonemiddleware as in every Neutron with Keystone; no token cache
    # unless NEUTRON_TOKEN_CACHE_TIME (seconds), so that a revoked token is
    # refused at once.
    cat >>"$work/etc/neutron.conf" <<EOF
[keystone_authtoken]
www_authenticate_uri = $NEUTRON_KEYSTONE/v3
auth_url = $NEUTRON_KEYSTONE
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = service
token_cache_time = ${NEUTRON_TOKEN_CACHE_TIME:--1}
EOF
  fi
  echo '{}' >"$work/etc/policy.yaml"
  # noauth with an identity: a request without identity headers is the
  # admin (what `openstack --os-auth-type none` sends), as Neutron's
  # keystonecontext then reads it from the headers.
  neutron_noauth_paste "$work/etc" "$work/py"
  if [ ! -e "$work/schema.done" ]; then
    echo "neutron: neutron-db-manage upgrade heads"
    PYTHONPATH=$work/py $NLIB_PY /usr/bin/neutron-db-manage --config-file "$work/etc/neutron.conf" --subproject neutron upgrade heads \
      >"$work/db-manage.log" 2>&1 || { tail -30 "$work/db-manage.log"; return 1; }
    touch "$work/schema.done"
  fi
}

neutron_start() {
  neutron_pid=$(PYTHONPATH=$NEUTRON_WORK/py PY=$NLIB_PY spawn "$NEUTRON_WORK/neutron.log" $NLIB_PY /usr/bin/neutron-server \
    --config-file "$NEUTRON_WORK/etc/neutron.conf")
  wait_for 180 neutron-server neutron_answers || { tail -40 "$NEUTRON_WORK/neutron.log"; return 1; }
}

# neutron_answers: the API answers (with keystone auth, a 401 is an answer).
neutron_answers() {
  local code
  code=$(curl -s -o /dev/null -w '%{http_code}' -m 2 "$NEUTRON/v2.0/extensions")
  [ "$code" = 200 ] || { [ "${NEUTRON_AUTH:-}" = keystone ] && [ "$code" = 401 ]; }
}

neutron_stop() {
  [ -n "${neutron_pid:-}" ] || return 0
  # neutron-server forks API workers in its session: end the session.
  kill -- -"$neutron_pid" 2>/dev/null
  stop_pid "$neutron_pid"
  neutron_pid=
}

neutron_down() {
  neutron_stop
  stop_pid "${db_pid:-}"
  db_pid=
}
