#!/usr/bin/env bash
# Fuzzes the parsers of outside input for a short time each: request
# bodies through the real API handler and store (every resource's create
# and update, as the admin and two tenants, failing on any 5xx), the body
# attribute maps, JSON decoding, policy rules, RT/RD strings and the agent
# API's bodies. A target that finds a failure fails the stage; its input
# is left in the package's testdata/fuzz for `go test` to replay.
# FUZZTIME (default 8s) is each target's budget (the stage took 130s at 10s).
set -euo pipefail
cd "$(dirname "$0")/../.."
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
fuzztime=${FUZZTIME:-8s}
targets=(
  "./internal/api FuzzCoreBodies"
  "./internal/api FuzzBGPVPNBodies"
  "./internal/api FuzzListQueries"
  "./internal/resource FuzzPrepare"
  "./internal/jsonv FuzzDecode"
  "./internal/policy FuzzParse"
  "./internal/rtrd FuzzParse"
  "./internal/agent/api FuzzDecode"
)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "--- $name ($pkg, $fuzztime)"
  if ! go test "$pkg" -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" -fuzzminimizetime 5s -parallel 2 >"$log" 2>&1; then
    tail -40 "$log"
    echo "fuzz: $name in $pkg failed" >&2
    exit 1
  fi
  tail -2 "$log"
done
