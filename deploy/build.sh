#!/usr/bin/env bash
# Configures and builds voltaic into build/ (or $VOLTAIC_BUILD_DIR).
# Used by quickstart.sh and test.sh; extra arguments go to cmake.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${VOLTAIC_BUILD_DIR:-$root/build}"
jobs="${VOLTAIC_JOBS:-$(nproc)}"
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE="${VOLTAIC_BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$build" --parallel "$jobs"
