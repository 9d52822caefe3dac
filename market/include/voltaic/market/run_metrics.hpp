#pragma once
// What one cleared and matched cycle did, as the experiments measure it
// (spec/experiments.md section 3, metrics M1-M13): who traded, how much,
// the imbalance and reductions, buyers left short, welfare and reserve
// surplus at p0, the cost and distance of the trades. Energies stay in
// integer mWh and money in micro-credits where the chain has them; welfare
// and means are doubles (statistics, never signed).
// Thread-safety: pure functions.

#include <cstdint>
#include <vector>

#include "voltaic/market/cycle.hpp"

namespace voltaic::market {

// One trading party's part of the cycle (a party trades iff it has q > 0).
struct party_result {
  std::uint32_t order = 0;  // book index
  market::side side = side::buy;
  energy_mwh traded = 0;    // q, summed over its trades
  double welfare = 0;       // W_S(q) or W_B(q) at p0 (market.md 5.1), credits
  double surplus = 0;       // (p0 - P(S)) q or (P(B) - p0) q, credits
};

// One party's welfare and surplus at p0 for the energy q it traded.
party_result party_result_of(const order& o, std::uint32_t index, energy_mwh traded, price_ucpkwh p0);

// Every trading party, in book order.
std::vector<party_result> party_results(const std::vector<order>& book, const cycle_result& cycle);

struct run_metrics {
  int case_number = 0;
  price_ucpkwh p0 = 0;
  std::size_t sellers = 0, buyers = 0;                  // submitted
  std::size_t trading_sellers = 0, trading_buyers = 0;  // M1
  double participation = 0;                              // M2
  energy_mwh traded = 0;                                 // M3
  std::size_t trades = 0;                                // M4
  energy_mwh imbalance = 0;          // M5: sum E(winning sellers) - sum E(winning buyers)
  double reduction_per_seller_kwh = 0;  // M6: DPDA share; McAfee: the last seller's cut
  std::size_t buyers_short = 0;      // M8: winning buyers with q < E
  energy_mwh short_energy = 0;       //     and what they miss
  double welfare_sellers = 0, welfare_buyers = 0, social_welfare = 0;  // M10
  double surplus_sellers = 0, surplus_buyers = 0;                      // M11
  double mean_cost = 0, max_cost = 0, min_cost = 0;  // M12, credits per trade; 0 without trades
  double mean_distance_m = 0;                        // M13
};

run_metrics metrics_of(const std::vector<order>& book, const cycle_result& cycle);

}  // namespace voltaic::market
