#include "voltaic/chain/energy/mempool.hpp"

#include <algorithm>
#include <unordered_set>

#include "voltaic/chain/energy/state_machine.hpp"

namespace voltaic::chain {

status mempool::add(const bytes& envelope, const ledger_state& st) {
  if (envelope.size() > limits_.max_tx_bytes)
    return chain_error("too-large", std::to_string(envelope.size()) + " bytes exceed " +
                                        std::to_string(limits_.max_tx_bytes));
  auto stx = decode_envelope(envelope);
  if (!stx) return stx.err();
  return add(std::move(stx).value(), st);
}

status mempool::add(signed_transaction t, const ledger_state& st) {
  if (t.envelope.size() > limits_.max_tx_bytes)
    return chain_error("too-large", std::to_string(t.envelope.size()) + " bytes exceed " +
                                        std::to_string(limits_.max_tx_bytes));
  if (by_id_.count(t.id)) return chain_error("duplicate", "already waiting");
  if (!signature_checked(st, t)) return chain_error("bad-signature", "the signature does not verify");
  if (t.tx.expiry_height <= st.height) return chain_error("tx-expired", "expired at height " + std::to_string(t.tx.expiry_height));
  const bool is_erc = t.tx.kind() == tx_kind::erc;  // its nonce is a meter counter, not state
  if (!is_erc) {
    const account* a = st.accounts.find(t.tx.signer);
    if (a && t.tx.nonce <= a->nonce) return chain_error("nonce-stale", "nonce " + std::to_string(t.tx.nonce) + " is used");
  }
  auto& mine = by_sender_[t.tx.signer];
  if (mine.count(t.tx.nonce)) return chain_error("nonce-taken", "another transaction of this signer waits with this nonce");
  if (mine.size() >= limits_.max_per_sender) return chain_error("sender-over-quota", "too many waiting from this sender");
  if (by_id_.size() >= limits_.capacity) return chain_error("pool-full", "the pool is full");
  mine.emplace(t.tx.nonce, t.id);
  const hash256 id = t.id;
  by_id_.emplace(id, entry{std::move(t), arrivals_++});
  return {};
}

std::vector<signed_transaction> mempool::take(std::size_t max) const {
  // Senders in order of their earliest waiting transaction.
  std::vector<std::pair<std::uint64_t, const std::map<std::uint64_t, hash256>*>> senders;
  for (const auto& [key, txs] : by_sender_) {
    if (txs.empty()) continue;
    std::uint64_t first = UINT64_MAX;
    for (const auto& [nonce, id] : txs) first = std::min(first, by_id_.at(id).arrival);
    senders.emplace_back(first, &txs);
  }
  std::sort(senders.begin(), senders.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<signed_transaction> out;
  for (const auto& [first, txs] : senders)
    for (const auto& [nonce, id] : *txs) {
      if (out.size() >= max) return out;
      out.push_back(by_id_.at(id).stx);
    }
  return out;
}

std::vector<signed_transaction> mempool::take_canonical(std::size_t max) const {
  std::vector<signed_transaction> out;
  for (const auto& [key, txs] : by_sender_)
    for (const auto& [nonce, id] : txs) {
      if (out.size() >= max) return out;
      out.push_back(by_id_.at(id).stx);
    }
  return out;
}

std::vector<signed_transaction> mempool::take_selected(const std::vector<hash256>& ids, std::size_t max) const {
  std::unordered_set<hash256, key_hasher> selected;
  std::vector<public_key> signers;
  for (const auto& id : ids) {
    auto it = by_id_.find(id);
    if (it == by_id_.end() || !selected.insert(id).second) continue;
    signers.push_back(it->second.stx.tx.signer);
  }
  std::sort(signers.begin(), signers.end(), key_less{});
  signers.erase(std::unique(signers.begin(), signers.end()), signers.end());
  std::vector<signed_transaction> out;
  for (const auto& signer : signers)
    for (const auto& [nonce, id] : by_sender_.at(signer)) {
      if (out.size() >= max) return out;
      if (!selected.count(id)) break;
      out.push_back(by_id_.at(id).stx);
    }
  return out;
}

void mempool::erase(const hash256& id) {
  auto it = by_id_.find(id);
  if (it == by_id_.end()) return;
  auto s = by_sender_.find(it->second.stx.tx.signer);
  if (s != by_sender_.end()) {
    for (auto n = s->second.begin(); n != s->second.end(); ++n)
      if (n->second == id) {
        s->second.erase(n);
        break;
      }
    if (s->second.empty()) by_sender_.erase(s);
  }
  by_id_.erase(it);
}

void mempool::drop(const std::vector<hash256>& ids) {
  for (const auto& id : ids) erase(id);
}

std::size_t mempool::prune(const ledger_state& st, const std::vector<hash256>& committed) {
  drop(committed);
  std::vector<hash256> stale;
  for (const auto& [id, e] : by_id_) {
    const auto& tx = e.stx.tx;
    const account* a = st.accounts.find(tx.signer);
    const bool used = tx.kind() != tx_kind::erc && a && tx.nonce <= a->nonce;
    if (used || tx.expiry_height <= st.height) stale.push_back(id);
  }
  for (const auto& id : stale) erase(id);
  return stale.size();
}

}  // namespace voltaic::chain
