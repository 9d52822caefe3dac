#include "voltaic/chain/energy/transaction.hpp"

#include "clearing_codec.hpp"
#include "transaction_fields.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/envelope.hpp"
#include "voltaic/chain/core/fields.hpp"

namespace voltaic::chain {

namespace {

using detail::field_reader;

tx_body read_body(tx_kind kind, field_reader& r) {
  switch (kind) {
    case tx_kind::fund: return read_fields<fund_body>(r);
    case tx_kind::energy_account_add: return read_fields<energy_account_body>(r);
    case tx_kind::order_root: return read_fields<order_root_body>(r);
    case tx_kind::clearing_result: return read_fields<clearing_result_body>(r);
    case tx_kind::ctp_commit: return read_fields<ctp_commit_body>(r);
    case tx_kind::erc: return read_fields<erc_body>(r);
    case tx_kind::ctp_timeout: return read_fields<ctp_timeout_body>(r);
    case tx_kind::meter_settlement: return read_fields<meter_settlement_body>(r);
    case tx_kind::grid_update: return read_fields<grid_update_body>(r);
    case tx_kind::evidence: return read_fields<evidence_body>(r);
    case tx_kind::cycle_dues: return read_fields<cycle_dues_body>(r);
    case tx_kind::dso_params: return read_fields<dso_params_body>(r);
    case tx_kind::escrow_deploy: return read_fields<escrow_deploy_body>(r);
    case tx_kind::escrow_pay: return read_fields<escrow_pay_body>(r);
    case tx_kind::escrow_payout: return read_fields<escrow_payout_body>(r);
    case tx_kind::escrow_refund: return read_fields<escrow_refund_body>(r);
  }
  r.fail("unknown transaction kind");
  return fund_body{};
}

}  // namespace

const char* to_string(tx_kind kind) {
  switch (kind) {
    case tx_kind::fund: return "fund";
    case tx_kind::energy_account_add: return "energy_account_add";
    case tx_kind::order_root: return "order_root";
    case tx_kind::clearing_result: return "clearing_result";
    case tx_kind::ctp_commit: return "ctp_commit";
    case tx_kind::erc: return "erc";
    case tx_kind::ctp_timeout: return "ctp_timeout";
    case tx_kind::meter_settlement: return "meter_settlement";
    case tx_kind::grid_update: return "grid_update";
    case tx_kind::dso_params: return "dso_params";
    case tx_kind::evidence: return "evidence";
    case tx_kind::cycle_dues: return "cycle_dues";
    case tx_kind::escrow_deploy: return "escrow_deploy";
    case tx_kind::escrow_pay: return "escrow_pay";
    case tx_kind::escrow_payout: return "escrow_payout";
    case tx_kind::escrow_refund: return "escrow_refund";
  }
  return "unknown";
}

domain signing_domain(tx_kind kind) {
  if (kind == tx_kind::erc) return domain::energy_receipt;
  if (kind == tx_kind::meter_settlement) return domain::meter_reading;
  return domain::transaction;
}

bytes encode_payload(const transaction& tx) {
  encoder e;
  e.array(6).uint(tx_format_version).uint(static_cast<std::uint8_t>(tx.kind())).bin(tx.signer).uint(tx.nonce).uint(
      tx.expiry_height);
  std::visit([&e](const auto& b) { write_fields(e, b); }, tx.body);
  return e.take();
}

result<transaction> decode_payload(const std::uint8_t* data, std::size_t size) {
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  field_reader r(d.value());
  r.array(6);
  if (r.u64() != tx_format_version && !r.failed()) return chain_error("bad-format-version", "transaction format is not 1");
  const std::uint64_t kind = r.u64();
  if (!r.failed() && (kind == 0 || kind > tx_kind_max))
    return chain_error("unknown-kind", "transaction kind " + std::to_string(kind));
  transaction tx;
  tx.signer = r.fixed<32>();
  tx.nonce = r.u64();
  tx.expiry_height = r.u64();
  if (r.failed()) {
    auto s = r.finish();
    return s.err();
  }
  tx.body = read_body(static_cast<tx_kind>(kind), r);
  auto s = r.finish();
  if (!s) return s.err();
  return tx;
}

signed_transaction sign_transaction(const transaction& tx, std::string_view chain_id, const key_pair& key) {
  signed_transaction stx;
  stx.tx = tx;
  stx.payload = encode_payload(tx);
  stx.sig = sign(signing_domain(tx.kind()), chain_id, stx.payload, key);
  stx.envelope = make_envelope(stx.payload, stx.sig);
  stx.id = blake2b_256(stx.envelope);
  return stx;
}

result<signed_transaction> decode_envelope(const std::uint8_t* data, std::size_t size) {
  auto parts = open_envelope(data, size);
  if (!parts) return parts.err();
  signed_transaction stx;
  stx.payload = std::move(parts.value().payload);
  stx.sig = parts.value().sig;
  auto tx = decode_payload(stx.payload.data(), stx.payload.size());
  if (!tx) return tx.err();
  stx.tx = std::move(tx).value();
  stx.envelope.assign(data, data + size);
  stx.id = blake2b_256(stx.envelope);
  return stx;
}

std::optional<tx_kind> peek_kind(const bytes& envelope) {
  // [payload, sig] with payload = [version, kind, ...]: 0x92, a bin8 or
  // bin16 header, then 0x96, the version and the kind as positive fixints.
  if (envelope.size() < 7 || envelope[0] != 0x92) return std::nullopt;
  const std::size_t payload = envelope[1] == 0xc4 ? 3 : envelope[1] == 0xc5 ? 4 : 0;
  if (payload == 0 || envelope.size() < payload + 3) return std::nullopt;
  if (envelope[payload] != 0x96 || envelope[payload + 1] != tx_format_version) return std::nullopt;
  const std::uint8_t kind = envelope[payload + 2];
  if (kind == 0 || kind > tx_kind_max) return std::nullopt;
  return static_cast<tx_kind>(kind);
}

bool signature_valid(const signed_transaction& stx, std::string_view chain_id) {
  return verify(signing_domain(stx.tx.kind()), chain_id, stx.payload, stx.sig, stx.tx.signer);
}

bytes meter_certificate_message(const public_key& meter) {
  encoder e;
  e.array(2).str("meter").bin(meter);
  return e.take();
}

bytes coe_root_message(const hash256& root, std::uint64_t key_count) {
  encoder e;
  e.array(3).str("coe").bin(root).uint(key_count);
  return e.take();
}

}  // namespace voltaic::chain
