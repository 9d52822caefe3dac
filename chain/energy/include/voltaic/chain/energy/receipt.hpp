#pragma once
// Receipts: the block entries standing for what a meter signed with a CoE
// key (spec/protocols.md section 3). SPB does not keep an ERC, so a block
// keeps what the ERC changed plus its id; the CoE and the key's Merkle path
// travel only with the proposal, so nothing on chain links a meter to its
// owner.
//   erc receipt     = [erc_id: bin 32, ctp_id, energy_mwh, ctp: bin]
//                     (the CTP the ERC released, as its buyer signed it: it
//                     enters the chain together with the payment)
//   reading receipt = [reading_id: bin 32, meter_key: bin 32, market, cycle,
//                      party: bin 32, metered_mwh]
// Their first field makes them receipt entries (block.hpp: is_receipt_entry,
// entry_id); their length tells them apart.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <optional>

#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/node/block.hpp"

namespace voltaic::chain {

struct erc_receipt {
  hash256 erc_id{};
  std::uint64_t ctp_id = 0;
  std::int64_t energy_mwh = 0;
  bytes ctp;  // the CTP's envelope
};

struct reading_receipt {
  hash256 reading_id{};
  public_key meter_key{};
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  public_key party{};
  std::int64_t metered_mwh = 0;
};

enum class receipt_kind { erc, reading };
// Which receipt a receipt entry is; nullopt for any other layout.
std::optional<receipt_kind> kind_of_receipt(const bytes& entry);

bytes encode_receipt(const erc_receipt& r);
result<erc_receipt> decode_receipt(const std::uint8_t* data, std::size_t size);
bytes encode_reading_receipt(const reading_receipt& r);
result<reading_receipt> decode_reading_receipt(const std::uint8_t* data, std::size_t size);

}  // namespace voltaic::chain
