# Sourced first by the stages that run the OpenStack lab on its fixed
# ports (Keystone 5000, Heat 8004, Horizon 8080, the network endpoint
# 9690-9691, ...): the stage runs again under flock -o on
# /tmp/bgpvpn-keystone.lock, so that two such stages on one machine (other
# checkouts' included) take turns instead of failing on a port in use.
# flock -o: the daemons the stage starts do not inherit the lock.
#   lab_lock_reexec "$0" "$@"
lab_lock_reexec() {
  [ -n "${BGPVPN_LAB_LOCKED:-}" ] && return 0
  echo "$(basename "$1" .sh): waiting for /tmp/bgpvpn-keystone.lock (the OpenStack lab's ports)"
  exec env BGPVPN_LAB_LOCKED=1 flock -o /tmp/bgpvpn-keystone.lock bash "$@"
}
