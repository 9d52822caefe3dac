#pragma once
// What a validator's node is told when it starts: its chain and validator
// set, its key and place in the set, consensus timing, block limits, how it
// checks signatures and which clock it runs on. What the chain is for
// (stores, genesis, markets) is the application's configuration.
// Thread-safety: a plain value.

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/node/consensus.hpp"

namespace voltaic::chain::node {

struct validator_config {
  std::string name;             // in log lines
  std::string chain_id;
  std::vector<validator> validators;
  std::string sign_guard_path;  // last signed (height, round, step)
  key_pair key;
  std::uint32_t index = 0;  // in validators
  engine_config timing;     // timeouts; validators and self are filled in
  std::size_t max_block_txs = 2'000;
  // Wall clock: after an empty block the next height waits this long, or
  // until a transaction, a message or a peer's next-height message arrives;
  // after a block with entries it starts at once.
  std::uint64_t empty_block_interval_ms = 100;
  // Signatures of incoming transactions and messages are checked on a
  // thread of their own while this validator builds and commits blocks
  // (true), or as batches arrive (false: fewer thread hops, better under
  // continuous consensus with small blocks; see docs/DECISIONS.md).
  bool checks_on_own_thread = false;
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
