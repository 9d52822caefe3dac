#include "carbon_setup.hpp"

#include <algorithm>

#include "../run_config_toml.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/market/carbon_file.hpp"
#include "voltaic/market/carbon_price_analysis.hpp"
#include "voltaic/market/carbon_quota.hpp"

namespace voltaic::runtime::carbon {

namespace {

// Lab key roles of the carbon market (beside run_config_toml.hpp's).
constexpr std::uint64_t role_carbon_validator = 20, role_carbon_party = 21, role_carbon_meter = 22,
                        role_carbon_verifier = 23;

}  // namespace

carbon_keys make_carbon_keys(const carbon_scenario& c, std::uint64_t seed) {
  carbon_keys k;
  k.genesis.chain_id = "voltaic-carbon-" + std::to_string(seed);
  k.genesis.deltas = {c.delta_g_per_kwh};
  for (std::uint32_t i = 0; i < c.validators; ++i) {
    k.validators.push_back(chain::derived_key(seed, role_carbon_validator, i));
    k.genesis.validators.push_back(k.validators.back().pub);
  }
  k.verifier = chain::derived_key(seed, role_carbon_verifier, 0);
  k.genesis.verifiers = {k.verifier.pub};
  for (std::size_t n = 0; n < c.participants.size(); ++n) {
    const auto& p = c.participants[n];
    const bool house = !p.house.empty();
    k.parties.push_back(house ? chain::derived_key(seed, lab_role_prosumer, p.house_index)
                              : chain::derived_key(seed, role_carbon_party, n));
    k.meters.push_back(house ? chain::derived_key(seed, lab_role_meter, p.house_index)
                             : chain::derived_key(seed, role_carbon_meter, n));
    k.id_of[k.parties.back().pub] = p.id;
    if (p.role == market::carbon_role::pvp)
      k.genesis.pvps.push_back({k.parties.back().pub, k.meters.back().pub});
    else
      k.genesis.cecs.push_back({k.parties.back().pub, c.allowance_kg});
  }
  return k;
}

std::vector<std::int64_t> months_for(std::int64_t total_mwh) {
  const double shape[12] = {31928381570.0, 36639126392.0, 43443535580.0, 47630864310.0, 54435273498.0, 56528937863.0,
                            65950427513.0, 64380179233.0, 52865025224.0, 46060616036.0, 37162542484.0, 32975213753.0};
  double sum = 0;
  for (double s : shape) sum += s;
  std::vector<std::int64_t> m(12);
  std::int64_t given = 0;
  for (int k = 0; k < 11; ++k)
    given += m[k] = static_cast<std::int64_t>(static_cast<double>(total_mwh) * shape[k] / sum);
  m[11] = total_mwh - given;
  return m;
}

std::string validator_name(std::uint32_t i) { return "c" + std::to_string(i); }

agents::carbon_validator_config validator_config(const carbon_scenario& c, const carbon_keys& keys, std::uint32_t i,
                                                 const std::string& chain_dir) {
  agents::carbon_validator_config vc;
  vc.name = validator_name(i);
  vc.key = keys.validators[i];
  vc.index = i;
  vc.genesis = keys.genesis;
  vc.store_dir = chain_dir + "/" + vc.name;
  vc.sign_guard_path = vc.store_dir + ".signed";
  vc.timing.timeout_propose_ms = 300;
  vc.timing.gossip_ms = 200;
  // Slow blocks: after an empty block the next height waits this long, or
  // until work arrives (a transaction wakes every validator).
  vc.empty_block_interval_ms = c.block_interval_ms;
  vc.on_demand = c.simulated;  // blocks only when the carbon clock steps them
  return vc;
}

agents::carbon_participant_config participant_config(const carbon_scenario& c, const carbon_keys& keys,
                                                     std::size_t k, market::price_ucpt price, caf::actor validator) {
  const auto& p = c.participants[k];
  agents::carbon_participant_config pc;
  pc.name = p.id;
  pc.role = p.role;
  pc.key = keys.parties[k];
  pc.chain_id = keys.genesis.chain_id;
  pc.price = price;
  pc.validator = std::move(validator);
  if (p.role == market::carbon_role::pvp) {
    pc.meter = keys.meters[k];
    if (p.monthly_kwh.empty()) {
      pc.monthly_mwh = months_for(p.generation_kwh * market::mwh_per_kwh);
    } else {
      for (auto kwh : p.monthly_kwh) pc.monthly_mwh.push_back(kwh * market::mwh_per_kwh);
    }
    auto check = market::pv_quota_kg(c.delta_g_per_kwh, pc.monthly_mwh);
    pc.estimate_kg = p.estimate_kg >= 0 ? p.estimate_kg : check ? check.value() : 0;
  } else {
    // Its verifier signs each period's emissions (the same every period).
    const auto& who = keys.parties[k].pub;
    for (std::uint64_t period = c.period; period < c.period + c.periods; ++period)
      pc.reports.push_back({who, period, p.emissions_kg, keys.verifier.pub,
                            chain::sign(chain::domain::transaction, pc.chain_id,
                                        chain::carbon::emissions_message(who, period, p.emissions_kg), keys.verifier)});
  }
  return pc;
}

market::result<std::pair<market::price_ucpt, market::price_ucpt>> copula_prices(const std::string& file) {
  auto prices = market::load_price_pairs(file);
  if (!prices) return prices.err();
  auto a = market::analyze_carbon_prices(prices.value(), {});
  if (!a) return market::make_error(a.err().code, file + ": " + a.err().message);
  auto low = market::round_half_even(a.value().bid_low * 1e6), high = market::round_half_even(a.value().bid_high * 1e6);
  if (!low || !high) return market::make_error(market::errc::out_of_range, file + ": the advised range is not finite");
  return std::make_pair(std::clamp<market::price_ucpt>(low.value(), 0, market::max_carbon_price),
                        std::clamp<market::price_ucpt>(high.value(), 0, market::max_carbon_price));
}

market::price_ucpt limit_of(const carbon_scenario& c, std::size_t k,
                            const std::pair<market::price_ucpt, market::price_ucpt>& advised) {
  const auto& p = c.participants[k];
  if (p.price) return *p.price;
  const bool buys = p.role == market::carbon_role::cec && p.emissions_kg > c.allowance_kg;
  return buys ? advised.second : advised.first;
}

}  // namespace voltaic::runtime::carbon
