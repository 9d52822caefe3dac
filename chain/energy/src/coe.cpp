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

namespace {
std::vector<hash256> path_of(const meter_keys& keys, std::size_t key_index) {
  std::vector<hash256> siblings;
  for (const auto& step : make_merkle_proof(keys.leaves, key_index).path) siblings.push_back(step.sibling);
  return siblings;
}
}  // namespace

erc_body make_erc_body(const meter_keys& keys, std::size_t key_index, std::uint64_t ctp_id, std::int64_t energy_mwh) {
  erc_body b;
  b.ctp_id = ctp_id;
  b.energy_mwh = energy_mwh;
  b.coe = keys.coe;
  b.leaf_index = key_index;
  b.siblings = path_of(keys, key_index);
  return b;
}

meter_settlement_body make_reading_body(const meter_keys& keys, std::size_t key_index, std::uint64_t market,
                                        std::uint64_t cycle, const public_key& party, std::int64_t metered_mwh) {
  meter_settlement_body b;
  b.market = market;
  b.cycle = cycle;
  b.party = party;
  b.metered_mwh = metered_mwh;
  b.coe = keys.coe;
  b.leaf_index = key_index;
  b.siblings = path_of(keys, key_index);
  return b;
}

bool manufacturer_known(const certificate_of_existence& coe, const std::vector<public_key>& manufacturers) {
  return std::find(manufacturers.begin(), manufacturers.end(), coe.manufacturer) != manufacturers.end();
}

status verify_coe(const certificate_of_existence& coe, std::string_view chain_id,
                  const std::vector<public_key>& manufacturers) {
  if (!manufacturer_known(coe, manufacturers))
    return chain_error("erc-meter-not-certified", "the CoE names a manufacturer the chain does not know");
  return verify_coe_signatures(coe, chain_id);
}

status verify_coe_signatures(const certificate_of_existence& coe, std::string_view chain_id) {
  if (!verify(domain::certificate_of_existence, chain_id, meter_certificate_message(coe.signer),
              coe.manufacturer_sig, coe.manufacturer))
    return chain_error("erc-meter-not-certified", "the vouching meter's manufacturer certificate does not verify");
  if (!verify(domain::certificate_of_existence, chain_id, coe_root_message(coe.root, coe.key_count), coe.signer_sig,
              coe.signer))
    return chain_error("erc-coe-bad-signature", "the CoE signature over the key-tree root does not verify");
  return {};
}

status verify_meter_key(const certificate_of_existence& coe, std::uint64_t leaf_index,
                        const std::vector<hash256>& siblings, const public_key& signing_key) {
  if (!verify_merkle_path(merkle_leaf(signing_key.data(), signing_key.size()), leaf_index, coe.key_count, siblings,
                          coe.root))
    return chain_error("erc-key-not-in-tree", "the signing key is not in the CoE's key tree");
  return {};
}

const certificate_of_existence* coe_of(const transaction& tx) {
  if (const auto* e = std::get_if<erc_body>(&tx.body)) return &e->coe;
  if (const auto* m = std::get_if<meter_settlement_body>(&tx.body)) return &m->coe;
  return nullptr;
}

hash256 coe_id(const certificate_of_existence& coe) { return blake2b_256(encode_fields(coe)); }

}  // namespace voltaic::chain
