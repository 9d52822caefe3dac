// Fuzz target: a consensus message from a peer miner.
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/node/consensus_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto m = voltaic::chain::decode_consensus_message(data, size);
  if (m.ok() && voltaic::chain::encode_consensus_message(m.value()) != voltaic::chain::bytes(data, data + size))
    __builtin_trap();
  return 0;
}
