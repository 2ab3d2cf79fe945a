#!/usr/bin/env bash
# `pip install --no-build-isolation --no-index .` into a fresh venv works offline, and the
# installed mavi_prep (not the build tree's) checks a fixture and ships its stub.
#
# Usage: venv_install.sh SOURCE_DIR BUILD_DIR PYTHON [reuse|scratch]
# The install runs on a copy of the sources (no build tree, no .git, as in a clean clone) in
# BUILD_DIR/pip-src-MODE.
#   reuse (default): setup.py builds the _mavi_prep target of BUILD_DIR (already built when
#     CTest runs: seconds) and packages it; that extension uses BUILD_DIR's shared libmavi.
#   scratch: setup.py's own CMake build (static libmavi, Release) in BUILD_DIR/pip-cmake,
#     wiped first; fixed folders so that ccache, when installed, makes a rebuild quick. Cold,
#     that is a full build of libmavi and the extension (minutes on 2 cores).
set -euo pipefail

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
  echo "usage: $0 SOURCE_DIR BUILD_DIR PYTHON [reuse|scratch]" >&2
  exit 64
fi
src=$(cd "$1" && pwd)
build=$(cd "$2" && pwd)
python=$3
mode=${4:-reuse}
case $mode in reuse | scratch) ;; *) echo "venv_install: unknown mode $mode" >&2; exit 64 ;; esac

"$python" -c 'import ensurepip' 2>/dev/null || { echo "SKIP: no venv/ensurepip (Debian: python3-venv)"; exit 77; }
"$python" -c 'import setuptools, wheel' 2>/dev/null ||
  { echo "SKIP: setuptools or wheel missing (Debian: python3-setuptools python3-wheel)"; exit 77; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mavi-venv-XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# A copy of the sources without build trees, VCS data or generated files.
copy=$build/pip-src-$mode
rm -rf "$copy"
mkdir -p "$copy"
tar -C "$src" --exclude='./build*' --exclude=./.git --exclude='*.egg-info' \
  --exclude=./bench/work --exclude=./bench/results -cf - . | tar -C "$copy" -xf -

"$python" -m venv --system-site-packages "$tmp/venv"
unset PYTHONPATH MAVI_PREP_CMAKE_BUILD_DIR MAVI_PREP_CMAKE_WORK_DIR
export PIP_DISABLE_PIP_VERSION_CHECK=1
if [ "$mode" = reuse ]; then
  export MAVI_PREP_CMAKE_BUILD_DIR=$build
else
  rm -rf "$build/pip-cmake"
  export MAVI_PREP_CMAKE_WORK_DIR=$build/pip-cmake
fi
started=$(date +%s)
"$tmp/venv/bin/python" -m pip install --no-build-isolation --no-index -q "$copy"
echo "venv_install ($mode): pip install took $(($(date +%s) - started)) s"

cd "$tmp"
"$tmp/venv/bin/python" - "$tmp/venv" "$src/fixtures/h264_aac.mp4" <<'PY'
import pathlib, sys
import mavi_prep

venv, fixture = pathlib.Path(sys.argv[1]).resolve(), sys.argv[2]
package = pathlib.Path(mavi_prep.__file__).resolve().parent
assert venv in package.parents, "imported %s, not the venv's" % package
for name in ("__init__.pyi", "py.typed"):
    assert (package / name).is_file(), name + " not installed"
result = mavi_prep.check(fixture)
assert result.verdict == "ok", result.to_dict()
assert result.media["streams"][0]["codec"] == "h264"
print("venv install ok:", package, mavi_prep.__version__, result)
PY
"$tmp/venv/bin/python" -m pip show -q mavi-prep >/dev/null
if [ "$mode" = scratch ]; then
  # libmavi is inside the extension; no RPATH that the loader could resolve elsewhere.
  so=$(echo "$tmp"/venv/lib/python3*/site-packages/mavi_prep/_mavi_prep*.so)
  if ldd "$so" | grep -q 'libmavi'; then echo "FAIL: $so needs a shared libmavi" >&2; exit 1; fi
  if readelf -d "$so" | grep -q -E 'RPATH|RUNPATH'; then
    echo "FAIL: $so has an RPATH: $(readelf -d "$so" | grep -E 'RPATH|RUNPATH')" >&2
    exit 1
  fi
fi
rm -rf "$copy"
