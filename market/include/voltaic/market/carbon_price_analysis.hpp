#pragma once
// The carbon price analysis that advises carbon bids (spec/carbon.md 5):
// copulas fitted to pairs of electricity and carbon prices, the chosen one
// sampled for the carbon price given an electricity price, and the
// recommended bid range (the 25th to 75th percentile of those samples).
// Seeded: the same file, price, count and seed give the same range.
// Thread-safety: pure functions (file reading aside).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/market/copula_fit.hpp"

namespace voltaic::market {

struct price_pairs {
  std::vector<double> electricity;
  std::vector<double> carbon;
};

// A CSV with header `electricity,carbon` and decimal rows; errors are
// "FILE:LINE: what" (line 0: the file cannot be read).
result<price_pairs> load_price_pairs(const std::string& path);

struct price_analysis_options {
  std::optional<double> given_electricity;  // default: the median electricity price
  std::size_t samples = 10'000;
  std::uint64_t seed = 1;  // of GSL's mt19937
};

struct price_analysis {
  std::size_t n = 0;
  double spearman = 0;
  std::vector<copula_fit> fits;  // copula_families order
  copula_family chosen = copula_family::gaussian;
  double bid_low = 0, bid_high = 0;
};

result<price_analysis> analyze_carbon_prices(const price_pairs& prices, const price_analysis_options& options);

}  // namespace voltaic::market
