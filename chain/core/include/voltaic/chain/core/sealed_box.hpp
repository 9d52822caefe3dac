#pragma once
// Sealed boxes to an Ed25519 identity (spec/protocols.md section 4): only
// the holder of the destination key can open one, and the box says nothing
// of its sender, so a backbone router that carries it learns only where it
// goes. libsodium's crypto_box_seal over the X25519 keys that correspond to
// the Ed25519 ones (one key pair per participant serves to sign and to
// receive). Who sent it is the business of what is inside (a signature).
// Thread-safety: pure functions.

#include <cstddef>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain {

// What a sealed box adds to its contents (an ephemeral key and a tag).
std::size_t sealed_box_overhead();

// Seals `plaintext` to `to`; "bad-key" if `to` is no valid Ed25519 key.
result<bytes> seal_to(const public_key& to, const bytes& plaintext);

// Opens a box sealed to `mine`; "not-for-this-key" when it was sealed to
// another key or damaged (the two cannot be told apart, by design).
result<bytes> open_sealed(const key_pair& mine, const bytes& sealed);

}  // namespace voltaic::chain
