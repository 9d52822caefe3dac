#include "voltaic/chain/carbon/carbon_ledger.hpp"

#include <algorithm>

#include "carbon_fields.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/merkle.hpp"
#include "voltaic/market/carbon_auction.hpp"
#include "voltaic/market/carbon_quota.hpp"

namespace voltaic::chain::carbon {

namespace {

status refuse(const char* reason, const std::string& detail) { return chain_error(reason, detail); }

bool contains(const std::vector<public_key>& keys, const public_key& k) {
  return std::find(keys.begin(), keys.end(), k) != keys.end();
}

// An order's leaf: [participant, period, price].
hash256 order_leaf(const public_key& who, std::uint64_t period, std::int64_t price) {
  encoder e;
  e.array(3).bin(who).uint(period).sint(price);
  return merkle_leaf(e.take());
}

// A trade's leaf in the TOC: quota sold by `seller` to `buyer`.
hash256 trade_leaf(const public_key& seller, const public_key& buyer, std::int64_t kg) {
  encoder e;
  e.array(3).bin(seller).bin(buyer).sint(kg);
  return merkle_leaf(e.take());
}

public_key key_of_hex(const std::string& hex) {
  public_key k{};
  from_hex(hex, k);
  return k;
}

}  // namespace

carbon_ledger::carbon_ledger(carbon_genesis genesis) : genesis_(std::move(genesis)) {
  for (const auto& p : genesis_.pvps) participants_[p.key] = {true, p.meter, 0};
  for (const auto& c : genesis_.cecs) participants_[c.key] = {false, {}, c.allowance_kg};
}

const carbon_ledger::participant_entry* carbon_ledger::participant(const public_key& k) const {
  auto it = participants_.find(k);
  return it == participants_.end() ? nullptr : &it->second;
}

bool carbon_ledger::is_pvp(const public_key& k) const {
  const auto* p = participant(k);
  return p != nullptr && p->pvp;
}

std::int64_t carbon_ledger::balance_kg(const public_key& who, std::uint64_t period) const {
  std::int64_t base = 0;
  if (const auto* p = participant(who); p != nullptr && !p->pvp) {
    base = p->allowance_kg;
    if (auto e = emissions_.find({who, period}); e != emissions_.end()) base -= e->second;
  } else if (auto q = quotas_.find({who, period}); q != quotas_.end()) {
    base = q->second.check_kg;
  }
  if (auto m = moved_.find({who, period}); m != moved_.end()) base += m->second;
  return base;
}

std::optional<quota_record> carbon_ledger::quota(const public_key& pvp, std::uint64_t year) const {
  auto q = quotas_.find({pvp, year});
  if (q == quotas_.end()) return std::nullopt;
  return q->second;
}

status carbon_ledger::apply(const signed_carbon_transaction& stx, std::uint64_t height) {
  const auto& tx = stx.tx;
  if (!signature_valid(stx, genesis_.chain_id)) return refuse("bad-signature", "the signer's signature does not verify");
  if (tx.expiry_height < height) return refuse("expired", "the transaction expired at height " + std::to_string(tx.expiry_height));
  if (auto n = nonces_.find(tx.signer); n != nonces_.end() && tx.nonce <= n->second)
    return refuse("stale-nonce", "nonce " + std::to_string(tx.nonce) + " is not above " + std::to_string(n->second));
  status s = std::visit(
      [&](const auto& b) -> status {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, quota_claim_body>) return apply_claim(tx.signer, b);
        else if constexpr (std::is_same_v<T, emissions_report_body>) return apply_report(tx.signer, b);
        else if constexpr (std::is_same_v<T, carbon_order_body>) return apply_order(tx.signer, b);
        else if constexpr (std::is_same_v<T, auction_result_body>) return apply_result(tx.signer, b);
        else return apply_transfer(tx.signer, b);
      },
      tx.body);
  if (s) nonces_[tx.signer] = tx.nonce;
  return s;
}

