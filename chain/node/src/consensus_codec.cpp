#include "voltaic/chain/node/consensus_codec.hpp"

#include <type_traits>

#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

namespace {
constexpr std::uint64_t format = 1;
constexpr std::uint32_t max_precommits = 1'024;
}  // namespace

// Each message is [format, tag, fields...]; the fields per kind:
template <class Io>
void fields(Io& io, consensus_proposal& p) {
  io(p.height);
  io.bounded(p.round, UINT32_MAX, "round");
  io.offset(p.valid_round, 1, UINT32_MAX, "valid round");
  io(p.value);
  io(p.value_id);
  io.bounded(p.proposer, UINT32_MAX, "proposer");
  io(p.sig);
}
template <class Io>
void fields(Io& io, consensus_vote& v) {
  io.bounded(v.kind, 3, "vote kind");
  io(v.height);
  io.bounded(v.round, UINT32_MAX, "round");
  io(v.nil);
  io(v.value_id);
  io.bounded(v.voter, UINT32_MAX, "voter");
  io(v.sig);
}
// A commit's precommits carry only voter and signature: the rest is the record's.
template <class Io>
void fields(Io& io, commit_record& c) {
  io(c.height);
  io.bounded(c.round, UINT32_MAX, "round");
  io(c.value);
  io(c.value_id);
  io.list(c.precommits, max_precommits, [&io](consensus_vote& v) {
    io.array(2);
    io.bounded(v.voter, UINT32_MAX, "voter");
    io(v.sig);
  });
}

bytes encode_consensus_message(const consensus_message& m) {
  encoder e;
  field_writer w(e);
  std::visit(
      [&w](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        const std::uint64_t tag = std::is_same_v<T, consensus_proposal> ? 1 : std::is_same_v<T, consensus_vote> ? 2 : 3;
        w.array(tag == 3 ? 7 : 9);
        w(format);
        w(tag);
        fields(w, const_cast<T&>(x));  // the writer only reads
      },
      m);
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
  r.constant(format, "bad-format-version", "consensus message format is not 1");
  const std::uint64_t tag = r.u64();
  if (r.failed()) return r.finish().err();
  if (tag == 1 && n == 9) {
    auto p = read_fields<consensus_proposal>(r);
    if (auto s = r.finish(); !s) return s.err();
    return consensus_message{std::move(p)};
  }
  if (tag == 2 && n == 9) {
    auto v = read_fields<consensus_vote>(r);
    if (auto s = r.finish(); !s) return s.err();
    if (v.kind != vote_kind::prevote && v.kind != vote_kind::precommit)
      return chain_error("decode", "vote kind is not prevote or precommit");
    return consensus_message{v};
  }
  if (tag == 3 && n == 7) {
    auto c = read_fields<commit_record>(r);
    if (auto s = r.finish(); !s) return s.err();
    for (auto& v : c.precommits) {
      v.kind = vote_kind::precommit;
      v.height = c.height;
      v.round = c.round;
      v.value_id = c.value_id;
    }
    return consensus_message{std::move(c)};
  }
  return chain_error("decode", "not a consensus message");
}

}  // namespace voltaic::chain
