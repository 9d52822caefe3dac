#pragma once
// Bidding strategies of prosumer agents: pure, seeded and reproducible (the
// same seed and feedback give the same bids on every machine).
//
//   truthful         bid the private valuation
//   cooperative      uniform within +-15 % of the reference price
//   non_cooperative  sellers above 115 %, buyers below 85 % of the reference
//                    (the thesis's definition; drawn up to 150 % / down to 50 %)
//   adaptive         start truthful; after a rejection move half-way toward
//                    the clearing price of the feedback, never past the
//                    agent's own valuation (it does not bid at a loss)
//   scripted         prices from a CSV `cycle,agent,price`
// Thread-safety: pure functions; scripted_prices is immutable after loading.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>

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
  bool last_rejected = false;
  price_ucpkwh last_clearing_price = 0;
};

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

// Records the outcome of a bid for the next cycle.
void remember(bid_memory& memory, price_ucpkwh bid, bool rejected, price_ucpkwh clearing_price);

}  // namespace voltaic::market
