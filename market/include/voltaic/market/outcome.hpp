#pragma once
// Feedback to participants (spec/market.md section 7): exactly one outcome per
// order, with the clearing price as the hint for rejected bidders, and the
// quotes of 5.4 per winner. Thread-safety: pure functions.

#include <cstdint>
#include <vector>

#include "voltaic/market/clearing.hpp"
#include "voltaic/market/matching.hpp"

namespace voltaic::market {

enum class outcome_kind : std::uint8_t { filled = 0, partially_filled = 1, rejected = 2 };

const char* to_string(outcome_kind k);

struct order_outcome {
  outcome_kind kind = outcome_kind::rejected;
  market::reason reason = reason::none;  // set when rejected
  energy_mwh traded = 0;
  price_ucpkwh clearing_price = 0;       // p0, the hint to bid closer to
};

// One outcome per book index.
std::vector<order_outcome> outcomes_of(const std::vector<order>& book,
                                       const clearing_result& clearing,
                                       const std::vector<trade>& trades);

// Quote of one winner: buyer p0*q + its charge halves; seller p0*q - its
// charge halves (formula 4.7). Listed in curve order of the winners.
struct quote {
  std::uint32_t order = 0;  // book index
  money_uc amount = 0;
  money_uc tariff = 0;      // the party's summed half charges
  energy_mwh agreed = 0;    // energy it agreed to trade
};

struct quotes {
  std::vector<quote> buyers;
  std::vector<quote> sellers;
};

quotes quotes_of(const clearing_result& clearing, const std::vector<trade>& trades);

}  // namespace voltaic::market
