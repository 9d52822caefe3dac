#include "voltaic/chain/energy/receipt.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

template <class Io>
void fields(Io& io, erc_receipt& rc) {
  io.array(3);
  io(rc.erc_id);
  io(rc.ctp_id);
  io(rc.energy_mwh);
}

bytes encode_receipt(const erc_receipt& rc) { return encode_fields(rc); }

result<erc_receipt> decode_receipt(const std::uint8_t* data, std::size_t size) {
  return decode_fields<erc_receipt>(data, size);
}

}  // namespace voltaic::chain
