#pragma once
// The pool of signed transactions waiting for a block. Only signed, decodable
// transactions get in; each refusal has a stable reason:
//   "too-large", "decode", "bad-signature", "duplicate", "nonce-stale",
//   "nonce-taken" (another waiting transaction of the signer has this nonce
//   or meter counter), "tx-expired", "sender-over-quota", "pool-full".
// Blocks are proposed from take(): senders in order of their first waiting
// transaction, each sender's transactions by nonce, so one sender cannot
// starve the others and nonces arrive in order. Committed and stale
// transactions leave through prune().
// Thread-safety: none; owned by one miner.

#include <cstdint>
#include <list>
#include <map>
#include <set>
#include <unordered_map>
#include <vector>

#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain {

struct mempool_limits {
  std::size_t max_tx_bytes = 64 * 1024;
  std::size_t max_per_sender = 4'096;
  std::size_t capacity = 200'000;
};

class mempool {
 public:
  explicit mempool(mempool_limits limits = {}) : limits_(limits) {}

  // Checks and admits an envelope against the state the next block builds on.
  status add(const bytes& envelope, const ledger_state& st);
  // The same for an envelope already decoded.
  status add(signed_transaction stx, const ledger_state& st);
  bool contains(const hash256& id) const { return by_id_.count(id) != 0; }
  std::size_t size() const { return by_id_.size(); }

  // Up to `max` transactions for the next block (they stay until pruned).
  std::vector<signed_transaction> take(std::size_t max) const;
  // The same, in canonical order (signer, then nonce): replicas holding the
  // same transactions build the same block whatever order they arrived in.
  std::vector<signed_transaction> take_canonical(std::size_t max) const;
  // Of the given ids, those waiting, in canonical order. A signer's
  // transaction is taken only after all its lower waiting nonces: an
  // unselected one in between would make the rest fail in the block.
  std::vector<signed_transaction> take_selected(const std::vector<hash256>& ids, std::size_t max) const;

  // Drops what `st` has made stale: used nonces, passed expiries, and the ids
  // given (a committed block's transactions, ERCs included). Returns how many
  // were dropped as stale rather than as given.
  std::size_t prune(const ledger_state& st, const std::vector<hash256>& committed = {});
  // Drops the given transactions (e.g. ones a block refused).
  void drop(const std::vector<hash256>& ids);

 private:
  struct entry {
    signed_transaction stx;
    std::uint64_t arrival;
  };
  void erase(const hash256& id);

  mempool_limits limits_;
  std::uint64_t arrivals_ = 0;
  std::unordered_map<hash256, entry, key_hasher> by_id_;
  std::map<public_key, std::map<std::uint64_t, hash256>, key_less> by_sender_;  // signer -> nonce -> id
};

}  // namespace voltaic::chain
