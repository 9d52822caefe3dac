#pragma once
// The escrow baseline's rules (transaction.hpp, escrow_*; private to
// chain/energy): every step is the buyer's own transaction, checked whole
// before anything changes. Escrowed money is off every balance while the
// escrow holds it: money is conserved as balances plus paid escrows.
// Thread-safety: functions of a state their caller owns.

#include <cstdint>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain::detail {

status apply_escrow_deploy(ledger_state& st, const transaction& tx, const escrow_deploy_body& b, std::uint64_t height);
status apply_escrow_pay(ledger_state& st, const transaction& tx, const escrow_pay_body& b, std::uint64_t height);
status apply_escrow_payout(ledger_state& st, const transaction& tx, const escrow_payout_body& b, std::uint64_t height);
status apply_escrow_refund(ledger_state& st, const transaction& tx, const escrow_refund_body& b, std::uint64_t height);

}  // namespace voltaic::chain::detail
