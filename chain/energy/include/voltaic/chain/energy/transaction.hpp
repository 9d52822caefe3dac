#pragma once
// Transactions of the electricity chain (spec/protocols.md sections 2 and 3).
//
// Wire form, format version 1 (golden bytes pinned in tests/chain):
//   envelope = [payload: bin, signature: bin(64)]
//   payload  = [1, kind, signer: bin(32), nonce, expiry_height, body: array]
// The signature covers `domain tag || chain id || payload` exactly as
// received; a receiver verifies it before decoding and never re-encodes. The
// kind sits inside the signed payload, so a signature over one kind cannot be
// replayed as another. A transaction's id is BLAKE2b-256 of its envelope.
// An ERC and a meter settlement are signed by one of the meter's CoE keys
// (energy-receipt and meter-reading domains); their "nonce" is the meter's
// counter, and a replay is stopped by what they settle being used up.
// Body fields are listed below in their encoded order.
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
#include "voltaic/chain/core/merkle.hpp"

namespace voltaic::chain {

inline constexpr std::uint64_t tx_format_version = 1;

// Numeric tags are part of the format; never renumber.
enum class tx_kind : std::uint8_t {
  fund = 1,                // authority mints credits to an account (genesis/faucet in labs)
  energy_account_add = 2,  // producer offers energy at a price (SPB energy account)
  order_root = 3,          // validator fixes a cycle's order set by its Merkle root
  clearing_result = 4,     // validator records a cycle's clearing
  ctp_commit = 5,          // buyer commits to pay: a hold in the CTP database, never a block entry
  erc = 6,                 // buyer's meter confirms energy received: pays the producer
  ctp_timeout = 7,         // buyer drops an expired CTP: hold released
  meter_settlement = 8,    // seller's meter reads its delivery: grid charge and penalty (market.md 5.4)
  grid_update = 9,         // DSO publishes a grid version
  dso_params = 10,         // DSO sets the grid charge and the penalty
  evidence = 11,           // a validator signed two different votes for one step
  cycle_dues = 12,         // validator records what each party of a cleared cycle agreed
  // The escrow baseline SPB is measured against (protocols.md 3, item 5):
  // three block entries per trade where SPB needs one.
  escrow_deploy = 13,  // buyer sets up an escrow for a deal: nothing moves yet
  escrow_pay = 14,     // buyer pays the deal's amount into it
  escrow_payout = 15,  // buyer releases it on what its meter read: producer paid pro rata, the rest back
  escrow_refund = 16,  // buyer takes a paid escrow back after its expiry (the producer never delivered)
};
inline constexpr std::uint8_t tx_kind_max = 16;
const char* to_string(tx_kind kind);

// [to, amount_uc]
struct fund_body {
  public_key to{};
  std::int64_t amount_uc = 0;
};
// [energy_mwh, price_ucpkwh]
struct energy_account_body {
  std::int64_t energy_mwh = 0;
  std::int64_t price_ucpkwh = 0;
};
// [market, cycle, root, order_count]
struct order_root_body {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  hash256 root{};
  std::uint64_t order_count = 0;
};
// [market, cycle, mechanism, policy, case_number, price, price_adjusted,
//  traded_mwh, trades_root, trade_count]; mechanism and policy use the
// numbering of market/clearing.hpp.
struct clearing_result_body {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  std::uint8_t mechanism = 0;
  std::uint8_t policy = 0;
  std::uint8_t case_number = 0;
  std::int64_t price_ucpkwh = 0;
  bool price_adjusted = false;
  std::int64_t traded_mwh = 0;
  hash256 trades_root{};
  std::uint64_t trade_count = 0;
};
// [producer, amount_uc, charge_uc, energy_mwh, expiry_height, meter_key,
//  market, cycle]. Never a block entry: validators admit it into the CTP
// database (a block's side records, block.hpp), holding amount + charge of
// the buyer's balance. An ERC signed by `meter_key` — one of the CoE keys of
// the buyer's meter, so nothing names the meter itself — releases it:
// amount pro rata to the energy confirmed to the producer, the charge (the
// buyer's half of the grid charges) and the buyer's imbalance penalty to the
// DSO. market and cycle name the auction the hold pays for (0 and 0 for a
// bilateral deal).
struct ctp_commit_body {
  public_key producer{};
  std::int64_t amount_uc = 0;
  std::int64_t charge_uc = 0;
  std::int64_t energy_mwh = 0;
  std::uint64_t expiry_height = 0;
  public_key meter_key{};
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
};
// Certificate of Existence (protocols.md section 3), encoded
// [root, key_count, manufacturer, signer, manufacturer_sig, signer_sig]:
// `manufacturer` certified meter `signer`; `signer` signed the key-tree root.
struct certificate_of_existence {
  hash256 root{};
  std::uint64_t key_count = 0;
  public_key manufacturer{};
  public_key signer{};
  signature manufacturer_sig{};
  signature signer_sig{};
};
// [ctp_id, energy_mwh, coe, [leaf_index, [sibling...]]]; sides follow from the
// index and the CoE's key count.
struct erc_body {
  std::uint64_t ctp_id = 0;
  std::int64_t energy_mwh = 0;
  certificate_of_existence coe;
  std::uint64_t leaf_index = 0;
  std::vector<hash256> siblings;
};
// [ctp_id]
struct ctp_timeout_body {
  std::uint64_t ctp_id = 0;
};
enum class party_role : std::uint8_t { buyer = 0, seller = 1 };
// [market, cycle, party, metered_mwh, coe, [leaf_index, [sibling...]]]: a
// seller's meter reads what the seller delivered in a cycle, signed with the
// CoE key the seller's order named (under the meter-reading domain; the
// nonce is the meter's counter). It charges the seller's half of the grid
// charges and its imbalance penalty (market.md 5.4) to the DSO; the seller's
// income for energy comes from its buyers' ERCs. Stored as a reading receipt
// (receipt.hpp), without the CoE.
struct meter_settlement_body {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  public_key party{};
  std::int64_t metered_mwh = 0;
  certificate_of_existence coe;
  std::uint64_t leaf_index = 0;
  std::vector<hash256> siblings;
};
// [grid_version, distances_hash, change]
struct grid_update_body {
  hash256 grid_version{};
  hash256 distances_hash{};
  std::string change;  // what changed, for people ("open L12-22")
};
// [charge_uc_per_m, penalty_ucpkwh]
struct dso_params_body {
  std::int64_t charge_uc_per_m = 0;
  std::int64_t penalty_ucpkwh = 0;
};

// [height, round, vote_kind, voter, [nil, value_id, sig], [nil, value_id, sig]]:
// two consensus votes (chain/consensus.hpp) of `voter` for one step that differ.
struct evidence_body {
  std::uint64_t height = 0;
  std::uint32_t round = 0;
  std::uint8_t vote_kind = 0;  // 2 prevote, 3 precommit
  std::uint32_t voter = 0;     // index in the validator set
  bool nil_a = false;
  hash256 value_a{};
  signature sig_a{};
  bool nil_b = false;
  hash256 value_b{};
  signature sig_b{};
};

// One party's share of a cleared cycle: [party, role, meter, agreed_mwh,
// tariff_uc]; meter is the CoE key the party's order named.
struct party_due {
  public_key party{};
  party_role role = party_role::buyer;
  public_key meter{};
  std::int64_t agreed_mwh = 0;  // energy it agreed to trade this cycle
  std::int64_t tariff_uc = 0;   // its summed halves of the grid charges
};
// [market, cycle, [party_due...]], sorted by (party, role); follows the
// cycle's clearing_result in the same or a later block.
struct cycle_dues_body {
  std::uint64_t market = 0;
  std::uint64_t cycle = 0;
  std::vector<party_due> dues;
};

// [producer, amount_uc, energy_mwh, expiry_height]. The escrow is named by
// this transaction's id, so the buyer can sign its payment at once.
struct escrow_deploy_body {
  public_key producer{};
  std::int64_t amount_uc = 0;
  std::int64_t energy_mwh = 0;
  std::uint64_t expiry_height = 0;  // last height at which it may be paid out
};
// The id of the escrow a deploy transaction sets up: BLAKE2b-256 of its
// payload, known to the buyer before it is submitted.
struct transaction;
hash256 escrow_id_of(const transaction& deploy);
// [escrow]: escrow_pay, escrow_refund.
struct escrow_ref_body {
  hash256 escrow{};
};
struct escrow_pay_body : escrow_ref_body {};
struct escrow_refund_body : escrow_ref_body {};
// [escrow, received_mwh]: the producer gets amount * received / energy.
struct escrow_payout_body {
  hash256 escrow{};
  std::int64_t received_mwh = 0;
};

using tx_body = std::variant<fund_body, energy_account_body, order_root_body, clearing_result_body, ctp_commit_body,
                             erc_body, ctp_timeout_body, meter_settlement_body, grid_update_body, dso_params_body,
                             evidence_body, cycle_dues_body, escrow_deploy_body, escrow_pay_body,
                             escrow_payout_body, escrow_refund_body>;

struct transaction {
  public_key signer{};
  std::uint64_t nonce = 0;  // strictly increasing per signer; the meter's counter for a meter's kinds
  std::uint64_t expiry_height = 0;  // last height at which it may be included
  tx_body body;

