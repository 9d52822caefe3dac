#pragma once
// The miner (validator) actor: the consensus engine, the state machine, the
// mempool and the LMDB store of one validator, driven by CAF messages.
//
// It runs detached (its own thread): it is its store's only writer and never
// keeps an LMDB transaction across handlers. Every consensus message travels
// as its canonical bytes (chain/consensus_codec.hpp) in a std::string, and
// the engine checks its signature, so a peer's bytes are never trusted. A
// proposal is a block from the mempool with its ERCs; every validator
// re-executes it before prevoting. A miner behind its peers fetches certified
// blocks and checks each certificate before applying it.
//
// Messages (atoms at most 10 characters):
//   (tx, envelope)          -> string "ok" or the refusal reason
//   (peers, vector<actor>)     the other validators
//   (cons, message bytes)      from a peer
//   (blockreq, height)      -> string stored block bytes, empty if none
//   (head)                  -> (height, head hash hex)
//   (txfind, id hex)        -> (height, index), height 0 if not committed
// and the trading messages of messages.hpp (orders, closing a cycle, queries).
// A miner with a market grid clears every cycle it is told to close: as
// proposer it adds the cycle's order root, clearing and dues (its own
// signed transactions) and carries the orders in the proposal; as validator
// it re-runs the clearing on the carried orders and refuses a proposal
// whose transactions differ from what it computed.
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <optional>

#include "voltaic/agents/messages.hpp"
#include "voltaic/chain/consensus.hpp"
#include "voltaic/chain/genesis.hpp"
#include "voltaic/chain/keys.hpp"
#include "voltaic/chain/market_grid.hpp"
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

struct miner_config {
  std::string name;
  std::string store_dir;      // this validator's LMDB chain
  std::string sign_guard_path;  // last signed (height, round, step)
  chain::genesis_config genesis;
  chain::key_pair key;
  std::uint32_t index = 0;    // in genesis.validators
  chain::engine_config timing;  // timeouts; validators and self are filled in
  std::size_t max_block_txs = 2'000;
  // Wall clock: after an empty block the next height waits this long, or
  // until a transaction, an order or a peer's next-height message arrives;
  // after a block with entries it starts at once.
  std::uint64_t empty_block_interval_ms = 100;
  // Signatures of incoming transactions and orders are checked on a thread
  // of their own while this miner builds and commits blocks (true), or on
  // the miner's thread as batches arrive (false: fewer thread hops, better
  // under continuous consensus with small blocks; see docs/DECISIONS.md).
  bool checks_on_own_thread = false;
  // The markets' grid (every market is an instance of this feeder) and the
  // clearing rules; without a grid the miner clears no cycles.
  std::optional<chain::market_grid> grid;
  market::clearing_options rules;
  // Simulated clock: blocks only when a step message asks for them, stamped
  // with its time, holding the pool in canonical order, so the same inputs
  // give the same chain.
  bool on_demand = false;
  // Fault injection for labs and tests: with each of its prevotes the miner
  // also signs and sends a conflicting one (bypassing its sign guard), as an
  // equivocating validator would. Honest validators must not fork and must
  // put its evidence on chain.
  bool double_sign = false;
};

// Spawns a miner as a detached actor. Opening the store or the sign guard can
// fail: the actor then quits with an error (monitor it to learn why).
caf::actor spawn_miner(caf::actor_system& system, const miner_config& config);

}  // namespace voltaic::agents
