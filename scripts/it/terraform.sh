#!/usr/bin/env bash
# Terraform's OpenStack provider finds BGPVPN under the catalog's network
# endpoint. Real OpenTofu (built from its Go module, the open-source
# Terraform) and the real terraform-provider-openstack (built from its Go
# module; no registry: a dev_overrides CLI configuration), against
# bgpvpn-server in Neutron mode fronting a real neutron-server 21 (Debian
# packages, keystonemiddleware, private MariaDB), both behind the OpenStack
# lab's real Keystone 22, bgpvpn-server with auth_strategy = keystone and
# the catalog's network endpoint pointing at it:
#   a. admin's configuration (terraform/admin): two networks with subnets, a
#      router with an interface, a port, BGPVPNs with route targets, and
#      network, router and port associations (the port's with IPv4 and
#      IPv6 prefix routes: provider v3.4.0 cannot express a bgpvpn route,
#      and the type it would send is checked to be a 400); `tofu apply`,
#      every object checked through the REST API (Neutron's objects in
#      Neutron, BGPVPN's in bgpvpn-server)
#   b. route targets changed in the configuration: the plan is an in-place
#      update, applied, checked through the API (same BGPVPN id)
#   c. `tofu plan -detailed-exitcode` after each apply: no drift (exit 0;
#      checked within a, b and d)
#   d. the tenant flow (terraform/demo): a BGPVPN made by the admin for
#      project demo; demo's configuration creates a network and associates
#      it; checked through the API as demo and as admin; destroyed
#   e. `tofu destroy` leaves nothing, in Neutron and in bgpvpn-server
# The binaries are built once per version into $BGPVPN_IT_CACHE/terraform
# (default /var/cache/bgpvpn-it). Fixed ports (the lab's): the lab's part
# runs holding /tmp/bgpvpn-keystone.lock. Installs what it needs; stops
# what it starts; exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export PYTHONDONTWRITEBYTECODE=1 # ../shared is read-only
PY=/usr/bin/python3
TOFU_VERSION=${TOFU_VERSION:-v1.10.10}
PROVIDER_VERSION=${OPENSTACK_PROVIDER_VERSION:-v3.4.0}
CACHE=${BGPVPN_IT_CACHE:-/var/cache/bgpvpn-it}/terraform
KS=http://127.0.0.1:5000
T0=$SECONDS
log() { echo "[terraform +$((SECONDS - T0))s] $*"; }

