#pragma once
// Errors of the chain layer: the market layer's result/status with the chain's
// own fixed-value codes. Reason strings stated by validators are part of the
// interface ("bad-signature", "msgpack-limit").
// Thread-safety: plain values.

#include <cstdint>
#include <string>

#include "voltaic/market/error.hpp"

namespace voltaic::chain {

using market::result;
using market::status;

enum class chain_errc : std::uint8_t {
  crypto_init = 1,    // libsodium failed to start
  key_file = 2,       // a key file cannot be read, written or is unsafe
  bad_signature = 3,  // a signature does not verify
  decode = 4,         // bytes that are not a valid encoding
  too_large = 5,      // a message or element over its limit
};

// Chain errors travel in market::error with invalid_field / io_error codes
// and a message starting with a stable reason, e.g. "bad-signature: ...".
inline market::error chain_error(const std::string& reason, const std::string& detail) {
  return market::make_error(market::errc::invalid_field, reason + ": " + detail);
}

}  // namespace voltaic::chain
