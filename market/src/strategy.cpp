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

price_draw price_draw_of(strategy_kind behaviour, side s) {
  const bool seller = s == side::sell;
  if (behaviour == strategy_kind::non_cooperative)
    return seller ? price_draw{1.03, 0.045, 0.50, 1.50} : price_draw{0.99, 0.02, 0.50, 1.50};
  return seller ? price_draw{0.95, 0.025, 0.50, 1.15} : price_draw{1.00, 0.01, 0.85, 1.50};
}

price_ucpkwh draw_price(const price_draw& draw, price_ucpkwh reference, rng& random) {
  // sigma is in credits per kWh at the thesis's reference 0.2023, so it
  // scales with the reference.
  const double scale = draw.sigma / 0.2023;
  for (;;) {
    double z = 0;
    for (int k = 0; k < 12; ++k) z += random.uniform();
    const double m = draw.mu + scale * (z - 6);
    if (m < draw.lo || m > draw.hi) continue;
    auto price = round_half_even(static_cast<double>(reference) * m);
    return price ? std::clamp<price_ucpkwh>(price.value(), 0, max_price) : 0;
  }
}

namespace {

// The rejections that say "your price": the others (a guard, no crossing)
// are not the agent's price's fault, so it keeps its bid.
bool rejected_for_price(reason why) {
  return why == reason::price_above_clearing || why == reason::price_below_clearing ||
         why == reason::trade_reduction;
}

}  // namespace

result<price_ucpkwh> choose_price(strategy_kind kind, const bid_context& ctx, const bid_memory& memory,
                                  rng& random, const std::string& agent, const scripted_prices* script) {
  switch (kind) {
    case strategy_kind::truthful:
      return ctx.valuation;
    case strategy_kind::cooperative:
    case strategy_kind::non_cooperative:
      return draw_price(price_draw_of(kind, ctx.side), ctx.reference, random);
    case strategy_kind::adaptive: {
      if (!memory.has_bid) return ctx.valuation;
      if (!rejected_for_price(memory.last_reason)) return memory.last_bid;
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

void remember(bid_memory& memory, price_ucpkwh bid, reason why, price_ucpkwh clearing_price) {
  memory.has_bid = true;
  memory.last_bid = bid;
  memory.last_reason = why;
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
