#include "voltaic/chain/energy/coe.hpp"

#include <algorithm>

#include "transaction_fields.hpp"
#include "voltaic/chain/core/codec.hpp"

namespace voltaic::chain {

signature certify_meter(const public_key& meter, std::string_view chain_id, const key_pair& manufacturer) {
  return sign(domain::certificate_of_existence, chain_id, meter_certificate_message(meter), manufacturer);
}

meter_keys make_meter_keys(std::vector<key_pair> keys, std::string_view chain_id, const key_pair& voucher,
                           const public_key& manufacturer, const signature& voucher_certificate) {
  meter_keys m;
  m.keys = std::move(keys);
  for (const auto& k : m.keys) m.leaves.push_back(merkle_leaf(k.pub.data(), k.pub.size()));
  m.coe.root = merkle_root(m.leaves);
  m.coe.key_count = m.leaves.size();
  m.coe.manufacturer = manufacturer;
  m.coe.signer = voucher.pub;
  m.coe.manufacturer_sig = voucher_certificate;
  m.coe.signer_sig = sign(domain::certificate_of_existence, chain_id, coe_root_message(m.coe.root, m.coe.key_count),
                          voucher);
  return m;
}

erc_body make_erc_body(const meter_keys& keys, std::size_t key_index, std::uint64_t ctp_id, std::int64_t energy_mwh) {
  erc_body b;
  b.ctp_id = ctp_id;
  b.energy_mwh = energy_mwh;
  b.coe = keys.coe;
  b.leaf_index = key_index;
  for (const auto& step : make_merkle_proof(keys.leaves, key_index).path) b.siblings.push_back(step.sibling);
  return b;
}

status verify_coe(const certificate_of_existence& coe, std::string_view chain_id,
                  const std::vector<public_key>& manufacturers) {
  if (std::find(manufacturers.begin(), manufacturers.end(), coe.manufacturer) == manufacturers.end())
    return chain_error("erc-meter-not-certified", "the CoE names a manufacturer the chain does not know");
  if (!verify(domain::certificate_of_existence, chain_id, meter_certificate_message(coe.signer),
              coe.manufacturer_sig, coe.manufacturer))
    return chain_error("erc-meter-not-certified", "the vouching meter's manufacturer certificate does not verify");
  if (!verify(domain::certificate_of_existence, chain_id, coe_root_message(coe.root, coe.key_count), coe.signer_sig,
              coe.signer))
    return chain_error("erc-coe-bad-signature", "the CoE signature over the key-tree root does not verify");
  return {};
}

status verify_erc_key(const erc_body& erc, const public_key& signing_key) {
  if (!verify_merkle_path(merkle_leaf(signing_key.data(), signing_key.size()), erc.leaf_index, erc.coe.key_count,
                          erc.siblings, erc.coe.root))
    return chain_error("erc-key-not-in-tree", "the signing key is not in the CoE's key tree");
  return {};
}

hash256 coe_id(const certificate_of_existence& coe) { return blake2b_256(encode_fields(coe)); }

}  // namespace voltaic::chain
