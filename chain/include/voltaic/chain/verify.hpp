#pragma once
// Re-checks a stored chain from genesis: every block decodes, every header
// field and hash link, every transaction signature, the tx root, the state
// root and CTP hash after re-executing each block, the block and transaction
// indexes, and finally that the stored state equals the replayed one.
// Receipts are replayed without their ERCs, which SPB does not keep.
// Thread-safety: reads the store only.

#include <cstdint>
#include <functional>
#include <string>

#include "voltaic/chain/store.hpp"

namespace voltaic::chain {

struct verify_outcome {
  bool ok = false;
  std::uint64_t height = 0;  // the head when ok, else the first bad height
  hash256 head_hash{};
  std::string reason;        // "reason: detail" when not ok
};

verify_outcome verify_chain(chain_store& store, const std::function<void(std::uint64_t)>& verified = {});

}  // namespace voltaic::chain