status carbon_ledger::apply_claim(const public_key& pvp, const quota_claim_body& b) {
  const auto* entry = participant(pvp);
  if (entry == nullptr || !entry->pvp) return refuse("unknown-participant", "the signer is no PV prosumer of this chain");
  if (quotas_.count({pvp, b.year})) return refuse("quota-claimed", "year " + std::to_string(b.year) + " is claimed");
  if (b.delta_version >= genesis_.deltas.size())
    return refuse("unknown-delta", "delta version " + std::to_string(b.delta_version));
  if (b.readings.size() != 12)
    return refuse("months-missing", std::to_string(b.readings.size()) + " monthly readings, not 12");
  std::vector<std::int64_t> months(12, -1);
  std::uint64_t counter = 0;
  if (auto c = meter_counters_.find(entry->meter); c != meter_counters_.end()) counter = c->second;
  for (const auto& r : b.readings) {
    const std::string month = "month " + std::to_string(r.month);
    if (r.meter != entry->meter) return refuse("unknown-meter", month + " is read by another meter than the PVP's");
    if (r.year != b.year) return refuse("wrong-year", month + " belongs to year " + std::to_string(r.year));
    if (r.month < 1 || r.month > 12 || months[r.month - 1] >= 0)
      return refuse("months-missing", "the twelve months are not each there once");
    if (r.mwh < 0) return refuse("negative-generation", month + " has negative generation");
    if (r.counter <= counter) return refuse("stale-counter", month + ": the meter's counter does not rise");
    if (!verify(domain::meter_reading, genesis_.chain_id, monthly_reading_message(pvp, r), r.sig, r.meter))
      return refuse("bad-reading-signature", month + ": the meter's signature does not verify");
    counter = r.counter;
    months[r.month - 1] = r.mwh;
  }
  auto check = market::pv_quota_kg(genesis_.deltas[b.delta_version], months);
  if (!check) return refuse("quota-out-of-range", check.err().message);
  meter_counters_[entry->meter] = counter;
  quotas_[{pvp, b.year}] = {b.estimate_kg, check.value(), b.estimate_kg != check.value()};
  return status{};
}

status carbon_ledger::apply_report(const public_key& signer, const emissions_report_body& b) {
  if (const auto* cec = participant(b.cec); cec == nullptr || cec->pvp)
    return refuse("unknown-participant", "the report is about no CEC of this chain");
  if (!contains(genesis_.verifiers, b.verifier)) return refuse("unknown-verifier", "the verifier is not listed");
  if (signer != b.cec && signer != b.verifier) return refuse("not-your-report", "only the CEC or its verifier files it");
  if (b.kg < 0 || b.kg > market::max_carbon_kg) return refuse("emissions-out-of-range", "emissions outside 0..10^10 kg");
  if (results_.count(b.period)) return refuse("period-closed", "the period's auction is recorded");
  if (!verify(domain::transaction, genesis_.chain_id, emissions_message(b.cec, b.period, b.kg), b.verifier_sig,
              b.verifier))
    return refuse("bad-verifier-signature", "the verifier's signature does not verify");
  auto& total = emissions_[{b.cec, b.period}];
  if (total + b.kg > market::max_carbon_kg) return refuse("emissions-out-of-range", "emissions beyond 10^10 kg");
  total += b.kg;
  return status{};
}

status carbon_ledger::apply_order(const public_key& signer, const carbon_order_body& b) {
  if (participant(signer) == nullptr) return refuse("unknown-participant", "the signer takes no part in this chain");
  if (b.price_ucpt < 0 || b.price_ucpt > market::max_carbon_price)
    return refuse("price-out-of-range", "price outside 0..100000 credits per tonne");
  if (results_.count(b.period)) return refuse("period-closed", "the period's auction is recorded");
  if (auto o = orders_.find(b.period); o != orders_.end() && o->second.count(signer))
    return refuse("order-exists", "one order per participant and period");
  if (balance_kg(signer, b.period) == 0) return refuse("no-balance", "nothing to buy or sell in this period");
  orders_[b.period][signer] = b.price_ucpt;
  return status{};
}

auction_result_body carbon_ledger::run_auction(std::uint64_t period) const {
  auction_result_body r;
  r.period = period;
  std::vector<hash256> leaves;
  std::vector<market::carbon_participant> book;
  if (auto o = orders_.find(period); o != orders_.end())
    for (const auto& [who, price] : o->second) {  // by key: a fixed order
      leaves.push_back(order_leaf(who, period, price));
      const std::int64_t balance = balance_kg(who, period);
      book.push_back({to_hex(who), is_pvp(who) ? market::carbon_role::pvp : market::carbon_role::cec,
                      std::clamp(balance, -market::max_carbon_kg, market::max_carbon_kg), price});
    }
  r.order_root = merkle_root(leaves);
  auto cleared = market::clear_carbon(book);
  if (!cleared) return r;  // balances are checked on the way in: cannot happen
  for (const auto& t : cleared.value().trades)
    r.trades.push_back({key_of_hex(t.buyer), key_of_hex(t.seller), static_cast<std::uint8_t>(t.phase), t.quantity_kg,
                        t.price, t.turnover});
  for (const auto& s : cleared.value().short_of) r.short_of.push_back({key_of_hex(s.id), s.quantity_kg});
  for (const auto& u : cleared.value().unsold) r.unsold.push_back({key_of_hex(u.id), u.quantity_kg});
  return r;
}

