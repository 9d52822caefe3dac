// Fuzz target: a stored or received block, its header and entries.
#include <cstddef>
#include <cstdint>

#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/block.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto b = voltaic::chain::decode_block(data, size);
  if (b.ok()) {
    if (voltaic::chain::encode_header(b.value().header) != b.value().header_bytes) __builtin_trap();
    for (std::size_t i = 0; i < b.value().item_count(); ++i) {
      const auto& e = b.value().item(i);
      (void)voltaic::chain::entry_id(e);
      if (voltaic::chain::is_receipt_entry(e)) {
        (void)voltaic::chain::decode_receipt(e.data(), e.size());
        (void)voltaic::chain::decode_reading_receipt(e.data(), e.size());
      } else {
        (void)voltaic::chain::decode_envelope(e);
      }
    }
  }
  (void)voltaic::chain::decode_header(data, size);
  return 0;
}
