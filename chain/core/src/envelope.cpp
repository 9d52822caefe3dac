#include "voltaic/chain/core/envelope.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::chain {

bytes make_envelope(const bytes& payload, const signature& sig) {
  encoder e;
  e.array(2).bin(payload).bin(sig);
  return e.take();
}

result<envelope_parts> open_envelope(const std::uint8_t* data, std::size_t size) {
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  envelope_parts parts;
  r.array(2);
  parts.payload = r.bin();
  parts.sig = r.fixed<64>();
  if (auto s = r.finish(); !s) return s.err();
  return parts;
}

}  // namespace voltaic::chain
