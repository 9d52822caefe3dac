#include "voltaic/chain/node/block.hpp"

#include <algorithm>

#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/core/merkle.hpp"

namespace voltaic::chain {

namespace {
constexpr std::uint32_t max_entries = 65'536;  // entries and side records together (the store's index)
constexpr std::uint32_t max_votes = 1'024;
}  // namespace

template <class Io>
void fields(Io& io, block_header& h) {
  io.array(10);
  io.constant(block_format_version, "bad-format-version", "block header format is not 1");
  io(h.chain_id);
  io(h.height);
  io(h.prev_hash);
  io(h.time_ms);
  io(h.proposer);
  io(h.tx_root);
  io(h.state_root);
  io(h.ctp_db_hash);
  io(h.validator_set_hash);
}

bytes encode_header(const block_header& h) { return encode_fields(h); }

result<block_header> decode_header(const std::uint8_t* data, std::size_t size) {
  return decode_fields<block_header>(data, size);
}

hash256 entry_id(const bytes& entry) {
  if (is_receipt_entry(entry) && entry.size() >= 3 + 32 && entry[1] == 0xc4 && entry[2] == 32) {
    // [bin8(32) id, ...]: the id sits at a fixed offset after the array byte and 0xc4 0x20.
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

template <class Io>
void fields(Io& io, vote_signature& v) {
  io.array(2);
  io.bounded(v.validator_index, UINT32_MAX, "validator index");
  io(v.sig);
}

template <class Io>
void fields(Io& io, block& b) {
  io.array(4);
  io(b.header_bytes);
  io.list(b.entries, max_entries, [&io](bytes& entry) { io(entry); });
  io.array(2);
  io(b.certificate.round);
  io.list(b.certificate.votes, max_votes, [&io](vote_signature& v) { fields(io, v); });
  io.list(b.side, max_entries, [&io](bytes& record) { io(record); });
}

bytes encode_block(const block& b) { return encode_fields(b); }

result<block> decode_block(const std::uint8_t* data, std::size_t size) {
  decode_limits limits;
  limits.max_message = 256u << 20;  // a genesis block may list many accounts
  limits.max_bin = 128u << 20;
  auto d = decoder::open(data, size, limits);
  if (!d) return d.err();
  detail::field_reader r(d.value());
  block b = read_fields<block>(r);
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
