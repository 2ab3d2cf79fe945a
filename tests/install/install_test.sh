#!/usr/bin/env bash
# Installs the build into a scratch prefix, builds docs/library.md's example against the
# installed CMake package and through the pkg-config file, and runs both against the installed
# mavi-sandbox: an acceptable file uploaded as it is, a fixable one prepared and uploaded, a
# rejected one reported.
set -euo pipefail
build_dir=$1
source_dir=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
for f in lib/libmavi.so include/mavi/probe.hpp lib/cmake/mavi/maviConfig.cmake \
         lib/pkgconfig/mavi.pc bin/mavi-check; do
  [ -e "$work/prefix/$f" ] || { echo "missing after install: $f"; exit 1; }
done

# The consumer is docs/library.md's example, line for line (after its own header comment).
diff <(awk '/^```cpp$/ && !done {on=1; next} on && /^```$/ {on=0; done=1} on' \
          "$source_dir/docs/library.md") \
     <(sed '/^\/\//d' "$source_dir/tests/install/consumer/main.cpp") \
  || { echo "docs/library.md's example and tests/install/consumer/main.cpp differ"; exit 1; }

cmake -S "$source_dir/tests/install/consumer" -B "$work/consumer" \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null

# The installed sandbox, on a free port: the example uploads to it.
"$work/prefix/bin/mavi-sandbox" --port 0 --quiet --api-key example-key > "$work/sandbox.out" &
sandbox=$!
trap 'kill $sandbox 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q '^listening on ' "$work/sandbox.out" && break; sleep 0.1; done
export MAVI_BASE_URL=$(sed -n 's/^listening on //p' "$work/sandbox.out")
export MAVI_API_KEY=example-key MAVI_UPLOADS_PER_MINUTE=0

run_example() {  # program: ok, fixable and rejected inputs, each with its expected line
  local status=0
  out=$("$1" "$source_dir/fixtures/h264_aac.mp4" "$source_dir/fixtures/h264_aac.ts" \
        "$source_dir/fixtures/text_renamed.mp4") || status=$?
  echo "$out"
  [ "$status" -eq 1 ] || { echo "expected status 1 (one rejected file), got $status"; exit 1; }
  grep -q "^uploaded $source_dir/fixtures/h264_aac.mp4 VI" <<<"$out" || exit 1
  grep -q "^uploaded $source_dir/fixtures/h264_aac.ts VI" <<<"$out" || exit 1
  grep -q "^rejected $source_dir/fixtures/text_renamed.mp4: " <<<"$out" || exit 1
}
echo "cmake consumer:"
run_example "$work/consumer/consumer"

PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --exists mavi
flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs mavi)
# CXXFLAGS/LDFLAGS: a sanitizer build's consumer must link the sanitizer runtimes too.
c++ -std=c++20 ${CXXFLAGS:-} "$source_dir/tests/install/consumer/main.cpp" $flags ${LDFLAGS:-} \
    -Wl,-rpath,"$work/prefix/lib" -o "$work/pc_consumer"
echo "pkg-config consumer:"
run_example "$work/pc_consumer"

# The installed programs run from their own prefix (RPATH to the installed library).
"$work/prefix/bin/mavi-check" --version
