#pragma once
// Ed25519 keys and domain-separated signatures (spec/protocols.md section 1).
//
// Everything signed is `domain tag || chain id || message bytes`; the tag
// names what the bytes are (a transaction, a vote, a meter reading, ...), so a
// signature over one kind can never verify as another, nor on another chain.
// Key files hold the 64-byte secret key in hex, are written with mode 0600 and
// refused when readable by other users.
// Thread-safety: pure functions; key files are not locked.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"

namespace voltaic::chain {

using public_key = std::array<std::uint8_t, 32>;
using signature = std::array<std::uint8_t, 64>;

struct key_pair {
  public_key pub{};
  std::array<std::uint8_t, 64> secret{};  // libsodium's seed || public key
};

// What a signature is about. Values are fixed: they are part of every signature.
enum class domain : std::uint8_t {
  transaction = 1,
  consensus_vote = 2,
  meter_reading = 3,
  routing_envelope = 4,
  cross_chain_proof = 5,
  certificate_of_existence = 6,
  energy_receipt = 7,
  order = 8,  // a prosumer's order to the validators (not a transaction)
  query = 9,  // a question only its asker may put (its own outcome, account, holds)
};

const char* domain_tag(domain d);  // e.g. "voltaic/tx/1"

key_pair generate_key_pair();
key_pair key_pair_from_seed(const std::array<std::uint8_t, 32>& seed);

signature sign(domain d, std::string_view chain_id, const bytes& message, const key_pair& key);
bool verify(domain d, std::string_view chain_id, const bytes& message, const signature& sig,
            const public_key& key);

status save_key_file(const std::string& path, const key_pair& key);
result<key_pair> load_key_file(const std::string& path);

// The pieces of key files, for files that hold more than one key (a meter's
// identity and CoE keys): a new file of mode 0600 that is never overwritten;
// at most `max_bytes` of a file refused when other users may access it; one
// key as a line of text, and back ("PATH: not a voltaic Ed25519 key file").
status write_private_file(const std::string& path, const std::string& text);
result<std::string> read_private_file(const std::string& path, std::size_t max_bytes);
std::string key_line(const key_pair& key);
result<key_pair> parse_key_line(std::string_view line, const std::string& path);

}  // namespace voltaic::chain
