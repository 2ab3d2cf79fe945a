#!/usr/bin/env bash
# Batch benchmark (issue 5, "Speed"): does uploading overlap with preparing?
# Over BATCH_FILES clips that all need a re-encode (720p MPEG-4 Part 2 + MP2 in AVI, MPEG-2 + AAC
# in MKV, distinct content), against a local mavi-sandbox whose --max-bandwidth is chosen so
# that uploading takes about as long as preparing, it measures in one run:
#   P  preparation alone:  mavi-prepare-and-upload --no-upload -o DIR -j JOBS CORPUS (wall time)
#   U  upload alone:       the prepared files (already acceptable) uploaded, one at a time
#   T  the full pipeline:  mavi-prepare-and-upload -j JOBS CORPUS with uploads (fresh journal,
#                          fresh sandbox)
# and reports T, max(P, U), T / max(P, U) (target <= 1.15), and the sequential sum P + U with
# T / (P + U). Bandwidth: B = (prepared bytes / P) x f, where f (the time an upload really
# takes over bytes / B) is measured on 4 files first; BANDWIDTH=B skips the calibration.
#
# Usage: bench/batch_bench.sh BUILD_DIR
# Environment: BATCH_FILES (default 20, the minimum), SECONDS_MIN/SECONDS_MAX (clip lengths,
#              default 5 and 8), JOBS (default nproc), BANDWIDTH (bytes/s, default calibrated),
#              BENCH_WORK (default bench/work; the corpus is kept in $BENCH_WORK/batch_corpus),
#              ROUNDS (default 1: P, U and T are measured ROUNDS times in turn, medians
#              reported), KEEP=1 (keep the run's folder).
# Results: the table on stdout and in bench/results/batch_bench.md.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "$1" 2>/dev/null && pwd || echo "$1")
prog=$build_dir/bin/mavi-prepare-and-upload
sandbox=$build_dir/bin/mavi-sandbox
files_wanted=${BATCH_FILES:-20}
len_min=${SECONDS_MIN:-5}
len_max=${SECONDS_MAX:-8}
rounds=${ROUNDS:-1}
jobs=${JOBS:-$(nproc)}
work=${BENCH_WORK:-$root/bench/work}
corpus=$work/batch_corpus
results=$root/bench/results

if [ "$files_wanted" -lt 20 ]; then
  echo "batch_bench: BATCH_FILES must be at least 20" >&2
  exit 64
fi
for p in "$prog" "$sandbox"; do
  [ -x "$p" ] || { echo "batch_bench: $p not found (build first)" >&2; exit 1; }
done
for tool in ffmpeg ffprobe curl jq bc /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "batch_bench: $tool not found (scripts/install-deps.sh)" >&2; exit 1; }
done

# The pipelined runner (issue 5) has these options; without them the "pipeline" run is the
# older one-file-at-a-time loop, which is reported as such.
help=$("$prog" --help)
has_opt() { grep -q -- "$1" <<<"$help"; }
pipelined=0
has_opt '--journal' && has_opt '--upload-concurrency' && pipelined=1
jobs_opt=()
has_opt '^ *-j' && jobs_opt=(-j "$jobs")

run=$(mktemp -d "${TMPDIR:-/tmp}/mavi-batch-bench-XXXXXX")
sandbox_pid=
cleanup() {
  if [ -n "$sandbox_pid" ]; then kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; fi
  [ -n "${KEEP:-}" ] || rm -rf "$run"
}
trap cleanup EXIT
# Nothing of the bench goes to the user's own journal.
export XDG_STATE_HOME=$run/state
key=bench-key-$$
export MAVI_API_KEY=$key MAVI_SANDBOX_API_KEY=$key
printf 'Authorization: %s\n' "$key" > "$run/auth.header"

# --- corpus ---------------------------------------------------------------------------------

