# Sourced by the stages (scripts/it/*.sh). go_test_noskip ARGS... runs
# go test -v ARGS, shows the results, and fails when it fails, when any
# test skipped (a skipped integration test is no pass: the stage installs
# and starts what the tests need) or when no test ran.
go_test_noskip() {
  local out rc=0
  out=$(mktemp)
  go test -v "$@" </dev/null >"$out" 2>&1 || rc=$?
  grep -E '^\s*--- (PASS|FAIL|SKIP)|^(ok|FAIL|PASS|panic)' "$out" || true
  if [ "$rc" -ne 0 ]; then
    grep -vE '^(=== (RUN|PAUSE|CONT)|time=)' "$out" | tail -150 >&2
    rm -f "$out"
    return "$rc"
  fi
  if grep -q -- '--- SKIP' "$out"; then
    grep -A3 -- '--- SKIP' "$out" >&2
    echo "a test skipped: that is no pass" >&2
    rm -f "$out"
    return 1
  fi
  if ! grep -q -- '--- PASS' "$out"; then
    echo "no test ran for: go test $*" >&2
    rm -f "$out"
    return 1
  fi
  rm -f "$out"
}
