#pragma once
// What a validator is told when it starts: its store, its key and place in
// the validator set, consensus timing, block limits, how it checks
// signatures, and (for the electricity chain) the markets' grid.
// Thread-safety: a plain value.

#include <cstdint>
#include <optional>
#include <string>

#include "voltaic/chain/consensus.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/genesis.hpp"
#include "voltaic/chain/market_grid.hpp"
#include "voltaic/market/clearing.hpp"

namespace voltaic::chain::node {

struct validator_config {
  std::string name;             // in log lines
  std::string store_dir;        // this validator's LMDB chain
  std::string sign_guard_path;  // last signed (height, round, step)
  genesis_config genesis;
  key_pair key;
  std::uint32_t index = 0;  // in genesis.validators
  engine_config timing;     // timeouts; validators and self are filled in
  std::size_t max_block_txs = 2'000;
  // Wall clock: after an empty block the next height waits this long, or
  // until a transaction, an order or a peer's next-height message arrives;
  // after a block with entries it starts at once.
  std::uint64_t empty_block_interval_ms = 100;
  // Signatures of incoming transactions and orders are checked on a thread
  // of their own while this validator builds and commits blocks (true), or
  // as batches arrive (false: fewer thread hops, better under continuous
  // consensus with small blocks; see docs/DECISIONS.md).
  bool checks_on_own_thread = false;
  // The markets' grid (every market is an instance of this feeder) and the
  // clearing rules; without a grid the validator clears no cycles.
  std::optional<market_grid> grid;
  market::clearing_options rules;
  // Simulated clock: blocks only when a step asks for them, stamped with its
  // time, holding the pool in canonical order, so the same inputs give the
  // same chain.
  bool on_demand = false;
  // Fault injection for labs and tests: with each of its prevotes the
  // validator also signs a conflicting one (bypassing its sign guard), as an
  // equivocating validator would. Honest validators must not fork and must
  // put its evidence on chain.
  bool double_sign = false;
};

}  // namespace voltaic::chain::node
