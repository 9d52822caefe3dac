#!/usr/bin/env bash
# Installs the built tree into a scratch prefix, then configures, builds and
# runs tests/package as an outside project would: find_package(voltaic).
set -euo pipefail
source_dir="$1"; build_dir="$2"; work="$3"
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/package" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DEXAMPLE_SOURCE="$source_dir/examples/clear_table_2_2.cpp" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/clear_table_2_2"
"$work/build/uses_runtime"
