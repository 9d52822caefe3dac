#!/usr/bin/env bash
# Time and peak memory of `voltaic clear` on large generated books (F8 of the
# December 2026 hostile review): cooperative prices around 0.2023 per kWh,
# 30-200 kWh, half buyers, half sellers.
#   tests/bench/clear_bench.sh [ORDERS[:feeder|:pairs] ...]
#     (default: 100000:feeder 1000000)
#   :feeder places every order on one of the LV feeder's 55 prosumer buses;
#   :pairs adds a distances file of one line per order (buyer i to seller i),
#     which matching refuses with a clear error (it needs every winner pair).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
voltaic="${VOLTAIC:-$root/build/runtime/voltaic}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# make_book ORDERS WITH_BUS > file: a deterministic book (fixed awk seed).
make_book() {
  awk -v n="$1" -v with_bus="$2" -v buses="$3" 'BEGIN {
    srand(2024);
    nb = split(buses, bus, " ");
    printf "id,side,price,energy_kwh%s\n", with_bus ? ",bus" : "";
    for (k = 0; k < n; ++k) {
      sell = k % 2;
      price = 0.2023 * (sell ? 0.85 + 0.2 * rand() : 0.95 + 0.2 * rand());
      printf "%s%d,%s,%.4f,%.3f", sell ? "s" : "b", k, sell ? "sell" : "buy", price, 30 + 170 * rand();
      if (with_bus) printf ",%s", bus[1 + int(rand() * nb)];
      printf "\n";
    }
  }'
}
load_buses="$(awk -F, 'NR > 3 && $3 != "" { print $3 }' "$root/data/feeders/ieee_eu_lv/Loads.csv" | tr '\n' ' ')"

for spec in "${@:-100000:feeder 1000000}"; do
  for s in $spec; do
    orders="${s%%:*}"; kind="${s#*:}"; [ "$kind" = "$s" ] && kind=none
    book="$work/book_${orders}_$kind.csv"
    extra=()
    case "$kind" in
      feeder) make_book "$orders" 1 "$load_buses" > "$book"; extra=(--feeder ieee-eu-lv) ;;
      pairs)
        make_book "$orders" 0 "" > "$book"
        awk -v n="$orders" 'BEGIN { print "buyer,seller,distance_m"; for (k = 0; k + 1 < n; k += 2) printf "b%d,s%d,%d\n", k, k + 1, 10 + k % 400 }' > "$work/pairs.csv"
        extra=(--distances "$work/pairs.csv") ;;
      none) make_book "$orders" 0 "" > "$book" ;;
      *) echo "unknown kind '$kind' (use feeder or pairs)" >&2; exit 2 ;;
    esac
    echo "== $orders orders, distances: $kind"
    status=0
    /usr/bin/time -f "peak resident memory: %M KiB, wall %e s" \
      "$voltaic" clear --orders "$book" "${extra[@]}" --out "$work/out" > "$work/stdout" 2> "$work/stderr" || status=$?
    head -c 300 "$work/stdout" | sed -n '1,4p'
    cat "$work/stderr"
    echo "exit status $status"
  done
done
