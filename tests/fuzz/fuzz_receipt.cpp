// Fuzz target: an ERC receipt entry.
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/block.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto r = voltaic::chain::decode_receipt(data, size);
  if (r.ok() && voltaic::chain::encode_receipt(r.value()) != voltaic::chain::bytes(data, data + size)) __builtin_trap();
  return 0;
}
