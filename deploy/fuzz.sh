#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan + LeakSanitizer) and
# runs each for VOLTAIC_FUZZ_SECONDS (default 60) from a seed corpus of valid
# encodings and hostile headers. Exit status is non-zero on any crash, leak or
# timeout. Skips (exit 0, with a message) when clang is not installed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${VOLTAIC_FUZZ_BUILD_DIR:-$root/build-fuzz}"
seconds="${VOLTAIC_FUZZ_SECONDS:-60}"
if ! command -v clang++ >/dev/null; then
  echo "fuzz: clang++ not installed; fuzz targets not built"
  exit 0
fi
targets=(fuzz_transaction fuzz_block fuzz_receipt fuzz_genesis fuzz_state_record fuzz_consensus fuzz_order
  fuzz_carbon_transaction)
CC=clang CXX=clang++ cmake -S "$root" -B "$build" -DVOLTAIC_FUZZ=ON -DVOLTAIC_BUILD_TESTS=OFF \
  -DVOLTAIC_BUILD_BENCHMARKS=OFF -DVOLTAIC_BUILD_EXAMPLES=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j "${VOLTAIC_JOBS:-$(nproc)}" --target "${targets[@]}" fuzz_seeds
seeds="$build/fuzz-seeds"
rm -rf "$seeds" && mkdir -p "$seeds"
"$build/tests/fuzz/fuzz_seeds" "$seeds"
jobs=()
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  ( cd "$build" && "./tests/fuzz/$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 "$corpus" "$seeds" >"$build/$t.log" 2>&1 \
    && echo "fuzz: $t: $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$build/$t.log" | grep -o '[0-9]*$') runs, no crash, leak or timeout" \
    || { echo "fuzz: $t FAILED"; tail -40 "$build/$t.log"; exit 1; } ) &
  jobs+=($!)
  # Two at a time on a two-core machine.
  if [ ${#jobs[@]} -ge "${VOLTAIC_JOBS:-$(nproc)}" ]; then wait "${jobs[0]}"; jobs=("${jobs[@]:1}"); fi
done
status=0
for j in "${jobs[@]}"; do wait "$j" || status=1; done
exit $status
