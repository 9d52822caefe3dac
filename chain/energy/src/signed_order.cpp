#include "voltaic/chain/energy/signed_order.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/envelope.hpp"
#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

namespace {

constexpr std::uint64_t order_format_version = 1;
constexpr std::size_t max_order_envelope = 512;

// The terms as they travel: "anywhere" is -1, and the reader holds the
// distance to its range only after the fields are read.
struct order_wire {
  order_terms terms;
  std::int64_t distance_pref = -1;
};

template <class Io>
void fields(Io& io, order_wire& w) {
  auto& t = w.terms;
  io.array(11);
  io.constant(order_format_version, "decode", "unknown order format version");
  io(t.owner);
  io(t.market);
  io(t.cycle);
  io.bounded(t.side, 1, "side");
  io(t.price_ucpkwh);
  io(t.energy_mwh);
  io(w.distance_pref);
  io.bounded(t.bus, UINT32_MAX, "bus");
  io(t.seq);
  io(t.meter);
}

bytes encode_terms(const order_terms& t) {
  return encode_fields(order_wire{t, t.distance_pref_mm == market::distance_anywhere ? -1 : t.distance_pref_mm});
}

market::error bad_order(const std::string& what) { return chain_error("bad-order", what); }

}  // namespace

signed_order sign_order(const order_terms& terms, std::string_view chain_id, const key_pair& owner) {
  signed_order o;
  o.terms = terms;
  o.terms.owner = owner.pub;
  o.payload = encode_terms(o.terms);
  o.sig = sign(domain::order, chain_id, o.payload, owner);
  o.envelope = make_envelope(o.payload, o.sig);
  o.id = blake2b_256(o.envelope);
  return o;
}

result<signed_order> decode_order(const std::uint8_t* data, std::size_t size) {
  if (size > max_order_envelope) return bad_order("order envelope larger than 512 bytes");
  signed_order o;
  auto parts = open_envelope(data, size);
  if (!parts) return parts.err();
  o.payload = std::move(parts.value().payload);
  o.sig = parts.value().sig;
  auto d = decoder::open(o.payload);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  const auto wire = read_fields<order_wire>(r);
  if (auto s = r.finish(); !s) return s.err();
  auto& t = o.terms;
  t = wire.terms;
  const std::int64_t pref = wire.distance_pref;
  if (!market::price_in_range(t.price_ucpkwh)) return bad_order("price outside 0..1e12 uc/kWh");
  if (!market::energy_in_range(t.energy_mwh)) return bad_order("energy outside 1 mWh..1 GWh");
  if (pref < -1 || pref > market::max_distance) return bad_order("distance preference out of range");
  t.distance_pref_mm = pref == -1 ? market::distance_anywhere : pref;
  o.envelope.assign(data, data + size);
  o.id = blake2b_256(o.envelope);
  return o;
}

bool order_signature_valid(const signed_order& o, std::string_view chain_id) {
  return verify(domain::order, chain_id, o.payload, o.sig, o.terms.owner);
}

}  // namespace voltaic::chain
