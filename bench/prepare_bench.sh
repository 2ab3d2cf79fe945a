#!/usr/bin/env bash
# Preparation benchmark: mavi-prepare-and-upload --no-upload against the ffmpeg commands a user
# would otherwise run, on the same inputs, in one run.
#   re-encode: a 10 s 1080p MPEG-4 Part 2 + PCM clip (both tools must re-encode video and audio)
#   remux:     a 10 s 1080p H.264 + AAC MPEG-TS clip (both tools copy the streams into MP4)
# Reports wall time (median of RUNS; the tools alternate, each round in the other order), the ratio
# of the medians and the median of the per-round ratios, CPU time (user+sys), peak RSS, and SSIM
# and PSNR of each re-encoded output against the source. It also measures the re-encode's CPU
# floor: the CPU time of its parts run alone (MPEG-4 decoding, libx264 on raw frames, AAC
# encoding) divided by the cores: the least wall time any program producing this output on this
# machine can take (plus the three parts' start-ups, about 0.1 s of CPU each), so that both
# programs' times can be read against what is possible.
# Usage: bench/prepare_bench.sh BUILD_DIR
# Environment: RUNS (default 3), SECONDS_LONG (clip length, default 10), KEEP=1 (keep the work
#              folder), BENCH_WORK (parent of the work folder, default /tmp; the floor's raw
#              frames take about 80 MB there per second of clip).
set -euo pipefail

build_dir=${1:?usage: bench/prepare_bench.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
prog="$(cd "$build_dir" && pwd)/bin/mavi-prepare-and-upload"
runs=${RUNS:-3}
length=${SECONDS_LONG:-10}
[ -x "$prog" ] || { echo "missing $prog (build first)" >&2; exit 1; }
for tool in ffmpeg ffprobe /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "missing $tool (scripts/install-deps.sh)" >&2; exit 1; }
done

