#pragma once
// SHA-256 (FIPS 180-4), standard library only, for version hashes the market
// layer publishes (grid versions, distance matrices). The chain layer hashes
// with BLAKE2b from libsodium; this exists so market/ stays dependency-free.
// Thread-safety: pure function.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace voltaic::market {

std::array<std::uint8_t, 32> sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

}  // namespace voltaic::market
