#pragma once
// A smart meter agent: one per prosumer. It reads the energy its prosumer
// actually delivered or took in a cycle from a meter source — for now a
// simple model (a fixed share of the agreed energy) or, bound to a
// `voltaic meterd`, the real meter's readings — and signs with one of its CoE
// keys (spec/protocols.md section 3), never with a key that names it: for a
// buyer an ERC per hold (which pays the producer), for a seller a reading of
// its delivery (which decides its penalty). Its house (the prosumer) says
// what the chain recorded for the party and which holds are open.
// A meter configured not to report never answers a reading request with a
// transaction (the buyer's CTPs then expire, and its sellers go unpaid).
// Messages: see messages.hpp (read).
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/agents/meterd_feed.hpp"
#include "voltaic/chain/energy/coe.hpp"

namespace voltaic::agents {

struct smart_meter_config {
  std::string name;
  chain::key_pair key;    // its identity, which its manufacturer certified
  chain::meter_keys coe;  // its CoE keys, tree and certificate
  chain::public_key party{};
  std::string chain_id;
  std::int64_t delivery_permille = 1'000;  // metered = agreed (or committed) * permille / 1000
  bool reports = true;
  // When set, the meter settles from a real meter's readings instead of
  // delivery_permille: a seller's delivery is the export, a buyer's receipt
  // the import, metered since the previous settlement (meterd_feed.hpp).
  std::shared_ptr<meterd_feed> feed;
  caf::actor miner;
  // Other validators to turn to, in order, when `miner` goes away.
  std::vector<caf::actor> fallback_miners;
  caf::duration miner_timeout{std::chrono::seconds(10)};  // see prosumer_config::miner_timeout
};

caf::actor spawn_smart_meter(caf::actor_system& system, const smart_meter_config& config);

}  // namespace voltaic::agents
