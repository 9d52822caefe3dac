#pragma once
// The electricity chain's replica: the SPB state machine (state_machine.hpp)
// over a store, as node::replica runs any application's (node/replica.hpp:
// loading without replay, one store transaction per block, candidates kept
// applied, roll back when the store refuses). ledger_rules tells it what a
// state, a transaction and a block's witnesses (the ERCs behind receipts)
// are here.
// Thread-safety: none; one owner (the chain's writer).

#include <cstdint>
#include <utility>
#include <vector>

#include "voltaic/chain/energy/state_machine.hpp"
#include "voltaic/chain/node/replica.hpp"

namespace voltaic::chain {

struct ledger_rules {
  using state = ledger_state;
  using transaction = signed_transaction;
  using built = built_block;
  using witness = signed_transaction;  // an ERC behind a receipt
  using options = block_options;
  using genesis = genesis_config;

  static result<std::pair<block, state_changes>> build_genesis(ledger_state& st, const genesis_config& g) {
    return chain::build_genesis(st, g);
  }
  // Reads the genesis document, block 0's only entry.
  static status restore_genesis(ledger_state& st, const block& b0);
  // The CTP table loaded from the store matches the head's CTP hash.
  static status check_head(const ledger_state& st, const block& head);
  static built_block build(ledger_state& st, const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                           const public_key& proposer) {
    return build_block(st, txs, time_ms, proposer);
  }
  static result<state_changes> execute(ledger_state& st, const block& b, const std::vector<signed_transaction>& ercs,
                                       const block_options& options) {
    return execute_block(st, b, ercs, options);
  }
  static void finish(ledger_state& st, const block& b) { finish_block(st, b); }
};

using ledger = node::replica<ledger_rules>;

}  // namespace voltaic::chain
