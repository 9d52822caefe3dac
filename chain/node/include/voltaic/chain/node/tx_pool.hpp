#pragma once
// The transactions of any application waiting for a block, keyed by what
// the application's check says of each: its id, its sender and its place in
// the sender's sequence (nonce). The application decides what may enter;
// the pool keeps the order rules every chain needs:
//   take()          senders in order of their first waiting transaction,
//                   each sender's by nonce: one sender cannot starve the
//                   others, and nonces arrive in order
//   take_canonical() senders by key, then nonce: replicas holding the same
//                   transactions build the same block whatever their arrival
//   take_selected() of given ids, canonically, never past an unselected
//                   lower nonce (the rest would fail in the block)
// and its limits, refused with stable reasons: "duplicate", "nonce-taken",
// "sender-over-quota", "pool-full". A transaction leaves through drop() or
// prune() with the application's staleness rule.
// Tx needs members `id` (hash256), and is stored as given; `sender` and
// `nonce` are the application's answer.
// Thread-safety: none; one owner.

#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain::node {

struct pool_limits {
  std::size_t max_per_sender = 4'096;
  std::size_t capacity = 200'000;
};

template <class Tx>
class tx_pool {
 public:
  explicit tx_pool(pool_limits limits = {}) : limits_(limits) {}

  // Admits `tx` as `sender`'s transaction number `nonce`.
  status add(Tx tx, const public_key& sender, std::uint64_t nonce) {
    if (by_id_.count(tx.id)) return chain_error("duplicate", "already waiting");
    auto& mine = by_sender_[sender];
    if (mine.count(nonce)) return chain_error("nonce-taken", "another transaction of this signer waits with this nonce");
    if (mine.size() >= limits_.max_per_sender) return chain_error("sender-over-quota", "too many waiting from this sender");
    if (by_id_.size() >= limits_.capacity) return chain_error("pool-full", "the pool is full");
    mine.emplace(nonce, tx.id);
    const hash256 id = tx.id;
    by_id_.emplace(id, entry{std::move(tx), sender, arrivals_++});
    return {};
  }

  bool contains(const hash256& id) const { return by_id_.count(id) != 0; }
  std::size_t size() const { return by_id_.size(); }

  std::vector<Tx> take(std::size_t max) const {
    // Senders in order of their earliest waiting transaction.
    std::vector<std::pair<std::uint64_t, const std::map<std::uint64_t, hash256>*>> senders;
    for (const auto& [key, txs] : by_sender_) {
      if (txs.empty()) continue;
      std::uint64_t first = UINT64_MAX;
      for (const auto& [nonce, id] : txs) first = std::min(first, by_id_.at(id).arrival);
      senders.emplace_back(first, &txs);
    }
    std::sort(senders.begin(), senders.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<Tx> out;
    for (const auto& [first, txs] : senders)
      for (const auto& [nonce, id] : *txs) {
        if (out.size() >= max) return out;
        out.push_back(by_id_.at(id).tx);
      }
    return out;
  }

  std::vector<Tx> take_canonical(std::size_t max) const {
    std::vector<Tx> out;
    for (const auto& [key, txs] : by_sender_)
      for (const auto& [nonce, id] : txs) {
        if (out.size() >= max) return out;
        out.push_back(by_id_.at(id).tx);
      }
    return out;
  }

  std::vector<Tx> take_selected(const std::vector<hash256>& ids, std::size_t max) const {
    std::unordered_set<hash256, key_hasher> selected;
    std::vector<public_key> senders;
    for (const auto& id : ids) {
      auto it = by_id_.find(id);
      if (it == by_id_.end() || !selected.insert(id).second) continue;
      senders.push_back(it->second.sender);
    }
    std::sort(senders.begin(), senders.end(), key_less{});
    senders.erase(std::unique(senders.begin(), senders.end()), senders.end());
    std::vector<Tx> out;
    for (const auto& sender : senders)
      for (const auto& [nonce, id] : by_sender_.at(sender)) {
        if (out.size() >= max) return out;
        if (!selected.count(id)) break;
        out.push_back(by_id_.at(id).tx);
      }
    return out;
  }

  void drop(const std::vector<hash256>& ids) {
    for (const auto& id : ids) erase(id);
  }

  // Drops the given ids, then every transaction `stale(tx)` says can never
  // commit; returns how many were dropped as stale.
  template <class Stale>
  std::size_t prune(const std::vector<hash256>& committed, Stale stale) {
    drop(committed);
    std::vector<hash256> gone;
    for (const auto& [id, e] : by_id_)
      if (stale(e.tx)) gone.push_back(id);
    for (const auto& id : gone) erase(id);
    return gone.size();
  }

 private:
  struct entry {
    Tx tx;
    public_key sender;
    std::uint64_t arrival;
  };
  void erase(const hash256& id) {
    auto it = by_id_.find(id);
    if (it == by_id_.end()) return;
    auto s = by_sender_.find(it->second.sender);
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

  pool_limits limits_;
  std::uint64_t arrivals_ = 0;
  std::unordered_map<hash256, entry, key_hasher> by_id_;
  std::map<public_key, std::map<std::uint64_t, hash256>, key_less> by_sender_;  // sender -> nonce -> id
};

}  // namespace voltaic::chain::node
