#pragma once
// BLAKE2b-256 (libsodium crypto_generichash), the chain's hash; SHA-256
// where a protocol names it (the grid version); hex text.
// Thread-safety: pure functions (libsodium is initialised on first use).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace voltaic::chain {

using bytes = std::vector<std::uint8_t>;
using hash256 = std::array<std::uint8_t, 32>;

hash256 blake2b_256(const std::uint8_t* data, std::size_t size);
inline hash256 blake2b_256(const bytes& data) { return blake2b_256(data.data(), data.size()); }
inline hash256 blake2b_256(std::string_view data) {
  return blake2b_256(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
}

// BLAKE2b-256 of two byte ranges one after the other, without joining them.
hash256 blake2b_256(const std::uint8_t* a, std::size_t a_size, const std::uint8_t* b, std::size_t b_size);

// SHA-256 (libsodium crypto_hash_sha256).
hash256 sha256(std::string_view data);

std::string to_hex(const std::uint8_t* data, std::size_t size);
template <std::size_t N>
std::string to_hex(const std::array<std::uint8_t, N>& a) { return to_hex(a.data(), N); }
inline std::string to_hex(const bytes& b) { return to_hex(b.data(), b.size()); }

// Parses exactly 2*N hex digits into `out`; false on any other text.
bool from_hex(std::string_view text, std::uint8_t* out, std::size_t size);
template <std::size_t N>
bool from_hex(std::string_view text, std::array<std::uint8_t, N>& out) {
  return from_hex(text, out.data(), N);
}

// libsodium's sodium_init, once; false if the library cannot start.
bool crypto_ready();

}  // namespace voltaic::chain
