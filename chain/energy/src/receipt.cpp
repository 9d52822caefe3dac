#include "voltaic/chain/energy/receipt.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::chain {

bytes encode_receipt(const erc_receipt& rc) {
  encoder e;
  e.array(3).bin(rc.erc_id).uint(rc.ctp_id).sint(rc.energy_mwh);
  return e.take();
}

result<erc_receipt> decode_receipt(const std::uint8_t* data, std::size_t size) {
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  erc_receipt rc;
  r.array(3);
  rc.erc_id = r.fixed<32>();
  rc.ctp_id = r.u64();
  rc.energy_mwh = r.i64();
  auto s = r.finish();
  if (!s) return s.err();
  return rc;
}

}  // namespace voltaic::chain
