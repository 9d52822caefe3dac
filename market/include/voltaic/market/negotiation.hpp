#pragma once
// Bilateral price negotiation (SPB's market, spec/protocols.md section 4):
// alternating offers between a buyer and a producer over one quantity of
// energy. Each side has a strategy — where it opens, the reservation price
// it never crosses, how far it concedes per round, and a deadline in rounds
// — and answers the other's price with accept, a counter-offer or reject.
// The buyer opens; the producer's first word is its opening price. A side
// accepts a price at least as good as what it would ask next, else counters
// one concession further; past its deadline it accepts only what its last
// price allows and otherwise rejects.
// Deterministic integer arithmetic: the same strategies always agree on the
// same price in the same round.
// Thread-safety: plain values.

#include <cstdint>

#include "voltaic/market/error.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::market {

enum class negotiation_step : std::uint8_t { offer = 1, counter = 2, accept = 3, reject = 4 };
const char* to_string(negotiation_step s);

struct negotiation_strategy {
  price_ucpkwh opening = 0;      // its first price
  price_ucpkwh reservation = 0;  // a buyer's most, a producer's least
  price_ucpkwh step = 0;         // concession per round (0: firm)
  std::uint32_t deadline = 10;   // rounds it takes part in before it rejects
};

// Opening at or beyond the reservation, a non-negative step and prices in range.
status check_strategy(const negotiation_strategy& s, bool buyer);

// One side of a negotiation: what it last asked and how many rounds it has played.
class negotiator {
 public:
  negotiator(bool buyer, negotiation_strategy strategy) : buyer_(buyer), s_(strategy), current_(strategy.opening) {}

  // The buyer's first offer.
  price_ucpkwh open() {
    round_ = 1;
    return current_;
  }

  struct reply {
    negotiation_step step = negotiation_step::reject;
    price_ucpkwh price = 0;  // accept: the other's price; counter: its own new one
  };
  // The other side asked `price`: accept it, counter, or reject.
  reply answer(price_ucpkwh price);

  bool buyer() const { return buyer_; }
  std::uint32_t round() const { return round_; }
  price_ucpkwh current() const { return current_; }

 private:
  // Its price after one more concession, never beyond the reservation.
  price_ucpkwh conceded() const;
  bool acceptable(price_ucpkwh price, price_ucpkwh mine) const { return buyer_ ? price <= mine : price >= mine; }

  bool buyer_;
  negotiation_strategy s_;
  price_ucpkwh current_;
  std::uint32_t round_ = 0;
};

}  // namespace voltaic::market
