#include "voltaic/chain/hash.hpp"

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

}  // namespace voltaic::chain
