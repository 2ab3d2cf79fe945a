#!/usr/bin/env bash
# Side-by-side benchmark for preflight inspection (issue 2, "Speed"): over one folder of
# video files, the wall time of
#   (a) mavi-check --json -j N FOLDER          (one run, N = number of cores)
#   (b) ffprobe -of json -show_format -show_streams, run once per file (a shell loop)
#   (c) the same ffprobe, per file, N at a time (xargs -P N), for a parallel-to-parallel view
#   (d) mediainfo --Output=JSON with every file in one invocation
#   (e) mediainfo --Output=JSON, run once per file (a shell loop)
# After a warm-up that puts the files and the tools in the page cache, RUNS rounds (default 3)
# run every command once, the quick ones ((a) and (d)) QUICK times (default 3), round-robin so
# that load changes hit all tools alike; the table reports each command's median and the
# ratios. Targets: (a) <= 1/20 of (b), (a) < (d).
#
# Usage: bench/check_bench.sh BUILD_DIR
# Environment: FILES (default 200, the minimum), RUNS (default 3), QUICK (default 3),
#              JOBS (default nproc),
#              BENCH_WORK (default bench/work), SKIP_MAVI=1 to time only ffprobe/mediainfo,
#              CORPUS_ONLY=1 to build the corpus, print its folder and stop.
# The corpus is built once in $BENCH_WORK/check_corpus and reused while it is complete.
# Results: the table on stdout and in bench/results/check_bench.md.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "$1" 2>/dev/null && pwd || echo "$1")
files_wanted=${FILES:-200}
runs=${RUNS:-3}
quick=${QUICK:-3}
jobs=${JOBS:-$(nproc)}
work=${BENCH_WORK:-$root/bench/work}
corpus=$work/check_corpus
results=$root/bench/results
mavi_check=$build_dir/bin/mavi-check
skip_mavi=${SKIP_MAVI:-0}

if [ "$files_wanted" -lt 200 ]; then
  echo "check_bench: FILES must be at least 200" >&2
  exit 64
fi
for tool in ffmpeg ffprobe mediainfo python3; do
  command -v "$tool" >/dev/null || { echo "check_bench: $tool not found (run scripts/install-deps.sh)" >&2; exit 1; }
done
if [ "$skip_mavi" != 1 ] && [ ! -x "$mavi_check" ]; then
  echo "check_bench: $mavi_check not found or not executable (build first, or SKIP_MAVI=1)" >&2
  exit 1
fi

# --- corpus ---------------------------------------------------------------------------------

# Video fixtures in the rotation: everything mavi-check's folder walk picks up by extension,
# the broken ones included (real folders have some).
mapfile -t sources < <(cd "$root/fixtures" && find . -maxdepth 1 -type f \
  \( -name '*.mp4' -o -name '*.m4v' -o -name '*.mov' -o -name '*.mkv' -o -name '*.webm' \
  -o -name '*.avi' -o -name '*.flv' -o -name '*.ts' -o -name '*.mpg' \) \
  ! -name 'file with spaces*' -printf '%f\n' | LC_ALL=C sort)

# A few 10-second 640x360 clips so that not every file is tiny.
make_clips() {
  local clips=$work/clips ff=(ffmpeg -nostdin -hide_banner -loglevel error -y)
  local v="testsrc2=size=640x360:rate=30:duration=10" a="sine=frequency=330:sample_rate=48000:duration=10"
  mkdir -p "$clips"
  [ -s "$clips/clip10s_h264_aac.mp4" ] || "${ff[@]}" -f lavfi -i "$v" -f lavfi -i "$a" \
    -c:v libx264 -preset ultrafast -crf 28 -pix_fmt yuv420p -threads 2 -c:a aac -b:a 96k -ac 2 \
    -movflags +faststart "$clips/clip10s_h264_aac.tmp.mp4" \
    && mv -f "$clips/clip10s_h264_aac.tmp.mp4" "$clips/clip10s_h264_aac.mp4"
  [ -s "$clips/clip10s_hevc_aac.mkv" ] || "${ff[@]}" -f lavfi -i "$v" -f lavfi -i "$a" \
    -c:v libx265 -preset ultrafast -crf 32 -x265-params log-level=error:pools=2 -c:a aac -b:a 96k -ac 2 \
    "$clips/clip10s_hevc_aac.tmp.mkv" && mv -f "$clips/clip10s_hevc_aac.tmp.mkv" "$clips/clip10s_hevc_aac.mkv"
  [ -s "$clips/clip10s_mpeg4_mp3.avi" ] || "${ff[@]}" -f lavfi -i "$v" -f lavfi -i "$a" \
    -c:v mpeg4 -q:v 6 -c:a libmp3lame -b:a 96k -ac 2 \
    "$clips/clip10s_mpeg4_mp3.tmp.avi" && mv -f "$clips/clip10s_mpeg4_mp3.tmp.avi" "$clips/clip10s_mpeg4_mp3.avi"
  [ -s "$clips/clip10s_h264_aac.ts" ] || "${ff[@]}" -i "$clips/clip10s_h264_aac.mp4" -map 0 -c copy \
    -f mpegts "$clips/clip10s_h264_aac.tmp.ts" && mv -f "$clips/clip10s_h264_aac.tmp.ts" "$clips/clip10s_h264_aac.ts"
}

