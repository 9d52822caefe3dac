#pragma once
// Integer units for everything that enters a block (spec/market.md section 8),
// their range checks, half-to-even rounding and exact decimal text I/O.
//
// energy: milliwatt-hours (1 kWh = 1,000,000 mWh); price: micro-credits per
// kWh; money: micro-credits; distance: millimetres. All int64_t.
// Thread-safety: pure functions.

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "voltaic/market/error.hpp"

namespace voltaic::market {

using energy_mwh = std::int64_t;
using price_ucpkwh = std::int64_t;  // micro-credits per kWh
using money_uc = std::int64_t;      // micro-credits
using distance_mm = std::int64_t;

// 128-bit intermediates for money products (GCC/Clang extension).
__extension__ typedef __int128 int128;
__extension__ typedef unsigned __int128 uint128;

inline constexpr std::int64_t mwh_per_kwh = 1'000'000;
inline constexpr std::int64_t uc_per_credit = 1'000'000;
inline constexpr std::int64_t mm_per_m = 1'000;

// Named ranges. Chosen so that sums over a million orders and every money
// product (price * energy / 1e6) stay inside int64 with 128-bit intermediates.
inline constexpr energy_mwh max_order_energy = 1'000'000'000'000;   // 1 GWh
inline constexpr price_ucpkwh max_price = 1'000'000'000'000;        // 1e6 credits/kWh
inline constexpr distance_mm max_distance = 1'000'000'000'000;      // 1e6 km
inline constexpr distance_mm distance_anywhere = std::numeric_limits<std::int64_t>::max();

constexpr bool energy_in_range(energy_mwh e) { return e > 0 && e <= max_order_energy; }
constexpr bool price_in_range(price_ucpkwh p) { return p >= 0 && p <= max_price; }
constexpr bool distance_in_range(distance_mm d) {
  return (d >= 0 && d <= max_distance) || d == distance_anywhere;
}

// num / den rounded half to even; den > 0.
std::int64_t div_round_half_even(int128 num, std::int64_t den);

// Rounds a double half to even to an integer; fails on NaN, infinity or a
// value outside int64.
result<std::int64_t> round_half_even(double value);

// value * scale rounded half to even (e.g. kWh -> mWh with scale 1e6).
result<std::int64_t> to_scaled(double value, std::int64_t scale);

// Money for `energy` at `price`: price * energy / 1e6, half to even.
money_uc money_for(price_ucpkwh price, energy_mwh energy);

constexpr double to_kwh(energy_mwh e) { return static_cast<double>(e) / 1e6; }
constexpr double to_credits(std::int64_t uc) { return static_cast<double>(uc) / 1e6; }
constexpr double to_metres(distance_mm d) {
  return d == distance_anywhere ? std::numeric_limits<double>::infinity()
                                : static_cast<double>(d) / 1e3;
}

// Parses a plain decimal ("16.5", "-2", "1e3" is refused) into value * scale,
// exactly; digits beyond the scale are rounded half to even. Refuses NaN,
// infinities, empty text, signs other than a leading '-' and overflow.
result<std::int64_t> parse_scaled(std::string_view text, std::int64_t scale);

// Exact decimal text of value / scale with trailing zeros removed but at
// least one decimal ("69.25", "70.0", "-0.5"). scale is a power of ten.
std::string format_scaled(std::int64_t value, std::int64_t scale);
// The same text, appended to `out` without a temporary string.
void append_scaled(std::string& out, std::int64_t value, std::int64_t scale);

}  // namespace voltaic::market
