#include "voltaic/chain/node/certificate.hpp"

#include <set>

#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

commit_certificate certificate_of(const commit_record& c) {
  commit_certificate cert;
  cert.round = c.round;
  for (const auto& v : c.precommits) cert.votes.push_back({v.voter, v.sig});
  return cert;
}

status verify_certificate(const block& b, const std::vector<validator>& validators, std::string_view chain_id) {
  auto bad = [](const std::string& what) { return chain_error("bad-certificate", what); };
  std::uint64_t total = 0, power = 0;
  for (const auto& v : validators) total += v.power;
  std::set<std::uint32_t> seen;
  for (const auto& vs : b.certificate.votes) {
    if (vs.validator_index >= validators.size()) return bad("a voter outside the validator set");
    if (!seen.insert(vs.validator_index).second) return bad("a voter counted twice");
    consensus_vote v;
    v.kind = vote_kind::precommit;
    v.height = b.header.height;
    v.round = static_cast<std::uint32_t>(b.certificate.round);
    v.value_id = b.hash;
    v.voter = vs.validator_index;
    if (b.certificate.round > UINT32_MAX ||
        !verify(domain::consensus_vote, chain_id, vote_sign_bytes(v), vs.sig, validators[vs.validator_index].key))
      return bad("a precommit signature does not verify for this block");
    power += validators[vs.validator_index].power;
  }
  if (3 * power <= 2 * total) return bad("precommits of two thirds of the power or less");
  return {};
}

namespace {

// A proposal's fields, over the caller's values (nothing is copied).
struct proposal_fields {
  bytes& block;
  std::vector<bytes>& witnesses;
  std::vector<bytes>& carried;
};

template <class Io>
void fields(Io& io, proposal_fields& p) {
  io.array(3);
  io(p.block);
  io.list(p.witnesses, 65'536, [&io](bytes& w) { io(w); });
  io.list(p.carried, 4'000'000, [&io](bytes& c) { io(c); });
}

}  // namespace

bytes encode_block_proposal(const block& b, const std::vector<bytes>& witnesses, const std::vector<bytes>& carried) {
  bytes blk = encode_block(b);
  // The writer only reads the lists.
  proposal_fields f{blk, const_cast<std::vector<bytes>&>(witnesses), const_cast<std::vector<bytes>&>(carried)};
  encoder e;
  field_writer w(e);
  fields(w, f);
  return e.take();
}

result<block_proposal> decode_block_proposal(const bytes& value) {
  decode_limits limits;
  limits.max_message = 256u << 20;  // a cycle of 100,000 orders is about 25 MB
  limits.max_bin = 64u << 20;
  limits.max_array = 4'000'000;
  auto d = decoder::open(value, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  bytes blk;
  block_proposal p;
  proposal_fields f{blk, p.witnesses, p.carried};
  fields(r, f);
  if (auto s = r.finish(); !s) return s.err();
  auto b = decode_block(blk);
  if (!b) return b.err();
  p.blk = std::move(b).value();
  return p;
}

namespace {

// Reads a msgpack bin header at `off` of d[0, size) and returns where its
// payload lies (the id of a proposal needs nothing else, so no message tree
// is built for it).
bool raw_bin(const std::uint8_t* d, std::size_t size, std::size_t& off, std::size_t& begin, std::size_t& len) {
  if (off >= size) return false;
  const std::uint8_t tag = d[off++];
  const std::size_t width = tag == 0xc4 ? 1 : tag == 0xc5 ? 2 : tag == 0xc6 ? 4 : 0;
  if (width == 0 || size - off < width) return false;
  len = 0;
  for (std::size_t i = 0; i < width; ++i) len = len << 8 | d[off++];
  if (size - off < len) return false;
  begin = off;
  off += len;
  return true;
}

}  // namespace

hash256 block_proposal_id(const bytes& value) {
  // Only the header is read, in place: a proposal may carry megabytes of
  // entries and orders, and its id is asked for every time it is gossiped.
  // The full value is decoded (and checked canonical) when it is validated.
  std::size_t off = 0, begin = 0, len = 0;
  if (value.empty() || value[off++] != 0x93 || !raw_bin(value.data(), value.size(), off, begin, len)) return {};
  const std::uint8_t* blk = value.data() + begin;  // the block: [header, entries, certificate, side]
  const std::size_t blk_size = len;
  std::size_t at = 0;
  if (blk_size == 0 || blk[at++] != 0x94 || !raw_bin(blk, blk_size, at, begin, len)) return {};
  if (!decode_header(blk + begin, len)) return {};
  return blake2b_256(blk + begin, len);
}

}  // namespace voltaic::chain
