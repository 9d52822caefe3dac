#include "voltaic/chain/energy/state_machine.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "ledger_rules.hpp"
#include "escrow_rules.hpp"
#include "spb_payments.hpp"
#include "voltaic/chain/core/merkle.hpp"
#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::chain {

namespace {

// The block's witnesses (ERCs and meter settlements, with their CoEs) by
// id, for its receipt entries.
using erc_index = std::unordered_map<hash256, const signed_transaction*, key_hasher>;
using namespace detail;

constexpr std::size_t max_block_items = 65'536;  // the store indexes an item in 16 bits

status apply_fund(ledger_state& st, const transaction& tx, const fund_body& b) {
  if (tx.signer != st.genesis.authority) return refuse("not-authorised", "only the authority key may fund accounts");
  if (!money_in_range(b.amount_uc)) return refuse("amount-out-of-range", "funding amount outside 1..1e18 uc");
  account to = account_of(st, b.to);
  std::int64_t next = 0;
  if (!add_checked(to.balance_uc, b.amount_uc, next)) return refuse("balance-overflow", "funding would overflow");
  bump_nonce(st, tx);
  // Read again: the authority may fund itself, and its nonce just moved.
  to = account_of(st, b.to);
  to.balance_uc = next;
  st.accounts.put(b.to, to);
  return {};
}

status apply_energy_account(ledger_state& st, const transaction& tx, const energy_account_body& b) {
  if (!market::energy_in_range(b.energy_mwh)) return refuse("energy-out-of-range", "offered energy outside 1 mWh..1 GWh");
  if (!market::price_in_range(b.price_ucpkwh)) return refuse("price-out-of-range", "price outside 0..1e12 uc/kWh");
  energy_account a;
  if (const energy_account* old = st.energy_accounts.find(tx.signer)) a = *old;
  if (a.energy_mwh + b.energy_mwh > market::max_order_energy * 1000)
    return refuse("energy-out-of-range", "energy account would exceed 1 TWh");
  a.energy_mwh += b.energy_mwh;
  a.price_ucpkwh = b.price_ucpkwh;
  bump_nonce(st, tx);
  st.energy_accounts.put(tx.signer, a);
  return {};
}

status apply_order_root(ledger_state& st, const transaction& tx, const order_root_body& b) {
  if (!st.is_validator(tx.signer)) return refuse("not-validator", "only a validator fixes an order set");
  const cycle_key key{b.market, b.cycle};
  if (st.order_roots.find(key))
    return refuse("order-root-exists", "market " + std::to_string(b.market) + " cycle " + std::to_string(b.cycle));
  bump_nonce(st, tx);
  st.order_roots.put(key, {b.root, b.order_count});
  return {};
}

status apply_clearing(ledger_state& st, const transaction& tx, const clearing_result_body& b) {
  if (!st.is_validator(tx.signer)) return refuse("not-validator", "only a validator records a clearing");
  if (b.mechanism > 1 || b.policy > 1 || b.case_number > 4)
    return refuse("bad-clearing", "mechanism, policy or case outside its values");
  if (!market::price_in_range(b.price_ucpkwh)) return refuse("price-out-of-range", "clearing price");
  if (b.traded_mwh < 0) return refuse("energy-out-of-range", "traded energy is negative");
  const cycle_key key{b.market, b.cycle};
  if (!st.order_roots.find(key)) return refuse("order-root-missing", "no order set fixed for this cycle");
  if (st.clearings.find(key)) return refuse("clearing-exists", "this cycle is already cleared");
  bump_nonce(st, tx);
  st.clearings.put(key, b);
  return {};
}

status apply_cycle_dues(ledger_state& st, const transaction& tx, const cycle_dues_body& b) {
  if (!st.is_validator(tx.signer)) return refuse("not-validator", "only a validator records a cycle's dues");
  const cycle_key key{b.market, b.cycle};
  const clearing_result_body* clearing = st.clearings.find(key);
  if (!clearing) return refuse("clearing-missing", "no clearing recorded for this cycle");
  if (st.dues_recorded.find(key)) return refuse("dues-exist", "this cycle's dues are already recorded");
  int128 bought = 0, sold = 0;
  for (std::size_t i = 0; i < b.dues.size(); ++i) {
    const party_due& d = b.dues[i];
    const std::string at = "due " + std::to_string(i);
    if (i > 0 && !(std::tie(b.dues[i - 1].party, b.dues[i - 1].role) < std::tie(d.party, d.role)))
      return refuse("bad-dues", at + " is not in (party, role) order or repeats one");
    if (!market::energy_in_range(d.agreed_mwh)) return refuse("energy-out-of-range", at + ": agreed energy");
    if (d.tariff_uc < 0 || d.tariff_uc > max_money_uc) return refuse("amount-out-of-range", at + ": tariff");
    if (d.party == st.genesis.dso) return refuse("bad-dues", at + ": the DSO is the counterparty, not a party");
    (d.role == party_role::buyer ? bought : sold) += d.agreed_mwh;
  }
  // Energy is conserved per cycle: what buyers agreed to take is what sellers
  // agreed to give, and both are the clearing's traded energy.
  if (bought != sold || bought != clearing->traded_mwh)
    return refuse("bad-dues", "agreed energy does not add up to the clearing's traded energy");
  for (const auto& d : b.dues)
    st.dues.put({b.market, b.cycle, d.party, static_cast<std::uint8_t>(d.role)}, {d.agreed_mwh, d.tariff_uc, d.meter});
  st.dues_recorded.put(key, b.dues.size());
  bump_nonce(st, tx);
  return {};
}

status apply_grid_update(ledger_state& st, const transaction& tx, const grid_update_body& b, std::uint64_t height) {
  if (tx.signer != st.genesis.dso) return refuse("not-dso", "only the DSO key may update the grid");
  bump_nonce(st, tx);
  st.grid.put(0, {b.grid_version, b.distances_hash, height});
  return {};
}

status apply_dso_params(ledger_state& st, const transaction& tx, const dso_params_body& b) {
  if (tx.signer != st.genesis.dso) return refuse("not-dso", "only the DSO key may set charges and penalties");
  if (b.charge_uc_per_m < 0 || b.charge_uc_per_m > max_money_uc) return refuse("amount-out-of-range", "charge");
  if (!market::price_in_range(b.penalty_ucpkwh)) return refuse("price-out-of-range", "penalty");
  bump_nonce(st, tx);
  st.dso_params.put(0, {b.charge_uc_per_m, b.penalty_ucpkwh});
  return {};
}

status apply_evidence(ledger_state& st, const transaction& tx, const evidence_body& b, std::uint64_t height) {
  if (!st.is_validator(tx.signer)) return refuse("not-validator", "only a validator reports evidence");
  const auto& validators = st.genesis.validators;
  if (b.voter >= validators.size()) return refuse("bad-evidence", "the voter is not in the validator set");
  if (b.vote_kind != 2 && b.vote_kind != 3) return refuse("bad-evidence", "not a prevote or precommit");
  if (b.height > height) return refuse("bad-evidence", "votes from a future height");
  if (b.nil_a == b.nil_b && (b.nil_a || b.value_a == b.value_b))
    return refuse("bad-evidence", "the two votes are the same");
  auto vote = [&](bool nil, const hash256& id, const signature& sig) {
    consensus_vote v;
    v.kind = static_cast<vote_kind>(b.vote_kind);
    v.height = b.height;
    v.round = b.round;
    v.nil = nil;
    v.value_id = nil ? hash256{} : id;
    v.voter = b.voter;
    return verify(domain::consensus_vote, st.genesis.chain_id, vote_sign_bytes(v), sig, validators[b.voter].key);
  };
  if (!vote(b.nil_a, b.value_a, b.sig_a) || !vote(b.nil_b, b.value_b, b.sig_b))
    return refuse("bad-evidence", "a vote signature does not verify");
  const evidence_key key{b.voter, b.height, b.round, b.vote_kind};
  if (st.evidence.find(key)) return refuse("evidence-exists", "this equivocation is already recorded");
  bump_nonce(st, tx);
  st.evidence.put(key, height);
  return {};
}

// Every handler checks before it changes anything, so a refusal leaves the
// state as it was.
status dispatch(ledger_state& st, const transaction& tx, std::uint64_t height) {
  if (auto s = check_expiry_and_nonce(st, tx, height); !s) return s;
  return std::visit(
      [&](const auto& b) -> status {
        using B = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<B, fund_body>) return apply_fund(st, tx, b);
        else if constexpr (std::is_same_v<B, energy_account_body>) return apply_energy_account(st, tx, b);
        else if constexpr (std::is_same_v<B, order_root_body>) return apply_order_root(st, tx, b);
        else if constexpr (std::is_same_v<B, clearing_result_body>) return apply_clearing(st, tx, b);
        else if constexpr (std::is_same_v<B, ctp_commit_body>)
          return refuse("ctp-not-an-entry", "a CTP goes into the CTP database, never into a block's body");
        else if constexpr (std::is_same_v<B, erc_body>) return apply_erc(st, tx, b, height);
        else if constexpr (std::is_same_v<B, ctp_timeout_body>) return apply_timeout(st, tx, b, height);
        else if constexpr (std::is_same_v<B, meter_settlement_body>) return apply_settlement(st, tx, b);
        else if constexpr (std::is_same_v<B, grid_update_body>) return apply_grid_update(st, tx, b, height);
        else if constexpr (std::is_same_v<B, dso_params_body>) return apply_dso_params(st, tx, b);
        else if constexpr (std::is_same_v<B, cycle_dues_body>) return apply_cycle_dues(st, tx, b);
        else if constexpr (std::is_same_v<B, escrow_deploy_body>) return apply_escrow_deploy(st, tx, b, height);
        else if constexpr (std::is_same_v<B, escrow_pay_body>) return apply_escrow_pay(st, tx, b, height);
        else if constexpr (std::is_same_v<B, escrow_payout_body>) return apply_escrow_payout(st, tx, b, height);
        else if constexpr (std::is_same_v<B, escrow_refund_body>) return apply_escrow_refund(st, tx, b, height);
        else return apply_evidence(st, tx, b, height);
      },
      tx.body);
}

