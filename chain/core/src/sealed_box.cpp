#include "voltaic/chain/core/sealed_box.hpp"

#include <sodium.h>

namespace voltaic::chain {

std::size_t sealed_box_overhead() { return crypto_box_SEALBYTES; }

result<bytes> seal_to(const public_key& to, const bytes& plaintext) {
  std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> x25519{};
  if (crypto_sign_ed25519_pk_to_curve25519(x25519.data(), to.data()) != 0)
    return chain_error("bad-key", "the destination is not a valid Ed25519 public key");
  bytes sealed(plaintext.size() + crypto_box_SEALBYTES);
  if (crypto_box_seal(sealed.data(), plaintext.data(), plaintext.size(), x25519.data()) != 0)
    return chain_error("bad-key", "cannot seal to the destination key");
  return sealed;
}

result<bytes> open_sealed(const key_pair& mine, const bytes& sealed) {
  if (sealed.size() < crypto_box_SEALBYTES)
    return chain_error("not-for-this-key", "a sealed box of " + std::to_string(sealed.size()) + " bytes is too short");
  std::array<std::uint8_t, crypto_box_PUBLICKEYBYTES> pk{};
  std::array<std::uint8_t, crypto_box_SECRETKEYBYTES> sk{};
  if (crypto_sign_ed25519_pk_to_curve25519(pk.data(), mine.pub.data()) != 0 ||
      crypto_sign_ed25519_sk_to_curve25519(sk.data(), mine.secret.data()) != 0)
    return chain_error("bad-key", "this key pair has no X25519 counterpart");
  bytes plain(sealed.size() - crypto_box_SEALBYTES);
  const int opened = crypto_box_seal_open(plain.data(), sealed.data(), sealed.size(), pk.data(), sk.data());
  sodium_memzero(sk.data(), sk.size());
  if (opened != 0) return chain_error("not-for-this-key", "the box was sealed to another key, or damaged");
  return plain;
}

}  // namespace voltaic::chain
