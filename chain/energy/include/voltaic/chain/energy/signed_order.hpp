#pragma once
// A prosumer's signed order for one market and cycle (spec/protocols.md
// section 6). Orders go to the validators, not into blocks: a block fixes the
// cycle's order set by its Merkle root, and proposals carry the orders so
// every validator can re-run the clearing.
//
// Wire form, format version 1:
//   envelope = [payload: bin, signature: bin(64)]
//   payload  = [1, owner: bin(32), market, cycle, side (0 buy, 1 sell),
//               price_ucpkwh, energy_mwh, distance_pref_mm (-1: anywhere),
//               bus, seq, meter: bin(32)]
// The signature is the owner's, under the order domain, over the payload as
// received. `bus` indexes the market's load buses (the DSO's distance
// table); `meter` is the key that will sign the owner's readings, so only
// that meter can settle the owner's trades. An order's id is BLAKE2b-256 of
// its envelope.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <string_view>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/market/order.hpp"

namespace voltaic::chain {

struct order_terms {
  public_key owner{};
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  market::side side = market::side::buy;
  std::int64_t price_ucpkwh = 0;
  std::int64_t energy_mwh = 0;
  std::int64_t distance_pref_mm = market::distance_anywhere;
  std::uint32_t bus = 0;
  std::uint64_t seq = 0;
  public_key meter{};
};

struct signed_order {
  order_terms terms;
  bytes payload;   // exactly the signed bytes
  signature sig{};
  bytes envelope;  // [payload, sig]
  hash256 id{};    // BLAKE2b-256 of envelope
};

signed_order sign_order(const order_terms& terms, std::string_view chain_id, const key_pair& owner);
// Decodes an envelope and checks ranges; does not check the signature.
result<signed_order> decode_order(const std::uint8_t* data, std::size_t size);
inline result<signed_order> decode_order(const bytes& b) { return decode_order(b.data(), b.size()); }
bool order_signature_valid(const signed_order& o, std::string_view chain_id);

}  // namespace voltaic::chain
