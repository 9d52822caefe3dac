#pragma once
// The carbon validator actor: the reactor every validator actor shares
// (consensus, admission, gossip, catch-up; see miner.hpp for its messages)
// over the carbon side chain's application (chain/carbon). Its own messages:
//   (query, path, request)   -> (ok, answer bytes or reason): balance, quota, auction
//   (auction, period)        -> (verdict, transaction id): it records the
//                               period's auction as it re-runs it, signed
//                               with its own key
// Its blocks go to LMDB in store_dir (memory when empty); it runs detached.
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <string>

#include "voltaic/chain/carbon/carbon_ledger.hpp"
#include "voltaic/chain/node/validator_config.hpp"

namespace voltaic::agents {

using auction_atom = caf::atom_constant<caf::atom("auction")>;

// The node's part (name, key, index, timing); the validator set and chain id
// come from the carbon genesis.
struct carbon_validator_config : chain::node::validator_config {
  chain::carbon::carbon_genesis genesis;
  std::string store_dir;
};

caf::actor spawn_carbon_validator(caf::actor_system& system, const carbon_validator_config& config);

}  // namespace voltaic::agents
