#pragma once
// The genesis document: the only entry of block 0. It fixes the chain id, the
// keys with special rights (authority may fund accounts; the DSO sets grid
// versions, charges and penalties), the meter manufacturers, the validator
// set and the opening balances.
//   [1, chain_id, time_ms, authority, dso, [manufacturer...],
//    [[validator key, power]...], [[account, balance_uc]...]]
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/node/validator_set.hpp"

namespace voltaic::chain {

struct genesis_config {
  std::string chain_id;
  std::uint64_t time_ms = 0;
  public_key authority{};
  public_key dso{};
  std::vector<public_key> manufacturers;
  std::vector<validator> validators;
  std::vector<std::pair<public_key, std::int64_t>> balances;
};

bytes encode_genesis(const genesis_config& g);
// Also checks the document: a chain id of 1..64 bytes, at least one
// validator, positive powers, balances in range, no account listed twice.
result<genesis_config> decode_genesis(const std::uint8_t* data, std::size_t size);

}  // namespace voltaic::chain
