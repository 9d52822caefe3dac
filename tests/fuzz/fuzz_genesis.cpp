// Fuzz target: a genesis document (block 0's only entry).
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/genesis.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto g = voltaic::chain::decode_genesis(data, size);
  if (g.ok() && voltaic::chain::encode_genesis(g.value()) != voltaic::chain::bytes(data, data + size)) __builtin_trap();
  return 0;
}
