# Sourced by the stages that start OpenStack's own daemons (MariaDB,
# RabbitMQ, neutron-server) on private ports and directories. Each
# function is written for a stage's shell: set PY (python3) first.
#   spawn LOG CMD...        start CMD in its own session, stdin closed and
#                           every inherited descriptor but 0-2 closed (no
#                           lock descriptor leaks into a daemon); prints
#                           its PID
#   wait_for SEC WHAT CMD...  poll CMD every 0.2 s until it succeeds
#   stop_pid PID            TERM, then KILL after 10 s
#   freeport [ADDR]         a free TCP port on ADDR (default 127.0.0.1)
#   mariadb_start DIR [NS]  a private MariaDB on the unix socket
#                           DIR/mysql.sock (no TCP), in network namespace
#                           NS when given; sets MARIADB_PID
#   mariadb_sql DIR SQL...  runs SQL on it
#   neutron_noauth_paste DIR [PYDIR]  writes DIR/api-paste.ini and
#                           PYDIR/stage_identity.py (PYDIR: DIR/py):
#                           Neutron's noauth pipeline where a request
#                           without identity headers is the admin (what
#                           `openstack --os-auth-type none` sends), and
#                           the keystone one (keystonemiddleware) for
#                           auth_strategy = keystone; put PYDIR on
#                           PYTHONPATH
# They never sleep for a fixed time: they wait for conditions.

spawn() {
  local logf=$1; shift
  "${PY:-/usr/bin/python3}" - "$logf" "$@" <<'EOF'
import subprocess, sys
with open(sys.argv[1], 'ab') as out:
    p = subprocess.Popen(sys.argv[2:], stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                         start_new_session=True, close_fds=True)
print(p.pid)
EOF
}

wait_for() {
  local t=$1 what=$2; shift 2
  local end=$((SECONDS + t))
  while [ $SECONDS -lt $end ]; do
    "$@" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "timed out after ${t}s waiting for $what" >&2
  return 1
}

stop_pid() {
  [ -n "${1:-}" ] || return 0
  kill "$1" 2>/dev/null
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -9 "$1" 2>/dev/null
  return 0
}

freeport() {
  "${PY:-/usr/bin/python3}" -c 'import socket,sys; s=socket.socket(); s.bind((sys.argv[1],0)); print(s.getsockname()[1])' "${1:-127.0.0.1}"
}

mariadb_start() {
  local dir=$1 ns=${2:-} pre=()
  [ -n "$ns" ] && pre=(ip netns exec "$ns")
  mariadb-install-db --no-defaults --datadir="$dir/mysql" --user=root --auth-root-authentication-method=socket \
    --skip-test-db >"$dir/mariadb-install.log" 2>&1 || { cat "$dir/mariadb-install.log" >&2; return 1; }
  MARIADB_PID=$(spawn "$dir/mariadb.log" "${pre[@]}" /usr/sbin/mariadbd --no-defaults --datadir="$dir/mysql" \
    --socket="$dir/mysql.sock" --skip-networking --user=root --pid-file="$dir/mariadbd.pid" --innodb-buffer-pool-size=128M)
  wait_for 60 MariaDB mariadb_sql "$dir" -e 'select 1' || { tail -20 "$dir/mariadb.log" >&2; return 1; }
}

mariadb_sql() {
  local dir=$1; shift
  mariadb --no-defaults --socket="$dir/mysql.sock" -uroot "$@"
}

neutron_noauth_paste() {
  local dir=$1 py=${2:-$1/py}
  mkdir -p "$py"
  cat >"$py/stage_identity.py" <<'EOF'
class DefaultAdmin:
    def __init__(self, app):
        self.app = app
    def __call__(self, environ, start_response):
        keys = ('HTTP_X_USER_ID', 'HTTP_X_PROJECT_ID', 'HTTP_X_TENANT_ID', 'HTTP_X_ROLES')
        if not any(k in environ for k in keys):
            environ.update(HTTP_X_USER_ID='admin-user', HTTP_X_PROJECT_ID='admin-project', HTTP_X_ROLES='admin')
        return self.app(environ, start_response)
    @classmethod
    def factory(cls, global_conf, **local_conf):
        return cls
EOF
  cat >"$dir/api-paste.ini" <<'EOF'
[composite:neutron]
use = egg:Paste#urlmap
/: neutronversions
/v2.0: neutronapi_v2_0
[composite:neutronapi_v2_0]
use = call:neutron.auth:pipeline_factory
noauth = request_id catch_errors default_admin keystonecontext extensions neutronapiapp_v2_0
keystone = request_id catch_errors authtoken keystonecontext extensions neutronapiapp_v2_0
[filter:request_id]
paste.filter_factory = oslo_middleware:RequestId.factory
[filter:catch_errors]
paste.filter_factory = oslo_middleware:CatchErrors.factory
[filter:default_admin]
paste.filter_factory = stage_identity:DefaultAdmin.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
[filter:keystonecontext]
paste.filter_factory = neutron.auth:NeutronKeystoneContext.factory
[filter:extensions]
paste.filter_factory = neutron.api.extensions:plugin_aware_extension_middleware_factory
[app:neutronversions]
paste.app_factory = neutron.pecan_wsgi.app:versions_factory
[app:neutronapiapp_v2_0]
paste.app_factory = neutron.api.v2.router:APIRouter.factory
EOF
}
