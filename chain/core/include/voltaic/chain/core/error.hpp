#pragma once
// Errors of the chain layer: the market layer's result/status with the chain's
// own fixed-value codes. Reason strings stated by validators are part of the
// interface ("bad-signature", "msgpack-limit").
// Thread-safety: plain values.

#include <string>

#include "voltaic/market/error.hpp"

namespace voltaic::chain {

using market::result;
using market::status;

// Chain errors travel in market::error with invalid_field / io_error codes
// and a message starting with a stable reason, e.g. "bad-signature: ...".
inline market::error chain_error(const std::string& reason, const std::string& detail) {
  return market::make_error(market::errc::invalid_field, reason + ": " + detail);
}

}  // namespace voltaic::chain
