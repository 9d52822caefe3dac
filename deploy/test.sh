#!/usr/bin/env bash
# Installs the Debian packages, builds everything (tests, benchmarks,
# examples), runs the test suite with CTest, then runs every decoder's
# libFuzzer target for 60 s (when clang is installed; deploy/fuzz.sh).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install-deps.sh"
"$root/deploy/build.sh" -DVOLTAIC_BUILD_TESTS=ON -DVOLTAIC_BUILD_EXAMPLES=ON
build="${VOLTAIC_BUILD_DIR:-$root/build}"
ctest --test-dir "$build" --output-on-failure --timeout 900 -j "${VOLTAIC_JOBS:-$(nproc)}"
"$root/deploy/fuzz.sh"
