# The openstack CLI flows of scripts/it/keystone.sh, sourced by it. They run
# against whatever the lab's catalog points at (bgpvpn-server, or the
# original as the oracle), as admin, demo's member, demo's reader and a
# member of another project, with password auth through the catalog.
#
# flows OUTDIR: every step's exit status and normalised output go to
# OUTDIR/NN-name.txt (UUIDs numbered in order of appearance, request IDs
# dropped, attributes only one side has removed), so that two runs diff;
# each step also checks what the user relies on (fail() on a miss).
# Needs: osc CLOUD ARGS... (openstack with our clouds.yaml), ok, fail.

# norm: stdin → stdout, the normalised text of one command's output.
norm() {
  /usr/bin/python3 -c '
import re, sys, json
head, text = sys.argv[1], sys.stdin.read()
text = re.sub(r"Neutron server returns request_ids: \[.*?\]", "", text)
text = re.sub(r"\(Request-ID: req-[0-9a-f-]+\)", "", text)
ids = {}
def sub(m):
    return ids.setdefault(m.group(0), "<id%d>" % (len(ids) + 1))
uuid = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b[0-9a-f]{32}\b"
head = re.sub(uuid, sub, head)
# Not differences: what only one side returns (standard attributes,
# description), list orders (the original orders by random primary keys),
# and the core model beside the BGPVPN API (the original allocates random
# IPs and MACs and gives ports its default security group; we have none).
drop = {"created_at", "updated_at", "revision_number", "description", "tags", "Created At", "Updated At",
        "Revision Number", "Description", "Tags", "mac_address", "security_group_ids", "ip_address"}
def clean(x):
    if isinstance(x, dict):
        return {k: clean(v) for k, v in x.items() if k not in drop}
    if isinstance(x, list):
        return sorted((clean(v) for v in x), key=lambda v: re.sub(uuid, "", json.dumps(v, sort_keys=True)))
    return x
try:
    text = json.dumps(clean(json.loads(text)), indent=1, sort_keys=True)
except ValueError:
    pass
print(head)
print(re.sub(uuid, sub, text).rstrip())
' "$1"
}


# step NAME ok|refused CLOUD ARGS...: runs openstack as CLOUD; the step
# passes when it succeeds (ok) or fails (refused) as expected. The raw
# output is in $LAST, the normalised one in OUTDIR/NAME.txt.
step() {
  local name=$1 want=$2 cloud=$3 rc
  shift 3
  LAST=$(osc "$cloud" "$@" 2>&1); rc=$?
  printf '%s\n' "$LAST" | norm "\$ [$cloud] openstack $* => exit $([ $rc = 0 ] && echo 0 || echo 1)" > "$FLOWS_OUT/$name.txt"
  if { [ "$want" = ok ] && [ $rc = 0 ]; } || { [ "$want" = refused ] && [ $rc != 0 ]; }; then
    ok "$name"
  else
    fail "$name: exit $rc, want $want: $(printf '%s' "$LAST" | tail -c 400)"
  fi
}

# expect NAME yes|no PATTERN: does the last output contain PATTERN?
expect() {
  if printf '%s' "$LAST" | grep -qE -- "$3"; then
    [ "$2" = yes ] && ok "$1" || fail "$1: output shows $3: $(printf '%s' "$LAST" | tail -c 300)"
  else
    [ "$2" = no ] && ok "$1" || fail "$1: output lacks $3: $(printf '%s' "$LAST" | tail -c 300)"
  fi
}

# jfield KEY...: the first of the keys present in the last JSON output.
jfield() { printf '%s' "$LAST" | /usr/bin/python3 -c "import json,sys; d=json.load(sys.stdin); print(next(d[k] for k in sys.argv[1:] if k in d))" "$@"; }