# Clip i: 1280x720 25 fps, SECONDS_MIN..SECONDS_MAX s, its own hue and tone, so every
# file has distinct content (and fingerprint). Even i: MPEG-4 Part 2 + MP2 in AVI; odd i:
# MPEG-2 + AAC in MKV. Neither video codec is accepted by MAVI: every file is re-encoded.
make_clip() {
  local i=$1 len=$((len_min + $1 % (len_max - len_min + 1))) out
  local v="testsrc2=size=1280x720:rate=25:duration=$len,hue=h=$((i * 37 % 360))"
  local a="sine=frequency=$((220 + 15 * i)):sample_rate=48000:duration=$len"
  local ff=(ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "$v" -f lavfi -i "$a" -threads 2)
  if [ $((i % 2)) -eq 0 ]; then
    out=$(printf '%s/clip%03d_mpeg4_mp2.avi' "$corpus" "$i")
    "${ff[@]}" -c:v mpeg4 -q:v 4 -c:a mp2 -b:a 192k -ac 2 "$out.tmp.avi" && mv -f "$out.tmp.avi" "$out"
  else
    out=$(printf '%s/clip%03d_mpeg2_aac.mkv' "$corpus" "$i")
    "${ff[@]}" -c:v mpeg2video -q:v 4 -c:a aac -b:a 128k -ac 2 "$out.tmp.mkv" && mv -f "$out.tmp.mkv" "$out"
  fi
}
mkdir -p "$corpus" "$results"
# Rebuilt when the wanted set changed (count or lengths).
stamp="files=$files_wanted len=$len_min-$len_max v1"
if [ "$(cat "$corpus/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "making $files_wanted clips in $corpus ..." >&2
  rm -f "$corpus"/clip*
  for i in $(seq 0 $((files_wanted - 1))); do make_clip "$i"; done
  echo "$stamp" > "$corpus/.stamp"
fi
corpus_bytes=$(find "$corpus" -name 'clip*' -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
media_seconds=$(for f in "$corpus"/clip*; do
  ffprobe -v error -show_entries format=duration -of csv=p=0 "$f"; done | awk '{s+=$1} END {printf "%.1f", s}')

# --- helpers --------------------------------------------------------------------------------

# start_sandbox BANDWIDTH: a fresh sandbox (private store, empty registry); sets $base.
start_sandbox() {
  local out=$run/sandbox.out
  : > "$out"
  "$sandbox" --port 0 --quiet --admin --max-bandwidth "$1" > "$out" 2> "$run/sandbox.err" &
  sandbox_pid=$!
  for _ in $(seq 200); do
    grep -q '^listening on ' "$out" && break
    sleep 0.05
  done
  base=$(sed -n 's/^listening on //p' "$out")
  [ -n "$base" ] || { echo "batch_bench: the sandbox did not start:" >&2; cat "$run/sandbox.err" >&2; exit 1; }
}
stop_sandbox() {
  kill "$sandbox_pid" 2>/dev/null || true
  wait "$sandbox_pid" 2>/dev/null || true
  sandbox_pid=
}
stored_videos() { curl -sS -H "@$run/auth.header" "$base/sandbox/videos" | jq '.count'; }

# timed NAME CMD...: runs CMD with stdout in NAME.out; sets $secs and $peak_kb. Exit status 0
# is required (every file must be prepared / uploaded).
timed() {
  local name=$1
  shift
  if ! /usr/bin/time -o "$run/$name.time" -f '%e %M' "$@" > "$run/$name.out" 2> "$run/$name.err"; then
    echo "batch_bench: $name failed:" >&2
    tail -20 "$run/$name.err" >&2
    exit 1
  fi
  read -r secs peak_kb < "$run/$name.time"
}
journal_opt() { [ "$pipelined" = 1 ] && printf '%s\n' --journal "$run/$1.sqlite"; return 0; }

# --- the measures -----------------------------------------------------------------------------

# prepare_alone R: P of round R, into $run/prepared-R; sets $prep_s, $prep_kb, $prepared_bytes.
prepare_alone() {
  local out=$run/prepared-$1 j n
  mapfile -t j < <(journal_opt "prepare-$1")
  timed "prepare-$1" "$prog" --no-upload --quiet -o "$out" "${jobs_opt[@]}" "${j[@]}" "$corpus"
  prep_s=$secs prep_kb=$peak_kb
  n=$(find "$out" -name '*.mp4' -type f | wc -l)
  [ "$n" -eq "$files_wanted" ] || { echo "batch_bench: $n prepared files, expected $files_wanted" >&2; exit 1; }
  prepared_bytes=$(find "$out" -name '*.mp4' -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
}

# upload_alone NAME B FILE...: uploads FILEs to a fresh sandbox at B bytes/s, one at a time;
# sets $up_s.
upload_alone() {
  local name=$1 bw=$2 j n
  shift 2
  start_sandbox "$bw"
  mapfile -t j < <(journal_opt "$name")
  timed "$name" "$prog" --quiet --uploads-per-minute 0 --base-url "$base" "${j[@]}" "$@"
  up_s=$secs
  n=$(stored_videos)
  stop_sandbox
  [ "$n" -eq $# ] || { echo "batch_bench: $n videos stored, expected $#" >&2; exit 1; }
}

# pipeline R: T of round R, the whole corpus prepared and uploaded by one command with a fresh
# journal and a fresh sandbox at $bandwidth; sets $total_s, $total_kb.
pipeline() {
  local j n
  start_sandbox "$bandwidth"
  mapfile -t j < <(journal_opt "pipeline-$1")
  timed "pipeline-$1" "$prog" --quiet --uploads-per-minute 0 --base-url "$base" "${jobs_opt[@]}" "${j[@]}" "$corpus"
  total_s=$secs total_kb=$peak_kb
  n=$(stored_videos)
  stop_sandbox
  [ "$n" -eq "$files_wanted" ] || { echo "batch_bench: $n videos stored, expected $files_wanted" >&2; exit 1; }
}

mode=$( [ "$pipelined" = 1 ] && echo pipelined || echo 'one file at a time: no pipeline in this build')
factor=
rows=()
for round in $(seq "$rounds"); do
  echo "round $round/$rounds: preparing $files_wanted files${jobs_opt[*]:+ (${jobs_opt[*]})} ..." >&2
  prepare_alone "$round"
  mapfile -t prepared < <(find "$run/prepared-$round" -name '*.mp4' -type f | LC_ALL=C sort)
  if [ "$round" = 1 ]; then
    if [ -n "${BANDWIDTH:-}" ]; then
      bandwidth=$BANDWIDTH
    else
      # bytes / P would do if an upload took exactly bytes / B; it takes longer (start-up,
      # the check before sending, the sandbox's pacing and its check of the stored file).
      # Measure that factor on a few files, then scale B so that U ~= P.
      bandwidth=$(echo "$prepared_bytes / $prep_s" | bc)
      sample=("${prepared[@]:0:4}")
      sample_bytes=$(stat -c %s "${sample[@]}" | awk '{s+=$1} END {print s}')
      echo "calibrating: ${#sample[@]} files at $bandwidth B/s ..." >&2
      upload_alone calibrate "$bandwidth" "${sample[@]}"
      factor=$(echo "scale=4; $up_s / ($sample_bytes / $bandwidth)" | bc)
      bandwidth=$(echo "$bandwidth * $factor" | bc | cut -d. -f1)
    fi
    first_prepared_bytes=$prepared_bytes
  fi
  echo "round $round/$rounds: uploading the prepared files at $bandwidth B/s ..." >&2
  upload_alone "upload-$round" "$bandwidth" "${prepared[@]}"
  echo "round $round/$rounds: prepare and upload ($mode) ..." >&2
  pipeline "$round"
  rows+=("$round $prep_s $up_s $total_s $prep_kb $total_kb")
done

# --- report -----------------------------------------------------------------------------------

median() { sort -n | awk '{a[NR]=$1} END {m = int((NR+1)/2); printf "%.2f\n", (NR % 2) ? a[m] : (a[m] + a[m+1]) / 2}'; }
column() { printf '%s\n' "${rows[@]}" | awk -v c="$1" '{print $c}'; }
ratios() {  # P U T -> "max sum T/max T/sum"
  echo "$1 $2 $3" | awk '{m = ($1 > $2) ? $1 : $2; s = $1 + $2; printf "%.2f %.2f %.3f %.3f", m, s, $3 / m, $3 / s}'
}
prep_med=$(column 2 | median)
up_med=$(column 3 | median)
total_med=$(column 4 | median)
read -r max_s sum_s ratio_max ratio_sum <<<"$(ratios "$prep_med" "$up_med" "$total_med")"
met=$( [ "$(echo "$ratio_max <= 1.15" | bc)" = 1 ] && echo met || echo 'NOT met')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mib() { echo "scale=2; $1 / 1048576" | bc | sed 's/^\./0./'; }
{
  echo "Batch benchmark: $files_wanted clips, ${media_seconds} s of 1280x720 25 fps video in all (MPEG-4 Part 2 + MP2 AVI and MPEG-2 + AAC MKV, $(mib "$corpus_bytes") MiB), every one re-encoded;"
  echo "mavi-prepare-and-upload $("$prog" --version 2>/dev/null | head -1 | awk '{print $NF}') ($mode), ${jobs_opt[*]:-no -j}, upload concurrency 1, no pacing, $rounds round(s) of P, U, T in turn;"
  echo "mavi-sandbox --max-bandwidth $bandwidth B/s ($(mib "$bandwidth") MiB/s${factor:+, calibration factor $factor}) for $(mib "$first_prepared_bytes") MiB of prepared files;"
  echo "$(nproc) cores ($cpu), load $(cut -d' ' -f1-3 /proc/loadavg) at the end; $(date -u +%Y-%m-%dT%H:%MZ)."
  echo
  echo "| round | P: prepare alone | U: upload alone | T: prepare and upload | max(P, U) | P + U | T / max(P, U) | T / (P + U) | peak RSS P / T |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  for row in "${rows[@]}"; do
    read -r r p u t pk tk <<<"$row"
    read -r m su rm rs <<<"$(ratios "$p" "$u" "$t")"
    echo "| $r | $p s | $u s | $t s | $m s | $su s | $rm | $rs | $((pk / 1024)) / $((tk / 1024)) MB |"
  done
  if [ "$rounds" -gt 1 ]; then
    echo "| median | $prep_med s | $up_med s | $total_med s | $max_s s | $sum_s s | $ratio_max | $ratio_sum | |"
  fi
  echo
  echo "P: \`--no-upload -o DIR${jobs_opt[*]:+ ${jobs_opt[*]}}\`; U: the prepared files (acceptable as they are) uploaded by one command; T: one command from the originals."
  echo "T / max(P, U) = $ratio_max (target <= 1.15: $met); T / (P + U) = $ratio_sum (1.0 = no overlap at all)."
} | tee "$results/batch_bench.md"
