#include "voltaic/chain/energy/receipt.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

template <class Io>
void fields(Io& io, erc_receipt& rc) {
  io.array(4);
  io(rc.erc_id);
  io(rc.ctp_id);
  io(rc.energy_mwh);
  io(rc.ctp);
}

template <class Io>
void fields(Io& io, reading_receipt& rc) {
  io.array(6);
  io(rc.reading_id);
  io(rc.meter_key);
  io(rc.market);
  io(rc.cycle);
  io(rc.party);
  io(rc.metered_mwh);
}

std::optional<receipt_kind> kind_of_receipt(const bytes& entry) {
  if (!is_receipt_entry(entry)) return std::nullopt;
  if (entry[0] == 0x94) return receipt_kind::erc;
  if (entry[0] == 0x96) return receipt_kind::reading;
  return std::nullopt;
}

bytes encode_receipt(const erc_receipt& rc) { return encode_fields(rc); }

result<erc_receipt> decode_receipt(const std::uint8_t* data, std::size_t size) {
  return decode_fields<erc_receipt>(data, size);
}

bytes encode_reading_receipt(const reading_receipt& rc) { return encode_fields(rc); }

result<reading_receipt> decode_reading_receipt(const std::uint8_t* data, std::size_t size) {
  return decode_fields<reading_receipt>(data, size);
}

}  // namespace voltaic::chain