// The receipt a meter's transaction is stored as; taken before it applies
// (an ERC's CTP leaves the database when it is released).
bytes receipt_entry(const ledger_state& st, const signed_transaction& stx) {
  if (const auto* e = std::get_if<erc_body>(&stx.tx.body)) {
    const ctp_record* c = st.ctps.find(e->ctp_id);
    return encode_receipt({stx.id, e->ctp_id, e->energy_mwh, c ? c->envelope : bytes{}});
  }
  const auto& m = std::get<meter_settlement_body>(stx.tx.body);
  return encode_reading_receipt({stx.id, stx.tx.signer, m.market, m.cycle, m.party, m.metered_mwh});
}

market::error at_entry(std::size_t index, const market::error& e) {
  return market::make_error(e.code, e.message + " (entry " + std::to_string(index) + ")");
}

// Header fields every block must agree with before its entries are looked at.
status check_header(const ledger_state& st, const block& b) {
  const auto& h = b.header;
  if (h.chain_id != st.genesis.chain_id) return refuse("bad-block-chain-id", "block of chain '" + h.chain_id + "'");
  if (h.height != st.height + 1)
    return refuse("bad-block-height", "expected height " + std::to_string(st.height + 1) + ", found " +
                                          std::to_string(h.height));
  if (h.prev_hash != st.head_hash) return refuse("bad-block-prev-hash", "does not extend the head");
  if (h.time_ms < st.head_time_ms) return refuse("bad-block-time", "time goes backwards");
  if (h.validator_set_hash != validator_set_hash(st.genesis.validators))
    return refuse("bad-block-validator-set", "validator set hash differs");
  if (!st.is_validator(h.proposer)) return refuse("bad-block-proposer", "proposer is not a validator");
  if (h.tx_root != entries_root(b.entries)) return refuse("bad-block-tx-root", "entries do not match the tx root");
  return {};
}