mkdir -p "${BENCH_WORK:-/tmp}"
work=$(mktemp -d "${BENCH_WORK:-/tmp}/mavi-prepare-bench-XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
cd "$work"

echo "making inputs in $work ..." >&2
# Moving test pattern with film-like noise, so the encoder has real work to do.
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=25,noise=alls=12:allf=t" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$length" \
  -c:v mpeg4 -q:v 3 -c:a pcm_s16le -ac 2 src.avi
ffmpeg -v error -y -f lavfi -i "testsrc2=size=1920x1080:rate=25,noise=alls=12:allf=t" \
  -f lavfi -i "sine=frequency=440:sample_rate=48000" -t "$length" \
  -c:v libx264 -preset ultrafast -crf 20 -c:a aac -b:a 128k src.ts

# time_run NAME CMD...: appends "wall_seconds peak_kb cpu_seconds" to NAME.times. `sync` first
# (untimed), so no command pays for writing back the files the previous one wrote.
time_run() {
  local name=$1; shift
  sync
  /usr/bin/time -o "$name.t" -f '%e %M %U %S' "$@" >/dev/null 2>"$name.err" || {
    echo "$name failed:" >&2; cat "$name.err" >&2; exit 1; }
  awk '{printf "%s %s %.2f\n", $1, $2, $3 + $4}' "$name.t" >> "$name.times"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
max() { sort -n | tail -1; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
mavi_enc() { time_run mavi_enc "$prog" --no-upload --quiet -o mavi_enc src.avi; }
ff_enc() {
  time_run ff_enc ffmpeg -v error -y -i src.avi -c:v libx264 -preset veryfast -crf 23 \
    -pix_fmt yuv420p -c:a aac -b:a 128k -movflags +faststart ff_enc.mp4
}
mavi_remux() { time_run mavi_remux "$prog" --no-upload --quiet -o mavi_remux src.ts; }
ff_remux() { time_run ff_remux ffmpeg -v error -y -i src.ts -c copy ff_remux.mp4; }
# The re-encode's CPU floor, measured in every round next to the two programs: its parts run
# alone, each timed for CPU (user+sys), are what the output costs whoever makes it. libx264
# reads raw frames from a file written beforehand (untimed), so it pays no decoding; the AAC
# run demuxes the same AVI.
ffmpeg -v error -y -i src.avi -map 0:v -f yuv4mpegpipe raw.y4m
floor() {
  time_run floor_decode ffmpeg -v error -i src.avi -map 0:v -f null -
  time_run floor_x264 ffmpeg -v error -i raw.y4m -c:v libx264 -preset veryfast -crf 23 \
    -pix_fmt yuv420p -f null -
  time_run floor_aac ffmpeg -v error -i src.avi -map 0:a -c:a aac -b:a 128k -f null -
}
# Odd rounds run mavi-prepare-and-upload first, even rounds ffmpeg first.
for i in $(seq "$runs"); do
  rm -rf mavi_enc mavi_remux ff_enc.mp4 ff_remux.mp4
  if [ $((i % 2)) -eq 1 ]; then
    mavi_enc; ff_enc; mavi_remux; ff_remux
  else
    ff_enc; mavi_enc; ff_remux; mavi_remux
  fi
  floor
done
rm -f raw.y4m

ssim() {
  ffmpeg -nostats -i "$1" -i src.avi -lavfi "[0:v][1:v]ssim" -f null - 2>&1 |
    sed -n 's/.*All:\([0-9.]*\).*/\1/p' | tail -1
}
psnr() {
  ffmpeg -nostats -i "$1" -i src.avi -lavfi "[0:v][1:v]psnr" -f null - 2>&1 |
    sed -n 's/.*average:\([0-9.inf]*\).*/\1/p' | tail -1
}

# round_ratios MAVI FF: the ratio of each round (both programs ran back to back in it).
round_ratios() {
  paste -d' ' <(cut -d' ' -f1 "$1.times") <(cut -d' ' -f1 "$2.times") |
    awk '{printf "%.3f\n", $1 / $2}'
}
report() {  # report LABEL MAVI FF
  local m f mm fm mc fc
  m=$(cut -d' ' -f1 "$2.times" | median); f=$(cut -d' ' -f1 "$3.times" | median)
  mm=$(cut -d' ' -f2 "$2.times" | max); fm=$(cut -d' ' -f2 "$3.times" | max)
  mc=$(cut -d' ' -f3 "$2.times" | median); fc=$(cut -d' ' -f3 "$3.times" | median)
  printf '| %s | %s s | %s s | %.3f | %s | %s s | %s s | %d MiB | %d MiB |\n' "$1" "$m" "$f" \
    "$(echo "$m / $f" | bc -l)" "$(round_ratios "$2" "$3" | median)" "$mc" "$fc" \
    $((mm / 1024)) $((fm / 1024))
}

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
mkdir -p "$here/results"
{
echo
echo "Preparation benchmark ($(date -u +%Y-%m-%d)): ${length} s 1920x1080 25 fps, $runs runs (median wall time), $(nproc) cores ($cpu), load average $load_before before, $(cut -d' ' -f1-3 /proc/loadavg) after"
echo "$(ffmpeg -version | head -1)"
echo
echo "| job | mavi-prepare-and-upload | ffmpeg | ratio of medians | median of round ratios | mavi CPU | ffmpeg CPU | mavi peak RSS | ffmpeg peak RSS |"
echo "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"
report "re-encode (MPEG-4 + PCM AVI)" mavi_enc ff_enc
report "remux (H.264 + AAC TS)" mavi_remux ff_remux
echo
for name in mavi_enc ff_enc mavi_remux ff_remux; do
  echo "- samples $name (wall s): $(cut -d' ' -f1 "$name.times" | tr '\n' ' ')"
  echo "- samples $name (CPU s): $(cut -d' ' -f3 "$name.times" | tr '\n' ' ')"
done
echo "- re-encode round ratios: $(round_ratios mavi_enc ff_enc | tr '\n' ' ')"
echo "- remux round ratios: $(round_ratios mavi_remux ff_remux | tr '\n' ' ')"
echo
cpu_col() { cut -d' ' -f3 "$1.times"; }
# Per round: the parts' CPU seconds over the cores, i.e. the least wall time possible.
floor_walls() {
  paste -d' ' <(cpu_col floor_decode) <(cpu_col floor_x264) <(cpu_col floor_aac) |
    awk -v cores="$(nproc)" '{printf "%.2f\n", ($1 + $2 + $3) / cores}'
}
# floor / ffmpeg per round: the least time any program can take here, as a fraction of ffmpeg's.
best=$(paste -d' ' <(floor_walls) <(cut -d' ' -f1 ff_enc.times) |
  awk '{printf "%.3f\n", $1 / $2}' | median)
printf 'Re-encode CPU floor (medians of %d rounds): decoding %s s + libx264 on raw frames %s s + AAC %s s of CPU over %d cores = %s s of wall time. Per round, the floor is %s of ffmpeg'"'"'s time. (Each part pays its own start-up, about 0.1 s of CPU, so the floor reads that much too high, which shows on clips of a few seconds.)\n' \
  "$runs" "$(cpu_col floor_decode | median)" "$(cpu_col floor_x264 | median)" \
  "$(cpu_col floor_aac | median)" "$(nproc)" "$(floor_walls | median)" "$best"
echo "- floor samples (wall s): $(floor_walls | tr '\n' ' ')"
echo
mavi_out=mavi_enc/src.mp4
printf '| output | size | SSIM (All) | PSNR (average) |\n| --- | --- | --- | --- |\n'
printf '| mavi-prepare-and-upload | %s bytes | %s | %s dB |\n' "$(stat -c %s "$mavi_out")" \
  "$(ssim "$mavi_out")" "$(psnr "$mavi_out")"
printf '| ffmpeg | %s bytes | %s | %s dB |\n' "$(stat -c %s ff_enc.mp4)" "$(ssim ff_enc.mp4)" \
  "$(psnr ff_enc.mp4)"
cmp_v() { ffmpeg -v error -i "$1" -map 0:v -c copy -f h264 - | md5sum | cut -d' ' -f1; }
echo
echo "remux video bitstream identical to ffmpeg's: $( [ "$(cmp_v mavi_remux/src.mp4)" = "$(cmp_v ff_remux.mp4)" ] && echo yes || echo NO)"
} | tee "$here/results/prepare-$(date -u +%Y%m%dT%H%M%SZ).md"
