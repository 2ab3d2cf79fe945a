#!/usr/bin/env bash
# Side by side on the timestamp fixtures (and odd_dimensions.mp4): what
# `ffmpeg -i IN -c:v libx264 -c:a aac OUT.mp4` makes of each, and what
# `mavi-prepare-and-upload --no-upload` makes of it. For each output: the video frames ffmpeg
# decodes (against the input's), the video's duration, whether presentation times strictly
# increase (and the smallest gap between frames), and whether `ffmpeg -v error -i OUT -f null -`
# says anything. A tool that fails to produce a file says so.
# Usage: bench/timestamps_vs_ffmpeg.sh BUILD_DIR
# Environment: KEEP=1 keeps the work folder.
set -euo pipefail

build_dir=${1:?usage: bench/timestamps_vs_ffmpeg.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
fixtures="$here/../fixtures"
prepare="$build_dir/bin/mavi-prepare-and-upload"
[ -x "$prepare" ] || prepare="$build_dir/tools/mavi-prepare-and-upload"
work=$(mktemp -d)
if [ "${KEEP:-0}" != 1 ]; then trap 'rm -rf "$work"' EXIT; else echo "work folder: $work"; fi

# NAME[:MAVI_OPTION]: odd_dimensions.mp4 (VP9 321x241) is fine for MAVI's default rules; --strict
# makes it an odd-sized H.264 re-encode, which ffmpeg's libx264 refuses.
files=(mpeg_ps_tail_no_pts.mpg mpeg_ps_no_timestamps.mpg mpeg1_raw.m1v mpeg4_aac_no_cluster_times.mkv
       mpeg4_aac_no_start_times.mkv wmv_two_frames.wmv odd_dimensions.mp4:--strict)

frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames \
  -of csv=p=0 "$1" 2>/dev/null | head -1 | cut -d, -f1; }

# "duration increasing min_gap" of OUT's video.
timeline() {
  local duration
  duration=$(ffprobe -v error -select_streams v:0 -show_entries stream=duration -of csv=p=0 "$1" \
    2>/dev/null | head -1 | cut -d, -f1)
  ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 "$1" 2>/dev/null |
    awk -v duration="${duration:-N/A}" '
      $1 != "" && $1 != "N/A" { t[n++] = $1 + 0 }
      END {
        inc = "yes"; gap = -1
        for (i = 1; i < n; i++) {
          d = t[i] - t[i - 1]
          if (d <= 0) inc = "NO"
          if (gap < 0 || d < gap) gap = d
        }
        printf "%s %s %.6f", duration, inc, gap
      }'
}

report() { # TOOL IN OUT
  local tool=$1 in=$2 out=$3
  if [ ! -s "$out" ]; then
    printf '%-24s %-6s %s\n' "$(basename "$in")" "$tool" "FAILED (no output)"
    return
  fi
  local msgs
  msgs=$(ffmpeg -nostdin -v error -i "$out" -f null - 2>&1 | wc -l)
  read -r duration inc gap <<<"$(timeline "$out")"
  printf '%-24s %-6s frames %4s/%-4s duration %-9s increasing %-3s min_gap %-9s decode_messages %s\n' \
    "$(basename "$in")" "$tool" "$(frames "$out")" "$(frames "$in")" "$duration" "$inc" "$gap" "$msgs"
}

for entry in "${files[@]}"; do
  f=${entry%%:*}
  opts=()
  [ "$f" = "$entry" ] || opts=("${entry#*:}")
  in="$fixtures/$f"
  [ -e "$in" ] || { echo "missing fixture $f" >&2; continue; }
  stem=${f%.*}
  ffmpeg -nostdin -v error -y -i "$in" -c:v libx264 -c:a aac "$work/$stem.ffmpeg.mp4" \
    >/dev/null 2>&1 || rm -f "$work/$stem.ffmpeg.mp4"
  mkdir -p "$work/mavi"
  "$prepare" --no-upload "${opts[@]}" -o "$work/mavi" "$in" >/dev/null 2>&1 || true
  report ffmpeg "$in" "$work/$stem.ffmpeg.mp4"
  report mavi "$in" "$work/mavi/$stem.mp4"
done