# The corpus: FILES files named NNNN_<source>, cycling through the fixtures and the clips.
# Media files are stream-copied with a per-file comment tag, so every file has distinct
# bytes; the broken fixtures, .m4v and anything FFmpeg cannot remux are plain copies.
build_corpus() {
  local stamp=$corpus/.complete
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$files_wanted" ]; then
    return
  fi
  echo "check_bench: building a corpus of $files_wanted files in $corpus (once)" >&2
  make_clips
  rm -rf "$corpus"
  mkdir -p "$corpus/clips" "$corpus/fixtures"
  local all=() s
  for s in "${sources[@]}"; do all+=("$root/fixtures/$s"); done
  for s in "$work"/clips/clip10s_*.{mp4,mkv,avi,ts}; do
    # Clips count three times in the rotation: about a third of the corpus is 10 s long.
    all+=("$s" "$s" "$s")
  done
  local i src name dest sub plain
  for ((i = 0; i < files_wanted; i++)); do
    src=${all[$((i % ${#all[@]}))]}
    name=$(printf '%04d_%s' "$i" "$(basename "$src")")
    case $src in "$work"/clips/*) sub=clips ;; *) sub=fixtures ;; esac
    dest=$corpus/$sub/$name
    case $(basename "$src") in
      # Broken or not media: keep their bytes (a remux would repair or change them).
      truncated.mp4 | empty.mp4 | text_renamed.mp4 | image_renamed.mp4 | *.m4v) plain=1 ;;
      *) plain=0 ;;
    esac
    if [ "$plain" = 1 ] || ! ffmpeg -nostdin -hide_banner -loglevel quiet -y -i "$src" \
      -map 0 -c copy -metadata comment="mavi bench copy $i" "$dest" 2>/dev/null; then
      cp -f "$src" "$dest"
    fi
  done
  echo "$files_wanted" >"$stamp"
}

build_corpus
# bench/python_bench.sh times the same corpus: it only needs it built.
if [ "${CORPUS_ONLY:-0}" = 1 ]; then
  echo "$corpus"
  exit 0
fi
mapfile -d '' -t files < <(find "$corpus" -type f ! -name '.*' -print0 | LC_ALL=C sort -z)
file_count=${#files[@]}
corpus_bytes=$(du -sb "$corpus" | cut -f1)

# --- timing ---------------------------------------------------------------------------------

now() { date +%s.%N; }

# median of the arguments
median() { printf '%s\n' "$@" | LC_ALL=C sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

run_mavi() {
  local status=0
  "$mavi_check" --json -j "$jobs" "$corpus" >/dev/null 2>&1 || status=$?
  # 0 all ok, 1 some fixable, 2 some rejected: all are normal outcomes for this corpus.
  [ "$status" -le 2 ] || { echo "check_bench: mavi-check failed with status $status" >&2; return 1; }
}
run_ffprobe_loop() {
  local f
  for f in "${files[@]}"; do
    ffprobe -v error -of json -show_format -show_streams "$f" >/dev/null 2>&1 || true
  done
}
run_ffprobe_parallel() {
  printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$jobs" \
    sh -c 'ffprobe -v error -of json -show_format -show_streams "$0" >/dev/null 2>&1 || true'
}
run_mediainfo_one() {
  mediainfo --Output=JSON "${files[@]}" >/dev/null 2>&1 || true
}
run_mediainfo_loop() {
  local f
  for f in "${files[@]}"; do
    mediainfo --Output=JSON "$f" >/dev/null 2>&1 || true
  done
}

# Warm-up: the corpus and every tool's libraries in the page cache, so that no command pays
# for the first disk reads.
warm_up() {
  cat "${files[@]}" >/dev/null
  ffprobe -v error -of json -show_format -show_streams "${files[0]}" >/dev/null 2>&1 || true
  mediainfo --Output=JSON "${files[0]}" >/dev/null 2>&1 || true
  if [ "$skip_mavi" != 1 ]; then "$mavi_check" --json "${files[0]}" >/dev/null 2>&1 || true; fi
}

# Samples are taken round-robin (each round runs every command once, the quick ones QUICK
# times), so that a change in the machine's load hits every tool alike; result[NAME] is the
# median of NAME's samples.
declare -A result samples
sample() { # NAME FUNCTION
  local t0 t1
  t0=$(now)
  "$2"
  t1=$(now)
  samples[$1]+="$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}') "
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
warm_up

# Cross-check that mavi-check sees the same files as the other tools.
mavi_count="n/a"
if [ "$skip_mavi" != 1 ]; then
  # mavi-check exits 1 or 2 on this corpus (fixable and rejected files): not a failure here.
  mavi_count=$({ "$mavi_check" --json -j "$jobs" "$corpus" 2>/dev/null || true; } |
    python3 -c 'import json, sys; print(len(json.load(sys.stdin)["files"]))' 2>/dev/null) ||
    mavi_count="?"
  if [ "$mavi_count" != "$file_count" ]; then
    echo "check_bench: warning: mavi-check reported $mavi_count files, the corpus has $file_count" >&2
  fi
fi

names=(ffprobe_loop ffprobe_parallel mediainfo_one mediainfo_loop)
[ "$skip_mavi" = 1 ] || names=(mavi "${names[@]}")
for ((r = 1; r <= runs; r++)); do
  echo "check_bench: round $r of $runs" >&2
  for ((q = 0; q < quick; q++)); do
    [ "$skip_mavi" = 1 ] || sample mavi run_mavi
    sample mediainfo_one run_mediainfo_one
  done
  sample ffprobe_loop run_ffprobe_loop
  sample ffprobe_parallel run_ffprobe_parallel
  sample mediainfo_loop run_mediainfo_loop
done
for name in "${names[@]}"; do
  # shellcheck disable=SC2086 # the samples are a space-separated list of numbers
  result[$name]=$(median ${samples[$name]})
  echo "check_bench: $name: ${samples[$name]}s (median ${result[$name]} s)" >&2
done

# --- report ---------------------------------------------------------------------------------

ratio() { # A B: A / B, or n/a
  if [ -z "${1:-}" ] || [ -z "${2:-}" ]; then echo "n/a"; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.3f", a / b; else print "n/a" }'
}
speedup() { # A B: B / A as "N.Nx"
  if [ -z "${1:-}" ] || [ -z "${2:-}" ]; then echo "n/a"; return; fi
  awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0) printf "%.1fx", b / a; else print "n/a" }'
}
verdict() { # RATIO LIMIT
  if [ "$1" = "n/a" ]; then echo "n/a"; return; fi
  awk -v r="$1" -v l="$2" 'BEGIN { print (r <= l) ? "met" : "NOT met" }'
}

load_after=$(cut -d' ' -f1-3 /proc/loadavg)
m=${result[mavi]:-}
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
ffv=$(ffprobe -version | head -1 | awk '{print $3}')
miv=$(mediainfo --version | tail -1 | sed 's/.* - //')
r_ffprobe=$(ratio "$m" "${result[ffprobe_loop]}")
r_mediainfo=$(ratio "$m" "${result[mediainfo_one]}")

mkdir -p "$results"
report=$results/check_bench.md
{
  echo "### mavi-check vs ffprobe vs mediainfo ($(date -u +%Y-%m-%d))"
  echo
  echo "$file_count files ($((corpus_bytes / 1024)) KiB; mavi-check saw $mavi_count), $jobs jobs," \
    "median of $runs rounds ($((runs * quick)) samples for the quick commands), warm page cache; $cpu, $(nproc) cores; FFmpeg $ffv, MediaInfo $miv;" \
    "load average $load_before before, $load_after after."
  echo
  echo "| command | wall time (s) | mavi-check / this | mavi-check is faster by |"
  echo "| --- | ---: | ---: | ---: |"
  echo "| mavi-check --json -j $jobs | ${m:-n/a} | 1.000 | 1.0x |"
  echo "| ffprobe, once per file | ${result[ffprobe_loop]} | $r_ffprobe | $(speedup "$m" "${result[ffprobe_loop]}") |"
  echo "| ffprobe, once per file, $jobs at a time | ${result[ffprobe_parallel]} | $(ratio "$m" "${result[ffprobe_parallel]}") | $(speedup "$m" "${result[ffprobe_parallel]}") |"
  echo "| mediainfo --Output=JSON, all files in one run | ${result[mediainfo_one]} | $r_mediainfo | $(speedup "$m" "${result[mediainfo_one]}") |"
  echo "| mediainfo --Output=JSON, once per file | ${result[mediainfo_loop]} | $(ratio "$m" "${result[mediainfo_loop]}") | $(speedup "$m" "${result[mediainfo_loop]}") |"
  echo
  echo "Targets: mavi-check / ffprobe loop <= 0.050: $(verdict "$r_ffprobe" 0.05);" \
    "mavi-check faster than mediainfo (one run): $(verdict "$r_mediainfo" 0.999)."
} | tee "$report"
echo "check_bench: report written to $report" >&2
