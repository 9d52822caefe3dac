#pragma once
// The miner (validator) actor: a thin reactor over chain::node::validator
// (consensus, admission, gossip, catch-up) running the electricity chain's
// application (chain/energy/application.hpp: the state machine, mempool,
// LMDB store and cycle desk); the actor turns the node's outputs into sends,
// timers and answers, and answers questions from the application.
//
// It runs detached (its own thread): it is its store's only writer and never
// keeps an LMDB transaction across handlers. Every consensus message travels
// as its canonical bytes (chain/node/consensus_codec.hpp) in a std::string, and
// the engine checks its signature, so a peer's bytes are never trusted. A
// proposal is a block from the mempool with its ERCs; every validator
// re-executes it before prevoting. A miner behind its peers fetches certified
// blocks and checks each certificate before applying it.
//
// Messages (atoms at most 10 characters):
//   (tx, envelope)          -> string "ok" or the refusal reason
//   (txs, [envelope...])    -> [verdict...] in order; more than 4,096 refused whole
//   (peers, vector<actor>)     the other validators
//   (cons, message bytes)      from a peer
//   (blockreq, height)      -> string stored block bytes, empty if none
//   (head)                  -> (height, head hash hex)
//   (txfind, id)            -> (height, index), height 0 if not committed
// and the trading messages of messages.hpp (orders, closing a cycle, queries).
// A miner with a market grid clears every cycle it is told to close: as
// proposer it adds the cycle's order root, clearing and dues (its own
// signed transactions) and carries the orders in the proposal; as validator
// it re-runs the clearing on the carried orders and refuses a proposal
// whose transactions differ from what it computed.
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <optional>
#include <string>
#include <vector>

#include "voltaic/agents/messages.hpp"
#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/chain/node/validator_config.hpp"
#include "voltaic/market/clearing.hpp"

namespace voltaic::agents {

using tx_atom = caf::atom_constant<caf::atom("tx")>;
// A client's batch of envelopes; the reply holds each one's verdict in order.
using txs_atom = caf::atom_constant<caf::atom("txs")>;
using txgossip_atom = caf::atom_constant<caf::atom("txgossip")>;
using peers_atom = caf::atom_constant<caf::atom("peers")>;
using cons_atom = caf::atom_constant<caf::atom("cons")>;
using tick_atom = caf::atom_constant<caf::atom("tick")>;
using blockreq_atom = caf::atom_constant<caf::atom("blockreq")>;
using head_atom = caf::atom_constant<caf::atom("head")>;
using txfind_atom = caf::atom_constant<caf::atom("txfind")>;

// What a miner is told: the node's part (name, key, place in the validator
// set, timing, limits, clock, fault injection) and the electricity chain's
// (store, genesis, markets). The validator set and chain id come from the
// genesis.
struct miner_config : chain::node::validator_config {
  std::string store_dir;  // this validator's LMDB chain
  chain::genesis_config genesis;
  std::optional<chain::market_grid> grid;
  market::clearing_options rules;
  std::vector<chain::public_key> observers;  // may read whole cycles (energy_config::observers)
};

// Spawns a miner as a detached actor. Opening the store or the sign guard can
// fail: the actor then quits with an error (monitor it to learn why).
caf::actor spawn_miner(caf::actor_system& system, const miner_config& config);

}  // namespace voltaic::agents
