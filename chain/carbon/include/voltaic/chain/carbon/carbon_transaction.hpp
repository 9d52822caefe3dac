#pragma once
// Transactions of the carbon side chain (spec/carbon.md section 6,
// protocols.md section 7).
//
// Wire form, format version 1, the electricity chain's layout on its own
// chain id (so nothing signed for one chain verifies on the other):
//   envelope = [payload: bin, signature: bin(64)]
//   payload  = [1, kind, signer: bin(32), nonce, expiry_height, body: array]
// The signature covers `domain tag || chain id || payload` (transaction
// domain); a transaction's id is BLAKE2b-256 of its envelope. Body fields
// are listed below in their encoded order; participants are named by their
// public keys. Kinds 6-10 are kept for the peg with the electricity chain
// (lock, proof, mint, reject, unlock).
// Thread-safety: plain values and pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/core/hash.hpp"
#include "voltaic/chain/core/keys.hpp"

namespace voltaic::chain::carbon {

inline constexpr std::uint64_t carbon_format_version = 1;

// Numeric tags are part of the format; never renumber.
enum class carbon_kind : std::uint8_t {
  quota_claim = 1,      // a PV prosumer claims its year's quota from twelve signed monthly readings
  emissions_report = 2, // a verifier's signed emissions of a CEC for a period
  carbon_order = 3,     // a participant's one limit price for a period's auction
  auction_result = 4,   // a validator's record of a period's auction, re-run by every validator
  transfer = 5,         // quota handed from the signer to another participant
};
inline constexpr std::uint8_t carbon_kind_max = 5;
const char* to_string(carbon_kind kind);

// A month's generation total, signed by the PV prosumer's meter under the
// meter-reading domain over [ "carbon-month", pvp, year, month, mwh, counter ]:
// [meter, year, month, mwh, counter, signature].
struct monthly_reading {
  public_key meter{};
  std::uint64_t year = 0;
  std::uint8_t month = 0;   // 1..12
  std::int64_t mwh = 0;     // >= 0
  std::uint64_t counter = 0;  // the meter's, rising
  signature sig{};
};
bytes monthly_reading_message(const public_key& pvp, const monthly_reading& r);
monthly_reading sign_monthly_reading(const public_key& pvp, std::uint64_t year, std::uint8_t month, std::int64_t mwh,
                                     std::uint64_t counter, std::string_view chain_id, const key_pair& meter);

// [year, delta_version, [monthly_reading...], estimate_kg]: the signer is the PVP.
struct quota_claim_body {
  std::uint64_t year = 0;
  std::uint32_t delta_version = 0;
  std::vector<monthly_reading> readings;  // twelve
  std::int64_t estimate_kg = 0;            // what the PVP publishes; the check value counts
};

// [cec, period, kg, verifier, verifier_sig]: the verifier signs
// [ "carbon-emissions", cec, period, kg ] under the transaction domain.
struct emissions_report_body {
  public_key cec{};
  std::uint64_t period = 0;
  std::int64_t kg = 0;
  public_key verifier{};
  signature verifier_sig{};
};
bytes emissions_message(const public_key& cec, std::uint64_t period, std::int64_t kg);

// [period, price_ucpt]: the balance comes from the state.
struct carbon_order_body {
  std::uint64_t period = 0;
  std::int64_t price_ucpt = 0;
};

// [buyer, seller, phase, quantity_kg, price_ucpt, turnover_uc]
struct auction_trade {
  public_key buyer{};
  public_key seller{};
  std::uint8_t phase = 1;
  std::int64_t quantity_kg = 0;
  std::int64_t price_ucpt = 0;
  std::int64_t turnover_uc = 0;
};
inline bool operator==(const auction_trade& a, const auction_trade& b) {
  return a.buyer == b.buyer && a.seller == b.seller && a.phase == b.phase && a.quantity_kg == b.quantity_kg &&
         a.price_ucpt == b.price_ucpt && a.turnover_uc == b.turnover_uc;
}
// [participant, quantity_kg]
struct auction_left_over {
  public_key participant{};
  std::int64_t quantity_kg = 0;
};
inline bool operator==(const auction_left_over& a, const auction_left_over& b) {
  return a.participant == b.participant && a.quantity_kg == b.quantity_kg;
}
// [period, order_root, [trade...], [short...], [unsold...]]
struct auction_result_body {
  std::uint64_t period = 0;
  hash256 order_root{};
  std::vector<auction_trade> trades;
  std::vector<auction_left_over> short_of;
  std::vector<auction_left_over> unsold;
};

// [to, period, kg]
struct transfer_body {
  public_key to{};
  std::uint64_t period = 0;
  std::int64_t kg = 0;
};

// An auction result alone, as the "recorded" query answers it.
bytes encode_auction_result(const auction_result_body& b);
result<auction_result_body> decode_auction_result(const bytes& raw);

using carbon_body =
    std::variant<quota_claim_body, emissions_report_body, carbon_order_body, auction_result_body, transfer_body>;

struct carbon_transaction {
  public_key signer{};
  std::uint64_t nonce = 0;          // strictly increasing per signer
  std::uint64_t expiry_height = 0;  // last height at which it may be included
  carbon_body body;

  carbon_kind kind() const { return static_cast<carbon_kind>(body.index() + 1); }
};

struct signed_carbon_transaction {
  bytes payload;
  signature sig{};
  carbon_transaction tx;
  bytes envelope;
  hash256 id{};
};

bytes encode_payload(const carbon_transaction& tx);
result<carbon_transaction> decode_carbon_payload(const std::uint8_t* data, std::size_t size);
signed_carbon_transaction sign_carbon_transaction(const carbon_transaction& tx, std::string_view chain_id,
                                                  const key_pair& key);
// Decodes an envelope and its payload; does not check the signature.
result<signed_carbon_transaction> decode_carbon_envelope(const std::uint8_t* data, std::size_t size);
bool signature_valid(const signed_carbon_transaction& stx, std::string_view chain_id);

}  // namespace voltaic::chain::carbon
