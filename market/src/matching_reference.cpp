// The literal definition of spec/market.md 5.3: score every (winning buyer,
// winning seller) pair, sort, walk. Memory grows as buyers x sellers; kept
// as the oracle for tests and benchmarks of match().
#include "matching_detail.hpp"

namespace voltaic::market {

using detail::pair_scorer;
using detail::ranked_pair;
using detail::walk_state;
using detail::walks_before;

result<std::vector<trade>> match_reference(const std::vector<order>& book,
                                           const clearing_result& clearing,
                                           const distance_table& distances,
                                           const matching_options& options) {
  std::vector<trade> trades;
  if (!clearing.traded) return trades;
  const pair_scorer scorer(book, clearing, distances, options);
  std::vector<ranked_pair> pairs;
  pairs.reserve(scorer.buyers() * scorer.sellers());
  for (std::size_t j = 0; j < scorer.buyers(); ++j) {
    for (std::size_t i = 0; i < scorer.sellers(); ++i) {
      if (clearing.seller_allowed[i] == 0) continue;  // never usable
      const distance_mm d = scorer.distance(j, i);
      if (d == distance_table::unknown) return scorer.missing(j, i);
      pairs.push_back({scorer.score(j, i, d), static_cast<std::uint32_t>(j),
                       static_cast<std::uint32_t>(i), d});
    }
  }
  std::sort(pairs.begin(), pairs.end(), walks_before);
  walk_state state(clearing);
  for (const ranked_pair& p : pairs) {
    if (state.buyers_unserved == 0) break;
    if (!state.usable(p)) continue;
    const energy_mwh q = state.trade(p);
    trades.push_back(scorer.make_trade(p.buyer, p.seller, q, p.distance, p.score));
  }
  if (options.on_trades && !trades.empty()) options.on_trades(trades.data(), trades.size());
  return trades;
}

}  // namespace voltaic::market
