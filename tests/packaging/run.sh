#!/usr/bin/env bash
# typenet as other projects use it: installed and found by pkg-config and by
# CMake's find_package, and used as a meson subproject.
# Usage: run.sh SOURCE_DIR 'CXX'
set -euo pipefail
src=$(cd "$1" && pwd)
export CXX=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here="$src/tests/packaging"

echo "== install into $tmp/prefix"
meson setup "$tmp/build" "$src" --prefix="$tmp/prefix" -Dtests=false -Dexamples=false -Ddocs=false >/dev/null
meson install -C "$tmp/build" >/dev/null
test -f "$tmp/prefix/include/typenet/typenet.hpp"

echo "== pkg-config"
pc=$(dirname "$(find "$tmp/prefix" -name typenet.pc | head -n 1)")
cflags=$(PKG_CONFIG_PATH="$pc" pkg-config --cflags typenet)
echo "pkg-config --cflags typenet: $cflags"
# shellcheck disable=SC2086
$CXX $cflags "$here/consumer.cpp" -o "$tmp/pc_consumer"
"$tmp/pc_consumer" | grep -q "total params: 760"

echo "== CMake find_package(typenet)"
mkdir -p "$tmp/cmake"
cp -r "$here/cmake_consumer" "$here/consumer.cpp" "$tmp/cmake/"
cmake -S "$tmp/cmake/cmake_consumer" -B "$tmp/cmake/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" \
      -DCMAKE_CXX_COMPILER="${CXX%% *}" >/dev/null
cmake --build "$tmp/cmake/build" >/dev/null
"$tmp/cmake/build/consumer" | grep -q "total params: 760"

echo "== meson subproject"
mkdir -p "$tmp/meson/consumer/subprojects"
cp "$here/meson_consumer/meson.build" "$tmp/meson/consumer/"
cp "$here/consumer.cpp" "$tmp/meson/"
ln -s "$src" "$tmp/meson/consumer/subprojects/typenet"
(cd "$tmp/meson/consumer" && env -u PKG_CONFIG_PATH meson setup build >/dev/null && meson compile -C build >/dev/null)
"$tmp/meson/consumer/build/consumer" | grep -q "total params: 760"

echo "3 passed, 0 failed"
