#!/usr/bin/env bash
# From a fresh Debian machine to a running voltaic: installs the Debian
# packages, builds, and runs the embedded default: 55 prosumers with smart
# meters on the IEEE European LV feeder, a DSO and four validators in one
# process, trading three DPDA cycles through the chain.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"$root/deploy/install-deps.sh"
"$root/deploy/build.sh" -DVOLTAIC_BUILD_TESTS=OFF -DVOLTAIC_BUILD_EXAMPLES=OFF
build="${VOLTAIC_BUILD_DIR:-$root/build}"
out="${VOLTAIC_DEMO_OUT:-$root/out/demo}"
echo
"$build/runtime/voltaic" demo --out "$out"
