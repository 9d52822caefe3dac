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
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  auto rc = read_fields<erc_receipt>(r);
  if (auto s = r.finish(); !s) return s.err();
  return rc;
}

}  // namespace voltaic::chain
