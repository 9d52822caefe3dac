// Fuzz target: a prosumer's signed order envelope, and a block proposal with
// its carried orders (both reach validators from the network).
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/signed_order.hpp"
#include "voltaic/chain/node/certificate.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const voltaic::chain::bytes in(data, data + size);
  auto o = voltaic::chain::decode_order(data, size);
  if (o.ok() && o.value().envelope != in) __builtin_trap();
  auto p = voltaic::chain::decode_block_proposal(in);
  // The id read from the header alone agrees with the full decoding.
  if (p.ok() && voltaic::chain::block_proposal_id(in) != p.value().blk.hash) __builtin_trap();
  return 0;
}
