#include "voltaic/market/cycle.hpp"

namespace voltaic::market {

result<cycle_result> run_cycle(const std::vector<order>& book, const distance_table& distances,
                               const cycle_options& options) {
  if (auto st = validate_book(book); !st) return st.err();
  cycle_result r;
  r.clearing = clear(book, options.clearing);
  auto trades = match(book, r.clearing, distances, options.matching);
  if (!trades) return trades.err();
  r.trades = std::move(trades).value();
  r.quotes = quotes_of(r.clearing, r.trades);
  r.outcomes = outcomes_of(book, r.clearing, r.trades);
  return r;
}

}  // namespace voltaic::market
