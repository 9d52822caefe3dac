#pragma once
// The carbon side chain's state and rules (spec/carbon.md sections 2, 3 and
// 6), as every carbon validator re-executes them: quota claims checked
// against the PV prosumer's own meter and recomputed (the check value is
// recorded and used, the estimate kept beside it), emissions reports signed
// by a verifier, one limit price per participant and period, the period's
// auction re-run from the state (a recorded result that differs is refused),
// and transfers of quota. A refused transaction changes nothing and says
// why with a stable reason ("quota-claimed", "auction-mismatch", ...).
// The block's transaction root is H(EOC root || TOC root): emissions
// accounting (claims, reports) and carbon trades (orders, results,
// transfers; a result contributes one leaf per trade, quota sold by x to y).
// Thread-safety: one owner; const members may be read from several threads.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/chain/carbon/carbon_transaction.hpp"

namespace voltaic::chain::carbon {

struct carbon_genesis {
  std::string chain_id;
  std::vector<public_key> validators;  // who record auction results
  std::vector<public_key> verifiers;   // who sign emissions reports
  std::vector<std::int64_t> deltas;    // the regulator's delta (g CO2/kWh) by version
  struct pvp_entry {
    public_key key{};
    public_key meter{};  // the meter whose monthly readings count
  };
  std::vector<pvp_entry> pvps;
  struct cec_entry {
    public_key key{};
    std::int64_t allowance_kg = 0;  // per period
  };
  std::vector<cec_entry> cecs;
};

struct quota_record {
  std::int64_t estimate_kg = 0;
  std::int64_t check_kg = 0;  // what counts
  bool corrected = false;     // the estimate differed
};

class carbon_ledger {
 public:
  explicit carbon_ledger(carbon_genesis genesis);

  // Checks and applies one transaction included at `height`.
  status apply(const signed_carbon_transaction& stx, std::uint64_t height);

  // What a validator records for `period`: the auction run on the orders and
  // balances of the state.
  auction_result_body run_auction(std::uint64_t period) const;

  // The auction recorded for `period`, if any.
  std::optional<auction_result_body> recorded_auction(std::uint64_t period) const {
    auto it = results_.find(period);
    if (it == results_.end()) return std::nullopt;
    return it->second;
  }

  // A participant's signed balance for a period (negative: it must buy).
  std::int64_t balance_kg(const public_key& who, std::uint64_t period) const;
  std::optional<quota_record> quota(const public_key& pvp, std::uint64_t year) const;
  bool auctioned(std::uint64_t period) const { return results_.count(period) > 0; }
  // The last nonce the signer used; 0 before its first transaction.
  std::uint64_t nonce_of(const public_key& signer) const {
    auto it = nonces_.find(signer);
    return it == nonces_.end() ? 0 : it->second;
  }
  // BLAKE2b-256 of the whole state in a canonical order: replicas agree on it.
  hash256 state_hash() const;
  const carbon_genesis& genesis() const { return genesis_; }

 private:
  status apply_claim(const public_key& pvp, const quota_claim_body& b);
  status apply_report(const public_key& signer, const emissions_report_body& b);
  status apply_order(const public_key& signer, const carbon_order_body& b);
  status apply_result(const public_key& signer, const auction_result_body& b);
  status apply_transfer(const public_key& signer, const transfer_body& b);
  // What the genesis says of a participant, found by key (the genesis lists
  // are read once: an auction asks this for every order).
  struct participant_entry {
    bool pvp = false;
    public_key meter{};         // a PVP's
    std::int64_t allowance_kg = 0;  // a CEC's
  };
  const participant_entry* participant(const public_key& k) const;
  bool is_pvp(const public_key& k) const;

  carbon_genesis genesis_;
  std::map<public_key, participant_entry> participants_;
  std::map<public_key, std::uint64_t> nonces_;
  std::map<public_key, std::uint64_t> meter_counters_;
  std::map<std::pair<public_key, std::uint64_t>, quota_record> quotas_;     // (pvp, year)
  std::map<std::pair<public_key, std::uint64_t>, std::int64_t> emissions_;  // (cec, period)
  std::map<std::pair<public_key, std::uint64_t>, std::int64_t> moved_;      // (participant, period): traded, transferred
  std::map<std::uint64_t, std::map<public_key, std::int64_t>> orders_;      // period -> participant -> limit price
  std::map<std::uint64_t, auction_result_body> results_;  // recorded, by period
};

// The transaction root of a carbon block's entries (see above).
hash256 carbon_tx_root(const std::vector<signed_carbon_transaction>& entries);

}  // namespace voltaic::chain::carbon
