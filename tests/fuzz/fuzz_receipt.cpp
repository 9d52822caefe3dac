// Fuzz target: receipt entries (an ERC's and a seller reading's).
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/block.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const voltaic::chain::bytes input(data, data + size);
  auto r = voltaic::chain::decode_receipt(data, size);
  if (r.ok() && voltaic::chain::encode_receipt(r.value()) != input) __builtin_trap();
  auto reading = voltaic::chain::decode_reading_receipt(data, size);
  if (reading.ok() && voltaic::chain::encode_reading_receipt(reading.value()) != input) __builtin_trap();
  (void)voltaic::chain::kind_of_receipt(input);
  return 0;
}
