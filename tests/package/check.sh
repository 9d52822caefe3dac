#!/usr/bin/env bash
# Installs the built tree into a scratch prefix, then configures, builds and
# runs tests/package as an outside project would: find_package(voltaic).
# The embedded house (examples/embed_prosumer.cpp) then trades a cycle of a
# lab whose validator, other houses and clock run from the installed voltaic.
set -euo pipefail
source_dir="$1"; build_dir="$2"; work="$3"
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
cmake -S "$source_dir/tests/package" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DEXAMPLE_SOURCE="$source_dir/examples/clear_table_2_2.cpp" \
      -DEMBED_SOURCE="$source_dir/examples/embed_prosumer.cpp" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/clear_table_2_2"
"$work/build/uses_runtime"

lab="$work/lab"
mkdir -p "$lab"
base=$((28000 + ($$ % 400) * 5))  # apart from the runtime tests (21000-27999)
cat > "$lab/s.toml" <<TOML
[chain]
id = "package-embed"

[scenario]
feeder = "ieee-eu-lv"
prosumers = 10
cycles = 1
seed = 5

[[validator]]
name = "v0"
port = $base

[clock]
port = $((base + 1))
TOML
voltaic="$work/prefix/bin/voltaic"
pids=()
trap 'for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done' EXIT
"$voltaic" run "$lab/s.toml" --only v0 --out "$lab/a" > "$lab/a.log" 2>&1 & pids+=($!)
"$voltaic" run "$lab/s.toml" --only p0..p8 --out "$lab/h" > "$lab/h.log" 2>&1 & pids+=($!)
"$voltaic" run "$lab/s.toml" --only dso,clock,recorder --out "$lab/c" > "$lab/c.log" 2>&1 & pids+=($!)
timeout 120 "$work/build/embed_prosumer" "$lab/s.toml" p9 | tee "$lab/embed.log"
grep -q "^p9: cycle 1: " "$lab/embed.log"
for i in $(seq 1 100); do grep -q "^results in" "$lab/c.log" && break; sleep 0.2; done
grep -q "^cycle 1: 10 of 10 orders fixed on chain" "$lab/c.log"
grep -q ",p9," "$lab/c/orders.csv"
