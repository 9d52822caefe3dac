#pragma once
// A prosumer agent (spec/protocols.md sections 1 and 6) and, with its smart
// meter, a house: its key, its bidding strategy from market/, its energy
// position per cycle. It acts on the market clock's phases, never on
// anyone's instructions:
//   quotation   it times out its holds past expiry, then signs one order
//               and submits it to its validator
//   feedback    it asks its validator for its own outcome (a question it
//               signs), remembers it (p0 and the reason when rejected, which
//               an adaptive strategy uses) and, as a buyer, commits to pay
//               each trade (a CTP hold in the CTP database)
//   settlement  it settles the previous cycle: its meter confirms each of a
//               buyer's holds (an ERC pays the seller) or reads a seller's
//               delivery
//   expiry      it times out its holds past expiry
// An order its validator refuses because the quotation is over is
// remembered as late (outcome `late`).
// Messages: see messages.hpp (phase, history, balance).
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/market/order.hpp"
#include "voltaic/market/strategy.hpp"

namespace voltaic::agents {

struct prosumer_config {
  std::string name;
  chain::key_pair key;
  // The CoE keys of its house's smart meter (public halves): a cycle's order
  // and holds name one of them, and only that key's signature settles them.
  std::vector<chain::public_key> meter_keys;
  std::uint64_t meter_key_index(std::uint64_t cycle) const { return meter_keys.empty() ? 0 : cycle % meter_keys.size(); }
  chain::public_key meter_key(std::uint64_t cycle) const {
    return meter_keys.empty() ? chain::public_key{} : meter_keys[meter_key_index(cycle)];
  }
  std::string chain_id;
  std::uint64_t market = 0;
  std::uint32_t bus = 0;  // index among the market's load buses
  market::side side = market::side::buy;
  market::price_ucpkwh valuation = 0;  // private: seller's cost or buyer's worth per kWh
  market::price_ucpkwh reference = 202'300;
  market::strategy_kind strategy = market::strategy_kind::cooperative;
  market::energy_mwh min_energy = 30'000'000;  // energy position per cycle, drawn uniformly
  market::energy_mwh max_energy = 200'000'000;
  market::distance_mm distance_pref = market::distance_anywhere;
  std::uint64_t seed = 1;
  std::uint64_t ctp_lifetime_blocks = 40;
  caf::actor miner;
  // Other validators to turn to, in order, when `miner` goes away.
  std::vector<caf::actor> fallback_miners;
  caf::actor meter_agent;  // its house's meter (smart_meter.hpp)
  // How long a request to the miner may go unanswered. A miner in another
  // process needs a bound; one in this process may go without (each timer is
  // work for CAF's clock thread), if whoever drives the agents watches it.
  caf::duration miner_timeout{std::chrono::seconds(10)};
};

caf::actor spawn_prosumer(caf::actor_system& system, const prosumer_config& config);

}  // namespace voltaic::agents
