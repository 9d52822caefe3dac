#pragma once
// The SPB rules of the electricity chain (spec/protocols.md section 3,
// market.md 5.4; private to chain/energy): CTPs admitted into the CTP
// database, released by the ERC of the meter key they name (the producer
// paid pro rata, the DSO its charge and the buyer's imbalance penalty) or
// timed out by their buyer after expiry, and a seller's own reading charging
// its grid charge and penalty. Each checks everything before it changes
// anything, so a refusal leaves the state as it was.
// Thread-safety: functions of a state their caller owns.

#include <cstdint>

#include "voltaic/chain/core/error.hpp"
#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"

namespace voltaic::chain::detail {

// A CTP (the buyer's signed transaction) into the CTP database.
status admit_ctp(ledger_state& st, const signed_transaction& stx, std::uint64_t height);
status apply_erc(ledger_state& st, const transaction& tx, const erc_body& b, std::uint64_t height);
status apply_timeout(ledger_state& st, const transaction& tx, const ctp_timeout_body& b, std::uint64_t height);
status apply_settlement(ledger_state& st, const transaction& tx, const meter_settlement_body& b);

// What a stored receipt replays (its signatures checked when the block was
// made): an ERC's release (`signer` nullptr) and a seller's reading.
status settle_ctp(ledger_state& st, std::uint64_t id, std::int64_t energy, const public_key* signer,
                  std::uint64_t height);
status settle_seller(ledger_state& st, std::uint64_t market_id, std::uint64_t cycle, const public_key& party,
                     std::int64_t metered_mwh, const public_key& signer);

}  // namespace voltaic::chain::detail
