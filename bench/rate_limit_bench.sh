#!/usr/bin/env bash
# Rate-limit benchmark: how much of MAVI's documented upload limit a long batch uses.
# Against mavi-sandbox --realistic (uploads 1 per window, 0429 as HTTP 429 without Retry-After,
# v1 behaviour as documented), with the window shortened to WINDOW seconds so that MAVI's
# "1 a minute" runs at a faster clock (WINDOW=2: 30x), it measures in one run, over FILES
# small acceptable clips:
#   A  mavi-prepare-and-upload with its default pace (the documented limit, here 60/WINDOW a
#      minute), --api v1
#   B  the same with a ceiling twice the real limit (--uploads-per-minute 120/WINDOW): the pace
#      must be learned from 0429 answers
#   C  what a user would otherwise write: curl in a loop, retrying a 0429 with exponential
#      backoff (1, 2, 4 ... s), as the rate-limits page advises
# and reports for each the share of the available upload slots used (uploads / (elapsed /
# WINDOW)), the 0429 answers, and those per hour of MAVI's real clock.
#
# Usage: bench/rate_limit_bench.sh BUILD_DIR
# Environment: FILES (default 30), WINDOW (seconds, default 2), BENCH_WORK (default bench/work).
# Results: the table on stdout and in bench/results/rate_limit_bench.md.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "$1" 2>/dev/null && pwd || echo "$1")
prog=$build_dir/bin/mavi-prepare-and-upload
sandbox=$build_dir/bin/mavi-sandbox
files=${FILES:-30}
window=${WINDOW:-2}
work=${BENCH_WORK:-$root/bench/work}
corpus=$work/rate_corpus
results=$root/bench/results
key=bench-key

for p in "$prog" "$sandbox"; do
  [ -x "$p" ] || { echo "rate_limit_bench: $p not found (build first)" >&2; exit 1; }
done
for tool in ffmpeg curl jq bc; do
  command -v "$tool" >/dev/null || { echo "rate_limit_bench: $tool not found (scripts/install-deps.sh)" >&2; exit 1; }
done

mkdir -p "$corpus" "$results"
for i in $(seq 1 "$files"); do
  f=$corpus/clip_$i.mp4
  [ -s "$f" ] && continue
  ffmpeg -v error -y -f lavfi -i "testsrc=duration=1:size=160x120:rate=10" \
    -f lavfi -i "sine=frequency=$((200 + i)):duration=1" -c:v libx264 -preset ultrafast \
    -c:a aac -shortest "$f"
done

run=$(mktemp -d "${TMPDIR:-/tmp}/mavi-rate-bench-XXXXXX")
sandbox_pid=
cleanup() {
  [ -n "$sandbox_pid" ] && kill "$sandbox_pid" 2>/dev/null || true
  rm -rf "$run"
}
trap cleanup EXIT

start_sandbox() {
  "$sandbox" --port 0 --quiet --api-key "$key" --callback-delay 0 --admin --realistic \
    --rate-window "$window" >"$run/sandbox.out" &
  sandbox_pid=$!
  until grep -q '^listening on ' "$run/sandbox.out" 2>/dev/null; do sleep 0.05; done
  url=$(sed -n 's/^listening on //p' "$run/sandbox.out")
}
stop_sandbox() {
  kill "$sandbox_pid"
  wait "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=
}
now() { date +%s.%N; }
# uploads elapsed limited -> "share% | limited | per real hour"
figures() {
  local uploads=$1 elapsed=$2 limited=$3
  local slots share hours
  slots=$(echo "$elapsed / $window + 1" | bc -l)
  share=$(echo "100 * $uploads / $slots" | bc -l)
  hours=$(echo "$elapsed * 60 / $window / 3600" | bc -l)
  printf '%.1f %% | %d | %.1f' "$share" "$limited" "$(echo "$limited / $hours" | bc -l)"
}

rows=()
for ceiling_factor in 1 2; do
  start_sandbox
  ceiling=$(echo "60 * $ceiling_factor / $window" | bc -l)
  t0=$(now)
  MAVI_API_KEY=$key "$prog" --base-url "$url" --api v1 --uploads-per-minute "$ceiling" \
    --json --journal "$run/journal_$ceiling_factor.sqlite" "$corpus" >"$run/report.json"
  t1=$(now)
  uploaded=$(jq '.summary.uploaded' "$run/report.json")
  limited=$(jq '.summary.rate_limited_answers' "$run/report.json")
  stored=$(curl -sS -H "Authorization: $key" "$url/sandbox/videos" | jq '.count')
  stop_sandbox
  label=$([ "$ceiling_factor" = 1 ] && echo "A mavi-prepare-and-upload, default pace" ||
    echo "B mavi-prepare-and-upload, ceiling 2x the limit")
  rows+=("| $label | $uploaded ($stored stored) | $(printf '%.1f' "$(echo "$t1 - $t0" | bc -l)") s | $(figures "$uploaded" "$(echo "$t1 - $t0" | bc -l)" "$limited") |")
done

start_sandbox
t0=$(now)
limited=0
uploaded=0
for f in "$corpus"/*.mp4; do
  delay=1
  while :; do
    answer=$(curl -sS -H "Authorization: $key" -F "file=@$f;type=video/mp4" \
      -F unique_id=default "$url/serve/api/v1/upload")
    code=$(jq -r '.code' <<<"$answer")
    if [ "$code" = "0429" ]; then
      limited=$((limited + 1))
      sleep "$delay"
      delay=$((delay * 2))
      continue
    fi
    [ "$code" = "0000" ] && uploaded=$((uploaded + 1))
    break
  done
done
t1=$(now)
stop_sandbox
elapsed=$(echo "$t1 - $t0" | bc -l)
rows+=("| C curl loop, exponential backoff on 0429 | $uploaded | $(printf '%.1f' "$elapsed") s | $(figures "$uploaded" "$elapsed" "$limited") |")

{
  echo "Rate-limit benchmark: $files files, mavi-sandbox --realistic with --rate-window ${window}s (MAVI's 1 a minute at $((60 / window))x), $(date -u +%F)"
  echo
  echo "| run | uploaded | elapsed | share of upload slots | 0429 answers | 0429 per real hour |"
  echo "| --- | --- | --- | --- | --- | --- |"
  printf '%s\n' "${rows[@]}"
} | tee "$results/rate_limit_bench.md"
