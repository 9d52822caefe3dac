#include "voltaic/chain/energy/state_machine.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <unordered_map>

#include "voltaic/chain/core/merkle.hpp"
#include "voltaic/chain/energy/coe.hpp"
#include "voltaic/chain/energy/receipt.hpp"
#include "voltaic/chain/node/consensus.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::chain {

namespace {

using market::int128;
// The block's ERCs by id, for its receipt entries.
using erc_index = std::unordered_map<hash256, const signed_transaction*, key_hasher>;

market::error refuse(const char* reason, const std::string& detail) { return chain_error(reason, detail); }

bool money_in_range(std::int64_t v) { return v > 0 && v <= max_money_uc; }

// Adds `delta` to a balance, refusing to leave [0, max_money_uc].
bool add_checked(std::int64_t balance, std::int64_t delta, std::int64_t& out) {
  const int128 sum = static_cast<int128>(balance) + delta;
  if (sum < 0 || sum > max_money_uc) return false;
  out = static_cast<std::int64_t>(sum);
  return true;
}

account account_of(const ledger_state& st, const public_key& k) {
  const account* a = st.accounts.find(k);
  return a ? *a : account{};
}

// The part every signed account transaction shares: expiry and nonce. The
// signature was checked before.
status check_expiry_and_nonce(const ledger_state& st, const transaction& tx, std::uint64_t height) {
  if (tx.expiry_height < height)
    return refuse("tx-expired", "expiry height " + std::to_string(tx.expiry_height) + " is before block " +
                                    std::to_string(height));
  if (tx.kind() == tx_kind::erc) return {};  // replay of an ERC is stopped by its CTP being used up
  const account* a = st.accounts.find(tx.signer);
  const std::uint64_t last = a ? a->nonce : 0;
  if (tx.nonce <= last)
    return refuse("nonce-stale", "nonce " + std::to_string(tx.nonce) + " is not above " + std::to_string(last));
  return {};
}

void bump_nonce(ledger_state& st, const transaction& tx) {
  account a = account_of(st, tx.signer);
  a.nonce = tx.nonce;
  st.accounts.put(tx.signer, a);
}

// Pays the producer of CTP `id` for `energy` received and closes the CTP:
// amount * energy / committed, half-to-even; the rest of the hold is released.
status settle_ctp(ledger_state& st, std::uint64_t id, std::int64_t energy, const hash256* meter_root,
                  std::uint64_t height) {
  const ctp_record* found = st.ctps.find(id);
  if (!found) return refuse("ctp-unknown", "no open CTP " + std::to_string(id));
  const ctp_record c = *found;
  if (height > c.expiry_height)
    return refuse("ctp-expired", "CTP " + std::to_string(id) + " expired at height " + std::to_string(c.expiry_height));
  if (meter_root && *meter_root != c.meter_root)
    return refuse("erc-meter-mismatch", "the CoE is not the meter the CTP names");
  if (energy <= 0) return refuse("energy-out-of-range", "received energy must be positive");
  if (energy > c.energy_mwh)
    return refuse("erc-energy-exceeds-ctp", std::to_string(energy) + " mWh received but " +
                                                std::to_string(c.energy_mwh) + " mWh committed");
  const std::int64_t pay = market::div_round_half_even(static_cast<int128>(c.amount_uc) * energy, c.energy_mwh);
  account buyer = account_of(st, c.buyer);
  account producer = account_of(st, c.producer);
  if (buyer.held_uc < c.amount_uc || buyer.balance_uc < pay)
    return refuse("hold-missing", "the buyer's hold does not cover CTP " + std::to_string(id));
  std::int64_t producer_balance = 0;
  if (c.producer != c.buyer && !add_checked(producer.balance_uc, pay, producer_balance))
    return refuse("balance-overflow", "paying the producer would overflow its balance");
  buyer.held_uc -= c.amount_uc;
  buyer.balance_uc -= pay;
  st.accounts.put(c.buyer, buyer);
  if (c.producer != c.buyer) {
    producer.balance_uc = producer_balance;
    st.accounts.put(c.producer, producer);
  } else {
    buyer.balance_uc += pay;  // paying oneself changes nothing
    st.accounts.put(c.buyer, buyer);
  }
  st.ctps.erase(id);
  return {};
}

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

status apply_ctp_commit(ledger_state& st, const transaction& tx, const ctp_commit_body& b, std::uint64_t height) {
  if (!money_in_range(b.amount_uc)) return refuse("amount-out-of-range", "CTP amount outside 1..1e18 uc");
  if (!market::energy_in_range(b.energy_mwh)) return refuse("energy-out-of-range", "CTP energy outside 1 mWh..1 GWh");
  if (b.expiry_height <= height) return refuse("ctp-expiry-past", "the CTP expires before it could be confirmed");
  account buyer = account_of(st, tx.signer);
  if (buyer.available() < b.amount_uc)
    return refuse("insufficient-balance", std::to_string(buyer.available()) + " uc available, " +
                                              std::to_string(b.amount_uc) + " uc to hold");
  const std::uint64_t id = st.peek_next_ctp_id();
  buyer.held_uc += b.amount_uc;
  buyer.nonce = tx.nonce;
  st.accounts.put(tx.signer, buyer);
  st.ctps.put(id, {tx.signer, b.producer, b.amount_uc, b.energy_mwh, b.expiry_height, b.meter_root});
  st.next_ctp_id.put(0, id + 1);
  return {};
}

status apply_erc(ledger_state& st, const transaction& tx, const erc_body& b, std::uint64_t height) {
  const hash256 id = coe_id(b.coe);
  if (!st.verified->coes.contains(id)) {
    if (auto s = verify_coe(b.coe, st.genesis.chain_id, st.genesis.manufacturers); !s) return s;
  }
  if (auto s = verify_erc_key(b, tx.signer); !s) return s;
  if (auto s = settle_ctp(st, b.ctp_id, b.energy_mwh, &b.coe.root, height); !s) return s;
  st.verified->coes.insert(id);
  return {};
}

status apply_timeout(ledger_state& st, const transaction& tx, const ctp_timeout_body& b, std::uint64_t height) {
  const ctp_record* c = st.ctps.find(b.ctp_id);
  if (!c) return refuse("ctp-unknown", "no open CTP " + std::to_string(b.ctp_id));
  if (c->buyer != tx.signer) return refuse("ctp-not-owner", "only the buyer may time out its CTP");
  if (height <= c->expiry_height)
    return refuse("ctp-not-expired", "CTP " + std::to_string(b.ctp_id) + " is open until height " +
                                         std::to_string(c->expiry_height));
  account buyer = account_of(st, tx.signer);
  if (buyer.held_uc < c->amount_uc) return refuse("hold-missing", "the hold is smaller than the CTP");
  buyer.held_uc -= c->amount_uc;
  buyer.nonce = tx.nonce;
  st.accounts.put(tx.signer, buyer);
  st.ctps.erase(b.ctp_id);
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

status apply_settlement(ledger_state& st, const transaction& tx, const meter_settlement_body& b) {
  const settlement_key due_key{b.market, b.cycle, b.party, static_cast<std::uint8_t>(b.role)};
  const due_record* due = st.dues.find(due_key);
  if (!due) return refuse("due-unknown", "the party agreed nothing in this role for this cycle");
  if (tx.signer != due->meter) return refuse("not-meter", "only the meter the party's order named may settle it");
  const clearing_result_body* clearing = st.clearings.find({b.market, b.cycle});
  if (!clearing || b.agreed_mwh != due->agreed_mwh || b.tariff_uc != due->tariff_uc ||
      b.price_ucpkwh != clearing->price_ucpkwh)
    return refuse("settlement-mismatch", "agreed energy, tariff or price differ from the chain's record");
  if (b.agreed_mwh < 0 || b.metered_mwh < 0 || b.agreed_mwh > market::max_order_energy ||
      b.metered_mwh > market::max_order_energy)
    return refuse("energy-out-of-range", "agreed or metered energy outside 0..1 GWh");
  if (!market::price_in_range(b.price_ucpkwh)) return refuse("price-out-of-range", "settlement price");
  if (b.tariff_uc < 0 || b.tariff_uc > max_money_uc) return refuse("amount-out-of-range", "tariff");
  if (b.party == st.genesis.dso) return refuse("bad-settlement", "the DSO is the counterparty, not a party");
  const settlement_key key{b.market, b.cycle, b.party, static_cast<std::uint8_t>(b.role)};
  if (st.settlements.find(key)) return refuse("settlement-exists", "this party is already settled for the cycle");
  if (b.role == party_role::seller && !b.release_ctps.empty())
    return refuse("bad-settlement", "a seller has no holds to release");

  const dso_record* params = st.dso_params.find(0);
  const std::int64_t penalty_price = params ? params->penalty_ucpkwh : 0;
  const std::int64_t imbalance = b.agreed_mwh > b.metered_mwh ? b.agreed_mwh - b.metered_mwh : b.metered_mwh - b.agreed_mwh;
  const int128 energy_value = market::money_for(b.price_ucpkwh, b.metered_mwh);
  const int128 penalty = market::money_for(penalty_price, imbalance);
  // market.md 5.4: buyer bill = p0*E + tariff + |dE|*penalty; seller income = p0*E - tariff - |dE|*penalty.
  const int128 to_party = b.role == party_role::buyer ? -(energy_value + b.tariff_uc + penalty)
                                                      : energy_value - b.tariff_uc - penalty;
  if (to_party > max_money_uc || to_party < -max_money_uc) return refuse("amount-out-of-range", "settlement amount");
  const auto amount = static_cast<std::int64_t>(to_party);

  account party = account_of(st, b.party);
  std::set<std::uint64_t> released;
  std::int64_t release_total = 0;
  for (auto id : b.release_ctps) {
    const ctp_record* c = st.ctps.find(id);
    if (!c) return refuse("ctp-unknown", "no open CTP " + std::to_string(id));
    if (c->buyer != b.party) return refuse("ctp-not-owner", "CTP " + std::to_string(id) + " is not the party's");
    if (!released.insert(id).second) return refuse("bad-settlement", "CTP " + std::to_string(id) + " listed twice");
    release_total += c->amount_uc;
  }
  if (party.held_uc < release_total) return refuse("hold-missing", "the party's holds are smaller than its CTPs");
  party.held_uc -= release_total;
  account dso = account_of(st, st.genesis.dso);
  std::int64_t party_balance = 0, dso_balance = 0;
  if (!add_checked(party.balance_uc, amount, party_balance) || party_balance < party.held_uc)
    return refuse("insufficient-balance", "the party cannot pay " + std::to_string(-amount) + " uc");
  if (!add_checked(dso.balance_uc, -amount, dso_balance) || dso_balance < dso.held_uc)
    return refuse("insufficient-balance", "the DSO cannot pay " + std::to_string(amount) + " uc");
  party.balance_uc = party_balance;
  dso.balance_uc = dso_balance;
  for (auto id : released) st.ctps.erase(id);
  st.accounts.put(b.party, party);
  st.accounts.put(st.genesis.dso, dso);
  st.settlements.put(key, amount);
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
        else if constexpr (std::is_same_v<B, ctp_commit_body>) return apply_ctp_commit(st, tx, b, height);
        else if constexpr (std::is_same_v<B, erc_body>) return apply_erc(st, tx, b, height);
        else if constexpr (std::is_same_v<B, ctp_timeout_body>) return apply_timeout(st, tx, b, height);
        else if constexpr (std::is_same_v<B, meter_settlement_body>) return apply_settlement(st, tx, b);
        else if constexpr (std::is_same_v<B, grid_update_body>) return apply_grid_update(st, tx, b, height);
        else if constexpr (std::is_same_v<B, dso_params_body>) return apply_dso_params(st, tx, b);
        else if constexpr (std::is_same_v<B, cycle_dues_body>) return apply_cycle_dues(st, tx, b);
        else return apply_evidence(st, tx, b, height);
      },
      tx.body);
}

