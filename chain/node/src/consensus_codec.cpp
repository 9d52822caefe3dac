#include "voltaic/chain/node/consensus_codec.hpp"

#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::chain {

namespace {
constexpr std::uint64_t format = 1;
constexpr std::uint32_t max_precommits = 1'024;
}  // namespace

bytes encode_consensus_message(const consensus_message& m) {
  encoder e;
  if (auto* p = std::get_if<consensus_proposal>(&m)) {
    e.array(9).uint(format).uint(1).uint(p->height).uint(p->round).uint(static_cast<std::uint64_t>(p->valid_round + 1));
    e.bin(p->value).bin(p->value_id).uint(p->proposer).bin(p->sig);
  } else if (auto* v = std::get_if<consensus_vote>(&m)) {
    e.array(9).uint(format).uint(2).uint(static_cast<std::uint8_t>(v->kind)).uint(v->height).uint(v->round);
    e.boolean(v->nil).bin(v->value_id).uint(v->voter).bin(v->sig);
  } else {
    const auto& c = std::get<commit_record>(m);
    e.array(7).uint(format).uint(3).uint(c.height).uint(c.round).bin(c.value).bin(c.value_id);
    e.array(static_cast<std::uint32_t>(c.precommits.size()));
    for (const auto& pc : c.precommits) e.array(2).uint(pc.voter).bin(pc.sig);
  }
  return e.take();
}

result<consensus_message> decode_consensus_message(const std::uint8_t* data, std::size_t size) {
  decode_limits limits;
  limits.max_message = 17u << 20;
  limits.max_bin = 16u << 20;
  auto d = decoder::open(data, size, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  const std::uint32_t n = r.array_up_to(9);
  if (r.u64() != format && !r.failed()) return chain_error("bad-format-version", "consensus message format is not 1");
  const std::uint64_t tag = r.u64();
  auto u32 = [&](const char* what) { return static_cast<std::uint32_t>(r.u64_max(UINT32_MAX, what)); };
  if (tag == 1 && n == 9) {
    consensus_proposal p;
    p.height = r.u64();
    p.round = u32("round");
    p.valid_round = static_cast<std::int64_t>(r.u64_max(UINT32_MAX, "valid round")) - 1;
    p.value = r.bin();
    p.value_id = r.fixed<32>();
    p.proposer = u32("proposer");
    p.sig = r.fixed<64>();
    if (auto s = r.finish(); !s) return s.err();
    return consensus_message{std::move(p)};
  }
  if (tag == 2 && n == 9) {
    consensus_vote v;
    const std::uint64_t kind = r.u64();
    if (!r.failed() && kind != 2 && kind != 3) return chain_error("decode", "vote kind is not prevote or precommit");
    v.kind = static_cast<vote_kind>(kind);
    v.height = r.u64();
    v.round = u32("round");
    v.nil = r.boolean();
    v.value_id = r.fixed<32>();
    v.voter = u32("voter");
    v.sig = r.fixed<64>();
    if (auto s = r.finish(); !s) return s.err();
    return consensus_message{v};
  }
  if (tag == 3 && n == 7) {
    commit_record c;
    c.height = r.u64();
    c.round = u32("round");
    c.value = r.bin();
    c.value_id = r.fixed<32>();
    const std::uint32_t votes = r.array_up_to(max_precommits);
    for (std::uint32_t i = 0; i < votes && !r.failed(); ++i) {
      r.array(2);
      consensus_vote v;
      v.kind = vote_kind::precommit;
      v.height = c.height;
      v.round = c.round;
      v.value_id = c.value_id;
      v.voter = u32("voter");
      v.sig = r.fixed<64>();
      c.precommits.push_back(v);
    }
    if (auto s = r.finish(); !s) return s.err();
    return consensus_message{std::move(c)};
  }
  if (r.failed()) return r.finish().err();
  return chain_error("decode", "not a consensus message");
}

}  // namespace voltaic::chain
