#!/usr/bin/env bash
# Runs every libFuzzer target listed in BUILD_DIR/fuzz_targets.txt for SECONDS each, starting
# from its committed seed corpus (copied, so new inputs do not dirty the tree), and prints the
# executions done. A crash stops the run with the reproducer saved under BUILD_DIR/fuzz-artifacts/.
set -euo pipefail
build_dir=${1:?usage: run.sh BUILD_DIR SECONDS MAX_LEN}
seconds=${2:-60}
max_len=${3:-65536}
src_dir=$(cd "$(dirname "$0")" && pwd)
status=0
while read -r target; do
  [ -n "$target" ] || continue
  corpus_name=${target%_fuzz}
  work="$build_dir/fuzz-corpus/$corpus_name"
  artifacts="$build_dir/fuzz-artifacts/$target/"
  mkdir -p "$work" "$artifacts"
  log="$build_dir/fuzz-$target.log"
  echo "fuzz: $target for ${seconds}s (max_len $max_len, seeds $src_dir/corpus/$corpus_name)"
  if ! ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    "$build_dir/bin/$target" "$work" "$src_dir/corpus/$corpus_name" \
    -max_total_time="$seconds" -max_len="$max_len" -rss_limit_mb=2048 -timeout=10 \
    -artifact_prefix="$artifacts" -print_final_stats=1 >"$log" 2>&1; then
    status=1
    echo "fuzz: $target FAILED; see $log and $artifacts"
    grep -E 'ERROR|SUMMARY|Test unit written' "$log" | head -20 || true
  fi
  runs=$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)
  echo "fuzz: $target executions: ${runs:-unknown} in ${seconds}s"
done <"$build_dir/fuzz_targets.txt"
exit $status
