#!/usr/bin/env bash
# Upload benchmark (issue 4, "Speed"): the same file of about 1 GiB to the same local sink with
#   curl:    curl -F "file=@FILE;type=video/mp4" (what a script without mavi-prep does),
#   program: mavi-prepare-and-upload (checks the file, which MAVI accepts as it is, then
#            uploads it through libmavi's client),
#   library: bench/upload_once, one mavi::Client::upload (the client alone, no media check),
# alternating, in one run. Reports, as medians:
#   - transfer throughput: the file's size over the transfer time each tool reports itself
#     (curl's %{time_total}, the program's upload.elapsed_seconds, upload_once's elapsed), and
#     its ratio against curl (the issue's target: >= 0.95);
#   - end-to-end wall time of each command (start-up and, for the program, its media check of
#     the file included) and the same ratio;
#   - peak RSS from /usr/bin/time (target < 64 MiB).
#
# The file is a real H.264 MP4 (so that mavi-prepare-and-upload's check accepts it): a 2-second
# 1280x720 lossless-noise clip, stream-copied in a loop up to BENCH_SIZE bytes. It is read
# once before timing, so every client reads it from the page cache.
#
# Usage: bench/upload_bench.sh BUILD_DIR
# Environment: BENCH_SIZE (bytes, default 1 GiB), BENCH_REPS (default 3),
#              BENCH_WORK (default bench/work; the video is kept there and reused).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$(cd "$1" && pwd)"
work="${BENCH_WORK:-$here/work}"
size="${BENCH_SIZE:-1073741824}"
reps="${BENCH_REPS:-3}"
program="$build/bin/mavi-prepare-and-upload"
mkdir -p "$work" "$here/results"

[ -f "$build/lib/libmavi.so" ] || { echo "no $build/lib/libmavi.so: build first" >&2; exit 1; }
[ -x "$program" ] || { echo "no $program: build first" >&2; exit 1; }
for tool in curl ffmpeg ffprobe python3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (scripts/install-deps.sh)" >&2; exit 1; }
done

# The sink and the one-upload client, built against this build tree.
cxx="${CXX:-g++}"
if [ ! -x "$work/upload_sink" ] || [ "$here/upload_sink.cpp" -nt "$work/upload_sink" ]; then
  "$cxx" -std=c++20 -O2 -o "$work/upload_sink" "$here/upload_sink.cpp" \
    $(pkg-config --cflags --libs cpp-httplib) -pthread
fi
"$cxx" -std=c++20 -O2 -o "$work/upload_once" "$here/upload_once.cpp" -I"$root/include" \
  -L"$build/lib" -lmavi -Wl,-rpath,"$build/lib"

# The video: made once per size, kept in $work.
file="$work/upload_bench_$size.mp4"
if [ ! -s "$file" ]; then
  echo "making a $size-byte H.264 MP4 in $work ..." >&2
  ff=(ffmpeg -nostdin -hide_banner -loglevel error -y)
  "${ff[@]}" -f lavfi -i "testsrc2=size=1280x720:rate=25,noise=alls=40:allf=t" -t 2 \
    -c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv420p -threads 2 "$work/upload_clip.mp4"
  "${ff[@]}" -stream_loop -1 -i "$work/upload_clip.mp4" -c copy -fs "$size" "$work/upload_tmp.mp4"
  mv -f "$work/upload_tmp.mp4" "$file"
  rm -f "$work/upload_clip.mp4"
fi
bytes=$(stat -c %s "$file")
cat "$file" > /dev/null  # into the page cache

"$work/upload_sink" > "$work/sink.out" 2> "$work/sink.err" &
sink_pid=$!
trap 'kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true' EXIT
for _ in $(seq 200); do
  grep -q '^listening on ' "$work/sink.out" 2>/dev/null && break
  sleep 0.05
done
base="$(sed -n 's/^listening on //p' "$work/sink.out")"
[ -n "$base" ] || { echo "the sink did not start" >&2; exit 1; }
url="$base/api/serve/video/upload"

