#include "voltaic/chain/energy/ledger.hpp"

namespace voltaic::chain {

namespace {
market::error inconsistent(const std::string& what) {
  return market::make_error(market::errc::io_error, "store-inconsistent: " + what);
}
}  // namespace

result<std::unique_ptr<ledger>> ledger::open(std::unique_ptr<chain_store> store, const genesis_config* genesis) {
  std::unique_ptr<ledger> l(new ledger(std::move(store)));
  auto head = l->store_->head_height();
  if (!head) return head.err();
  if (!head.value()) {
    if (!genesis) return market::make_error(market::errc::invalid_argument, "the store is empty and no genesis was given");
    auto g = build_genesis(l->state_, *genesis);
    if (!g) return g.err();
    if (auto s = l->commit(g.value().first, g.value().second); !s) return s.err();
    return l;
  }
  auto first = l->store_->block_bytes(0);
  if (!first) return first.err();
  if (!first.value()) return inconsistent("block 0 is missing");
  auto b0 = decode_block(*first.value());
  if (!b0) return b0.err();
  if (b0.value().entries.size() != 1) return inconsistent("block 0 is not a genesis block");
  auto g = decode_genesis(b0.value().entries[0].data(), b0.value().entries[0].size());
  if (!g) return g.err();
  l->state_.genesis = std::move(g).value();

  auto top = l->store_->block_bytes(*head.value());
  if (!top) return top.err();
  if (!top.value()) return inconsistent("the head block is missing");
  auto hb = decode_block(*top.value());
  if (!hb) return hb.err();
  auto loaded = l->store_->for_each_record(
      [&](state_table t, const bytes& k, const bytes& v) { return l->state_.load_record(t, k, v); });
  if (!loaded) return loaded.err();
  finish_block(l->state_, hb.value());
  if (l->state_.compute_ctp_db_hash() != hb.value().header.ctp_db_hash)
    return inconsistent("the CTP table does not match the head's CTP hash");
  return l;
}

const ledger_state& ledger::state() {
  drop_candidate();
  return state_;
}

ledger_state& ledger::mutable_state() {
  drop_candidate();
  return state_;
}

void ledger::drop_candidate() {
  if (!candidate_) return;
  state_.rollback();
  candidate_.reset();
}

built_block ledger::build(const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                          const public_key& proposer) {
  drop_candidate();
  built_block built = build_block(state_, txs, time_ms, proposer);
  candidate_ = candidate{built.blk.hash, built.blk.header.tx_root, built.changes};
  return built;
}

status ledger::try_block(const block& b, const std::vector<signed_transaction>& ercs, const block_options& options) {
  if (is_candidate(b.hash)) return {};
  drop_candidate();
  auto changes = execute_block(state_, b, ercs, options);
  if (!changes) return changes.err();
  candidate_ = candidate{b.hash, b.header.tx_root, std::move(changes).value()};
  return {};
}

status ledger::commit(const block& b, const state_changes& changes) {
  if (auto s = store_->commit(b, encode_block(b), changes); !s) {
    state_.rollback();
    return s;
  }
  finish_block(state_, b);
  return {};
}

result<built_block> ledger::propose(const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                                    const public_key& proposer) {
  drop_candidate();
  built_block built = build_block(state_, txs, time_ms, proposer);
  if (auto s = commit(built.blk, built.changes); !s) return s.err();
  return built;
}

status ledger::append(const block& b, const std::vector<signed_transaction>& ercs, const block_options& options) {
  // The header names the entries through tx_root; the entries are checked
  // against it because they may come from other bytes than the candidate's.
  if (is_candidate(b.hash) && entries_root(b.entries) == candidate_->tx_root) {
    const state_changes changes = std::move(candidate_->changes);
    candidate_.reset();
    return commit(b, changes);
  }
  drop_candidate();
  auto changes = execute_block(state_, b, ercs, options);
  if (!changes) return changes.err();
  return commit(b, changes.value());
}

}  // namespace voltaic::chain
