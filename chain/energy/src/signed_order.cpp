#include "voltaic/chain/energy/signed_order.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::chain {

namespace {

constexpr std::uint64_t order_format_version = 1;
constexpr std::size_t max_order_envelope = 512;

bytes encode_terms(const order_terms& t) {
  encoder e;
  e.array(11).uint(order_format_version).bin(t.owner).uint(t.market).uint(t.cycle);
  e.uint(static_cast<std::uint8_t>(t.side)).sint(t.price_ucpkwh).sint(t.energy_mwh);
  e.sint(t.distance_pref_mm == market::distance_anywhere ? -1 : t.distance_pref_mm);
  e.uint(t.bus).uint(t.seq).bin(t.meter);
  return e.take();
}

bytes envelope_of(const bytes& payload, const signature& sig) {
  encoder e;
  e.array(2).bin(payload).bin(sig);
  return e.take();
}

market::error bad_order(const std::string& what) { return chain_error("bad-order", what); }

}  // namespace

signed_order sign_order(const order_terms& terms, std::string_view chain_id, const key_pair& owner) {
  signed_order o;
  o.terms = terms;
  o.terms.owner = owner.pub;
  o.payload = encode_terms(o.terms);
  o.sig = sign(domain::order, chain_id, o.payload, owner);
  o.envelope = envelope_of(o.payload, o.sig);
  o.id = blake2b_256(o.envelope);
  return o;
}

result<signed_order> decode_order(const std::uint8_t* data, std::size_t size) {
  if (size > max_order_envelope) return bad_order("order envelope larger than 512 bytes");
  signed_order o;
  {
    auto d = decoder::open(data, size);
    if (!d) return d.err();
    detail::field_reader r(d.value());
    r.array(2);
    o.payload = r.bin();
    o.sig = r.fixed<64>();
    if (auto s = r.finish(); !s) return s.err();
  }
  auto d = decoder::open(o.payload);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  r.array(11);
  if (r.u64() != order_format_version) r.fail("unknown order format version");
  auto& t = o.terms;
  t.owner = r.fixed<32>();
  t.market = r.u64();
  t.cycle = r.u64();
  t.side = static_cast<market::side>(r.u64_max(1, "side"));
  t.price_ucpkwh = r.i64();
  t.energy_mwh = r.i64();
  const std::int64_t pref = r.i64();
  t.bus = static_cast<std::uint32_t>(r.u64_max(UINT32_MAX, "bus"));
  t.seq = r.u64();
  t.meter = r.fixed<32>();
  if (auto s = r.finish(); !s) return s.err();
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
