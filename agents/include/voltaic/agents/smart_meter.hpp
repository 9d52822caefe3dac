#pragma once
// A smart meter agent: one per prosumer. It reads the energy its prosumer
// actually delivered or took in a cycle from a meter source — for now a
// simple model (a fixed share of the agreed energy; real hardware and trace
// replay come with the hardware adapters) — and signs the settlement with
// its reading key, its counter being the transaction nonce. Its house (the
// prosumer) says what the chain recorded for the party and, for a buyer,
// which holds the reading releases.
// A meter configured not to report never answers a reading request with a
// transaction (the buyer's CTPs then expire).
// Messages: see messages.hpp (read).
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::agents {

struct smart_meter_config {
  std::string name;
  chain::key_pair key;  // the reading key the prosumer's orders name
  chain::public_key party{};
  std::string chain_id;
  std::int64_t delivery_permille = 1'000;  // metered = agreed * permille / 1000
  bool reports = true;
  caf::actor miner;
  // Other validators to turn to, in order, when `miner` goes away.
  std::vector<caf::actor> fallback_miners;
  caf::duration miner_timeout{std::chrono::seconds(10)};  // see prosumer_config::miner_timeout
};

caf::actor spawn_smart_meter(caf::actor_system& system, const smart_meter_config& config);

}  // namespace voltaic::agents
