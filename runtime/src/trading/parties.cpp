#include "parties.hpp"

#include <algorithm>

#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/parallel.hpp"
#include "voltaic/market/p_series.hpp"
#include "voltaic/market/rng.hpp"
#include "../run_config_toml.hpp"

namespace voltaic::runtime::trading {

std::vector<party> make_parties(const scenario_config& sc, std::size_t load_bus_count) {
  // The parties: per market, `prosumers` on the load buses in order; the
  // first `buyers` buy. Private valuations lie within +-15 % of the reference.
  // The silent_buyers buyers who value energy most have meters that never
  // report; the short_sellers cheapest sellers' meters read short. Both bid
  // truthfully at the edge of the range, so they win and the faults show.
  std::vector<party> parties;
  const std::size_t buyers = sc.buyers_per_market();
  market::p_energies series_energies;
  if (!sc.series.empty()) series_energies = market::generate_p_energies(market::find_p_scenario(sc.series).value(), sc.seed);
  for (std::uint64_t m = 0; m < sc.markets; ++m) {
    const std::size_t first = parties.size();
    for (std::size_t i = 0; i < sc.prosumers; ++i) {
      party p;
      const std::uint64_t g = m * sc.prosumers + i;
      p.name = sc.party_name(m, i);
      p.market = m;
      p.bus = static_cast<std::uint32_t>(i % load_bus_count);
      p.side = i < buyers ? market::side::buy : market::side::sell;
      if (!sc.series.empty()) {
        // Buyer k stands on P-series position 28 + k, seller k on position k.
        const std::size_t k = i < buyers ? i : i - buyers;
        const std::size_t position = i < buyers ? market::p_seller_ids().size() + k : k;
        p.bus = static_cast<std::uint32_t>(position % load_bus_count);
        p.energy = (i < buyers ? series_energies.buyers[k] : series_energies.sellers[k]) * market::mwh_per_kwh;
      }
      market::rng r(sc.seed * 1'000'003 + g);
      p.valuation = static_cast<market::price_ucpkwh>(static_cast<double>(sc.reference_price) * r.uniform(0.85, 1.15));
      parties.push_back(std::move(p));
    }
    std::vector<party*> by_value;
    for (std::size_t k = first; k < parties.size(); ++k) by_value.push_back(&parties[k]);
    std::stable_sort(by_value.begin(), by_value.end(), [](const party* a, const party* b) { return a->valuation > b->valuation; });
    std::size_t silent = 0, short_sellers = 0;
    for (party* p : by_value)
      if (p->side == market::side::buy && silent < sc.silent_buyers) {
        p->silent = true, ++silent;
        p->valuation = sc.reference_price * 115 / 100;
      }
    for (auto it = by_value.rbegin(); it != by_value.rend(); ++it)
      if ((*it)->side == market::side::sell && short_sellers < sc.short_sellers) {
        (*it)->delivery_permille = sc.short_permille, ++short_sellers;
        (*it)->valuation = sc.reference_price * 85 / 100;
      }
  }
  // Party g's keys (g = its index), derived on all cores: 200,000 of them
  // took 3.5 s on one.
  chain::parallel_for(parties.size(), [&](std::size_t g) {
    parties[g].key = chain::derived_key(sc.seed, lab_role_prosumer, g);
    parties[g].meter_key = chain::derived_key(sc.seed, lab_role_meter, g);
  });
  return parties;
}

std::int64_t lab_genesis(const scenario_config& sc, const std::vector<party>& parties, chain::genesis_config& genesis) {
  genesis.balances.clear();
  for (const auto& p : parties) genesis.balances.emplace_back(p.key.pub, sc.initial_credits_uc);
  const std::int64_t dso_start = sc.initial_credits_uc * static_cast<std::int64_t>(parties.size());
  genesis.balances.emplace_back(genesis.dso, dso_start);
  const auto maker = lab_manufacturer(sc).pub;
  auto& makers = genesis.manufacturers;
  if (std::find(makers.begin(), makers.end(), maker) == makers.end()) makers.push_back(maker);
  return 2 * dso_start;
}

chain::key_pair lab_manufacturer(const scenario_config& sc) {
  return chain::derived_key(sc.seed, lab_role_manufacturer, 0);
}

chain::meter_keys lab_meter(const scenario_config& sc, const std::string& chain_id, const std::vector<party>& parties,
                            std::size_t g, const chain::key_pair& maker) {
  std::vector<chain::key_pair> keys;
  for (std::size_t j = 0; j < lab_coe_keys; ++j)
    keys.push_back(chain::derived_key(sc.seed, lab_role_meter_coe, g * lab_coe_keys + j));
  const chain::key_pair& voucher = parties[(g + 1) % parties.size()].meter_key;
  return chain::make_meter_keys(std::move(keys), chain_id, voucher, maker.pub,
                                chain::certify_meter(voucher.pub, chain_id, maker));
}

}  // namespace voltaic::runtime::trading
