#pragma once
// Setting up a carbon market lab from its scenario (private to runtime/):
// the keys every process derives alike from the seed, the carbon genesis,
// and the validators' and participants' configurations. A PV prosumer that
// is the carbon side of a house signs with the house's key, and its monthly
// totals with the house's smart meter's: one identity on both chains.

#include <caf/all.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "voltaic/agents/carbon_participant.hpp"
#include "voltaic/agents/carbon_validator.hpp"
#include "voltaic/chain/carbon/carbon_ledger.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::carbon {

struct carbon_keys {
  chain::carbon::carbon_genesis genesis;
  std::vector<chain::key_pair> validators;
  chain::key_pair verifier;               // signs the CECs' emissions
  std::vector<chain::key_pair> parties;   // by participant, as the scenario lists them
  std::vector<chain::key_pair> meters;    // a PVP's meter; unused for a CEC
  std::map<chain::public_key, std::string> id_of;  // participant key -> its bus
};

carbon_keys make_carbon_keys(const carbon_scenario& c, std::uint64_t seed);

// Twelve monthly totals (mWh) in the paper's seasonal shape (node 14's
// months of carbon.json), summing to `total_mwh`.
std::vector<std::int64_t> months_for(std::int64_t total_mwh);

// Carbon validator i, its store in chain_dir/c<i>.
agents::carbon_validator_config validator_config(const carbon_scenario& c, const carbon_keys& keys, std::uint32_t i,
                                                 const std::string& chain_dir);
std::string validator_name(std::uint32_t i);

// Participant k, ordering at `price` (a fixed limit or the copula's advice),
// talking to `validator`.
agents::carbon_participant_config participant_config(const carbon_scenario& c, const carbon_keys& keys,
                                                     std::size_t k, market::price_ucpt price, caf::actor validator);

// Limit prices the copula analysis of `file` advises: (sellers' ask, buyers' bid).
market::result<std::pair<market::price_ucpt, market::price_ucpt>> copula_prices(const std::string& file);

// The limit participant k orders at, given the advice.
market::price_ucpt limit_of(const carbon_scenario& c, std::size_t k,
                            const std::pair<market::price_ucpt, market::price_ucpt>& advised);

}  // namespace voltaic::runtime::carbon
