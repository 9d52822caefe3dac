#pragma once
// The electricity chain's pool of signed transactions waiting for a block,
// over the node's tx_pool (which keeps the order rules and limits). Only
// signed, decodable transactions get in; each refusal has a stable reason:
//   "too-large", "decode", "bad-signature", "duplicate", "nonce-stale",
//   "nonce-taken" (another waiting transaction of the signer has this nonce
//   or meter counter), "tx-expired", "sender-over-quota", "pool-full".
// Blocks are proposed from take() (node/tx_pool.hpp). Committed and stale
// transactions leave through prune().
// Thread-safety: none; owned by one miner.

#include <cstdint>
#include <vector>

#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/tx_pool.hpp"

namespace voltaic::chain {

struct mempool_limits {
  std::size_t max_tx_bytes = 64 * 1024;
  std::size_t max_per_sender = 4'096;
  std::size_t capacity = 200'000;
};

class mempool {
 public:
  explicit mempool(mempool_limits limits = {})
      : limits_(limits), pool_(node::pool_limits{limits.max_per_sender, limits.capacity}) {}

  // Checks and admits an envelope against the state the next block builds on.
  status add(const bytes& envelope, const ledger_state& st);
  // The same for an envelope already decoded.
  status add(signed_transaction stx, const ledger_state& st);
  bool contains(const hash256& id) const { return pool_.contains(id); }
  std::size_t size() const { return pool_.size(); }

  // Up to `max` transactions for the next block (they stay until pruned).
  std::vector<signed_transaction> take(std::size_t max) const { return pool_.take(max); }
  // The same, in canonical order (signer, then nonce): replicas holding the
  // same transactions build the same block whatever order they arrived in.
  std::vector<signed_transaction> take_canonical(std::size_t max) const { return pool_.take_canonical(max); }
  // Of the given ids, those waiting, in canonical order. A signer's
  // transaction is taken only after all its lower waiting nonces: an
  // unselected one in between would make the rest fail in the block.
  std::vector<signed_transaction> take_selected(const std::vector<hash256>& ids, std::size_t max) const {
    return pool_.take_selected(ids, max);
  }

  // Drops what `st` has made stale: used nonces, passed expiries, and the ids
  // given (a committed block's transactions, ERCs included). Returns how many
  // were dropped as stale rather than as given.
  std::size_t prune(const ledger_state& st, const std::vector<hash256>& committed = {});
  // Drops the given transactions (e.g. ones a block refused).
  void drop(const std::vector<hash256>& ids) { pool_.drop(ids); }

 private:
  mempool_limits limits_;
  node::tx_pool<signed_transaction> pool_;  // by signer and nonce (an ERC's: its meter counter)
};

}  // namespace voltaic::chain
