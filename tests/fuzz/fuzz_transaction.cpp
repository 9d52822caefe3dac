// Fuzz target: a transaction envelope and its payload, as a validator
// receives them from the network.
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/transaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto stx = voltaic::chain::decode_envelope(data, size);
  if (stx.ok()) {
    // What decodes must encode back to the same payload (canonical form).
    const auto again = voltaic::chain::encode_payload(stx.value().tx);
    if (again != stx.value().payload) __builtin_trap();
    (void)voltaic::chain::signature_valid(stx.value(), "fuzz");
  }
  (void)voltaic::chain::decode_payload(data, size);
  return 0;
}
