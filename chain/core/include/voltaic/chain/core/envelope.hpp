#pragma once
// The signed envelope every chain message travels in: [payload: bin,
// signature: bin(64)], the signature over `domain tag || chain id || payload`
// as received. Transactions of both chains and prosumers' orders use it; a
// receiver opens the envelope, checks the signature on the payload bytes
// and only then decodes them. Thread-safety: pure functions.

#include <cstddef>
#include <cstdint>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

struct envelope_parts {
  bytes payload;
  signature sig{};
};

bytes make_envelope(const bytes& payload, const signature& sig);
// The two parts of an envelope, refused unless it is exactly that array.
result<envelope_parts> open_envelope(const std::uint8_t* data, std::size_t size);

}  // namespace voltaic::chain
