#pragma once
// Fixed keys for the validators of consensus tests.
#include <array>
#include <cstdint>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

inline key_pair validator_key(std::uint32_t i) {
  std::array<std::uint8_t, 32> s{};
  s.fill(static_cast<std::uint8_t>(0x40 + i));
  return key_pair_from_seed(s);
}

}  // namespace voltaic::chain