  tx_kind kind() const { return static_cast<tx_kind>(body.index() + 1); }
};

// The domain a kind is signed under.
domain signing_domain(tx_kind kind);
// Kinds a meter signs with a CoE key: no account nonce, stored as receipts.
inline bool signed_by_meter(tx_kind kind) { return kind == tx_kind::erc || kind == tx_kind::meter_settlement; }

bytes encode_payload(const transaction& tx);
result<transaction> decode_payload(const std::uint8_t* data, std::size_t size);

struct signed_transaction {
  bytes payload;    // exactly the signed bytes
  signature sig{};
  transaction tx;   // decoded from payload
  bytes envelope;   // [payload, sig] as stored and hashed
  hash256 id{};     // BLAKE2b-256 of envelope
};

signed_transaction sign_transaction(const transaction& tx, std::string_view chain_id, const key_pair& key);
// The kind an envelope names, read from its first bytes without decoding:
// a filter for entries of blocks already executed. nullopt when the bytes
// are not laid out as sign_transaction writes them (decode those instead).
std::optional<tx_kind> peek_kind(const bytes& envelope);
// Decodes an envelope and its payload; does not check the signature.
result<signed_transaction> decode_envelope(const std::uint8_t* data, std::size_t size);
inline result<signed_transaction> decode_envelope(const bytes& b) { return decode_envelope(b.data(), b.size()); }
// The signature over the payload bytes as received, under the kind's domain.
bool signature_valid(const signed_transaction& stx, std::string_view chain_id);

// The messages a CoE's two signatures cover (both under the CoE domain).
bytes meter_certificate_message(const public_key& meter);
bytes coe_root_message(const hash256& root, std::uint64_t key_count);

}  // namespace voltaic::chain
