# Heat stack update for scripts/it/keystone.sh (sourced): as admin in
# project demo (cloud ks-admin-demo), a stack with a BGPVPN and a network
# association is updated to new route targets plus a port association with
# routes; each state is checked through the API; the delete leaves nothing.
# Needs: osc, ok, fail, HERE.

heat_update() {
  local st vpn vpn2 out demo
  demo=$(osc ks-admin project show demo -f value -c id)
  osc ks-admin-demo stack create -t "$HERE/heat-update-v1.yaml" ks-update --wait --timeout 10 >"$work/heat-create.log" 2>&1
  st=$(osc ks-admin-demo stack show ks-update -f value -c stack_status)
  [ "$st" = CREATE_COMPLETE ] && ok "heat-update: v1 CREATE_COMPLETE" ||
    { fail "heat-update: v1 $st $(osc ks-admin-demo stack show ks-update -f value -c stack_status_reason)"; return; }
  vpn=$(osc ks-admin-demo stack resource show ks-update BGPVPN -f value -c physical_resource_id)
  out=$(osc ks-admin bgpvpn show "$vpn" -f json)
  if printf '%s' "$out" | "$PY" -c "import json,sys; d=json.load(sys.stdin); sys.exit(not (d['Route Targets']==['64512:301'] and d['Project']=='$demo' and len(d['Associated Networks'])==1))"; then
    ok "heat-update: v1 BGPVPN of demo with 64512:301 and its network"
  else
    fail "heat-update: v1 BGPVPN: $out"
  fi
  osc ks-admin-demo stack update -t "$HERE/heat-update-v2.yaml" ks-update --wait --timeout 10 >"$work/heat-update.log" 2>&1
  st=$(osc ks-admin-demo stack show ks-update -f value -c stack_status)
  [ "$st" = UPDATE_COMPLETE ] && ok "heat-update: v2 UPDATE_COMPLETE" ||
    fail "heat-update: v2 $st $(osc ks-admin-demo stack show ks-update -f value -c stack_status_reason)"
  vpn2=$(osc ks-admin-demo stack resource show ks-update BGPVPN -f value -c physical_resource_id)
  out=$(osc ks-admin bgpvpn show "$vpn2" -f json)
  if printf '%s' "$out" | "$PY" -c "import json,sys; d=json.load(sys.stdin); sys.exit(not (sorted(d['Route Targets'])==['64512:302','64512:303'] and len(d['Associated Networks'])==1 and len(d['Associated Ports'])==1))"; then
    ok "heat-update: BGPVPN now has 64512:302, 64512:303, its network and the port"
  else
    fail "heat-update: v2 BGPVPN: $out"
  fi
  out=$(osc ks-admin bgpvpn port association list "$vpn2" -f json --long 2>&1)
  if printf '%s' "$out" | grep -q '203.0.113.0/24'; then ok "heat-update: port association with route 203.0.113.0/24"; else fail "heat-update: port association: $out"; fi
  if [ "$vpn2" != "$vpn" ]; then
    if osc ks-admin bgpvpn show "$vpn" >/dev/null 2>&1; then fail "heat-update: the replaced BGPVPN $vpn is still there"; else ok "heat-update: the replaced BGPVPN is gone"; fi
  fi
  osc ks-admin-demo stack delete -y --wait ks-update >"$work/heat-delete.log" 2>&1
  out=$(osc ks-admin bgpvpn list -f value -c Name; osc ks-admin network list -f value -c Name; osc ks-admin port list -f value -c Name)
  if [ -z "$(printf '%s' "$out" | grep -v '^$')" ]; then ok "heat-update: stack delete leaves nothing"; else fail "heat-update: left after delete: $out"; fi
}
