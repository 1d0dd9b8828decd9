# Sourced by the stages (scripts/it/*.sh) and scripts that install what they
# need. apt_install PKG... installs the packages with apt-get, waiting up
# to 15 minutes for the dpkg and package-list locks when another apt-get
# or unattended-upgrades holds them (a fresh machine often has one
# running), instead of failing at once.
apt_install() {
  export DEBIAN_FRONTEND=noninteractive
  local lock=(-o DPkg::Lock::Timeout=900)
  echo "installing $*"
  timeout 1500 apt-get "${lock[@]}" update -qq </dev/null &&
    timeout 2400 apt-get "${lock[@]}" install -y -qq --no-install-recommends "$@" </dev/null
}
