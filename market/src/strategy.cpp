#include "voltaic/market/strategy.hpp"

#include <algorithm>

#include "voltaic/market/csv.hpp"

namespace voltaic::market {

const char* to_string(strategy_kind k) {
  switch (k) {
    case strategy_kind::truthful: return "truthful";
    case strategy_kind::cooperative: return "cooperative";
    case strategy_kind::non_cooperative: return "non_cooperative";
    case strategy_kind::adaptive: return "adaptive";
    case strategy_kind::scripted: return "scripted";
  }
  return "unknown";
}

result<strategy_kind> parse_strategy(std::string_view text) {
  for (auto k : {strategy_kind::truthful, strategy_kind::cooperative, strategy_kind::non_cooperative,
                 strategy_kind::adaptive, strategy_kind::scripted})
    if (text == to_string(k)) return k;
  return make_error(errc::invalid_argument,
                    "unknown strategy '" + std::string(text) +
                        "' (use truthful, cooperative, non_cooperative, adaptive or scripted)");
}

namespace {

// reference * factor, rounded half to even; factor drawn by the caller.
price_ucpkwh scaled(price_ucpkwh reference, double factor) {
  auto v = round_half_even(static_cast<double>(reference) * factor);
  return v ? std::clamp<price_ucpkwh>(v.value(), 0, max_price) : 0;
}

}  // namespace

result<price_ucpkwh> choose_price(strategy_kind kind, const bid_context& ctx, const bid_memory& memory,
                                  rng& random, const std::string& agent, const scripted_prices* script) {
  switch (kind) {
    case strategy_kind::truthful:
      return ctx.valuation;
    case strategy_kind::cooperative:
      return scaled(ctx.reference, random.uniform(0.85, 1.15));
    case strategy_kind::non_cooperative:
      // Open intervals at 115 % / 85 %: the draw is nudged off the boundary.
      return ctx.side == side::sell ? std::max(scaled(ctx.reference, random.uniform(1.15, 1.5)),
                                               scaled(ctx.reference, 1.15) + 1)
                                    : std::min(scaled(ctx.reference, random.uniform(0.5, 0.85)),
                                               std::max<price_ucpkwh>(scaled(ctx.reference, 0.85) - 1, 0));
    case strategy_kind::adaptive: {
      if (!memory.has_bid) return ctx.valuation;
      if (!memory.last_rejected) return memory.last_bid;
      const price_ucpkwh moved =
          memory.last_bid + div_round_half_even(memory.last_clearing_price - memory.last_bid, 2);
      // Never past the valuation: a seller does not sell below cost, a buyer
      // does not pay above worth.
      return ctx.side == side::sell ? std::max(moved, ctx.valuation) : std::min(moved, ctx.valuation);
    }
    case strategy_kind::scripted:
      if (script == nullptr)
        return make_error(errc::invalid_argument, "agent '" + agent + "' is scripted but no script is loaded");
      return script->at(ctx.cycle, agent);
  }
  return make_error(errc::invalid_argument, "unknown strategy");
}

void remember(bid_memory& memory, price_ucpkwh bid, bool rejected, price_ucpkwh clearing_price) {
  memory.has_bid = true;
  memory.last_bid = bid;
  memory.last_rejected = rejected;
  memory.last_clearing_price = clearing_price;
}

void scripted_prices::set(std::uint64_t cycle, std::string agent, price_ucpkwh price) {
  prices_[{cycle, std::move(agent)}] = price;
}

result<price_ucpkwh> scripted_prices::at(std::uint64_t cycle, const std::string& agent) const {
  auto it = prices_.find({cycle, agent});
  if (it == prices_.end())
    return make_error(errc::missing_field,
                      "the script has no price for agent '" + agent + "' in cycle " + std::to_string(cycle));
  return it->second;
}

result<scripted_prices> scripted_prices::load_csv(const std::string& path) {
  auto table = named_columns::open(path, {"cycle", "agent", "price"});
  if (!table) return table.err();
  scripted_prices script;
  std::vector<std::string> v;
  for (;;) {
    auto more = table.value().next(v);
    if (!more) return more.err();
    if (!more.value()) return script;
    auto cycle = parse_scaled(v[0], 1);
    if (!cycle || cycle.value() < 0)
      return table.value().at_line(errc::invalid_number, "cycle must be a whole number >= 0");
    auto price = parse_scaled(v[2], uc_per_credit);
    if (!price) return table.value().at_line(price.err().code, "price " + price.err().message);
    if (!price_in_range(price.value())) return table.value().at_line(errc::out_of_range, "price is out of range");
    script.set(static_cast<std::uint64_t>(cycle.value()), v[1], price.value());
  }
}

}  // namespace voltaic::market
