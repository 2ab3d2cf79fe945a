#!/usr/bin/env bash
# Side-by-side benchmark of inspecting files from Python, over the check benchmark's corpus
# (bench/check_bench.sh, 200 files by default), in one Python process, timing
#   (a) mavi_prep.check_many(files, jobs=N)                 (N = number of cores)
#   (b) mavi_prep.check(f) for each file, one after the other
#   (c) pymediainfo.MediaInfo.parse(f) for each file        (Debian python3-pymediainfo)
#   (d) av.open(f) for each file, reading every stream's codec, duration, size (python3-av)
#   (e) subprocess.run(["ffprobe", "-print_format", "json", "-show_format", "-show_streams",
#       f]) for each file, its output parsed with json.loads
# (c) and (d) are left out, with a note, when their package is missing. Every sample is a child
# Python process importing only its own library (PyAV routes FFmpeg's log through Python for
# the whole process, which would slow libmavi down); it warms up on one file and times its loop
# itself. After the files are read once (page cache), RUNS rounds (default 3) run every method
# once, round-robin, so that load changes hit all alike; the table reports each method's median
# and the ratios to mavi_prep.check_many and to the sequential mavi_prep.check.
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

python=${PYTHON:-$(sed -n 's/^_\{0,1\}Python3_EXECUTABLE:[A-Z]*=//p' "$build_dir/CMakeCache.txt" 2>/dev/null | head -1)}
python=${python:-python3}
echo "python_bench: $python" >&2
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

corpus, runs, jobs, report = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
files = sorted(str(p) for p in pathlib.Path(corpus).rglob("*") if p.is_file()
               and not p.name.startswith("."))

# Each sample runs in a child process that imports only its own library: PyAV, once imported,
# routes every FFmpeg log message of the process through Python (taking the GIL), which would
# slow libmavi's threads down. The child warms up on one file, then times the loop itself
# (interpreter start and imports are not timed) and prints "seconds described".
CHILD = r"""
import json, subprocess, sys, time
method, jobs, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
if method == "check_many":
    import mavi_prep
    def run(fs):
        return sum(r.verdict != "rejected" for r in mavi_prep.check_many(fs, jobs=jobs))
elif method == "check":
    import mavi_prep
    def run(fs):
        return sum(mavi_prep.check(f).verdict != "rejected" for f in fs)
elif method == "pymediainfo":
    import pymediainfo
    def run(fs):
        n = 0
        for f in fs:
            try:
                info = pymediainfo.MediaInfo.parse(f)
                n += any(t.track_type in ("Video", "Audio") for t in info.tracks)
            except Exception:  # a broken file, as in a real folder
                pass
        return n
elif method == "pyav":
    import av
    def run(fs):
        n = 0
        for f in fs:
            try:
                with av.open(f) as c:
                    for s in c.streams:
                        (s.type, s.codec_context.name, s.duration, s.time_base)
                    n += bool(c.streams.video or c.streams.audio)
            except Exception:
                pass
        return n
else:
    def run(fs):
        n = 0
        for f in fs:
            out = subprocess.run(["ffprobe", "-v", "error", "-print_format", "json",
                                  "-show_format", "-show_streams", f], capture_output=True,
                                 text=True)
            try:
                n += bool(json.loads(out.stdout or "{}").get("streams"))
            except ValueError:
                pass
        return n
run(files[:1])
t0 = time.perf_counter()
n = run(files)
print(time.perf_counter() - t0, n)
"""


def available(module):
    return subprocess.run([sys.executable, "-c", "import " + module],
                          capture_output=True).returncode == 0


notes = []
methods = [("check_many", "mavi_prep.check_many(jobs=%d)" % jobs),
           ("check", "mavi_prep.check, one file after the other")]
for module, name, package in (("pymediainfo", "pymediainfo.MediaInfo.parse, per file",
                               "python3-pymediainfo"),
                              ("av", "PyAV av.open + streams, per file", "python3-av")):
    if available(module):
        methods.append(("pyav" if module == "av" else module, name))
    else:
        notes.append("%s not installed (Debian: %s): left out" % (module, package))
methods.append(("ffprobe", "subprocess ffprobe -print_format json, per file"))

for f in files:  # the page cache
    with open(f, "rb") as fh:
        while fh.read(1 << 20):
            pass

load_before = open("/proc/loadavg").read().split()[:3]
samples = {key: [] for key, _ in methods}
described = {}
for r in range(runs):
    print("python_bench: round %d of %d" % (r + 1, runs), file=sys.stderr)
    for key, _ in methods:
        out = subprocess.run([sys.executable, "-c", CHILD, key, str(jobs)] + files,
                             capture_output=True, text=True, check=True)
        seconds, n = out.stdout.split()
        samples[key].append(float(seconds))
        described[key] = int(n)
load_after = open("/proc/loadavg").read().split()[:3]
median = {key: statistics.median(v) for key, v in samples.items()}
for key, name in methods:
    print("python_bench: %s: %s s (median %.3f s)" % (
        name, " ".join("%.3f" % x for x in samples[key]), median[key]), file=sys.stderr)

import mavi_prep  # noqa: E402  (versions only)
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
            if l.startswith("model name")), "?")
ffv = subprocess.run(["ffprobe", "-version"], capture_output=True, text=True).stdout.split()[2]
versions = ["mavi_prep %s" % mavi_prep.__version__, "Python %s" % platform.python_version(),
            "FFmpeg %s" % ffv]
for module in ("pymediainfo", "av"):
    v = subprocess.run([sys.executable, "-c", "import %s; print(%s.__version__)" % (module, module)],
                       capture_output=True, text=True).stdout.strip()
    if v:
        versions.append("%s %s" % ("PyAV" if module == "av" else module, v))
size = sum(os.path.getsize(f) for f in files)
lines = ["### mavi_prep vs pymediainfo vs PyAV vs ffprobe, from Python (%s)" %
         time.strftime("%Y-%m-%d", time.gmtime()), "",
         "%d files (%d KiB), median of %d rounds, warm page cache, one child process per "
         "sample (imports not timed); %s, %d cores; %s; load average %s before, %s after." % (
             len(files), size // 1024, runs, cpu, os.cpu_count(), ", ".join(versions),
             " ".join(load_before), " ".join(load_after)), "",
         "| method | wall time (s) | files per second | check_many / this | check (sequential) / this | files described |",
         "| --- | ---: | ---: | ---: | ---: | ---: |"]
for key, name in methods:
    t = median[key]
    lines.append("| %s | %.3f | %.0f | %.3f | %.3f | %d |" % (
        name, t, len(files) / t, median["check_many"] / t, median["check"] / t, described[key]))
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
