# Sourced by stages that need a real Nova compute API beside the OpenStack
# lab (../shared/tools/openstack-lab), for clients that read Nova before
# they read us: `openstack quota show` of python-openstackclient 6.0 builds
# its compute client outside the guard that skips a missing endpoint, so in
# a cloud without Nova it fails before it sends a single request to the
# network endpoint (against the original as well). Every real cloud has a
# Nova; this starts Debian's (python3-nova, the API only: no scheduler,
# conductor or compute) on a free loopback port, with its two databases in
# the lab's MariaDB, Keystone authentication, and the compute endpoint in
# the lab's catalog.
#
# nova_api_start WORKDIR LAB_RUN_DIR KEYSTONE_URL CLOUDS_YAML CLOUD
#   KEYSTONE_URL ends in /v3; CLOUDS_YAML/CLOUD name an admin of the lab.
#   Sets NOVA_URL and NOVA_PIDFILE; returns non-zero (with the reason on
#   stderr) when Nova does not come up within its bounded waits.
# nova_api_stop stops it (the databases go with the lab).
# Needs python3-nova and uwsgi-plugin-python3: install them first (through
# apt.sh's apt_install_missing_nostart, whose wait on the dpkg lock the
# lab's own start.sh lacks).

NOVA_PKGS=(python3-nova uwsgi-core uwsgi-plugin-python3)

nova_api_start() {
  local dir=$1 run=$2 ks=$3 clouds=$4 cloud=$5
  local sock=$run/mysql.sock port d
  mkdir -p "$dir/state" "$dir/lock" || return 1
  port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  for d in nova_api nova; do
    mariadb --no-defaults --socket="$sock" -uroot -e \
      "CREATE DATABASE IF NOT EXISTS $d; GRANT ALL ON $d.* TO 'nova'@'localhost' IDENTIFIED BY 'nova';" ||
      { echo "nova: cannot create database $d in the lab's MariaDB ($sock)" >&2; return 1; }
  done
  local osc=(env OS_CLIENT_CONFIG_FILE="$clouds" OS_CLOUD="$cloud" timeout 120 /usr/bin/openstack)
  # Its service user, as a deployment has one.
  "${osc[@]}" user show nova >/dev/null 2>&1 ||
    "${osc[@]}" user create --domain default --password nova nova >/dev/null ||
    { echo "nova: cannot create its Keystone user" >&2; return 1; }
  "${osc[@]}" role add --project service --user nova admin >/dev/null ||
    { echo "nova: cannot give its user the admin role in project service" >&2; return 1; }
  _nova_conf "$dir" "$sock" "$ks"
  _nova_paste "$dir"
  printf 'from nova.api.openstack.compute import wsgi\napplication = wsgi.init_application()\n' >"$dir/wsgi.py"
  local step
  for step in "api_db sync" "db sync"; do
    # nova-manage is in nova-common, which would pull the whole service
    # packaging; its module is in python3-nova.
    # shellcheck disable=SC2086
    timeout 600 /usr/bin/python3 -c 'import sys; from nova.cmd import manage; sys.argv = ["nova-manage"] + sys.argv[1:]; sys.exit(manage.main())' \
      --config-file "$dir/nova.conf" $step >>"$dir/manage.log" 2>&1 ||
      { echo "nova: nova-manage $step failed: $(tail -5 "$dir/manage.log")" >&2; return 1; }
  done
  NOVA_PIDFILE=$dir/uwsgi.pid
  OS_NOVA_CONFIG_DIR=$dir setsid /usr/bin/uwsgi --plugin python3 --http-socket "127.0.0.1:$port" \
    --wsgi-file "$dir/wsgi.py" --master --processes 1 --threads 1 --die-on-term \
    --pidfile "$NOVA_PIDFILE" --pyargv "--config-file $dir/nova.conf" \
    >"$dir/uwsgi.log" 2>&1 </dev/null &
  NOVA_URL=http://127.0.0.1:$port/v2.1
  local i code
  for i in $(seq 1 600); do
    # 401: Nova answers and asks for a token, so keystonemiddleware is on.
    code=$(curl -s -o /dev/null -m 5 -w '%{http_code}' "$NOVA_URL/" 2>/dev/null)
    [ "$code" = 401 ] && break
    if [ "$i" = 600 ] || ! kill -0 $! 2>/dev/null; then
      echo "nova: the compute API did not answer on $NOVA_URL: $(tail -5 "$dir/uwsgi.log" | tr '\n' ' ')" >&2
      return 1
    fi
    sleep 0.2
  done
  local id
  id=$("${osc[@]}" service list -f value -c ID -c Type | awk '$2 == "compute" {print $1}')
  [ -n "$id" ] || id=$("${osc[@]}" service create --name nova compute -f value -c id) ||
    { echo "nova: cannot create the compute service in the catalog" >&2; return 1; }
  for i in public internal admin; do
    "${osc[@]}" endpoint create --region RegionOne "$id" "$i" "$NOVA_URL" >/dev/null ||
      { echo "nova: cannot create its $i endpoint" >&2; return 1; }
  done
}

nova_api_stop() {
  [ -n "${NOVA_PIDFILE:-}" ] && [ -s "$NOVA_PIDFILE" ] || return 0
  local p
  p=$(cat "$NOVA_PIDFILE")
  kill -TERM "$p" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$p" 2>/dev/null
}

_nova_conf() {
  local dir=$1 sock=$2 ks=$3
  local db="mysql+pymysql://nova:nova@localhost/%s?unix_socket=$sock&charset=utf8"
  cat >"$dir/nova.conf" <<EOF
[DEFAULT]
host = nova-it
state_path = $dir/state
log_file = $dir/nova-api.log
[api_database]
connection = $(printf "$db" nova_api)
[database]
connection = $(printf "$db" nova)
[api]
auth_strategy = keystone
[keystone_authtoken]
www_authenticate_uri = $ks
auth_url = $ks
auth_type = password
username = nova
password = nova
project_name = service
user_domain_name = Default
project_domain_name = Default
[oslo_concurrency]
lock_path = $dir/lock
[wsgi]
api_paste_config = $dir/api-paste.ini
EOF
}

# The compute API's paste pipeline, Keystone authentication only.
_nova_paste() {
  cat >"$1/api-paste.ini" <<'EOF'
[composite:osapi_compute]
use = call:nova.api.openstack.urlmap:urlmap_factory
/v2.1 = openstack_compute_api_v21

[composite:openstack_compute_api_v21]
use = call:nova.api.auth:pipeline_factory_v21
keystone = compute_req_id faultwrap authtoken keystonecontext osapi_compute_app_v21

[filter:compute_req_id]
paste.filter_factory = nova.api.compute_req_id:ComputeReqIdMiddleware.factory

[filter:faultwrap]
paste.filter_factory = nova.api.openstack:FaultWrapper.factory

[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory

[filter:keystonecontext]
paste.filter_factory = nova.api.auth:NovaKeystoneContext.factory

[app:osapi_compute_app_v21]
paste.app_factory = nova.api.openstack.compute:APIRouterV21.factory
EOF
}
