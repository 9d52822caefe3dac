#pragma once
// Re-checks a stored chain from genesis: every block decodes, every header
// field and hash link, every transaction signature, the tx root, the state
// root and CTP hash after re-executing each block, the block and transaction
// indexes, and finally that the stored state equals the replayed one.
// Receipts are replayed without their ERCs, which SPB does not keep. Every
// certificate present is checked against the validator set.
// Thread-safety: reads the store only.

#include <cstdint>
#include <functional>
#include <string>

#include "voltaic/chain/node/store.hpp"

namespace voltaic::chain {

struct verify_outcome {
  bool ok = false;
  std::uint64_t height = 0;  // the head when ok, else the first bad height
  hash256 head_hash{};
  std::string reason;        // "reason: detail" when not ok
};

struct verify_options {
  // Blocks above 0 must carry a valid commit certificate (a consensus chain);
  // otherwise blocks without votes are accepted (a single-writer chain).
  bool require_certificates = false;
  // Only what a store's own bytes must show, without executing a block: each
  // block decodes, names its height and its predecessor's hash, its entries
  // give its transaction root, its certificate holds, and the indexes lead
  // to it. What a validator checks when it opens its store (seconds, where
  // executing the history again could take minutes).
  bool structure_only = false;
};

verify_outcome verify_chain(chain_store& store, const std::function<void(std::uint64_t)>& verified = {},
                            const verify_options& options = {});

}  // namespace voltaic::chain
