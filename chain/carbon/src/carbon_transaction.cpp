#include "voltaic/chain/carbon/carbon_transaction.hpp"

#include "carbon_fields.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/envelope.hpp"

namespace voltaic::chain::carbon {

namespace {

using chain::detail::field_reader;

carbon_body read_body(carbon_kind kind, field_reader& r) {
  switch (kind) {
    case carbon_kind::quota_claim: return read_fields<quota_claim_body>(r);
    case carbon_kind::emissions_report: return read_fields<emissions_report_body>(r);
    case carbon_kind::carbon_order: return read_fields<carbon_order_body>(r);
    case carbon_kind::auction_result: return read_fields<auction_result_body>(r);
    case carbon_kind::transfer: return read_fields<transfer_body>(r);
  }
  r.fail("unknown carbon transaction kind");
  return carbon_order_body{};
}

}  // namespace

const char* to_string(carbon_kind kind) {
  switch (kind) {
    case carbon_kind::quota_claim: return "quota_claim";
    case carbon_kind::emissions_report: return "emissions_report";
    case carbon_kind::carbon_order: return "carbon_order";
    case carbon_kind::auction_result: return "auction_result";
    case carbon_kind::transfer: return "transfer";
  }
  return "unknown";
}

bytes monthly_reading_message(const public_key& pvp, const monthly_reading& r) {
  encoder e;
  e.array(6).str("carbon-month").bin(pvp).uint(r.year).uint(r.month).sint(r.mwh).uint(r.counter);
  return e.take();
}

monthly_reading sign_monthly_reading(const public_key& pvp, std::uint64_t year, std::uint8_t month, std::int64_t mwh,
                                     std::uint64_t counter, std::string_view chain_id, const key_pair& meter) {
  monthly_reading r{meter.pub, year, month, mwh, counter, {}};
  r.sig = sign(domain::meter_reading, chain_id, monthly_reading_message(pvp, r), meter);
  return r;
}

bytes emissions_message(const public_key& cec, std::uint64_t period, std::int64_t kg) {
  encoder e;
  e.array(4).str("carbon-emissions").bin(cec).uint(period).sint(kg);
  return e.take();
}

bytes encode_auction_result(const auction_result_body& b) { return encode_fields(b); }

result<auction_result_body> decode_auction_result(const bytes& raw) {
  auto d = decoder::open(raw);
  if (!d) return d.err();
  field_reader r(d.value());
  auto b = read_fields<auction_result_body>(r);
  auto s = r.finish();
  if (!s) return s.err();
  return b;
}

bytes encode_payload(const carbon_transaction& tx) {
  encoder e;
  e.array(6).uint(carbon_format_version).uint(static_cast<std::uint8_t>(tx.kind())).bin(tx.signer).uint(tx.nonce).uint(
      tx.expiry_height);
  std::visit([&e](const auto& b) { write_fields(e, b); }, tx.body);
  return e.take();
}

result<carbon_transaction> decode_carbon_payload(const std::uint8_t* data, std::size_t size) {
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  field_reader r(d.value());
  r.array(6);
  if (r.u64() != carbon_format_version && !r.failed())
    return chain_error("bad-format-version", "carbon transaction format is not 1");
  const std::uint64_t kind = r.u64();
  if (!r.failed() && (kind == 0 || kind > carbon_kind_max))
    return chain_error("unknown-kind", "carbon transaction kind " + std::to_string(kind));
  carbon_transaction tx;
  tx.signer = r.fixed<32>();
  tx.nonce = r.u64();
  tx.expiry_height = r.u64();
  if (r.failed()) return r.finish().err();
  tx.body = read_body(static_cast<carbon_kind>(kind), r);
  auto s = r.finish();
  if (!s) return s.err();
  return tx;
}

signed_carbon_transaction sign_carbon_transaction(const carbon_transaction& tx, std::string_view chain_id,
                                                  const key_pair& key) {
  signed_carbon_transaction stx;
  stx.tx = tx;
  stx.payload = encode_payload(tx);
  stx.sig = sign(domain::transaction, chain_id, stx.payload, key);
  stx.envelope = make_envelope(stx.payload, stx.sig);
  stx.id = blake2b_256(stx.envelope);
  return stx;
}

result<signed_carbon_transaction> decode_carbon_envelope(const std::uint8_t* data, std::size_t size) {
  auto parts = open_envelope(data, size);
  if (!parts) return parts.err();
  signed_carbon_transaction stx;
  stx.payload = std::move(parts.value().payload);
  stx.sig = parts.value().sig;
  auto tx = decode_carbon_payload(stx.payload.data(), stx.payload.size());
  if (!tx) return tx.err();
  stx.tx = std::move(tx).value();
  stx.envelope.assign(data, data + size);
  stx.id = blake2b_256(stx.envelope);
  return stx;
}

bool signature_valid(const signed_carbon_transaction& stx, std::string_view chain_id) {
  return verify(domain::transaction, chain_id, stx.payload, stx.sig, stx.tx.signer);
}

}  // namespace voltaic::chain::carbon
