// SPB payments on the electricity chain (spec/protocols.md section 3 and
// market.md 5.4; spb_payments.hpp).
#include "spb_payments.hpp"

#include "ledger_rules.hpp"
#include "voltaic/chain/energy/coe.hpp"

namespace voltaic::chain::detail {

// Releases CTP `id` on `energy` received: the producer gets amount * energy /
// committed (half-to-even), the DSO the buyer's grid charge and its
// imbalance penalty (market.md 5.4: |committed - received| * penalty); the
// rest of the hold is released. `signer` is the ERC's signing key (nullptr
// when a stored receipt is replayed: it was checked when the block was made).
status settle_ctp(ledger_state& st, std::uint64_t id, std::int64_t energy, const public_key* signer,
                  std::uint64_t height) {
  const ctp_record* found = st.ctps.find(id);
  if (!found) return refuse("ctp-unknown", "no open CTP " + std::to_string(id));
  const ctp_record c = *found;
  if (height > c.expiry_height)
    return refuse("ctp-expired", "CTP " + std::to_string(id) + " expired at height " + std::to_string(c.expiry_height));
  if (signer && *signer != c.meter_key)
    return refuse("erc-wrong-meter", "the ERC is not signed by the meter key CTP " + std::to_string(id) + " names");
  if (energy <= 0) return refuse("energy-out-of-range", "received energy must be positive");
  if (energy > c.energy_mwh)
    return refuse("erc-energy-exceeds-ctp", std::to_string(energy) + " mWh received but " +
                                                std::to_string(c.energy_mwh) + " mWh committed");
  const std::int64_t pay = market::div_round_half_even(static_cast<int128>(c.amount_uc) * energy, c.energy_mwh);
  const dso_record* params = st.dso_params.find(0);
  const int128 penalty = market::money_for(params ? params->penalty_ucpkwh : 0, c.energy_mwh - energy);
  const int128 to_dso = penalty + c.charge_uc;
  staged_accounts moves(st);
  account& buyer = moves.at(c.buyer);
  if (buyer.held_uc < c.held_uc()) return refuse("hold-missing", "the buyer's hold does not cover CTP " + std::to_string(id));
  buyer.held_uc -= c.held_uc();
  if (!moves.add(c.buyer, -(pay + to_dso)))
    return refuse("insufficient-balance", "the buyer cannot pay the imbalance penalty of CTP " + std::to_string(id));
  if (!moves.add(c.producer, pay) || !moves.add(st.genesis.dso, to_dso))
    return refuse("balance-overflow", "paying CTP " + std::to_string(id) + " would overflow a balance");
  moves.write(st);
  st.ctps.erase(id);
  return {};
}

// A CTP enters the CTP database (a block's side record), never the body.
status admit_ctp(ledger_state& st, const signed_transaction& stx, std::uint64_t height) {
  const auto& tx = stx.tx;
  if (tx.kind() != tx_kind::ctp_commit) return refuse("bad-side-record", "a block's side records are CTPs only");
  if (auto s = check_expiry_and_nonce(st, tx, height); !s) return s;
  const auto& b = std::get<ctp_commit_body>(tx.body);
  // A trade of a few mWh is worth less than a micro-credit: its CTP holds
  // only the grid charge. A CTP that holds nothing at all has no purpose.
  if (b.amount_uc < 0 || b.amount_uc > max_money_uc) return refuse("amount-out-of-range", "CTP amount outside 0..1e18 uc");
  if (b.charge_uc < 0 || b.charge_uc > max_money_uc) return refuse("amount-out-of-range", "CTP grid charge");
  if (b.amount_uc + b.charge_uc < 1) return refuse("amount-out-of-range", "the CTP holds nothing");
  if (!market::energy_in_range(b.energy_mwh)) return refuse("energy-out-of-range", "CTP energy outside 1 mWh..1 GWh");
  if (b.expiry_height <= height) return refuse("ctp-expiry-past", "the CTP expires before it could be confirmed");
  account buyer = account_of(st, tx.signer);
  const int128 hold = static_cast<int128>(b.amount_uc) + b.charge_uc;
  if (buyer.available() < hold)
    return refuse("insufficient-balance", std::to_string(buyer.available()) + " uc available, " +
                                              std::to_string(static_cast<std::int64_t>(hold)) + " uc to hold");
  const std::uint64_t id = st.peek_next_ctp_id();
  buyer.held_uc += static_cast<std::int64_t>(hold);
  buyer.ctp_nonce = tx.nonce;
  st.accounts.put(tx.signer, buyer);
  st.put_ctp(id, {tx.signer, b.producer, b.amount_uc, b.charge_uc, b.energy_mwh, b.expiry_height, b.meter_key,
                   b.market, b.cycle, stx.envelope});
  st.next_ctp_id.put(0, id + 1);
  return {};
}

namespace {

// A meter's CoE and that its signing key is a leaf of the CoE's tree.
status check_meter_key(ledger_state& st, const certificate_of_existence& coe, std::uint64_t leaf_index,
                       const std::vector<hash256>& siblings, const public_key& signer) {
  const hash256 id = coe_id(coe);
  if (!st.verified->coes.contains(id)) {
    if (auto s = verify_coe(coe, st.genesis.chain_id, st.genesis.manufacturers); !s) return s;
  }
  if (auto s = verify_meter_key(coe, leaf_index, siblings, signer); !s) return s;
  st.verified->coes.insert(id);
  return {};
}

}  // namespace

status apply_erc(ledger_state& st, const transaction& tx, const erc_body& b, std::uint64_t height) {
  if (auto s = check_meter_key(st, b.coe, b.leaf_index, b.siblings, tx.signer); !s) return s;
  return settle_ctp(st, b.ctp_id, b.energy_mwh, &tx.signer, height);
}

status apply_timeout(ledger_state& st, const transaction& tx, const ctp_timeout_body& b, std::uint64_t height) {
  const ctp_record* c = st.ctps.find(b.ctp_id);
  if (!c) return refuse("ctp-unknown", "no open CTP " + std::to_string(b.ctp_id));
  if (c->buyer != tx.signer) return refuse("ctp-not-owner", "only the buyer may time out its CTP");
  if (height <= c->expiry_height)
    return refuse("ctp-not-expired", "CTP " + std::to_string(b.ctp_id) + " is open until height " +
                                         std::to_string(c->expiry_height));
  account buyer = account_of(st, tx.signer);
  if (buyer.held_uc < c->held_uc()) return refuse("hold-missing", "the hold is smaller than the CTP");
  buyer.held_uc -= c->held_uc();
  buyer.nonce = tx.nonce;
  st.accounts.put(tx.signer, buyer);
  st.ctps.erase(b.ctp_id);
  return {};
}

// A seller's meter reading: the seller's half of the grid charges and its
// imbalance penalty go to the DSO (market.md 5.4). `signer` is the reading's
// key, which must be the one the seller's order named.
status settle_seller(ledger_state& st, std::uint64_t market_id, std::uint64_t cycle, const public_key& party,
                     std::int64_t metered_mwh, const public_key& signer) {
  const settlement_key key{market_id, cycle, party, static_cast<std::uint8_t>(party_role::seller)};
  const due_record* due = st.dues.find(key);
  if (!due) return refuse("due-unknown", "the party sold nothing in this cycle");
  if (signer != due->meter) return refuse("not-meter", "the reading is not signed by the meter key the order named");
  if (metered_mwh < 0 || metered_mwh > market::max_order_energy)
    return refuse("energy-out-of-range", "metered energy outside 0..1 GWh");
  if (st.settlements.find(key)) return refuse("settlement-exists", "this seller is already settled for the cycle");
  const dso_record* params = st.dso_params.find(0);
  const std::int64_t imbalance = due->agreed_mwh > metered_mwh ? due->agreed_mwh - metered_mwh : metered_mwh - due->agreed_mwh;
  const int128 charge = market::money_for(params ? params->penalty_ucpkwh : 0, imbalance) + due->tariff_uc;
  staged_accounts moves(st);
  if (!moves.add(party, -charge))
    return refuse("insufficient-balance", "the seller cannot pay " + std::to_string(static_cast<std::int64_t>(charge)) +
                                              " uc of grid charges and penalty");
  if (!moves.add(st.genesis.dso, charge)) return refuse("balance-overflow", "paying the DSO would overflow its balance");
  moves.write(st);
  st.settlements.put(key, -static_cast<std::int64_t>(charge));
  return {};
}

status apply_settlement(ledger_state& st, const transaction& tx, const meter_settlement_body& b) {
  if (auto s = check_meter_key(st, b.coe, b.leaf_index, b.siblings, tx.signer); !s) return s;
  return settle_seller(st, b.market, b.cycle, b.party, b.metered_mwh, tx.signer);
}

}  // namespace voltaic::chain::detail
