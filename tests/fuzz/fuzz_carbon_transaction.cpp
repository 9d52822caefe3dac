// Fuzz target: a carbon side-chain transaction envelope and its payload, as a
// carbon validator receives them from the network.
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/carbon/carbon_transaction.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace carbon = voltaic::chain::carbon;
  auto stx = carbon::decode_carbon_envelope(data, size);
  if (stx.ok()) {
    // What decodes must encode back to the same payload (canonical form).
    if (carbon::encode_payload(stx.value().tx) != stx.value().payload) __builtin_trap();
    (void)carbon::signature_valid(stx.value(), "fuzz");
  }
  (void)carbon::decode_carbon_payload(data, size);
  return 0;
}