. scripts/lib/neutron.sh
. scripts/lib/apt.sh
LAB=$(cd "${OPENSTACK_LAB:-../shared/tools/openstack-lab}" && pwd) || exit 1
work=$(mktemp -d /tmp/bgpvpn-it-tf.XXXXXX)
chmod 755 "$work"
export LAB_RUN_DIR=$work/lab
db_pid= neutron_pid= server_pid= lab_started=
cleanup() {
  stop_pid "$server_pid"
  [ -z "$lab_started" ] || "$LAB/stop.sh" >/dev/null 2>&1 9>&-
  neutron_down
  if [ "${KEEP_WORK:-}" = 1 ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

passed=0 failed=0 failures=()
ok() { passed=$((passed + 1)); printf 'ok   %s\n' "$*"; }
fail() { failed=$((failed + 1)); failures+=("$*"); printf 'FAIL %s\n' "$*"; }
# check NAME CMD...: CMD succeeds (its output shown when it does not).
check() { local name=$1; shift; if "$@" >"$work/out" 2>&1; then ok "$name"; else fail "$name: $(tail -c 1500 "$work/out" | tr '\n' ' ')"; fi; }
finish() {
  log "$passed passed, $failed failed"
  for f in "${failures[@]}"; do echo "  FAIL $f"; done
  [ "$failed" = 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

# --- what we need -------------------------------------------------------------
neutron_install || exit 1
apt_install_missing_nostart "${OPENSTACK_LAB_PKGS[@]}" >/dev/null || { echo "terraform: installing the openstack lab failed" >&2; exit 1; }

# OpenTofu's go.mod has a replace directive, so `go install tofu@version`
# refuses it: it is built as the main module of its own downloaded source.
build_tofu() {
  local dir
  dir=$(go mod download -json "github.com/opentofu/opentofu@$TOFU_VERSION" | $PY -c 'import json,sys; print(json.load(sys.stdin)["Dir"])') || return 1
  mkdir -p "$CACHE/tofu-$TOFU_VERSION"
  # version.dev=no: a release build's version string (no "-dev").
  (cd "$dir" && go build -trimpath -ldflags "-X github.com/opentofu/opentofu/version.dev=no" \
    -o "$CACHE/tofu-$TOFU_VERSION/tofu.tmp" ./cmd/tofu) &&
    mv "$CACHE/tofu-$TOFU_VERSION/tofu.tmp" "$CACHE/tofu-$TOFU_VERSION/tofu"
}
build_provider() {
  local tmp=$CACHE/provider-$PROVIDER_VERSION.tmp
  rm -rf "$tmp"
  GOBIN=$tmp go install "github.com/terraform-provider-openstack/terraform-provider-openstack/v3@$PROVIDER_VERSION" &&
    rm -rf "$CACHE/provider-$PROVIDER_VERSION" && mv "$tmp" "$CACHE/provider-$PROVIDER_VERSION"
}
TOFU=$CACHE/tofu-$TOFU_VERSION/tofu
PROVIDER_DIR=$CACHE/provider-$PROVIDER_VERSION
if [ ! -x "$TOFU" ]; then
  log "building OpenTofu $TOFU_VERSION into $CACHE"
  build_tofu || { echo "terraform: building OpenTofu $TOFU_VERSION failed" >&2; exit 1; }
fi
if [ ! -x "$PROVIDER_DIR/terraform-provider-openstack" ]; then
  log "building terraform-provider-openstack $PROVIDER_VERSION into $CACHE"
  build_provider || { echo "terraform: building terraform-provider-openstack $PROVIDER_VERSION failed" >&2; exit 1; }
fi

# No registry: the provider comes from the cache, tofu init is not needed.
cat >"$work/tofurc" <<EOF
provider_installation {
  dev_overrides {
    "terraform-provider-openstack/openstack" = "$PROVIDER_DIR"
  }
  direct {}
}
EOF
export TF_CLI_CONFIG_FILE=$work/tofurc TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
for v in $(env | grep -o '^OS_[A-Z_]*'); do unset "$v"; done
log "$("$TOFU" version | head -1), terraform-provider-openstack $PROVIDER_VERSION"
go build -o "$work/bgpvpn-server" ./cmd/bgpvpn-server || exit 1

# --- neutron-server (keystonemiddleware) on a private MariaDB -----------------
neutron_db_start "$work" || exit 1
NEUTRON_AUTH=keystone NEUTRON_KEYSTONE=$KS neutron_configure "$work" || exit 1
export NEUTRON_AUTH=keystone
neutron_start || exit 1
log "neutron-server on $NEUTRON (keystone auth)"

# --- the lab's Keystone (fixed ports) -----------------------------------------
log "waiting for /tmp/bgpvpn-keystone.lock"
exec 9>/tmp/bgpvpn-keystone.lock
flock 9 || exit 1
lab_started=1
FPORT=$(freeport)
FRONT=http://127.0.0.1:$FPORT
log "starting the OpenStack lab (catalog's network endpoint -> $FRONT)"
"$LAB/start.sh" --network-endpoint "$FRONT" >"$work/lab.log" 2>&1 9>&- || { tail -30 "$work/lab.log"; exit 1; }
KOSC=(env OS_CLIENT_CONFIG_FILE="$LAB/clouds.yaml" OS_CLOUD=lab-admin timeout 120 /usr/bin/openstack)
"${KOSC[@]}" user create --domain Default --password bgpvpn-pw bgpvpn >/dev/null 2>&1 9>&-
"${KOSC[@]}" role add --project service --user bgpvpn admin 9>&- || { echo "terraform: user bgpvpn" >&2; exit 1; }

# --- bgpvpn-server: keystone auth, Neutron mode, fronting Neutron -------------
cat >"$work/server.conf" <<EOF
[DEFAULT]
auth_strategy = keystone
data_dir = $work/data
[keystone_authtoken]
www_authenticate_uri = $KS/v3
auth_url = $KS
auth_type = password
project_domain_name = Default
user_domain_name = Default
project_name = service
username = neutron
password = service
token_cache_time = 0
[service_providers]
service_provider = BGPVPN:BaGPipe:bagpipe:default
[agent_feed]
shared_secret = stage-secret
[neutron]
auth_type = password
auth_url = $KS/v3
username = bgpvpn
password = bgpvpn-pw
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
endpoint_override = $NEUTRON
# An hour: what Terraform creates in Neutron and associates at once must
# not wait for a full read (the front has the mirror read it first).
resync_interval = 3600
EOF
server_pid=$(spawn "$work/server.log" "$work/bgpvpn-server" --config-file "$work/server.conf" --bind "127.0.0.1:$FPORT")
mirror_synced() { curl -fsS -m 5 "$FRONT/metrics" | grep -q '^bgpvpn_server_neutron_mirror_synced 1'; }
wait_for 300 "bgpvpn-server's first read of Neutron" mirror_synced || { tail -30 "$work/server.log"; exit 1; }
log "bgpvpn-server (keystone auth, Neutron mode) on $FRONT"

# --- tokens and the API -------------------------------------------------------
# token USER PASSWORD PROJECT: a project-scoped token from Keystone.
token() {
  curl -fsS -m 30 -D - -o /dev/null -H 'Content-Type: application/json' "$KS/v3/auth/tokens" -d "{\"auth\": {\"identity\": {\"methods\": [\"password\"],
    \"password\": {\"user\": {\"name\": \"$1\", \"password\": \"$2\", \"domain\": {\"name\": \"Default\"}}}},
    \"scope\": {\"project\": {\"name\": \"$3\", \"domain\": {\"name\": \"Default\"}}}}}" |
    awk 'tolower($1) == "x-subject-token:" {sub(/\r$/, "", $2); print $2}'
}
ADMIN_TOKEN=$(token admin admin admin)
DEMO_TOKEN=$(token demo demo demo)
[ -n "$ADMIN_TOKEN" ] && [ -n "$DEMO_TOKEN" ] || { echo "terraform: no token from Keystone" >&2; exit 1; }
DEMO_PROJECT=$(curl -fsS -H "X-Auth-Token: $ADMIN_TOKEN" "$KS/v3/projects?name=demo" | $PY -c 'import json,sys; print(json.load(sys.stdin)["projects"][0]["id"])')
# get BASE PATH [TOKEN]: the JSON answer of a GET (admin's token by default).
get() { curl -fsS -m 30 -H "X-Auth-Token: ${3:-$ADMIN_TOKEN}" "$1$2"; }
# jq-like assertions in Python: expect BASE PATH EXPR [TOKEN]: EXPR, on the
# answer `r`, is true.
expect() {
  local body
  body=$(get "$1" "$2" "${4:-}") || { echo "GET $1$2 failed"; return 1; }
  $PY -c 'import json,sys
r = json.loads(sys.argv[1])
if not eval(sys.argv[2]): sys.exit("not " + sys.argv[2] + " in " + sys.argv[1][:1200])' "$body" "$3"
}
# gone BASE PATH: the GET answers 404.
gone() { [ "$(curl -s -o /dev/null -w '%{http_code}' -m 30 -H "X-Auth-Token: $ADMIN_TOKEN" "$1$2")" = 404 ]; }

# tofu DIR CMD ARGS...: OpenTofu in a copy of scripts/it/terraform/DIR.
tofu() {
  local dir=$1; shift
  (cd "$work/tf-$dir" && timeout 600 "$TOFU" "$@" -no-color) 9>&-
}
mkdir -p "$work/tf-admin" "$work/tf-demo"
cp scripts/it/terraform/admin/*.tf "$work/tf-admin/"
cp scripts/it/terraform/demo/*.tf "$work/tf-demo/"
PREFIX=tf$$
admin_vars=(-var "auth_url=$KS/v3" -var user_name=admin -var password=admin -var project_name=admin
  -var "prefix=$PREFIX" -var "demo_project_id=$DEMO_PROJECT")
out() { $PY -c 'import json,sys; print(json.load(sys.stdin)["ids"]["value"][sys.argv[1]])' "$1" <"$work/ids-$2.json"; }

echo "--- a. admin: apply, every object through the API"
RT1='["64512:61","64512:62"]'
check "tofu apply (admin)" tofu admin apply -auto-approve "${admin_vars[@]}" -var "route_targets=$RT1"
tofu admin output -json >"$work/ids-admin.json" 2>"$work/out" || fail "tofu output: $(cat "$work/out")"
net=$(out net admin) subnet=$(out subnet admin) rnet=$(out rnet admin) rsubnet=$(out rsubnet admin) router=$(out router admin)
rif=$(out rif admin) port=$(out port admin) vpn=$(out vpn admin) for_demo=$(out for_demo admin)
net_assoc=$(out net_assoc admin) rtr_assoc=$(out rtr_assoc admin) port_assoc=$(out port_assoc admin)
check "Neutron has the network" expect "$NEUTRON" "/v2.0/networks/$net" "r['network']['name'] == '$PREFIX-net'"
check "Neutron has the subnet" expect "$NEUTRON" "/v2.0/subnets/$subnet" "r['subnet']['cidr'] == '10.61.0.0/24' and r['subnet']['network_id'] == '$net'"
check "Neutron has the router" expect "$NEUTRON" "/v2.0/routers/$router" "r['router']['name'] == '$PREFIX-router'"
check "Neutron has the router interface" expect "$NEUTRON" "/v2.0/ports/$rif" "r['port']['device_id'] == '$router' and r['port']['fixed_ips'][0]['subnet_id'] == '$rsubnet'"
check "Neutron has the port" expect "$NEUTRON" "/v2.0/ports/$port" "r['port']['fixed_ips'] == [{'subnet_id': '$subnet', 'ip_address': '10.61.0.10'}]"
check "the front serves Neutron's network too" expect "$FRONT" "/v2.0/networks/$net" "r['network']['id'] == '$net'"
check "bgpvpn-server has the BGPVPN" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$vpn" \
  "sorted((b := r['bgpvpn'])['route_targets']) == $RT1 and b['import_targets'] == ['64512:901'] and b['export_targets'] == ['64512:902'] and b['local_pref'] == 150 and b['type'] == 'l3' and b['networks'] == ['$net'] and b['routers'] == ['$router'] and b['ports'] == ['$port']"
check "bgpvpn-server has the network association" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$vpn/network_associations/$net_assoc" "r['network_association']['network_id'] == '$net'"
check "bgpvpn-server has the router association" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$vpn/router_associations/$rtr_assoc" \
  "r['router_association']['router_id'] == '$router' and r['router_association']['advertise_extra_routes'] is False"
check "bgpvpn-server has the port association with its routes" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$vpn/port_associations/$port_assoc" \
  "(a := r['port_association'])['port_id'] == '$port' and a['advertise_fixed_ips'] is True and sorted(({k: v for k, v in x.items() if v is not None} for x in a['routes']), key=lambda x: x['prefix']) == [{'type': 'prefix', 'prefix': '192.168.61.0/24', 'local_pref': 200}, {'type': 'prefix', 'prefix': '2001:db8:61::/64'}]"
# What provider v3.4.0 would send for a route leaking into another BGPVPN.
route_type_400() {
  [ "$(curl -s -o "$work/route400" -w '%{http_code}' -m 30 -X POST -H "X-Auth-Token: $ADMIN_TOKEN" -H 'Content-Type: application/json' \
    "$FRONT/v2.0/bgpvpn/bgpvpns/$vpn/port_associations" \
    -d "{\"port_association\": {\"port_id\": \"$port\", \"routes\": [{\"type\": \"bgpvpn_id\", \"bgpvpn_id\": \"$for_demo\"}]}}")" = 400 ] &&
    grep -q NeutronError "$work/route400" || { cat "$work/route400"; return 1; }
}
check "a route of type bgpvpn_id (the provider's) is a 400 with a Neutron error" route_type_400
check "bgpvpn-server has the BGPVPN made for project demo" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$for_demo" "r['bgpvpn']['project_id'] == '$DEMO_PROJECT'"
check "tofu plan after apply: no drift" tofu admin plan -detailed-exitcode "${admin_vars[@]}" -var "route_targets=$RT1"

echo "--- b. route targets changed: an in-place update"
RT2='["64512:63"]'
in_place() {
  tofu admin plan -detailed-exitcode "${admin_vars[@]}" -var "route_targets=$RT2" >"$work/plan" 2>&1
  [ $? = 2 ] && grep -q 'Plan: 0 to add, 1 to change, 0 to destroy' "$work/plan" || { cat "$work/plan"; return 1; }
}
check "tofu plan: 0 to add, 1 to change, 0 to destroy" in_place
check "tofu apply (route targets changed)" tofu admin apply -auto-approve "${admin_vars[@]}" -var "route_targets=$RT2"
check "bgpvpn-server has the new route targets, same BGPVPN" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$vpn" \
  "r['bgpvpn']['route_targets'] == $RT2 and r['bgpvpn']['networks'] == ['$net']"
check "tofu plan after the update: no drift" tofu admin plan -detailed-exitcode "${admin_vars[@]}" -var "route_targets=$RT2"

echo "--- d. the tenant flow: demo associates its network with the admin's BGPVPN"
demo_vars=(-var "auth_url=$KS/v3" -var user_name=demo -var password=demo -var project_name=demo
  -var "prefix=$PREFIX" -var "bgpvpn_id=$for_demo")
check "demo sees the BGPVPN made for it, without its route targets" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$for_demo" \
  "'route_targets' not in r['bgpvpn'] and r['bgpvpn']['name'] == '$PREFIX-for-demo'" "$DEMO_TOKEN"
check "tofu apply (demo)" tofu demo apply -auto-approve "${demo_vars[@]}"
tofu demo output -json >"$work/ids-demo.json" 2>"$work/out" || fail "tofu output (demo): $(cat "$work/out")"
dnet=$(out net demo) dassoc=$(out net_assoc demo)
check "Neutron has demo's network, owned by demo" expect "$NEUTRON" "/v2.0/networks/$dnet" "r['network']['project_id'] == '$DEMO_PROJECT'"
check "demo reads its network association" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$for_demo/network_associations/$dassoc" \
  "r['network_association']['network_id'] == '$dnet'" "$DEMO_TOKEN"
check "the association is project demo's" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$for_demo/network_associations/$dassoc" \
  "r['network_association']['project_id'] == '$DEMO_PROJECT'"
check "admin sees demo's network on the BGPVPN" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns/$for_demo" "r['bgpvpn']['networks'] == ['$dnet']"
check "tofu plan (demo): no drift" tofu demo plan -detailed-exitcode "${demo_vars[@]}"
check "tofu destroy (demo)" tofu demo destroy -auto-approve "${demo_vars[@]}"
check "demo's association is gone" gone "$FRONT" "/v2.0/bgpvpn/bgpvpns/$for_demo/network_associations/$dassoc"
check "demo's network is gone from Neutron" gone "$NEUTRON" "/v2.0/networks/$dnet"

echo "--- e. destroy leaves nothing"
check "tofu destroy (admin)" tofu admin destroy -auto-approve "${admin_vars[@]}" -var "route_targets=$RT2"
for v in vpn for_demo; do check "BGPVPN $v is gone from bgpvpn-server" gone "$FRONT" "/v2.0/bgpvpn/bgpvpns/${!v}"; done
check "no BGPVPN left in bgpvpn-server" expect "$FRONT" "/v2.0/bgpvpn/bgpvpns" "r['bgpvpns'] == []"
for v in net rnet; do check "network $v is gone from Neutron" gone "$NEUTRON" "/v2.0/networks/${!v}"; done
check "router is gone from Neutron" gone "$NEUTRON" "/v2.0/routers/$router"
check "port is gone from Neutron" gone "$NEUTRON" "/v2.0/ports/$port"
check "nothing of ours left in Neutron" expect "$NEUTRON" "/v2.0/networks" "not [n for n in r['networks'] if n['name'].startswith('$PREFIX')]"
no_panic() { ! grep -q 'panic' "$work/server.log"; }
check "bgpvpn-server logged no panic" no_panic

stop_pid "$server_pid"; server_pid=
"$LAB/stop.sh" >/dev/null 2>&1 9>&-; lab_started=
flock -u 9; exec 9>&-
finish
