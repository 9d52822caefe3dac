#pragma once
// One market cycle in pure logic: validate the book, clear it, match the
// winners by score, and derive quotes and per-order outcomes. This is what
// every validator re-executes. Thread-safety: pure function.

#include <vector>

#include "voltaic/market/clearing.hpp"
#include "voltaic/market/matching.hpp"
#include "voltaic/market/outcome.hpp"

namespace voltaic::market {

struct cycle_options {
  clearing_options clearing;
  matching_options matching;
};

struct cycle_result {
  clearing_result clearing;
  std::vector<trade> trades;
  market::quotes quotes;
  std::vector<order_outcome> outcomes;  // per book index
};

result<cycle_result> run_cycle(const std::vector<order>& book, const distance_table& distances,
                               const cycle_options& options);

}  // namespace voltaic::market
