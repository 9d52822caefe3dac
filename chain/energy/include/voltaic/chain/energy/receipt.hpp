#pragma once
// An ERC's receipt, the block entry standing for an ERC (spec/protocols.md
// section 3): SPB does not keep the ERC itself, so a block keeps what the
// ERC changed plus the id of the ERC it verified.
//   receipt = [erc_id: bin 32, ctp_id, energy_mwh]
// Its first field makes it a receipt entry (block.hpp: is_receipt_entry,
// entry_id).
// Thread-safety: plain values and pure functions.

#include <cstdint>

#include "voltaic/chain/node/block.hpp"

namespace voltaic::chain {

struct erc_receipt {
  hash256 erc_id{};
  std::uint64_t ctp_id = 0;
  std::int64_t energy_mwh = 0;
};

bytes encode_receipt(const erc_receipt& r);
result<erc_receipt> decode_receipt(const std::uint8_t* data, std::size_t size);

}  // namespace voltaic::chain
