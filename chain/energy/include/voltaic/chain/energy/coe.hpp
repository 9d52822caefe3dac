#pragma once
// Certificates of Existence and energy receipts (spec/protocols.md section 3).
//
// A manufacturer certifies a meter's identity key. After installation the
// meter makes N CoE key pairs, builds a Merkle tree over their public keys
// (leaf = merkle_leaf(public key)), and another certified meter signs the root:
// that signature is the CoE. The meter signs each ERC with one CoE key and
// attaches the key's Merkle path and the CoE. A verifier learns that some
// certified meter vouched for the tree, never which meter signed the ERC.
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <string_view>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain {

// The manufacturer's signature over a meter's identity key.
signature certify_meter(const public_key& meter, std::string_view chain_id, const key_pair& manufacturer);

// A meter's CoE key set and its certificate.
struct meter_keys {
  std::vector<key_pair> keys;
  std::vector<hash256> leaves;
  certificate_of_existence coe;
};

// Builds the key tree over `keys` and has `voucher` (a certified meter, with
// its manufacturer's certificate) sign the root.
meter_keys make_meter_keys(std::vector<key_pair> keys, std::string_view chain_id, const key_pair& voucher,
                           const public_key& manufacturer, const signature& voucher_certificate);

// An ERC body for `ctp_id`, signed later with keys.keys[key_index].
erc_body make_erc_body(const meter_keys& keys, std::size_t key_index, std::uint64_t ctp_id, std::int64_t energy_mwh);
// A seller's reading for a cycle, signed later with keys.keys[key_index].
meter_settlement_body make_reading_body(const meter_keys& keys, std::size_t key_index, std::uint64_t market,
                                        std::uint64_t cycle, const public_key& party, std::int64_t metered_mwh);

// The CoE's two signatures, and that its manufacturer is one the chain knows.
// Reasons: "erc-meter-not-certified", "erc-coe-bad-signature".
status verify_coe(const certificate_of_existence& coe, std::string_view chain_id,
                  const std::vector<public_key>& manufacturers);
// The two signatures alone: what needs no state, so it may run on any thread.
status verify_coe_signatures(const certificate_of_existence& coe, std::string_view chain_id);
// Whether the chain's manufacturers include the CoE's.
bool manufacturer_known(const certificate_of_existence& coe, const std::vector<public_key>& manufacturers);

// The signing key is leaf `leaf_index` of the CoE's tree. Reason: "erc-key-not-in-tree".
status verify_meter_key(const certificate_of_existence& coe, std::uint64_t leaf_index,
                        const std::vector<hash256>& siblings, const public_key& signing_key);

// The CoE a meter's transaction (an ERC or a reading) carries; nullptr for other kinds.
const certificate_of_existence* coe_of(const transaction& tx);

// A hash identifying a CoE (used to remember CoEs already verified).
hash256 coe_id(const certificate_of_existence& coe);

}  // namespace voltaic::chain
