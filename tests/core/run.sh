#!/usr/bin/env bash
# tests/core/run.sh — build and run the core C tests under ASan+UBSan.
# Usage: tests/core/run.sh [results-file]; appends "PASS core/<name>" or
# "FAIL core/<name>" per test case to results-file, exits non-zero on failure.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
results=${1:-/dev/null}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if ! make -s -C "$here" all EXTVERSION="${EXTVERSION:-0.0.0}"; then
  echo "FAIL core/build" >> "$results"
  exit 1
fi
rc=0
for t in "$here"/build/test_*; do
  [ -x "$t" ] || continue
  name=$(basename "$t")
  trc=0
  # from tests/core, as `make -C tests/core run` does: tests find the
  # example schemas relative to it
  (cd "$here" && "$t") > "$out" 2>&1 || trc=$?
  [ $trc -eq 0 ] || rc=1
  grep -E '^(PASS|FAIL) ' "$out" | sed "s#^\(PASS\|FAIL\) #\1 core/$name/#" >> "$results"
  # a crash (sanitizer abort) leaves no FAIL line for the rest: count it
  if [ $trc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
    echo "FAIL core/$name/crashed" >> "$results"
  fi
  grep -vE '^(PASS) ' "$out" | sed 's/^/  /'
done
exit $rc