// The state root and CTP hash after the entries; compared with the header.
status check_results(ledger_state& st, const block& b, state_changes& changes) {
  changes = st.changes();
  if (next_state_root(st.state_root, changes) != b.header.state_root)
    return refuse("bad-block-state-root", "the state after the block differs");
  if (st.compute_ctp_db_hash() != b.header.ctp_db_hash)
    return refuse("bad-block-ctp-hash", "the CTP database after the block differs");
  return {};
}

// A stored receipt replayed without its witness (a certified chain): what it
// changed, its signatures having been checked when the block was made.
status replay_receipt(ledger_state& st, const bytes& entry, std::uint64_t height) {
  if (kind_of_receipt(entry) == receipt_kind::erc) {
    auto rc = decode_receipt(entry.data(), entry.size());
    if (!rc) return rc.err();
    const ctp_record* c = st.ctps.find(rc.value().ctp_id);
    if (c && c->envelope != rc.value().ctp) return refuse("bad-receipt", "the receipt's CTP is not the one released");
    return settle_ctp(st, rc.value().ctp_id, rc.value().energy_mwh, nullptr, height);
  }
  auto rc = decode_reading_receipt(entry.data(), entry.size());
  if (!rc) return rc.err();
  const auto& r = rc.value();
  return settle_seller(st, r.market, r.cycle, r.party, r.metered_mwh, r.meter_key);
}

