#include "voltaic/hardware/signed_reading.hpp"

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/merkle.hpp"

namespace voltaic::hardware {

namespace {

constexpr std::uint64_t format_version = 1;
constexpr std::uint32_t most_siblings = 64;

chain::bytes encode_body(const reading& r, const coe_signer& s) {
  chain::encoder e;
  e.array(13).uint(format_version).bin(r.meter).uint(r.seq).uint(r.time_ms).sint(r.import_wh).sint(r.export_wh);
  e.uint(r.counter).boolean(r.gap).uint(s.index).uint(s.leaf_count);
  e.array(static_cast<std::uint32_t>(s.siblings.size()));
  for (const auto& h : s.siblings) e.bin(h);
  e.bin(s.key.pub).bin(s.root);
  return e.take();
}

}  // namespace

chain::bytes sign_reading(const reading& r, const coe_signer& signer) {
  const chain::bytes body = encode_body(r, signer);
  const chain::signature sig = chain::sign(chain::domain::meter_reading, reading_context, body, signer.key);
  chain::encoder e;
  e.array(2).bin(body).bin(sig);
  return e.take();
}

result<verified_reading> open_reading(const chain::bytes& wire) {
  chain::decode_limits limits;
  limits.max_message = 16 * 1024;
  auto outer = chain::decoder::open(wire, limits);
  if (!outer) return outer.err();
  chain::decoder& d = outer.value();
  if (auto st = d.array(2); !st) return st.err();
  auto body = d.bin();
  chain::signature sig{};
  if (auto st = d.bin_into(sig.data(), sig.size()); !st) return st.err();
  if (!body) return body.err();
  if (auto st = d.finish(); !st) return st.err();

  auto inner = chain::decoder::open(body.value(), limits);
  if (!inner) return inner.err();
  chain::decoder& b = inner.value();
  if (auto st = b.array(13); !st) return st.err();
  auto version = b.uint();
  if (version && version.value() != format_version)
    return make_error(errc::invalid_field, "reading format " + std::to_string(version.value()) + " is not 1");
  verified_reading out;
  reading& r = out.value;
  coe_signer where;
  b.bin_into(r.meter.data(), r.meter.size());
  auto seq = b.uint(), time = b.uint();
  auto imp = b.sint(), exp = b.sint();
  auto counter = b.uint();
  auto gap = b.boolean();
  auto index = b.uint(), leaves = b.uint();
  auto siblings = b.array_up_to(most_siblings);
  if (siblings)
    for (std::uint32_t k = 0; k < siblings.value(); ++k) {
      chain::hash256 h{};
      b.bin_into(h.data(), h.size());
      where.siblings.push_back(h);
    }
  b.bin_into(where.key.pub.data(), where.key.pub.size());
  b.bin_into(where.root.data(), where.root.size());
  if (auto st = b.finish(); !st) return st.err();
  r.seq = seq.value();
  r.time_ms = time.value();
  r.import_wh = imp.value();
  r.export_wh = exp.value();
  r.counter = counter.value();
  r.gap = gap.value();
  out.root = where.root;
  out.signature_ok = chain::verify(chain::domain::meter_reading, reading_context, body.value(), sig, where.key.pub) &&
                     index.value() < leaves.value() &&
                     chain::verify_merkle_path(chain::merkle_leaf(where.key.pub.data(), where.key.pub.size()),
                                               index.value(), leaves.value(), where.siblings, where.root);
  return out;
}

}  // namespace voltaic::hardware
