#pragma once
// A replica: the state machine over a store. Opening loads the state from the
// store (no replay); every block is executed, committed in one store
// transaction, and only then becomes the head. If the store refuses a commit
// (full disk, I/O error) the state rolls back to the head, so memory and disk
// never disagree.
//
// Speculation: a candidate block (one this replica built, or a proposal it
// checked) stays applied to the live state, journaled, until something needs
// the head state again; committing that same block then needs no second
// execution and no copy of the state is ever made. state() always returns
// the head state, rolling a candidate back first.
// Thread-safety: none; one owner (the chain's writer).

#include <memory>
#include <optional>
#include <vector>

#include "voltaic/chain/energy/state_machine.hpp"
#include "voltaic/chain/node/store.hpp"

namespace voltaic::chain {

class ledger {
 public:
  // Opens the chain in `store`. An empty store needs `genesis` and gets block 0.
  static result<std::unique_ptr<ledger>> open(std::unique_ptr<chain_store> store, const genesis_config* genesis);

  // The state at the head (a candidate block is rolled back first).
  const ledger_state& state();
  ledger_state& mutable_state();
  chain_store& store() { return *store_; }

  // Builds the next block from `txs` as `proposer` and keeps it applied as the
  // candidate; candidate_state() is the state after it.
  built_block build(const std::vector<signed_transaction>& txs, std::uint64_t time_ms, const public_key& proposer);
  // Executes a block made elsewhere on the head state and, if it is valid,
  // keeps it applied as the candidate. A block that is the candidate already
  // passes at once.
  status try_block(const block& b, const std::vector<signed_transaction>& ercs, const block_options& options = {});
  bool is_candidate(const hash256& block_hash) const { return candidate_.has_value() && candidate_->hash == block_hash; }
  const ledger_state& candidate_state() const { return state_; }

  // Builds the next block from `txs` as `proposer`, commits it and returns it.
  result<built_block> propose(const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                              const public_key& proposer);
  // Executes a block made elsewhere and commits it (the candidate, if it is
  // that block, is committed without executing it again).
  status append(const block& b, const std::vector<signed_transaction>& ercs, const block_options& options = {});

 private:
  explicit ledger(std::unique_ptr<chain_store> store) : store_(std::move(store)) {}
  status commit(const block& b, const state_changes& changes);
  void drop_candidate();

  struct candidate {
    hash256 hash{};
    hash256 tx_root{};
    state_changes changes;
  };
  std::unique_ptr<chain_store> store_;
  ledger_state state_;
  std::optional<candidate> candidate_;
};

}  // namespace voltaic::chain
