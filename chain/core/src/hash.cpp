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

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (std::size_t i = 0; i < size; ++i) {
    hex += digits[data[i] >> 4];
    hex += digits[data[i] & 15];
  }
  return hex;
}

bool from_hex(std::string_view text, std::uint8_t* out, std::size_t size) {
  if (text.size() != 2 * size) return false;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < size; ++i) {
    const int hi = digit(text[2 * i]), lo = digit(text[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return true;
}

}  // namespace voltaic::chain
