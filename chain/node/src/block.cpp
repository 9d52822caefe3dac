#include "voltaic/chain/node/block.hpp"

#include <algorithm>

#include "voltaic/chain/core/field_reader.hpp"
#include "voltaic/chain/core/merkle.hpp"

namespace voltaic::chain {

namespace {
constexpr std::uint32_t max_entries = 65'536;
constexpr std::uint32_t max_votes = 1'024;
}  // namespace

bytes encode_header(const block_header& h) {
  encoder e;
  e.array(10).uint(block_format_version).str(h.chain_id).uint(h.height).bin(h.prev_hash).uint(h.time_ms);
  e.bin(h.proposer).bin(h.tx_root).bin(h.state_root).bin(h.ctp_db_hash).bin(h.validator_set_hash);
  return e.take();
}

result<block_header> decode_header(const std::uint8_t* data, std::size_t size) {
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  block_header h;
  r.array(10);
  if (r.u64() != block_format_version && !r.failed())
    return chain_error("bad-format-version", "block header format is not 1");
  h.chain_id = r.str();
  h.height = r.u64();
  h.prev_hash = r.fixed<32>();
  h.time_ms = r.u64();
  h.proposer = r.fixed<32>();
  h.tx_root = r.fixed<32>();
  h.state_root = r.fixed<32>();
  h.ctp_db_hash = r.fixed<32>();
  h.validator_set_hash = r.fixed<32>();
  auto s = r.finish();
  if (!s) return s.err();
  return h;
}

hash256 entry_id(const bytes& entry) {
  if (is_receipt_entry(entry) && entry.size() >= 3 + 32) {
    // [bin8(32) erc_id, ...]: the id sits at a fixed offset after 0x93 0xc4 0x20.
    hash256 id{};
    std::copy(entry.begin() + 3, entry.begin() + 35, id.begin());
    return id;
  }
  return blake2b_256(entry);
}

void seal(block& b) {
  b.header_bytes = encode_header(b.header);
  b.hash = blake2b_256(b.header_bytes);
}

bytes encode_block(const block& b) {
  encoder e;
  e.array(3).bin(b.header_bytes).array(static_cast<std::uint32_t>(b.entries.size()));
  for (const auto& entry : b.entries) e.bin(entry);
  e.array(2).uint(b.certificate.round).array(static_cast<std::uint32_t>(b.certificate.votes.size()));
  for (const auto& v : b.certificate.votes) e.array(2).uint(v.validator_index).bin(v.sig);
  return e.take();
}

result<block> decode_block(const std::uint8_t* data, std::size_t size) {
  decode_limits limits;
  limits.max_message = 256u << 20;  // a genesis block may list many accounts
  limits.max_bin = 128u << 20;
  auto d = decoder::open(data, size, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  block b;
  r.array(3);
  b.header_bytes = r.bin();
  const std::uint32_t n = r.array_up_to(max_entries);
  b.entries.reserve(n);
  for (std::uint32_t i = 0; i < n && !r.failed(); ++i) b.entries.push_back(r.bin());
  r.array(2);
  b.certificate.round = r.u64();
  const std::uint32_t votes = r.array_up_to(max_votes);
  for (std::uint32_t i = 0; i < votes && !r.failed(); ++i) {
    r.array(2);
    vote_signature v;
    v.validator_index = static_cast<std::uint32_t>(r.u64_max(UINT32_MAX, "validator index"));
    v.sig = r.fixed<64>();
    b.certificate.votes.push_back(v);
  }
  auto s = r.finish();
  if (!s) return s.err();
  auto h = decode_header(b.header_bytes.data(), b.header_bytes.size());
  if (!h) return h.err();
  b.header = std::move(h).value();
  b.hash = blake2b_256(b.header_bytes);
  return b;
}

hash256 entries_root(const std::vector<bytes>& entries) {
  std::vector<hash256> leaves;
  leaves.reserve(entries.size());
  for (const auto& e : entries) leaves.push_back(merkle_leaf(e));
  return merkle_root(leaves);
}

}  // namespace voltaic::chain
