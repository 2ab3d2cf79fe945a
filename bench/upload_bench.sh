#!/usr/bin/env bash
# Upload benchmark: the same 1 GiB file to the same local sink, with libmavi's client and with
# `curl -F file=@...`, alternating, in one run. Reports the median wall time, throughput, the
# throughput ratio (target >= 0.95 of curl) and peak RSS from /usr/bin/time (target < 64 MiB).
#
# Usage: bench/upload_bench.sh BUILD_DIR
# Environment: BENCH_SIZE (bytes, default 1 GiB), BENCH_REPS (default 3),
#              BENCH_RANDOM=1 (file from /dev/urandom instead of sparse).
set -euo pipefail

if [ $# -ne 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
build="$(cd "$1" && pwd)"
work="$here/work"
size="${BENCH_SIZE:-1073741824}"
reps="${BENCH_REPS:-3}"
mkdir -p "$work" "$here/results"

[ -f "$build/lib/libmavi.so" ] || { echo "no $build/lib/libmavi.so: build first" >&2; exit 1; }
command -v curl >/dev/null || { echo "curl is needed" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "/usr/bin/time is needed (package 'time')" >&2; exit 1; }

# The sink and the one-upload client, built against this build tree.
cxx="${CXX:-g++}"
if [ ! -x "$work/upload_sink" ] || [ "$here/upload_sink.cpp" -nt "$work/upload_sink" ]; then
  "$cxx" -std=c++20 -O2 -o "$work/upload_sink" "$here/upload_sink.cpp" \
    $(pkg-config --cflags --libs cpp-httplib) -pthread
fi
"$cxx" -std=c++20 -O2 -o "$work/upload_once" "$here/upload_once.cpp" -I"$root/include" \
  -L"$build/lib" -lmavi -Wl,-rpath,"$build/lib"

file="$work/upload_bench_$size.mp4"
if [ ! -f "$file" ] || [ "$(stat -c %s "$file")" != "$size" ]; then
  rm -f "$file"
  if [ "${BENCH_RANDOM:-0}" = 1 ]; then
    head -c "$size" /dev/urandom > "$file"
  else
    truncate -s "$size" "$file"
  fi
fi

"$work/upload_sink" > "$work/sink.out" 2> "$work/sink.err" &
sink_pid=$!
trap 'kill "$sink_pid" 2>/dev/null || true; wait "$sink_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  grep -q '^listening on ' "$work/sink.out" 2>/dev/null && break
  sleep 0.05
done
base="$(sed -n 's/^listening on //p' "$work/sink.out")"
[ -n "$base" ] || { echo "the sink did not start" >&2; exit 1; }
url="$base/api/serve/video/upload"

run_timed() {  # NAME CMD... -> appends "NAME seconds maxrss_kib" to $work/times
  local name="$1"
  shift
  /usr/bin/time -f "%e %M" -o "$work/time.one" "$@" > /dev/null
  echo "$name $(cat "$work/time.one")" >> "$work/times"
}

: > "$work/times"
for i in $(seq "$reps"); do
  run_timed curl curl -sS --fail -o /dev/null -H "Authorization: bench-key" \
    -F "file=@$file;type=video/mp4" "$url"
  run_timed mavi "$work/upload_once" "$base" "$file"
done

python3 - "$work/times" "$size" "$reps" <<'PY' | tee "$here/results/upload-$(date -u +%Y%m%dT%H%M%SZ).txt"
import statistics, sys
path, size, reps = sys.argv[1], int(sys.argv[2]), sys.argv[3]
runs = {}
for line in open(path):
    name, seconds, rss = line.split()
    runs.setdefault(name, []).append((float(seconds), int(rss)))
mib = size / 2**20
print(f"upload of {mib:.0f} MiB to a local sink, {reps} runs each (median; peak RSS = max)")
print(f"{'client':8} {'seconds':>8} {'MiB/s':>8} {'peak RSS MiB':>13}")
med = {}
for name in ("curl", "mavi"):
    t = statistics.median(s for s, _ in runs[name])
    rss = max(r for _, r in runs[name]) / 1024
    med[name] = (t, rss)
    print(f"{name:8} {t:8.2f} {mib / t:8.1f} {rss:13.1f}")
ratio = med["curl"][0] / med["mavi"][0]
print(f"throughput ratio mavi/curl: {ratio:.3f} (target >= 0.95: {'met' if ratio >= 0.95 else 'NOT met'})")
print(f"mavi peak RSS: {med['mavi'][1]:.1f} MiB (target < 64 MiB: {'met' if med['mavi'][1] < 64 else 'NOT met'})")
PY
