#pragma once
// Clearing an order book: DPDA (thesis Algorithm 2, spec/market.md section 3)
// and the McAfee baseline (Algorithm 1, section 4). Integer arithmetic
// throughout, so the crossing, the case and the price are exact and
// identical on every validator.
//
// Rounding decisions (spec section 8 leaves them to us; see docs/DECISIONS.md):
// - p0 = (P_a + P_b) / 2 is rounded half to even to a micro-credit.
// - equal_share: the share is rounded down to a mWh, so the sellers' allowed
//   energy never falls below the demand (at most n-1 mWh stays unsold).
// - water_fill: allowed energies sum to the demand exactly; the remainder mWh
//   are taken from the last active sellers in curve order.
// Thread-safety: pure functions. Precondition: validate_book(book) passed.

#include <cstdint>
#include <string_view>
#include <vector>

#include "voltaic/market/curve.hpp"
#include "voltaic/market/order.hpp"

namespace voltaic::market {

enum class mechanism : std::uint8_t { dpda = 0, mcafee = 1 };
enum class surplus_policy : std::uint8_t { equal_share = 0, water_fill = 1 };

// Why an order does not trade (spec section 7). `none` for winners.
enum class reason : std::uint8_t {
  none = 0,
  price_above_clearing = 1,
  price_below_clearing = 2,
  trade_reduction = 3,
  insufficient_supply = 4,
  oversupply_consumed = 5,
  no_crossing = 6,
  invalid = 7,
};

const char* to_string(mechanism m);
const char* to_string(surplus_policy p);
const char* to_string(reason r);
result<mechanism> parse_mechanism(std::string_view text);
result<surplus_policy> parse_surplus_policy(std::string_view text);

struct clearing_options {
  market::mechanism mechanism = mechanism::dpda;
  surplus_policy policy = surplus_policy::equal_share;  // DPDA only
};

struct clearing_result {
  market::mechanism mechanism = mechanism::dpda;
  surplus_policy policy = surplus_policy::equal_share;
  int case_number = 0;        // 0: no crossing
  std::size_t x = 0, y = 0;   // the crossing, 1-based
  price_ucpkwh price = 0;     // p0
  bool price_adjusted = false;
  bool traded = false;        // false: no_crossing, or no_trade after the guard
  std::vector<std::uint32_t> sellers;         // winners, book indices, curve order
  std::vector<energy_mwh> seller_allowed;     // E' per winning seller
  std::vector<std::uint32_t> buyers;          // winners, book indices, curve order
  std::vector<energy_mwh> buyer_energy;       // requested energy per winning buyer
  double surplus_share_kwh = 0;  // DPDA: the share; McAfee: theta given up by the last seller
  std::vector<reason> excluded;  // per book index: why it is not a winner
};

clearing_result clear(const std::vector<order>& book, const clearing_options& options);
clearing_result clear(const std::vector<order>& book, const curves& c,
                      const clearing_options& options);

}  // namespace voltaic::market