status apply_entry(ledger_state& st, const bytes& entry, std::uint64_t height,
                   const erc_index& witnesses, const block_options& options) {
  if (is_receipt_entry(entry)) {
    if (!kind_of_receipt(entry)) return refuse("bad-receipt", "not a receipt this chain writes");
    auto it = witnesses.find(entry_id(entry));
    if (it != witnesses.end()) {
      const signed_transaction& w = *it->second;
      if (!signed_by_meter(w.tx.kind()) || receipt_entry(st, w) != entry)
        return refuse("bad-receipt", "the receipt differs from its witness");
      if (!signature_checked(st, w)) return refuse("bad-signature", std::string(to_string(w.tx.kind())) + " signature");
      return dispatch(st, w.tx, height);
    }
    if (options.require_erc_witness) return refuse("erc-missing", "a receipt arrived without its witness");
    return replay_receipt(st, entry, height);
  }
  auto stx = decode_envelope(entry);
  if (!stx) return stx.err();
  if (signed_by_meter(stx.value().tx.kind())) return refuse("bad-entry", "a meter's transaction is stored as its receipt");
  if (!signature_checked(st, stx.value()))
    return refuse("bad-signature", std::string("signature over a ") + to_string(stx.value().tx.kind()));
  return dispatch(st, stx.value().tx, height);
}

status apply_side_record(ledger_state& st, const bytes& record, std::uint64_t height) {
  auto stx = decode_envelope(record);
  if (!stx) return stx.err();
  if (!signature_checked(st, stx.value()))
    return refuse("bad-signature", std::string("signature over a ") + to_string(stx.value().tx.kind()));
  return admit_ctp(st, stx.value(), height);
}

}  // namespace

status apply_transaction(ledger_state& st, const signed_transaction& stx, std::uint64_t height, bytes& entry) {
  if (!signature_checked(st, stx))
    return refuse("bad-signature", std::string("signature over a ") + to_string(stx.tx.kind()));
  if (stx.tx.kind() == tx_kind::ctp_commit) {
    if (auto s = admit_ctp(st, stx, height); !s) return s;
    entry = stx.envelope;
    return {};
  }
  bytes stored = signed_by_meter(stx.tx.kind()) ? receipt_entry(st, stx) : stx.envelope;
  if (auto s = dispatch(st, stx.tx, height); !s) return s;
  entry = std::move(stored);
  return {};
}

