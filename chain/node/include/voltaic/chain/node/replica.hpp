#pragma once
// A replica: an application's state machine over a store. Opening loads the
// state from the store (no replay); every block is executed, committed in
// one store transaction, and only then becomes the head. If the store
// refuses a commit (full disk, I/O error) the state rolls back to the head,
// so memory and disk never disagree.
//
// Speculation: a candidate block (one this replica built, or a proposal it
// checked) stays applied to the live state, journaled, until something needs
// the head state again; committing that same block then needs no second
// execution and no copy of the state is ever made. state() always returns
// the head state: a candidate's changes are stashed aside meanwhile (only the
// keys it changed are touched) and come back when the candidate is needed.
//
// Rules says what the application's state is and how blocks change it:
//   types   state, transaction, built (with .blk and .changes), witness,
//           options, genesis
//   static  build_genesis(state&, const genesis&) -> result<pair<block, state_changes>>
//           restore_genesis(state&, const block& b0) -> status    (block 0 from a store)
//           check_head(const state&, const block& head) -> status (after loading records)
//           build(state&, txs, time_ms, proposer) -> built
//           execute(state&, const block&, witnesses, options) -> result<state_changes>
//           finish(state&, const block&)          (the block is durable: close the journal)
//   members state.load_record(table, key, value) -> status, state.rollback()
//           (which drops stashed changes too), state.stash(), state.unstash()
// The electricity chain's rules are chain/energy/ledger.hpp.
// Thread-safety: none; one owner (the chain's writer).

#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/node/block.hpp"
#include "voltaic/chain/node/state_changes.hpp"
#include "voltaic/chain/node/store.hpp"

namespace voltaic::chain::node {

template <class Rules>
class replica {
 public:
  using state_type = typename Rules::state;
  using transaction_type = typename Rules::transaction;
  using built_type = typename Rules::built;
  using witness_type = typename Rules::witness;
  using options_type = typename Rules::options;
  using genesis_type = typename Rules::genesis;

  // Opens the chain in `store`. An empty store needs `genesis` and gets block 0.
  static result<std::unique_ptr<replica>> open(std::unique_ptr<chain_store> store, const genesis_type* genesis) {
    std::unique_ptr<replica> r(new replica(std::move(store)));
    auto head = r->store_->head_height();
    if (!head) return head.err();
    if (!head.value()) {
      if (!genesis)
        return market::make_error(market::errc::invalid_argument, "the store is empty and no genesis was given");
      auto g = Rules::build_genesis(r->state_, *genesis);
      if (!g) return g.err();
      if (auto s = r->commit(g.value().first, g.value().second); !s) return s.err();
      return r;
    }
    auto first = r->store_->block_bytes(0);
    if (!first) return first.err();
    if (!first.value()) return inconsistent("block 0 is missing");
    auto b0 = decode_block(*first.value());
    if (!b0) return b0.err();
    if (auto s = Rules::restore_genesis(r->state_, b0.value()); !s) return s.err();
    auto top = r->store_->block_bytes(*head.value());
    if (!top) return top.err();
    if (!top.value()) return inconsistent("the head block is missing");
    auto hb = decode_block(*top.value());
    if (!hb) return hb.err();
    auto loaded = r->store_->for_each_record(
        [&](state_table t, const bytes& k, const bytes& v) { return r->state_.load_record(t, k, v); });
    if (!loaded) return loaded.err();
    Rules::finish(r->state_, hb.value());
    if (auto s = Rules::check_head(r->state_, hb.value()); !s) return s.err();
    return r;
  }

  // The state at the head: a candidate block's changes are stashed, not
  // rolled back, so reading the head costs the candidate nothing.
  const state_type& state() {
    if (candidate_ && !stashed_) {
      state_.stash();
      stashed_ = true;
    }
    return state_;
  }
  state_type& mutable_state() {
    drop_candidate();
    return state_;
  }
  chain_store& store() { return *store_; }

  // Builds the next block from `txs` as `proposer` and keeps it applied as the
  // candidate; candidate_state() is the state after it.
  built_type build(const std::vector<transaction_type>& txs, std::uint64_t time_ms, const public_key& proposer) {
    drop_candidate();
    built_type built = Rules::build(state_, txs, time_ms, proposer);
    candidate_ = candidate{built.blk.hash, built.blk.header.tx_root, built.changes};
    return built;
  }
  // Executes a block made elsewhere on the head state and, if it is valid,
  // keeps it applied as the candidate. A block that is the candidate already
  // passes at once.
  status try_block(const block& b, const std::vector<witness_type>& witnesses, const options_type& options = {}) {
    if (is_candidate(b.hash)) return {};
    drop_candidate();
    auto changes = Rules::execute(state_, b, witnesses, options);
    if (!changes) return changes.err();
    candidate_ = candidate{b.hash, b.header.tx_root, std::move(changes).value()};
    return {};
  }
  bool is_candidate(const hash256& block_hash) const { return candidate_.has_value() && candidate_->hash == block_hash; }
  const state_type& candidate_state() {
    unstash();
    return state_;
  }

  // Builds the next block from `txs` as `proposer`, commits it and returns it.
  result<built_type> propose(const std::vector<transaction_type>& txs, std::uint64_t time_ms,
                             const public_key& proposer) {
    drop_candidate();
    built_type built = Rules::build(state_, txs, time_ms, proposer);
    if (auto s = commit(built.blk, built.changes); !s) return s.err();
    return built;
  }
  // Executes a block made elsewhere and commits it (the candidate, if it is
  // that block, is committed without executing it again).
  status append(const block& b, const std::vector<witness_type>& witnesses, const options_type& options = {}) {
    // The header names the entries through tx_root; the entries are checked
    // against it because they may come from other bytes than the candidate's.
    if (is_candidate(b.hash) && entries_root(b.entries) == candidate_->tx_root) {
      unstash();
      const state_changes changes = std::move(candidate_->changes);
      candidate_.reset();
      return commit(b, changes);
    }
    drop_candidate();
    auto changes = Rules::execute(state_, b, witnesses, options);
    if (!changes) return changes.err();
    return commit(b, changes.value());
  }

 private:
  explicit replica(std::unique_ptr<chain_store> store) : store_(std::move(store)) {}
  static market::error inconsistent(const std::string& what) {
    return market::make_error(market::errc::io_error, "store-inconsistent: " + what);
  }
  status commit(const block& b, const state_changes& changes) {
    if (auto s = store_->commit(b, encode_block(b), changes); !s) {
      state_.rollback();
      return s;
    }
    Rules::finish(state_, b);
    return {};
  }
  void drop_candidate() {
    if (!candidate_) return;
    state_.rollback();  // drops what is stashed too
    candidate_.reset();
    stashed_ = false;
  }
  void unstash() {
    if (!stashed_) return;
    state_.unstash();
    stashed_ = false;
  }

  struct candidate {
    hash256 hash{};
    hash256 tx_root{};
    state_changes changes;
  };
  std::unique_ptr<chain_store> store_;
  state_type state_;
  std::optional<candidate> candidate_;
  bool stashed_ = false;  // the candidate's changes are set aside: state_ shows the head
};

}  // namespace voltaic::chain::node