status carbon_ledger::apply_result(const public_key& signer, const auction_result_body& b) {
  if (!contains(genesis_.validators, signer)) return refuse("not-a-validator", "only validators record auctions");
  if (results_.count(b.period)) return refuse("period-closed", "the period's auction is recorded");
  if (!orders_.count(b.period)) return refuse("no-orders", "no orders in period " + std::to_string(b.period));
  const auto expected = run_auction(b.period);
  if (b.order_root != expected.order_root || b.trades != expected.trades || b.short_of != expected.short_of ||
      b.unsold != expected.unsold)
    return refuse("auction-mismatch", "the result differs from the auction re-run on this state");
  for (const auto& t : b.trades) {
    moved_[{t.buyer, b.period}] += t.quantity_kg;
    moved_[{t.seller, b.period}] -= t.quantity_kg;
  }
  results_[b.period] = b;
  return status{};
}

status carbon_ledger::apply_transfer(const public_key& signer, const transfer_body& b) {
  if (b.kg <= 0 || b.kg > market::max_carbon_kg) return refuse("amount-out-of-range", "a transfer moves 1..10^10 kg");
  if (participant(b.to) == nullptr || b.to == signer) return refuse("unknown-participant", "no such recipient");
  if (balance_kg(signer, b.period) < b.kg)
    return refuse("insufficient-quota", std::to_string(balance_kg(signer, b.period)) + " kg held");
  if (balance_kg(b.to, b.period) + b.kg > market::max_carbon_kg)
    return refuse("amount-out-of-range", "the recipient would hold over 10^10 kg");
  moved_[{signer, b.period}] -= b.kg;
  moved_[{b.to, b.period}] += b.kg;
  return status{};
}

hash256 carbon_ledger::state_hash() const {
  encoder e;
  e.array(7);
  e.array(static_cast<std::uint32_t>(nonces_.size()));
  for (const auto& [k, n] : nonces_) e.array(2).bin(k).uint(n);
  e.array(static_cast<std::uint32_t>(meter_counters_.size()));
  for (const auto& [k, n] : meter_counters_) e.array(2).bin(k).uint(n);
  e.array(static_cast<std::uint32_t>(quotas_.size()));
  for (const auto& [k, q] : quotas_)
    e.array(5).bin(k.first).uint(k.second).sint(q.estimate_kg).sint(q.check_kg).boolean(q.corrected);
  e.array(static_cast<std::uint32_t>(emissions_.size()));
  for (const auto& [k, kg] : emissions_) e.array(3).bin(k.first).uint(k.second).sint(kg);
  e.array(static_cast<std::uint32_t>(moved_.size()));
  for (const auto& [k, kg] : moved_) e.array(3).bin(k.first).uint(k.second).sint(kg);
  e.array(static_cast<std::uint32_t>(orders_.size()));
  for (const auto& [period, orders] : orders_) {
    e.array(2).uint(period).array(static_cast<std::uint32_t>(orders.size()));
    for (const auto& [k, price] : orders) e.array(2).bin(k).sint(price);
  }
  e.array(static_cast<std::uint32_t>(results_.size()));
  for (const auto& [period, result] : results_) write_fields(e, result);
  return blake2b_256(e.take());
}

hash256 carbon_tx_root(const std::vector<signed_carbon_transaction>& entries) {
  std::vector<hash256> eoc, toc;
  for (const auto& stx : entries) {
    const auto kind = stx.tx.kind();
    if (kind == carbon_kind::quota_claim || kind == carbon_kind::emissions_report) {
      eoc.push_back(merkle_leaf(stx.envelope));
    } else if (kind == carbon_kind::auction_result) {
      for (const auto& t : std::get<auction_result_body>(stx.tx.body).trades)
        toc.push_back(trade_leaf(t.seller, t.buyer, t.quantity_kg));
    } else if (kind == carbon_kind::transfer) {
      const auto& b = std::get<transfer_body>(stx.tx.body);
      toc.push_back(trade_leaf(stx.tx.signer, b.to, b.kg));
    } else {
      toc.push_back(merkle_leaf(stx.envelope));
    }
  }
  const hash256 a = merkle_root(eoc), b = merkle_root(toc);
  bytes both(a.begin(), a.end());
  both.insert(both.end(), b.begin(), b.end());
  return blake2b_256(both);
}

}  // namespace voltaic::chain::carbon
