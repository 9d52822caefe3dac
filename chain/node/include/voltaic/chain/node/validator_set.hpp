#pragma once
// The validators of a chain: each one's consensus key and voting power, and
// the hash block headers carry of the set ([[key, power]...], BLAKE2b-256).
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <vector>

#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

struct validator {
  public_key key{};
  std::uint64_t power = 1;
};

hash256 validator_set_hash(const std::vector<validator>& validators);

}  // namespace voltaic::chain
