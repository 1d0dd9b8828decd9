# Sourced by the stages (scripts/it/*.sh) and scripts that install what they
# need. apt_install PKG... installs the packages with apt-get, waiting up
# to 15 minutes for the dpkg and package-list locks when another apt-get
# or unattended-upgrades holds them (a fresh machine often has one
# running), instead of failing at once. DPkg::Lock::Timeout covers only
# dpkg's locks: `apt-get update` fails at once on the package lists' lock,
# so each step is retried while its error is a lock held by another process.
# apt_install_missing PKG... installs only those not installed yet.
apt_locked_retry() {
  local deadline=$((SECONDS + 900)) out rc
  while :; do
    out=$(timeout 2400 "$@" </dev/null 2>&1)
    rc=$?
    [ $rc -eq 0 ] && return 0
    if [ $SECONDS -lt $deadline ] && grep -qE 'Could not get lock|Unable to lock|Unable to acquire the dpkg' <<<"$out"; then
      sleep 3 # another apt-get is running: wait for it, then try again
      continue
    fi
    printf '%s\n' "$out" >&2
    return $rc
  done
}

apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  local lock=(-o DPkg::Lock::Timeout=900)
  echo "installing $*"
  apt_locked_retry apt-get "${lock[@]}" update -qq &&
    apt_locked_retry apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@"
}

apt_install_missing() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# apt_install_missing_nostart PKG...: as apt_install_missing, without
# letting the packages' scripts start their services (the stages start
# their own, on their own ports), as the labs in ../shared/tools do.
apt_install_missing_nostart() {
  local made=0 rc
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && made=1
  fi
  apt_install_missing "$@"
  rc=$?
  [ $made -eq 0 ] || rm -f /usr/sbin/policy-rc.d
  return $rc
}

# What ../shared/tools/openstack-lab/start.sh installs when missing (with no
# lock timeout of its own): the stages that start the lab install it first.
OPENSTACK_LAB_PKGS=(keystone heat-api heat-engine python3-heat openstack-dashboard python3-django-horizon
  python3-networking-bgpvpn python3-openstackclient python3-neutronclient python3-heatclient
  python3-keystoneclient python3-keystonemiddleware mariadb-server python3-pymysql
  uwsgi-core uwsgi-plugin-python3 curl)
