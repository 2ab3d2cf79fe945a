#!/usr/bin/env bash
# Runs every benchmark in bench/ (each *_bench.sh, in name order) against one build.
# Usage: bench/run.sh BUILD_DIR   (what `make bench` runs). Extra environment variables
# (FILES, RUNS, JOBS, BATCH_FILES, ...) are passed through to the scripts; see each script's
# header. ONLY=batch (a name or an extended regex) runs only the matching *_bench.sh.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
build_dir=$1
here=$(cd "$(dirname "$0")" && pwd)

status=0
for script in "$here"/*_bench.sh; do
  if [ -n "${ONLY:-}" ] && ! [[ $(basename "$script" _bench.sh) =~ ^(${ONLY})$ ]]; then
    continue
  fi
  echo "== $(basename "$script")"
  bash "$script" "$build_dir" || { echo "== $(basename "$script") failed" >&2; status=1; }
done
exit "$status"
