#pragma once
// Blocks (spec/protocols.md section 2).
//
// header (format 1) = [1, chain_id, height, prev_hash, time_ms, proposer,
//                      tx_root, state_root, ctp_db_hash, validator_set_hash]
// block as stored   = [header: bin, [entry: bin...], commit_certificate,
//                      [side record: bin...]]
// commit_certificate = [round, [[validator_index, signature]...]]
// The block hash is BLAKE2b-256 of the header bytes; the certificate (filled
// by consensus) is outside the hash. tx_root is the Merkle root over the
// entries' bytes. An entry is a transaction envelope, or a receipt standing
// for a transaction the block does not keep (the electricity chain's ERCs:
// [erc_id, ...]). Block 0 holds the application's genesis document as its
// only entry.
// Side records are what the application keeps beside the body: outside the
// tx root, applied before the entries, and vouched for by the header by other
// means (the electricity chain: the CTPs the block admitted into its CTP
// database, which the header's ctp_db_hash covers). They travel and are
// stored with the block so that a replica catching up, or one replaying its
// store, rebuilds the same state. Entries and side records share one index
// space (entries first), so the store can say where either sits.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <string>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

inline constexpr std::uint64_t block_format_version = 1;

struct block_header {
  std::string chain_id;
  std::uint64_t height = 0;
  hash256 prev_hash{};
  std::uint64_t time_ms = 0;
  public_key proposer{};
  hash256 tx_root{};
  hash256 state_root{};
  hash256 ctp_db_hash{};
  hash256 validator_set_hash{};
};

bytes encode_header(const block_header& h);
result<block_header> decode_header(const std::uint8_t* data, std::size_t size);

struct vote_signature {
  std::uint32_t validator_index = 0;
  signature sig{};
};
struct commit_certificate {
  std::uint64_t round = 0;
  std::vector<vote_signature> votes;
};

// Whether stored entry bytes are a receipt: an array of 3 to 15 fields whose
// first is the 32-byte id of the transaction it stands for (the electricity
// chain's receipts, receipt.hpp). Any other entry is a transaction envelope
// (a 2-array).
inline bool is_receipt_entry(const bytes& entry) { return !entry.empty() && entry[0] >= 0x93 && entry[0] <= 0x9f; }
// The id an entry is indexed by: its BLAKE2b-256 (a transaction's id), or
// for a receipt the id it names.
hash256 entry_id(const bytes& entry);

struct block {
  block_header header;
  bytes header_bytes;         // exactly what is hashed
  hash256 hash{};
  std::vector<bytes> entries;
  commit_certificate certificate;
  std::vector<bytes> side;

  std::size_t item_count() const { return entries.size() + side.size(); }
  // Item i of the shared index space: an entry, then a side record.
  const bytes& item(std::size_t i) const { return i < entries.size() ? entries[i] : side[i - entries.size()]; }
};

// Fills header_bytes and hash from header.
void seal(block& b);
bytes encode_block(const block& b);
// Decodes a stored block; checks that the header bytes decode, not that the
// block is valid.
result<block> decode_block(const std::uint8_t* data, std::size_t size);
inline result<block> decode_block(const bytes& b) { return decode_block(b.data(), b.size()); }

hash256 entries_root(const std::vector<bytes>& entries);

}  // namespace voltaic::chain
