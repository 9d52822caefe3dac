#include "voltaic/chain/energy/transaction.hpp"

#include "clearing_codec.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/field_reader.hpp"

namespace voltaic::chain {

namespace {

using detail::field_reader;

// Bounds on variable parts, so one transaction stays small.
constexpr std::uint32_t max_merkle_depth = 32;
constexpr std::uint32_t max_release_ctps = 4'096;
constexpr std::size_t max_change_note = 256;
constexpr std::uint32_t max_cycle_dues = 12'000;  // parties of one market's cycle in one transaction

struct body_encoder {
  encoder& e;
  void operator()(const fund_body& b) const { e.array(2).bin(b.to).sint(b.amount_uc); }
  void operator()(const energy_account_body& b) const { e.array(2).sint(b.energy_mwh).sint(b.price_ucpkwh); }
  void operator()(const order_root_body& b) const {
    e.array(4).uint(b.market).uint(b.cycle).bin(b.root).uint(b.order_count);
  }
  void operator()(const clearing_result_body& b) const { detail::write_clearing(e, b); }
  void operator()(const ctp_commit_body& b) const {
    e.array(5).bin(b.producer).sint(b.amount_uc).sint(b.energy_mwh).uint(b.expiry_height).bin(b.meter_root);
  }
  void operator()(const erc_body& b) const {
    e.array(4).uint(b.ctp_id).sint(b.energy_mwh);
    const auto& c = b.coe;
    e.array(6).bin(c.root).uint(c.key_count).bin(c.manufacturer).bin(c.signer).bin(c.manufacturer_sig).bin(
        c.signer_sig);
    e.array(2).uint(b.leaf_index).array(static_cast<std::uint32_t>(b.siblings.size()));
    for (const auto& s : b.siblings) e.bin(s);
  }
  void operator()(const ctp_timeout_body& b) const { e.array(1).uint(b.ctp_id); }
  void operator()(const meter_settlement_body& b) const {
    e.array(9).uint(b.market).uint(b.cycle).bin(b.party).uint(static_cast<std::uint8_t>(b.role));
    e.sint(b.agreed_mwh).sint(b.metered_mwh).sint(b.price_ucpkwh).sint(b.tariff_uc);
    e.array(static_cast<std::uint32_t>(b.release_ctps.size()));
    for (auto id : b.release_ctps) e.uint(id);
  }
  void operator()(const grid_update_body& b) const {
    e.array(3).bin(b.grid_version).bin(b.distances_hash).str(b.change);
  }
  void operator()(const dso_params_body& b) const { e.array(2).sint(b.charge_uc_per_m).sint(b.penalty_ucpkwh); }
  void operator()(const evidence_body& b) const {
    e.array(6).uint(b.height).uint(b.round).uint(b.vote_kind).uint(b.voter);
    e.array(3).boolean(b.nil_a).bin(b.value_a).bin(b.sig_a);
    e.array(3).boolean(b.nil_b).bin(b.value_b).bin(b.sig_b);
  }
  void operator()(const cycle_dues_body& b) const {
    e.array(3).uint(b.market).uint(b.cycle).array(static_cast<std::uint32_t>(b.dues.size()));
    for (const auto& d : b.dues)
      e.array(5).bin(d.party).uint(static_cast<std::uint8_t>(d.role)).bin(d.meter).sint(d.agreed_mwh).sint(d.tariff_uc);
  }
};

tx_body read_body(tx_kind kind, field_reader& r) {
  switch (kind) {
    case tx_kind::fund: {
      fund_body b;
      r.array(2);
      b.to = r.fixed<32>();
      b.amount_uc = r.i64();
      return b;
    }
    case tx_kind::energy_account_add: {
      energy_account_body b;
      r.array(2);
      b.energy_mwh = r.i64();
      b.price_ucpkwh = r.i64();
      return b;
    }
    case tx_kind::order_root: {
      order_root_body b;
      r.array(4);
      b.market = r.u64();
      b.cycle = r.u64();
      b.root = r.fixed<32>();
      b.order_count = r.u64();
      return b;
    }
    case tx_kind::clearing_result:
      return detail::read_clearing(r);
    case tx_kind::ctp_commit: {
      ctp_commit_body b;
      r.array(5);
      b.producer = r.fixed<32>();
      b.amount_uc = r.i64();
      b.energy_mwh = r.i64();
      b.expiry_height = r.u64();
      b.meter_root = r.fixed<32>();
      return b;
    }
    case tx_kind::erc: {
      erc_body b;
      r.array(4);
      b.ctp_id = r.u64();
      b.energy_mwh = r.i64();
      r.array(6);
      b.coe.root = r.fixed<32>();
      b.coe.key_count = r.u64();
      b.coe.manufacturer = r.fixed<32>();
      b.coe.signer = r.fixed<32>();
      b.coe.manufacturer_sig = r.fixed<64>();
      b.coe.signer_sig = r.fixed<64>();
      r.array(2);
      b.leaf_index = r.u64();
      const std::uint32_t n = r.array_up_to(max_merkle_depth);
      for (std::uint32_t i = 0; i < n && !r.failed(); ++i) b.siblings.push_back(r.fixed<32>());
      return b;
    }
    case tx_kind::ctp_timeout: {
      ctp_timeout_body b;
      r.array(1);
      b.ctp_id = r.u64();
      return b;
    }
    case tx_kind::meter_settlement: {
      meter_settlement_body b;
      r.array(9);
      b.market = r.u64();
      b.cycle = r.u64();
      b.party = r.fixed<32>();
      b.role = static_cast<party_role>(r.u64_max(1, "role"));
      b.agreed_mwh = r.i64();
      b.metered_mwh = r.i64();
      b.price_ucpkwh = r.i64();
      b.tariff_uc = r.i64();
      const std::uint32_t n = r.array_up_to(max_release_ctps);
      for (std::uint32_t i = 0; i < n && !r.failed(); ++i) b.release_ctps.push_back(r.u64());
      return b;
    }
    case tx_kind::grid_update: {
      grid_update_body b;
      r.array(3);
      b.grid_version = r.fixed<32>();
      b.distances_hash = r.fixed<32>();
      b.change = r.str();
      if (b.change.size() > max_change_note) r.fail("grid change note longer than 256 bytes");
      return b;
    }
    case tx_kind::evidence: {
      evidence_body b;
      r.array(6);
      b.height = r.u64();
      b.round = static_cast<std::uint32_t>(r.u64_max(UINT32_MAX, "round"));
      b.vote_kind = r.u8();
      b.voter = static_cast<std::uint32_t>(r.u64_max(UINT32_MAX, "voter"));
      r.array(3);
      b.nil_a = r.boolean();
      b.value_a = r.fixed<32>();
      b.sig_a = r.fixed<64>();
      r.array(3);
      b.nil_b = r.boolean();
      b.value_b = r.fixed<32>();
      b.sig_b = r.fixed<64>();
      return b;
    }
    case tx_kind::cycle_dues: {
      cycle_dues_body b;
      r.array(3);
      b.market = r.u64();
      b.cycle = r.u64();
      const std::uint32_t n = r.array_up_to(max_cycle_dues);
      b.dues.reserve(n);
      for (std::uint32_t i = 0; i < n && !r.failed(); ++i) {
        party_due d;
        r.array(5);
        d.party = r.fixed<32>();
        d.role = static_cast<party_role>(r.u64_max(1, "role"));
        d.meter = r.fixed<32>();
        d.agreed_mwh = r.i64();
        d.tariff_uc = r.i64();
        b.dues.push_back(d);
      }
      return b;
    }
    case tx_kind::dso_params: {
      dso_params_body b;
      r.array(2);
      b.charge_uc_per_m = r.i64();
      b.penalty_ucpkwh = r.i64();
      return b;
    }
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
  std::visit(body_encoder{e}, tx.body);
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

namespace {

bytes envelope_of(const bytes& payload, const signature& sig) {
  encoder e;
  e.array(2).bin(payload).bin(sig);
  return e.take();
}

}  // namespace

signed_transaction sign_transaction(const transaction& tx, std::string_view chain_id, const key_pair& key) {
  signed_transaction stx;
  stx.tx = tx;
  stx.payload = encode_payload(tx);
  stx.sig = sign(signing_domain(tx.kind()), chain_id, stx.payload, key);
  stx.envelope = envelope_of(stx.payload, stx.sig);
  stx.id = blake2b_256(stx.envelope);
  return stx;
}

result<signed_transaction> decode_envelope(const std::uint8_t* data, std::size_t size) {
  auto d = decoder::open(data, size);
  if (!d) return d.err();
  field_reader r(d.value());
  signed_transaction stx;
  r.array(2);
  stx.payload = r.bin();
  stx.sig = r.fixed<64>();
  auto s = r.finish();
  if (!s) return s.err();
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
