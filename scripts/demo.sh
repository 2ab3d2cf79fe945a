#!/usr/bin/env bash
# The main job on the bundled fixtures: check every file in fixtures/ and say what MAVI
# would make of it. mavi-check's exit status (2: some files rejected, as some fixtures are
# meant to be) is reported, not treated as a failure of the demo.
set -uo pipefail
build_dir=${1:-build}
cd "$(dirname "$0")/.."
echo "== mavi-check fixtures/"
"$build_dir/bin/mavi-check" fixtures/
status=$?
echo "== mavi-check exited with $status (0 all ok, 1 some fixable, 2 some rejected)"
[ "$status" -le 2 ]
