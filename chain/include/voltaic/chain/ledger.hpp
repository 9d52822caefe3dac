#pragma once
// A replica: the state machine over a store. Opening loads the state from the
// store (no replay); every block is executed, committed in one store
// transaction, and only then becomes the head. If the store refuses a commit
// (full disk, I/O error) the state rolls back to the head, so memory and disk
// never disagree.
// Thread-safety: none; one owner (the chain's writer).

#include <memory>
#include <vector>

#include "voltaic/chain/state_machine.hpp"
#include "voltaic/chain/store.hpp"

namespace voltaic::chain {

class ledger {
 public:
  // Opens the chain in `store`. An empty store needs `genesis` and gets block 0.
  static result<std::unique_ptr<ledger>> open(std::unique_ptr<chain_store> store, const genesis_config* genesis);

  const ledger_state& state() const { return state_; }
  ledger_state& mutable_state() { return state_; }
  chain_store& store() { return *store_; }

  // Builds the next block from `txs` as `proposer`, commits it and returns it.
  result<built_block> propose(const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                              const public_key& proposer);
  // Executes a block made elsewhere and commits it.
  status append(const block& b, const std::vector<signed_transaction>& ercs, const block_options& options = {});

 private:
  explicit ledger(std::unique_ptr<chain_store> store) : store_(std::move(store)) {}
  status commit(const block& b, const state_changes& changes);

  std::unique_ptr<chain_store> store_;
  ledger_state state_;
};

}  // namespace voltaic::chain
