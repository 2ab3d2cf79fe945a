#!/usr/bin/env bash
# Runs scripts/demo.sh (what `make demo` runs) with a private TMPDIR and checks its promises:
# exit 0 with a videoNo for every acceptable or fixable fixture, and afterwards no temporary
# file left and no mavi-sandbox still running from it.
# Usage: tests/demo/demo_test.sh BUILD_DIR SOURCE_DIR
set -uo pipefail
build_dir=$1
source_dir=$2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/mavi-demo-test-XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/tmp"

TMPDIR="$scratch/tmp" bash "$source_dir/scripts/demo.sh" "$build_dir" >"$scratch/out" 2>"$scratch/err"
status=$?
cat "$scratch/out"
cat "$scratch/err" >&2
fail=0
[ "$status" -eq 0 ] || { echo "FAIL: demo exited with $status" >&2; fail=1; }
grep -q '^demo OK' "$scratch/out" || { echo "FAIL: no 'demo OK' line" >&2; fail=1; }
# Every uploaded line starts with a videoNo.
uploaded=$(grep -c '^VI[0-9A-Za-z]' "$scratch/out" || true)
[ "$uploaded" -ge 1 ] || { echo "FAIL: no videoNo in the report" >&2; fail=1; }
if [ -n "$(ls -A "$scratch/tmp")" ]; then
  echo "FAIL: temporaries left behind:" >&2
  ls -la "$scratch/tmp" >&2
  fail=1
fi
if pgrep -f "$scratch/tmp" >/dev/null; then
  echo "FAIL: a process started by the demo is still running" >&2
  fail=1
fi
exit "$fail"
