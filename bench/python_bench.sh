#!/usr/bin/env bash
# Side-by-side benchmark of inspecting files from Python, over the check benchmark's corpus
# (bench/check_bench.sh, 200 files by default), in one Python process, timing
#   (a) mavi_prep.check_many(files, jobs=N)                 (N = number of cores)
#   (b) mavi_prep.check(f) for each file, one after the other
#   (c) pymediainfo.MediaInfo.parse(f) for each file        (Debian python3-pymediainfo)
#   (d) av.open(f) for each file, reading every stream's codec, duration, size (python3-av)
#   (e) subprocess.run(["ffprobe", "-print_format", "json", "-show_format", "-show_streams",
#       f]) for each file, its output parsed with json.loads
# (c) and (d) are left out, with a note, when their package is missing. After a warm-up (every
# file read, every method run on one file), RUNS rounds (default 3) run every method once,
# round-robin, so that load changes hit all alike; the table reports each method's median and
# the ratios to mavi_prep.check_many and to the sequential mavi_prep.check.
#
# Usage: bench/python_bench.sh BUILD_DIR
# Environment: FILES (default 200), RUNS (default 3), JOBS (default nproc), BENCH_WORK
#              (default bench/work), PYTHON (default: the interpreter the build's mavi_prep is
#              for, from BUILD_DIR/CMakeCache.txt).
# Results: the table on stdout and in bench/results/python_bench.md.
set -euo pipefail

if [ $# -lt 1 ]; then
  echo "usage: $0 BUILD_DIR" >&2
  exit 64
fi
root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "$1" 2>/dev/null && pwd || echo "$1")
runs=${RUNS:-3}
jobs=${JOBS:-$(nproc)}
results=$root/bench/results

python=${PYTHON:-$(sed -n 's/^Python3_EXECUTABLE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null | head -1)}
python=${python:-python3}
if [ ! -d "$build_dir/python/mavi_prep" ]; then
  echo "python_bench: $build_dir/python/mavi_prep not found (build the _mavi_prep target)" >&2
  exit 1
fi
command -v ffprobe >/dev/null || { echo "python_bench: ffprobe not found (run scripts/install-deps.sh)" >&2; exit 1; }

# The corpus check_bench.sh builds (once) and reuses.
corpus=$(SKIP_MAVI=1 CORPUS_ONLY=1 bash "$root/bench/check_bench.sh" "$build_dir" | tail -1)

mkdir -p "$results"
report=$results/python_bench.md
PYTHONPATH=$build_dir/python PYTHONDONTWRITEBYTECODE=1 "$python" - "$corpus" "$runs" "$jobs" \
  "$report" <<'PY'
import json, os, pathlib, platform, statistics, subprocess, sys, time

import mavi_prep

corpus, runs, jobs, report = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
files = sorted(str(p) for p in pathlib.Path(corpus).rglob("*") if p.is_file()
               and not p.name.startswith("."))
notes = []
try:
    import pymediainfo
except ImportError:
    pymediainfo = None
    notes.append("pymediainfo not installed (Debian: python3-pymediainfo): left out")
try:
    import av
except ImportError:
    av = None
    notes.append("PyAV not installed (Debian: python3-av): left out")


def check_many():
    results = mavi_prep.check_many(files, jobs=jobs)
    return sum(r.verdict != "rejected" for r in results)


def check_each():
    return sum(mavi_prep.check(f).verdict != "rejected" for f in files)


def mediainfo_each():
    described = 0
    for f in files:
        try:
            info = pymediainfo.MediaInfo.parse(f)
            described += any(t.track_type in ("Video", "Audio") for t in info.tracks)
        except Exception:  # a broken file, as in a real folder
            pass
    return described


def pyav_each():
    described = 0
    for f in files:
        try:
            with av.open(f) as container:
                for s in container.streams:
                    (s.type, s.codec_context.name, s.duration, s.time_base,
                     getattr(s.codec_context, "width", None))
                described += bool(container.streams.video or container.streams.audio)
        except Exception:
            pass
    return described


def ffprobe_each():
    described = 0
    for f in files:
        out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json", "-show_format",
                              "-show_streams", f], capture_output=True, text=True)
        try:
            described += bool(json.loads(out.stdout or "{}").get("streams"))
        except ValueError:
            pass
    return described


methods = [("mavi_prep.check_many(jobs=%d)" % jobs, check_many),
           ("mavi_prep.check, one file after the other", check_each)]
if pymediainfo:
    methods.append(("pymediainfo.MediaInfo.parse, per file", mediainfo_each))
if av:
    methods.append(("PyAV av.open + streams, per file", pyav_each))
methods.append(("subprocess ffprobe -print_format json, per file", ffprobe_each))

# Warm-up: the files in the page cache, every library loaded and initialised.
for f in files:
    with open(f, "rb") as fh:
        while fh.read(1 << 20):
            pass
saved = files
files = saved[:1]
for _, run in methods:
    run()
files = saved

load_before = open("/proc/loadavg").read().split()[:3]
samples = {name: [] for name, _ in methods}
described = {}
for r in range(runs):
    print("python_bench: round %d of %d" % (r + 1, runs), file=sys.stderr)
    for name, run in methods:
        t0 = time.perf_counter()
        described[name] = run()
        samples[name].append(time.perf_counter() - t0)
load_after = open("/proc/loadavg").read().split()[:3]
median = {name: statistics.median(v) for name, v in samples.items()}
for name, v in samples.items():
    print("python_bench: %s: %s s (median %.3f s)" % (name, " ".join("%.3f" % x for x in v),
                                                     median[name]), file=sys.stderr)

first, sequential = methods[0][0], methods[1][0]
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "?")
ffv = subprocess.run(["ffprobe", "-version"], capture_output=True, text=True).stdout.split()[2]
versions = ["mavi_prep %s" % mavi_prep.__version__, "Python %s" % platform.python_version(),
            "FFmpeg %s" % ffv]
if pymediainfo:
    try:
        libmediainfo = pymediainfo.MediaInfo._get_library()[2]
    except Exception:  # a private helper: its shape may change
        libmediainfo = "?"
    versions.append("pymediainfo %s (libmediainfo %s)" % (pymediainfo.__version__, libmediainfo))
if av:
    versions.append("PyAV %s" % av.__version__)
size = sum(os.path.getsize(f) for f in files)
lines = ["### mavi_prep vs pymediainfo vs PyAV vs ffprobe, from Python (%s)" %
         time.strftime("%Y-%m-%d", time.gmtime()), "",
         "%d files (%d KiB), median of %d rounds, warm page cache, one Python process; %s, %d "
         "cores; %s; load average %s before, %s after." % (
             len(files), size // 1024, runs, cpu, os.cpu_count(), ", ".join(versions),
             " ".join(load_before), " ".join(load_after)), "",
         "| method | wall time (s) | files per second | check_many / this | check (sequential) / this | files described |",
         "| --- | ---: | ---: | ---: | ---: | ---: |"]
for name, _ in methods:
    t = median[name]
    lines.append("| %s | %.3f | %.0f | %.3f | %.3f | %d |" % (
        name, t, len(files) / t, median[first] / t, median[sequential] / t, described[name]))
lines.append("")
lines.append("A ratio below 1 means mavi_prep took less time. \"files described\": files the "
             "method reported a media track for (mavi_prep: not rejected).")
for n in notes:
    lines.append("")
    lines.append("Note: " + n + ".")
text = "\n".join(lines)
print(text)
with open(report, "w", encoding="utf-8") as out:
    out.write(text + "\n")
print("python_bench: report written to " + report, file=sys.stderr)
PY