result<state_changes> execute_block(ledger_state& st, const block& b, const std::vector<signed_transaction>& ercs,
                                    const block_options& options) {
  if (auto s = check_header(st, b); !s) return s.err();
  erc_index by_id;
  for (const auto& e : ercs) by_id.emplace(e.id, &e);
  if (b.item_count() > max_block_items) return refuse("bad-block-size", "more than 65,536 entries and side records");
  // The CTPs the block admits come first: an ERC of the same block may release one.
  for (std::size_t i = 0; i < b.side.size(); ++i) {
    if (auto s = apply_side_record(st, b.side[i], b.header.height); !s) {
      st.rollback();
      return market::make_error(s.err().code, s.err().message + " (side record " + std::to_string(i) + ")");
    }
  }
  for (std::size_t i = 0; i < b.entries.size(); ++i) {
    if (auto s = apply_entry(st, b.entries[i], b.header.height, by_id, options); !s) {
      st.rollback();
      return at_entry(i, s.err());
    }
  }
  state_changes changes;
  if (auto s = check_results(st, b, changes); !s) {
    st.rollback();
    return s.err();
  }
  return changes;
}

built_block build_block(ledger_state& st, const std::vector<signed_transaction>& txs, std::uint64_t time_ms,
                        const public_key& proposer) {
  built_block out;
  const std::uint64_t height = st.height + 1;
  // CTPs first, as execute_block applies them, then the body's transactions.
  for (const bool side : {true, false})
    for (const auto& stx : txs) {
      if ((stx.tx.kind() == tx_kind::ctp_commit) != side) continue;
      if (out.blk.item_count() >= max_block_items) {
        out.rejected.emplace_back(stx.id, refuse("bad-block-size", "the block is full"));
        continue;
      }
      bytes entry;
      if (auto s = apply_transaction(st, stx, height, entry); !s) {
        out.rejected.emplace_back(stx.id, s.err());
        continue;
      }
      (side ? out.blk.side : out.blk.entries).push_back(std::move(entry));
      if (signed_by_meter(stx.tx.kind())) out.ercs.push_back(stx);
    }
  auto& h = out.blk.header;
  h.chain_id = st.genesis.chain_id;
  h.height = height;
  h.prev_hash = st.head_hash;
  h.time_ms = std::max(time_ms, st.head_time_ms);
  h.proposer = proposer;
  h.tx_root = entries_root(out.blk.entries);
  out.changes = st.changes();
  h.state_root = next_state_root(st.state_root, out.changes);
  h.ctp_db_hash = st.compute_ctp_db_hash();
  h.validator_set_hash = validator_set_hash(st.genesis.validators);
  seal(out.blk);
  return out;
}

result<std::pair<block, state_changes>> build_genesis(ledger_state& st, const genesis_config& g) {
  const bytes doc = encode_genesis(g);
  auto checked = decode_genesis(doc.data(), doc.size());
  if (!checked) return checked.err();
  st.genesis = checked.value();
  for (const auto& [key, amount] : g.balances) st.accounts.put(key, account{amount, 0, 0});
  block b;
  b.entries.push_back(doc);
  auto& h = b.header;
  h.chain_id = g.chain_id;
  h.height = 0;
  h.time_ms = g.time_ms;
  h.tx_root = entries_root(b.entries);
  state_changes changes = st.changes();
  h.state_root = next_state_root(hash256{}, changes);
  h.ctp_db_hash = st.compute_ctp_db_hash();
  h.validator_set_hash = validator_set_hash(g.validators);
  seal(b);
  return std::make_pair(std::move(b), std::move(changes));
}

result<state_changes> execute_genesis(ledger_state& st, const block& b) {
  if (b.header.height != 0 || b.entries.size() != 1)
    return refuse("bad-genesis", "block 0 must hold exactly the genesis document");
  auto g = decode_genesis(b.entries[0].data(), b.entries[0].size());
  if (!g) return g.err();
  auto built = build_genesis(st, g.value());
  if (!built) return built.err();
  if (built.value().first.hash != b.hash) {
    st = ledger_state{};
    return refuse("bad-genesis", "block 0's header does not match its genesis document");
  }
  return std::move(built.value().second);
}

void finish_block(ledger_state& st, const block& b) {
  st.clear_journal();
  st.height = b.header.height;
  st.head_hash = b.hash;
  st.head_time_ms = b.header.time_ms;
  st.state_root = b.header.state_root;
  st.ctp_db_hash = b.header.ctp_db_hash;
}

}  // namespace voltaic::chain
