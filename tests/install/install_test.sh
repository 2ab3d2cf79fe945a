#!/usr/bin/env bash
# Installs the build into a scratch prefix, then builds and runs a consumer project against
# the installed CMake package, and compiles the same consumer through the pkg-config file.
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

cmake -S "$source_dir/tests/install/consumer" -B "$work/consumer" \
      -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
out=$("$work/consumer/consumer" "$source_dir/fixtures/h264_aac.mp4")
echo "cmake consumer: $out"
[[ "$out" == ok\ * ]] || { echo "unexpected consumer output: $out"; exit 1; }

PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --exists mavi
flags=$(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs mavi)
# CXXFLAGS/LDFLAGS: a sanitizer build's consumer must link the sanitizer runtimes too.
c++ ${CXXFLAGS:-} "$source_dir/tests/install/consumer/main.cpp" $flags ${LDFLAGS:-} -Wl,-rpath,"$work/prefix/lib" \
    -o "$work/pc_consumer"
out=$("$work/pc_consumer" "$source_dir/fixtures/text_renamed.mp4")
echo "pkg-config consumer: $out"
[[ "$out" == rejected\ * ]] || { echo "unexpected pkg-config consumer output: $out"; exit 1; }

# The installed program runs from its own prefix (RPATH to the installed library).
"$work/prefix/bin/mavi-check" --version
