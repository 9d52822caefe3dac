#pragma once
// Bidding strategies of prosumer agents: pure, seeded and reproducible (the
// same seed and feedback give the same bids on every machine).
//
//   truthful         bid the private valuation
//   cooperative      the thesis's cooperative draw around the reference
//   non_cooperative  the thesis's non-cooperative draw: wider, sellers
//                    higher and buyers lower (spec/experiments.md 2.1); about
//                    a third of the bids fall outside the 15 % band, yet the
//                    books cross as the thesis's do
//   adaptive         start truthful; after a rejection for its price or for
//                    trade reduction, move half-way toward the clearing
//                    price of the feedback, never past the agent's own
//                    valuation (experiments.md 2.4)
//   scripted         prices from a CSV `cycle,agent,price`
// Thread-safety: pure functions; scripted_prices is immutable after loading.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

#include "voltaic/market/clearing.hpp"
#include "voltaic/market/order.hpp"
#include "voltaic/market/rng.hpp"

namespace voltaic::market {

enum class strategy_kind : std::uint8_t { truthful, cooperative, non_cooperative, adaptive, scripted };

const char* to_string(strategy_kind k);
result<strategy_kind> parse_strategy(std::string_view text);

// What the agent knows when it bids.
struct bid_context {
  market::side side = side::buy;
  price_ucpkwh valuation = 0;   // private value (seller's cost, buyer's worth)
  price_ucpkwh reference = 0;   // market reference price
  std::uint64_t cycle = 0;
};

// Feedback the agent remembers between cycles (adaptive uses it).
struct bid_memory {
  bool has_bid = false;
  price_ucpkwh last_bid = 0;
  market::reason last_reason = reason::none;  // none: it traded
  price_ucpkwh last_clearing_price = 0;
};

// The price draw of a behaviour (spec/experiments.md 2.1): m = mu + s z with
// s = sigma / 0.2023 and z the sum of twelve uniforms minus 6, redrawn until
// m lies in [lo, hi]; the price is reference * m rounded half to even.
struct price_draw {
  double mu = 1;
  double sigma = 0;
  double lo = 0;
  double hi = 0;
};

// For cooperative and non_cooperative only.
price_draw price_draw_of(strategy_kind behaviour, side s);
price_ucpkwh draw_price(const price_draw& draw, price_ucpkwh reference, rng& random);

// Bids of scripted agents, keyed by (cycle, agent name).
class scripted_prices {
 public:
  static result<scripted_prices> load_csv(const std::string& path);
  void set(std::uint64_t cycle, std::string agent, price_ucpkwh price);
  result<price_ucpkwh> at(std::uint64_t cycle, const std::string& agent) const;

 private:
  std::map<std::pair<std::uint64_t, std::string>, price_ucpkwh> prices_;
};

// The price an agent bids this cycle. `agent` and `script` serve `scripted`.
result<price_ucpkwh> choose_price(strategy_kind kind, const bid_context& ctx, const bid_memory& memory,
                                  rng& random, const std::string& agent = {},
                                  const scripted_prices* script = nullptr);

// Records the outcome of a bid for the next cycle; `why` is the rejection's
// reason, none when the bid traded.
void remember(bid_memory& memory, price_ucpkwh bid, reason why, price_ucpkwh clearing_price);

}  // namespace voltaic::market