bytes receipt_entry(const signed_transaction& stx) {
  const auto& b = std::get<erc_body>(stx.tx.body);
  return encode_receipt({stx.id, b.ctp_id, b.energy_mwh});
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

status apply_entry(ledger_state& st, const bytes& entry, std::uint64_t height,
                   const erc_index& ercs, const block_options& options) {
  if (is_receipt_entry(entry)) {
    auto rc = decode_receipt(entry.data(), entry.size());
    if (!rc) return rc.err();
    auto it = ercs.find(rc.value().erc_id);
    if (it != ercs.end()) {
      const signed_transaction& erc = *it->second;
      if (receipt_entry(erc) != entry) return refuse("bad-receipt", "the receipt differs from its ERC");
      if (!signature_checked(st, erc)) return refuse("bad-signature", "ERC signature");
      return dispatch(st, erc.tx, height);
    }
    if (options.require_erc_witness) return refuse("erc-missing", "a receipt arrived without its ERC");
    return settle_ctp(st, rc.value().ctp_id, rc.value().energy_mwh, nullptr, height);
  }
  auto stx = decode_envelope(entry);
  if (!stx) return stx.err();
  if (stx.value().tx.kind() == tx_kind::erc) return refuse("bad-entry", "an ERC is stored as its receipt");
  if (!signature_checked(st, stx.value()))
    return refuse("bad-signature", std::string("signature over a ") + to_string(stx.value().tx.kind()));
  return dispatch(st, stx.value().tx, height);
}

}  // namespace

status apply_transaction(ledger_state& st, const signed_transaction& stx, std::uint64_t height, bytes& entry) {
  if (!signature_checked(st, stx))
    return refuse("bad-signature", std::string("signature over a ") + to_string(stx.tx.kind()));
  if (auto s = dispatch(st, stx.tx, height); !s) return s;
  entry = stx.tx.kind() == tx_kind::erc ? receipt_entry(stx) : stx.envelope;
  return {};
}

result<state_changes> execute_block(ledger_state& st, const block& b, const std::vector<signed_transaction>& ercs,
                                    const block_options& options) {
  if (auto s = check_header(st, b); !s) return s.err();
  erc_index by_id;
  for (const auto& e : ercs) by_id.emplace(e.id, &e);
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
  for (const auto& stx : txs) {
    bytes entry;
    if (auto s = apply_transaction(st, stx, height, entry); !s) {
      out.rejected.emplace_back(stx.id, s.err());
      continue;
    }
    out.blk.entries.push_back(std::move(entry));
    if (stx.tx.kind() == tx_kind::erc) out.ercs.push_back(stx);
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
