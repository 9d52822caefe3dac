#include "voltaic/market/scenario.hpp"

#include <algorithm>

namespace voltaic::market {

result<scenario> generate_scenario(const scenario_params& p, const std::vector<std::string>& buses) {
  if (p.participants == 0) return make_error(errc::invalid_argument, "a scenario needs at least one participant");
  const std::size_t buyers = p.buyers ? p.buyers : (p.participants + 1) / 2;
  if (buyers > p.participants)
    return make_error(errc::invalid_argument, "more buyers than participants");
  if (!energy_in_range(p.min_energy) || !energy_in_range(p.max_energy) || p.min_energy > p.max_energy)
    return make_error(errc::invalid_argument, "the energy range is empty or out of range");
  if (p.strategy == strategy_kind::scripted)
    return make_error(errc::invalid_argument, "a generated scenario cannot be scripted; load the script instead");
  rng random(p.seed);
  scenario s;
  const bid_memory fresh;
  // Buyers and sellers spread over the feeder: shuffle the sides.
  std::vector<side> sides(p.participants, side::sell);
  std::fill(sides.begin(), sides.begin() + static_cast<std::ptrdiff_t>(buyers), side::buy);
  for (std::size_t k = sides.size(); k > 1; --k)
    std::swap(sides[k - 1], sides[static_cast<std::size_t>(random.between(0, static_cast<std::int64_t>(k) - 1))]);
  for (std::size_t k = 0; k < p.participants; ++k) {
    order o;
    o.side = sides[k];
    o.id = "p" + std::to_string(k + 1);
    o.seq = k;
    o.energy = random.between(p.min_energy, p.max_energy);
    auto valuation = round_half_even(static_cast<double>(p.reference_price) *
                                     random.uniform(1.0 - p.valuation_spread, 1.0 + p.valuation_spread));
    if (!valuation) return valuation.err();
    const bid_context ctx{o.side, valuation.value(), p.reference_price, 0};
    auto price = choose_price(p.strategy, ctx, fresh, random);
    if (!price) return price.err();
    o.price = price.value();
    s.valuations.push_back(valuation.value());
    s.buses.push_back(buses.empty() ? std::string() : buses[k % buses.size()]);
    s.book.push_back(std::move(o));
  }
  return s;
}

}  // namespace voltaic::market
