#include "voltaic/chain/node/validator_set.hpp"

#include "voltaic/chain/core/codec.hpp"

namespace voltaic::chain {

hash256 validator_set_hash(const std::vector<validator>& validators) {
  encoder e;
  e.array(static_cast<std::uint32_t>(validators.size()));
  for (const auto& v : validators) e.array(2).bin(v.key).uint(v.power);
  return blake2b_256(e.take());
}

}  // namespace voltaic::chain
