#include "voltaic/chain/core/hash.hpp"

#include <sodium.h>

namespace voltaic::chain {

bool crypto_ready() {
  static const bool ready = sodium_init() >= 0;
  return ready;
}

hash256 blake2b_256(const std::uint8_t* data, std::size_t size) {
  crypto_ready();
  hash256 out{};
  crypto_generichash(out.data(), out.size(), data, size, nullptr, 0);
  return out;
}

hash256 blake2b_256(const std::uint8_t* a, std::size_t a_size, const std::uint8_t* b, std::size_t b_size) {
  crypto_ready();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, 32);
  crypto_generichash_update(&state, a, a_size);
  crypto_generichash_update(&state, b, b_size);
  hash256 out{};
  crypto_generichash_final(&state, out.data(), out.size());
  return out;
}

hash256 sha256(std::string_view data) {
  crypto_ready();
  hash256 out{};
  crypto_hash_sha256(out.data(), reinterpret_cast<const unsigned char*>(data.data()), data.size());
  return out;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  std::string hex(2 * size + 1, '\0');  // sodium_bin2hex writes a terminating zero
  sodium_bin2hex(hex.data(), hex.size(), data, size);
  hex.pop_back();
  return hex;
}

bool from_hex(std::string_view text, std::uint8_t* out, std::size_t size) {
  if (text.size() != 2 * size) return false;
  std::size_t decoded = 0;
  const char* end = nullptr;
  // No characters to ignore: anything but 2*size hex digits is refused.
  return sodium_hex2bin(out, size, text.data(), text.size(), nullptr, &decoded, &end) == 0 && decoded == size &&
         end == text.data() + text.size();
}

}  // namespace voltaic::chain
