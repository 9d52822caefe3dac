#pragma once
// A random book of any size: n participants placed on the feeder's prosumer
// buses, reference price 0.2023 per kWh, energies uniform in a range, every
// bid from one strategy. Seeded and reproducible. Benchmarks and large labs
// use it; the thesis's own P-series books (Table 3.2) are p_series.hpp's.
// Thread-safety: pure function.

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/market/strategy.hpp"

namespace voltaic::market {

struct scenario_params {
  std::size_t participants = 55;
  std::size_t buyers = 0;              // 0: ceil(participants / 2)
  price_ucpkwh reference_price = 202'300;  // 0.2023 per kWh
  energy_mwh min_energy = 30'000'000;  // 30 kWh
  energy_mwh max_energy = 200'000'000; // 200 kWh
  double valuation_spread = 0.15;      // private valuations within +-15 % of reference
  strategy_kind strategy = strategy_kind::cooperative;
  std::uint64_t seed = 1;
};

struct scenario {
  std::vector<order> book;
  std::vector<std::string> buses;  // per order, cycling through the given buses
  std::vector<price_ucpkwh> valuations;
};

// The P-series participant counts.
inline constexpr std::size_t p_series[] = {10, 20, 30, 40, 50, 55};

result<scenario> generate_scenario(const scenario_params& params, const std::vector<std::string>& buses);

}  // namespace voltaic::market
