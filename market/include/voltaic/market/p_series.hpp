#pragma once
// The thesis's P-series (spec/experiments.md section 1): the scenarios of its
// Table 3.2 (P-10 ... P-50, and P-55 from every printed entry), their prosumer
// IDs, energies generated to the table's totals, books priced by a
// behaviour's draw (experiments.md 2.1), and the two printed P-50 books as
// fixtures. A seed gives the same book on every machine.
//
// Every order's `location` is its position in the printed lists (sellers
// 0..27, then buyers 28..54), so one 55 x 55 distance table serves every
// scenario; which bus each position stands on is the caller's choice.
// Thread-safety: pure functions over immutable tables.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "voltaic/market/order.hpp"
#include "voltaic/market/strategy.hpp"

namespace voltaic::market {

struct p_scenario {
  std::string name;  // "P-10"
  std::size_t sellers = 0;
  std::size_t buyers = 0;
  std::int64_t seller_kwh = 0;  // Table 3.2's total offered by the sellers
  std::int64_t buyer_kwh = 0;   // ... and asked for by the buyers
};

// P-10, P-20, P-30, P-40, P-50, P-55 in that order.
const std::vector<p_scenario>& p_scenarios();
result<p_scenario> find_p_scenario(std::string_view name);

// The printed IDs, in submission order (28 sellers, 27 buyers).
const std::vector<std::string>& p_seller_ids();
const std::vector<std::string>& p_buyer_ids();
inline constexpr std::size_t p_positions = 55;  // sellers and buyers of the printed lists

// The thesis's reference price, 0.2023 per kWh (627.18 / 3,100 kWh).
inline constexpr price_ucpkwh p_reference_price = 202'300;

struct p_energies {
  std::vector<std::int64_t> sellers;  // whole kWh, in list order
  std::vector<std::int64_t> buyers;
};

// Energies of a generated book (experiments.md 1.2): 15-80 kWh each, summing
// to the table's totals per side; independent of the behaviour.
p_energies generate_p_energies(const p_scenario& scenario, std::uint64_t seed);

// A generated book: sellers then buyers in list order, priced by the
// behaviour's draw (cooperative or non_cooperative only).
result<std::vector<order>> generate_p_book(const p_scenario& scenario, strategy_kind behaviour,
                                           std::uint64_t seed);

// The printed P-50 books of Tables 3.7 and 3.8 (the first 25 entries per side).
inline constexpr std::string_view p50_coop_fixture = "P-50-coop-thesis";
inline constexpr std::string_view p50_noncoop_fixture = "P-50-noncoop-thesis";
bool is_p_fixture(std::string_view name);
result<std::vector<order>> p_fixture_book(std::string_view name);

}  // namespace voltaic::market
