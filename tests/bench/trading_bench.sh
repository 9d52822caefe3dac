#!/usr/bin/env bash
# Time per cycle and peak memory of trading scenarios on the simulated clock,
# next to the verification floor measured in the same run (every order and
# transaction verified once by every validator, on one core).
#   tests/bench/trading_bench.sh [55|10k|20k|100k ...]   (default: 55 10k)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
voltaic="${VOLTAIC:-$root/build/runtime/voltaic}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
for size in "${@:-55 10k}"; do
  for s in $size; do
    echo "== $s prosumers"
    /usr/bin/time -f "peak resident memory: %M KiB, wall %e s" \
      "$voltaic" run "$root/tests/bench/scenarios/trading_$s.toml" --out "$out/$s" 2>&1 | grep -E "^(voltaic:|cycle|peak)"
  done
done