run_timed() {  # NAME CMD... -> appends "NAME wall_seconds maxrss_kib" to $work/times
  local name="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.one" "$@" > "$work/$name.out" || {
    echo "$name failed:" >&2; cat "$work/$name.out" >&2; exit 1; }
  echo "$name $(cat "$work/time.one")" >> "$work/times"
}
transfer_time() {  # NAME -> appends "NAME seconds" (the tool's own transfer time) to $work/transfers
  local seconds
  case "$1" in
    curl) seconds=$(cat "$work/curl.out") ;;
    program) seconds=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["files"][0]["upload"]["elapsed_seconds"])' "$work/program.out") ;;
    library) seconds=$(sed -n 's/.*elapsed_ms=\([0-9]*\).*/\1/p' "$work/library.out" | awk '{print $1 / 1000}') ;;
  esac
  [ -n "$seconds" ] || { echo "no transfer time in $work/$1.out" >&2; exit 1; }
  echo "$1 $seconds" >> "$work/transfers"
}

: > "$work/times"
: > "$work/transfers"
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
for i in $(seq "$reps"); do
  run_timed curl curl -sS --fail -o /dev/null -w '%{time_total}\n' \
    -H "Authorization: bench-key" -F "file=@$file;type=video/mp4" "$url"
  transfer_time curl
  run_timed program env MAVI_API_KEY=bench-key "$program" --base-url "$base" \
    --uploads-per-minute 0 --no-journal --quiet --json "$file"
  grep -q '"status": *"uploaded"' "$work/program.out" ||
    { echo "mavi-prepare-and-upload did not upload:" >&2; cat "$work/program.out" >&2; exit 1; }
  transfer_time program
  run_timed library "$work/upload_once" "$base" "$file"
  transfer_time library
done

load="$load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
python3 - "$work/times" "$work/transfers" "$bytes" "$reps" "$load" <<'PY' | tee "$here/results/upload-$(date -u +%Y%m%dT%H%M%SZ).md"
import os, statistics, sys
path, transfers_path, size, reps, load = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5]
runs, transfers = {}, {}
for line in open(path):
    name, seconds, rss = line.split()
    runs.setdefault(name, []).append((float(seconds), int(rss)))
for line in open(transfers_path):
    name, seconds = line.split()
    transfers.setdefault(name, []).append(float(seconds))
mib = size / 2**20
print(f"upload of {mib:.0f} MiB ({size} bytes, H.264 MP4) to a local sink, {reps} runs each "
      f"(median; peak RSS = max); {os.cpu_count()} cores, load average {load}")
print()
labels = {"curl": "curl -F", "program": "mavi-prepare-and-upload", "library": "mavi::Client (upload_once)"}
print("| client | transfer s (own timing) | transfer MiB/s | end-to-end wall s | peak RSS MiB |")
print("| --- | ---: | ---: | ---: | ---: |")
med = {}
for name in ("curl", "program", "library"):
    wall = statistics.median(s for s, _ in runs[name])
    transfer = statistics.median(transfers[name])
    rss = max(r for _, r in runs[name]) / 1024
    med[name] = (transfer, wall, rss)
    print(f"| {labels[name]} | {transfer:.2f} | {mib / transfer:.1f} | {wall:.2f} | {rss:.1f} |")
print()
for name in ("program", "library"):
    for label, i in (("transfer throughput", 0), ("end-to-end wall time", 1)):
        ratio = med["curl"][i] / med[name][i]
        verdict = f" (target >= 0.95: {'met' if ratio >= 0.95 else 'NOT met'})" if i == 0 else ""
        print(f"- {label} ratio, {labels[name]} / curl: {ratio:.3f}{verdict}")
for name in ("program", "library"):
    print(f"- {labels[name]} peak RSS: {med[name][2]:.1f} MiB "
          f"(target < 64 MiB: {'met' if med[name][2] < 64 else 'NOT met'})")
for name in ("curl", "program", "library"):
    print(f"- samples {labels[name]}: transfer {' '.join(f'{t:.2f}' for t in transfers[name])} s; "
          f"wall {' '.join(f'{s:.2f}' for s, _ in runs[name])} s")
PY
