#pragma once
// Keys of the carbon chain tests: one per node number and role, fixed.
#include <array>
#include <cstdint>

#include "voltaic/chain/core/keys.hpp"

namespace voltaic::test {

// Roles: 1 PVP, 2 its meter, 3 CEC, 8 verifier, 9 validator.
inline chain::key_pair carbon_key(std::uint8_t node, std::uint8_t role) {
  std::array<std::uint8_t, 32> seed{};
  seed[0] = node;
  seed[1] = role;
  seed[2] = 77;
  return chain::key_pair_from_seed(seed);
}

}  // namespace voltaic::test
