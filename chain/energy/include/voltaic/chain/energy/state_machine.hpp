#pragma once
// The deterministic state machine of the electricity chain: applying a block
// to a state gives the next state, identically on every replica.
//
// Transactions are checked statelessly (signature over the received payload,
// format, ranges, expiry) and then statefully (nonce, balance and holds,
// authorisation, CTP rules); a refusal is a stable reason string such as
// "nonce-stale" or "ctp-expired" and leaves the state untouched. A block that
// fails anywhere rolls back to the state before it.
// SPB rules (spec/protocols.md section 3): a CTP holds the buyer's money in
// the CTP database; a valid ERC pays the producer pro rata to the energy
// received (half-to-even to the micro-credit) and releases the rest; after
// expiry only a timeout from the buyer can drop it. Settlement follows
// market.md 5.4 with the DSO as counterparty of every bill and income.
// Thread-safety: none; callers own the state.

#include <cstdint>
#include <utility>
#include <optional>
#include <string>
#include <vector>

#include "voltaic/chain/energy/ledger_state.hpp"
#include "voltaic/chain/energy/transaction.hpp"
#include "voltaic/chain/node/block.hpp"

namespace voltaic::chain {

class coe_verdicts;

// The transaction's signature, checked once per state lineage (see
// ledger_state::verified).
bool signature_checked(const ledger_state& st, const signed_transaction& stx);

// Checks the signatures of many envelopes at once, on several cores (see
// parallel.hpp), and remembers those that hold, so that admitting the
// envelopes one by one afterwards checks no signature again. Envelopes that
// do not decode or verify are left for the one-by-one path to refuse.
void preverify(const ledger_state& st, const std::vector<bytes>& envelopes);
// The same for transactions already decoded (a proposer's own, say).
void preverify(const ledger_state& st, const std::vector<signed_transaction>& txs);

// An envelope checked without any state: decoded (nullopt where it does not
// decode) and whether its signature holds. Checking needs no state, so it
// may run on any thread while the ledger's owner goes on (see
// envelope_checker.hpp); remember_checked() then hands the result to a state.
struct checked_transaction {
  std::optional<signed_transaction> tx;
  hash256 memo_key{};  // what ledger_state::verified remembers
  bool signature_holds = false;
  // A meter's transaction: its CoE's id, and whether the CoE's two
  // signatures hold (whether the chain knows its manufacturer needs a state).
  hash256 coe{};
  bool coe_holds = false;
};
// `known` and `known_coes`, when given, hold signatures and CoEs checked
// already (a state's memo): those are not checked again. `verdicts`, when
// given, decides each other CoE once for all checks that share it.
checked_transaction check_transaction(const bytes& envelope, const std::string& chain_id,
                                      const verified_set* known = nullptr, const verified_set* known_coes = nullptr,
                                      coe_verdicts* verdicts = nullptr);
// Remembers a signature found to hold, so that admitting the transaction
// checks it no more. Call on the state's owner's thread.
void remember_checked(const ledger_state& st, const checked_transaction& checked);

// Applies one transaction as part of block `height`. On success `entry` is
// what the block stores for it (the envelope, or an ERC's receipt).
status apply_transaction(ledger_state& st, const signed_transaction& stx, std::uint64_t height, bytes& entry);

struct block_options {
  // Receipts must come with their ERC (a live proposal); when false (replay of
  // a certified chain from disk) a receipt's ERC signatures are not rechecked.
  bool require_erc_witness = false;
};

// Executes `b` on `st`: header fields, entries, tx root, state root and CTP
// database hash. On success `st` holds the state after `b` with its journal
// still open (commit the changes, then call finish_block); on failure `st` is
// unchanged and the error names the entry and reason.
result<state_changes> execute_block(ledger_state& st, const block& b, const std::vector<signed_transaction>& ercs,
                                    const block_options& options = {});

struct built_block {
  block blk;
  state_changes changes;
  std::vector<signed_transaction> ercs;  // the full ERCs behind the block's receipts
  std::vector<std::pair<hash256, market::error>> rejected;  // transaction id, reason
};

// Proposes the next block from candidate transactions, leaving out invalid
// ones with their reasons. `st` is left as execute_block leaves it.
built_block build_block(ledger_state& st, const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                        const public_key& proposer);

// Block 0 from a genesis document; `st` must be empty.
result<std::pair<block, state_changes>> build_genesis(ledger_state& st, const genesis_config& g);

// Re-executes a stored block 0 on an empty state.
result<state_changes> execute_genesis(ledger_state& st, const block& b);

// After the changes of `b` are durable: closes the journal and moves the head.
void finish_block(ledger_state& st, const block& b);

}  // namespace voltaic::chain