flows() {
  FLOWS_OUT=$1
  mkdir -p "$FLOWS_OUT"
  local demo other vpn avpn net rtr port onet na ra pa
  demo=$(osc ks-admin project show demo -f value -c id)
  other=$(osc ks-admin project show ks-other -f value -c id)

  # BGPVPNs: admin creates; the member, reader and the other project look.
  step 01-admin-create ok ks-admin bgpvpn create --name ks-admin-vpn --route-target 64512:10 -f json
  avpn=$(jfield ID id)
  step 02-admin-create-for-demo ok ks-admin bgpvpn create --name ks-demo-vpn --project demo --route-target 64512:20 --import-target 64512:21 -f json
  vpn=$(jfield ID id)
  expect 02-owner-is-demo yes "\"Project\": \"$demo\""
  step 03-admin-list ok ks-admin bgpvpn list -f json --long
  expect 03-admin-sees-both yes 'ks-admin-vpn'
  expect 03-admin-sees-demo-vpn yes 'ks-demo-vpn'
  step 04-member-list ok ks-demo bgpvpn list -f json
  expect 04-member-sees-its-vpn yes 'ks-demo-vpn'
  expect 04-member-blind-to-admin-vpn no 'ks-admin-vpn'
  step 05-member-show ok ks-demo bgpvpn show ks-demo-vpn -f json
  expect 05-member-no-route-targets no 'Route Targets|64512:20'
  step 06-admin-show ok ks-admin bgpvpn show ks-demo-vpn -f json
  expect 06-admin-sees-route-targets yes '64512:20'
  step 07-member-create refused ks-demo bgpvpn create --name ks-member-vpn
  expect 07-policy-refusal yes 'disallowed by policy'
  step 08-member-set-route-target refused ks-demo bgpvpn set --route-target 64512:99 "$vpn"
  step 09-member-set-name ok ks-demo bgpvpn set --name ks-demo-vpn2 "$vpn"
  step 10-member-delete refused ks-demo bgpvpn delete "$vpn"
  step 11-reader-list ok ks-reader bgpvpn list -f json
  expect 11-reader-sees-demo-vpn yes 'ks-demo-vpn2'
  expect 11-reader-blind-to-admin-vpn no 'ks-admin-vpn'
  step 12-other-list ok ks-other bgpvpn list -f json
  expect 12-other-blind yes '^\[\]$'
  step 13-other-show refused ks-other bgpvpn show "$vpn"
  step 14-other-set refused ks-other bgpvpn set --name stolen "$vpn"
  step 15-admin-list-project ok ks-admin bgpvpn list --project "$demo" -f json
  expect 15-admin-list-project yes 'ks-demo-vpn2'

  # The member's network, router and port, and their associations.
  step 20-member-network ok ks-demo network create ks-net -f json
  net=$(jfield ID id)
  step 21-member-subnet ok ks-demo subnet create ks-sub --network ks-net --subnet-range 10.50.0.0/24 -f json
  step 22-member-router ok ks-demo router create ks-router -f json
  rtr=$(jfield ID id)
  step 23-member-port ok ks-demo port create --network ks-net ks-port -f json
  port=$(jfield ID id)
  step 24-other-network ok ks-other network create ks-other-net -f json
  onet=$(jfield ID id)

  step 30-net-assoc-create ok ks-demo bgpvpn network association create "$vpn" "$net" -f json
  na=$(jfield ID id)
  step 31-net-assoc-list ok ks-demo bgpvpn network association list "$vpn" -f json
  expect 31-net-assoc-listed yes "$na"
  step 32-net-assoc-show ok ks-reader bgpvpn network association show "$na" "$vpn" -f json
  step 33-other-net-assoc refused ks-other bgpvpn network association create "$vpn" "$onet"
  step 34-other-net-assoc-show refused ks-other bgpvpn network association show "$na" "$vpn"
  step 35-member-assoc-other-net refused ks-demo bgpvpn network association create "$vpn" "$onet"
  step 36-router-assoc-create ok ks-demo bgpvpn router association create "$vpn" "$rtr" -f json
  ra=$(jfield ID id)
  step 37-router-assoc-set ok ks-demo bgpvpn router association set --no-advertise_extra_routes "$ra" "$vpn"
  step 38-router-assoc-show ok ks-demo bgpvpn router association show "$ra" "$vpn" -f json
  expect 38-router-assoc-no-extra-routes yes '"Advertise extra routes": false'
  step 39-port-assoc-create ok ks-demo bgpvpn port association create "$vpn" "$port" --prefix-route prefix=192.0.2.0/24,local_pref=100 -f json
  pa=$(jfield ID id)
  step 40-port-assoc-set ok ks-demo bgpvpn port association set --no-advertise-fixed-ips --prefix-route prefix=198.51.100.0/24 "$pa" "$vpn"
  step 41-port-assoc-show ok ks-demo bgpvpn port association show "$pa" "$vpn" -f json
  expect 41-port-assoc-routes yes '198.51.100.0/24'
  step 42-port-assoc-list-other refused ks-other bgpvpn port association list "$vpn"
  step 43-admin-sees-assocs ok ks-admin bgpvpn show "$vpn" -f json
  expect 43-admin-sees-network yes "$net"
  step 44-net-assoc-delete ok ks-demo bgpvpn network association delete "$na" "$vpn"
  step 45-router-assoc-delete ok ks-demo bgpvpn router association delete "$ra" "$vpn"
  step 46-port-assoc-delete ok ks-demo bgpvpn port association delete "$pa" "$vpn"
  step 47-assocs-gone ok ks-admin bgpvpn show "$vpn" -f json
  expect 47-no-network-left no "$net"

  # Clean up, as the owners would.
  step 50-admin-delete ok ks-admin bgpvpn delete "$vpn" "$avpn"
  step 51-member-port-delete ok ks-demo port delete "$port"
  step 52-member-router-delete ok ks-demo router delete "$rtr"
  step 53-member-network-delete ok ks-demo network delete "$net"
  step 54-other-network-delete ok ks-other network delete "$onet"
  step 55-nothing-left ok ks-admin bgpvpn list -f json
  expect 55-nothing-left yes '^\[\]$'
}
