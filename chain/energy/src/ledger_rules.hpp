#pragma once
// What every rule of the electricity chain's state machine shares: refusals,
// money bounds, accounts, expiry and nonces (private to chain/energy).
// Thread-safety: functions of a state their caller owns.

#include <deque>
#include <string>
#include <utility>

#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::chain::detail {

using market::int128;

inline market::error refuse(const char* reason, const std::string& detail) { return chain_error(reason, detail); }

inline bool money_in_range(std::int64_t v) { return v > 0 && v <= max_money_uc; }

// Adds `delta` to a balance, refusing to leave [0, max_money_uc].
inline bool add_checked(std::int64_t balance, std::int64_t delta, std::int64_t& out) {
  const int128 sum = static_cast<int128>(balance) + delta;
  if (sum < 0 || sum > max_money_uc) return false;
  out = static_cast<std::int64_t>(sum);
  return true;
}

inline account account_of(const ledger_state& st, const public_key& k) {
  const account* a = st.accounts.find(k);
  return a ? *a : account{};
}

// The part every signed account transaction shares: expiry and nonce. The
// signature was checked before.
inline status check_expiry_and_nonce(const ledger_state& st, const transaction& tx, std::uint64_t height) {
  if (tx.expiry_height < height)
    return refuse("tx-expired", "expiry height " + std::to_string(tx.expiry_height) + " is before block " +
                                    std::to_string(height));
  if (signed_by_meter(tx.kind())) return {};  // a replay is stopped by what it settles being used up
  const account* a = st.accounts.find(tx.signer);
  const std::uint64_t last = !a ? 0 : tx.kind() == tx_kind::ctp_commit ? a->ctp_nonce : a->nonce;
  if (tx.nonce <= last)
    return refuse("nonce-stale", "nonce " + std::to_string(tx.nonce) + " is not above " + std::to_string(last));
  return {};
}

inline void bump_nonce(ledger_state& st, const transaction& tx) {
  account a = account_of(st, tx.signer);
  a.nonce = tx.nonce;
  st.accounts.put(tx.signer, a);
}

// Balance changes checked together before any is written, so a refusal
// leaves the state as it was; the accounts of one payment may be the same.
class staged_accounts {
 public:
  explicit staged_accounts(const ledger_state& st) : st_(st) {}
  account& at(const public_key& k) {
    for (auto& [key, a] : items_)
      if (key == k) return a;
    items_.emplace_back(k, account_of(st_, k));
    return items_.back().second;
  }
  // Adds `delta` to k's balance; false if the balance would fall below its
  // holds or rise above max_money_uc.
  bool add(const public_key& k, int128 delta) {
    account& a = at(k);
    const int128 next = static_cast<int128>(a.balance_uc) + delta;
    if (next < a.held_uc || next > max_money_uc) return false;
    a.balance_uc = static_cast<std::int64_t>(next);
    return true;
  }
  void write(ledger_state& st) const {
    for (const auto& [k, a] : items_) st.accounts.put(k, a);
  }

 private:
  const ledger_state& st_;
  std::deque<std::pair<public_key, account>> items_;  // stable references
};

}  // namespace voltaic::chain::detail
