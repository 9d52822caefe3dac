#!/usr/bin/env bash
# Committed transactions per second and commit latency of the consensus, next
# to the raw pipeline limit measured in the same run (issue 4).
#   tests/bench/consensus_bench.sh [RATE ...]          (default: 1000 3000 6000 7000)
# Deployments: 1 validator in one process, 4 validators in one process, and 4
# validators in 4 processes, all on loopback; `voltaic load` runs on the same
# machine for DURATION seconds (default 8) per rate.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
voltaic="${VOLTAIC:-$root/build/runtime/voltaic}"
duration="${DURATION:-8}"
rates=("${@:-1000 3000 6000 7000}")
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

# Measured before and after the deployments: on a shared machine the limit
# moves during a run, and the two readings bracket it.
raw_limit() {
  echo "== raw pipeline ($1): sign once, then verify and commit durably on each replica"
  rm -rf "$work/raw"
  "$voltaic" chain bench --dir "$work/raw" --blocks 20 --txs-per-block 1000 --spb-only --replicas 4 |
    grep -E "^(apply-and-commit|raw)"
}
raw_limit before

wait_listening() {  # log file, number of "listening" lines
  for _ in $(seq 1 200); do
    [ "$(grep -c listening "$1" 2>/dev/null || true)" -ge "$2" ] && return 0
    sleep 0.05
  done
  echo "validators did not start: $(cat "$1")" >&2
  return 1
}

# One deployment: name, validators, processes (1 or one per validator).
deploy() {
  local name="$1" n="$2" split="$3" port="$4" rate
  for rate in ${rates[*]}; do
    local lab="$work/$name-$rate"
    VALIDATORS="$n" BASE_PORT="$port" VOLTAIC="$voltaic" "$root/examples/lab/make_lab.sh" "$lab" > /dev/null
    pids=()
    if [ "$split" = yes ]; then
      for ((i = 0; i < n; i++)); do
        (cd "$lab" && exec "$voltaic" run lab.toml --only "v$i") > "$lab/v$i.log" 2>&1 &
        pids+=($!)
      done
      for ((i = 0; i < n; i++)); do wait_listening "$lab/v$i.log" 1; done
    else
      (cd "$lab" && exec "$voltaic" run lab.toml) > "$lab/run.log" 2>&1 &
      pids+=($!)
      wait_listening "$lab/run.log" "$n"
    fi
    echo "== $name, offered $rate tx/s"
    "$voltaic" load --config "$lab/lab.toml" --rate "$rate" --duration "$duration" | grep -E "^(committed|commit latency|refused)" || true
    for p in "${pids[@]}"; do kill -INT "$p" 2>/dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
    pids=()
    port=$((port + 10))
  done
}

[ -z "${ONLY_SPLIT:-}" ] && deploy "1 validator, 1 process" 1 no 24300
[ -z "${ONLY_SPLIT:-}" ] && deploy "4 validators, 1 process" 4 no 24400
deploy "4 validators, 4 processes" 4 yes 24500
raw_limit after
