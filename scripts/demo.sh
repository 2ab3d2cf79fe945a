#!/usr/bin/env bash
# `make demo`: the whole pipeline on the bundled fixtures, against a local mavi-sandbox (never
# the real service: a demo spends nobody's quota).
#   1. start build/bin/mavi-sandbox on a free port, its store in a temporary folder, with a
#      demo API key;
#   2. run mavi-prepare-and-upload over fixtures/ against it (key through MAVI_API_KEY,
#      --base-url), which checks, remuxes or re-encodes what needs it and uploads;
#   3. print the report with every videoNo.
# The sandbox is always stopped and every temporary file removed (trap), also on Ctrl-C.
# Exit status 0 when every acceptable or fixable fixture got a videoNo. Some fixtures are
# broken on purpose (empty, truncated, text, image, audio only): they are rejected and
# skipped, as expected, and do not fail the demo.
# Usage: scripts/demo.sh [BUILD_DIR]   (default build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=$(cd "${1:-$root/build}" && pwd)
cd "$root"
sandbox="$build_dir/bin/mavi-sandbox"
program="$build_dir/bin/mavi-prepare-and-upload"
for p in "$sandbox" "$program"; do
  [ -x "$p" ] || { echo "demo: $p not found: build first (make build)" >&2; exit 1; }
done
command -v python3 >/dev/null || { echo "demo: python3 is needed (scripts/install-deps.sh)" >&2; exit 1; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mavi-demo-XXXXXX")
sandbox_pid=""
cleanup() {
  if [ -n "$sandbox_pid" ]; then
    kill -TERM "$sandbox_pid" 2>/dev/null || true
    wait "$sandbox_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A demo key, through the environment (never on a command line, where `ps` shows it).
demo_key="mavi-demo-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"

echo "== starting mavi-sandbox (store in a temporary folder)"
# In its own session: a Ctrl-C reaches the programs in the foreground, and the trap stops the
# sandbox after them, so it never disappears under a running upload.
MAVI_SANDBOX_API_KEY="$demo_key" setsid "$sandbox" --port 0 --store "$tmp/store" \
  --callback-delay 0.5 --quiet >"$tmp/sandbox.out" 2>"$tmp/sandbox.err" &
sandbox_pid=$!
# The first stdout line is `listening on http://127.0.0.1:PORT`; a loaded machine may be slow.
base_url=""
for _ in $(seq 600); do
  base_url=$(sed -n '1s/^listening on \(http:\/\/[^ ]*\)$/\1/p' "$tmp/sandbox.out")
  [ -n "$base_url" ] && break
  kill -0 "$sandbox_pid" 2>/dev/null || break
  sleep 0.1
done
if [ -z "$base_url" ]; then
  echo "demo: mavi-sandbox did not start:" >&2
  cat "$tmp/sandbox.err" >&2
  exit 1
fi
echo "   listening on $base_url"

# Options for mavi-prepare-and-upload. Local sandbox: no pacing (against the real service the
# default is its documented limit, 1 upload a minute). Its temporary files go under $tmp too (TMPDIR below).
# A local server that stops answering will not come back: one retry is plenty.
args=(--base-url "$base_url" --uploads-per-minute 0 --retries 1 --json)
# A journal, when this build's program keeps one: a temporary one, so every demo starts fresh.
if "$program" --help 2>/dev/null | grep -q -- '--journal'; then
  args+=(--journal "$tmp/journal.sqlite")
fi

echo "== mavi-prepare-and-upload fixtures/ (check, prepare, upload)"
status=0
MAVI_API_KEY="$demo_key" TMPDIR="$tmp" "$program" "${args[@]}" fixtures/ >"$tmp/report.json" ||
  status=$?
# 0: all uploaded; 1: some files skipped or failed (the rejected fixtures are skipped).
if [ "$status" -gt 1 ]; then
  echo "demo: mavi-prepare-and-upload exited with $status" >&2
  exit 1
fi
if ! kill -0 "$sandbox_pid" 2>/dev/null; then
  echo "demo: mavi-sandbox stopped during the run:" >&2
  cat "$tmp/sandbox.err" >&2
  sandbox_pid=""
fi

echo "== report"
python3 - "$tmp/report.json" <<'PY'
import json, sys

doc = json.load(open(sys.argv[1]))
files = doc["files"]
uploaded = [f for f in files if f["status"] == "uploaded"]
rejected = [f for f in files if f.get("verdict") == "rejected"]
# Copies of a file already in the batch are uploaded once (fixtures holds two such copies).
copies = [f for f in files if f.get("duplicate_of")]
# Every file MAVI can take (as it is or once prepared) must have a videoNo.
missing = [f for f in files if f.get("verdict") != "rejected" and not f.get("duplicate_of")
           and not (f["status"] == "uploaded" and (f.get("upload") or {}).get("videoNo"))]

def how(f):
    if f.get("verdict") == "ok":
        return "as it is"
    return f.get("action") or "-"

print(f"{'videoNo':<24} {'videoStatus':<11} {'uploaded':<10} path")
for f in files:
    if f["status"] == "uploaded":
        u = f["upload"]
        print(f"{u['videoNo']:<24} {u['videoStatus']:<11} {how(f):<10} {f['path']}")
for f in files:
    if f["status"] != "uploaded":
        print(f"{'-':<24} {f['status']:<11} {'-':<10} {f['path']}: {f.get('error') or ''}")
print()
print("videoStatus UNPARSE: received, not yet processed (MAVI indexes a video after its upload).")
print(f"{len(files)} files: {len(uploaded)} uploaded (each with its videoNo), "
      f"{len(rejected)} rejected and skipped, {len(copies)} copies of another file skipped")
if rejected:
    print("The rejected fixtures are broken on purpose (see fixtures/README.md): "
          "skipping them is the expected result.")
if missing:
    print(f"demo FAILED: {len(missing)} acceptable or fixable files got no videoNo:",
          file=sys.stderr)
    for f in missing:
        print(f"  {f['path']}: {f['status']}: {f.get('error') or ''}", file=sys.stderr)
    sys.exit(1)
print("demo OK: every acceptable or fixable fixture was uploaded to the local mavi-sandbox.")
PY
