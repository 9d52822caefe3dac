// The electricity chain's questions about its head state.
#include <algorithm>
#include <map>
#include <set>

#include "voltaic/chain/energy/application.hpp"

#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/core/signed_query.hpp"
#include "voltaic/market/matching.hpp"
#include "voltaic/market/units.hpp"

namespace voltaic::chain {

energy_application::account_view energy_application::account(const public_key& k) {
  const chain::account* a = ledger_->state().accounts.find(k);
  if (!a) return {};
  return account_view{a->balance_uc, a->held_uc, a->last_nonce()};
}

std::vector<public_key> energy_application::buyers_with_expired_ctps() {
  const auto& head = ledger_->state();
  std::set<public_key, key_less> buyers;
  for (const auto& [id, c] : head.ctps.items())
    if (c.expiry_height < head.height) buyers.insert(c.buyer);
  return {buyers.begin(), buyers.end()};
}

std::pair<std::uint64_t, std::uint64_t> energy_application::open_ctp_summary() {
  std::uint64_t last = 0;
  const auto& ctps = ledger_->state().ctps.items();
  for (const auto& [id, c] : ctps) last = std::max(last, c.expiry_height);
  return {ctps.size(), last};
}

std::vector<energy_application::open_ctp> energy_application::ctps_of(const public_key& buyer) {
  const auto& head = ledger_->state();
  if (ctps_indexed_at_ != head.height) {
    ctps_by_buyer_.clear();
    for (const auto& [id, c] : head.ctps.items()) ctps_by_buyer_[c.buyer].push_back(id);
    ctps_indexed_at_ = head.height;
  }
  std::vector<open_ctp> out;
  auto it = ctps_by_buyer_.find(buyer);
  if (it == ctps_by_buyer_.end()) return out;
  for (auto id : it->second)
    if (const ctp_record* c = head.ctps.find(id)) out.push_back(open_ctp{id, c->producer, c->expiry_height, c->held_uc(), c->market, c->cycle, c->energy_mwh, c->meter_key});
  return out;
}

std::uint64_t energy_application::progress(std::uint64_t market) {
  std::uint64_t last = 0;
  for (const auto& [key, root] : ledger_->state().order_roots.items())
    if (key.first == market) last = std::max(last, key.second);
  return last;
}

energy_application::fixed_order_sets energy_application::fixed_orders(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) {
  fixed_order_sets sets;
  if (end < first || end - first > max_markets_per_query) return sets;
  const auto& head = ledger_->state();
  for (std::uint64_t market = first; market < end; ++market) {
    const auto* fixed = desk_ ? desk_->fixed_cycle({market, cycle}) : nullptr;
    if (!fixed || !head.dues_recorded.find({market, cycle})) return {};
    for (const auto& o : fixed->orders) sets.envelopes.push_back(o.envelope);
    sets.counts.push_back(fixed->orders.size());
  }
  sets.complete = true;
  return sets;
}

namespace {

// An order as observers see it, with its outcome.
book_order book_order_of(const signed_order& o, std::uint8_t kind, std::uint8_t reason, std::int64_t traded_mwh) {
  const auto& t = o.terms;
  return book_order{book_order_id(o.id), t.owner, static_cast<std::uint8_t>(t.side), t.price_ucpkwh, t.energy_mwh,
                    t.distance_pref_mm, t.bus, t.seq, kind, reason, traded_mwh};
}

}  // namespace

outcome_answer energy_application::outcome_of(const public_key& owner, std::uint64_t market, std::uint64_t cycle) const {
  outcome_answer a;
  if (!ledger_->state().order_roots.find({market, cycle})) return a;  // pending
  const cleared_cycle* c = desk_ ? desk_->fixed_cycle({market, cycle}) : nullptr;
  if (!c) {
    a.state = static_cast<std::uint8_t>(outcome_state::unknown);
    return a;
  }
  std::size_t k = 0;
  while (k < c->orders.size() && c->orders[k].terms.owner != owner) ++k;
  if (k == c->orders.size()) {
    a.state = static_cast<std::uint8_t>(outcome_state::absent);
    return a;
  }
  const auto& r = c->result;
  const auto& oc = r.outcomes[k];
  a.state = static_cast<std::uint8_t>(outcome_state::found);
  a.kind = static_cast<std::uint8_t>(oc.kind);
  a.reason = static_cast<std::uint8_t>(oc.reason);
  a.traded_mwh = oc.traded;
  a.price_ucpkwh = c->clearing.price_ucpkwh;
  for (const auto& d : c->dues.dues)
    if (d.party == owner) {
      a.role = static_cast<std::uint8_t>(d.role);
      a.agreed_mwh = d.agreed_mwh;
      a.tariff_uc = d.tariff_uc;
    }
  for (const auto& t : r.trades)
    if (t.buyer == k)
      a.trades.push_back(trade_leg{c->orders[t.seller].terms.owner, t.energy, market::money_for(r.clearing.price, t.energy),
                                   market::buyer_charge_share(t.charge)});
  return a;
}

std::optional<std::vector<market_book>> energy_application::books(std::uint64_t first, std::uint64_t end,
                                                                  std::uint64_t cycle) const {
  if (end < first || end - first > max_markets_per_query) return std::nullopt;
  std::vector<market_book> out;
  for (std::uint64_t market = first; market < end; ++market) {
    const cleared_cycle* c = desk_ ? desk_->fixed_cycle({market, cycle}) : nullptr;
    if (!c) return std::nullopt;
    market_book m;
    m.market = market;
    const auto& cr = c->result.clearing;
    m.mechanism = static_cast<std::uint8_t>(cr.mechanism);
    m.policy = static_cast<std::uint8_t>(cr.policy);
    m.case_number = static_cast<std::uint8_t>(cr.case_number);
    m.price_ucpkwh = cr.price;
    m.price_adjusted = cr.price_adjusted;
    for (std::size_t k = 0; k < c->orders.size(); ++k) {
      const auto& oc = c->result.outcomes[k];
      m.orders.push_back(book_order_of(c->orders[k], static_cast<std::uint8_t>(oc.kind),
                                       static_cast<std::uint8_t>(oc.reason), oc.traded));
    }
    for (const auto& t : c->result.trades)
      m.trades.push_back(book_trade{c->orders[t.buyer].terms.owner, c->orders[t.seller].terms.owner, t.energy,
                                    t.distance, t.charge});
    out.push_back(std::move(m));
  }
  return out;
}

std::optional<std::vector<channel_entry>> energy_application::channel(std::uint64_t first, std::uint64_t end,
                                                                     std::uint64_t cycle) const {
  if (end < first || end - first > max_markets_per_query) return std::nullopt;
  std::vector<channel_entry> out;
  for (std::uint64_t market = first; market < end; ++market) {
    const cleared_cycle* c = desk_ ? desk_->fixed_cycle({market, cycle}) : nullptr;
    if (!c) return std::nullopt;
    std::map<std::uint32_t, std::pair<std::int64_t, std::int64_t>> per_bus;  // traded mWh, charge uc
    for (const auto& t : c->result.trades)
      for (const auto k : {t.buyer, t.seller}) {
        auto& b = per_bus[c->orders[k].terms.bus];
        b.first += t.energy;
        b.second += k == t.buyer ? market::buyer_charge_share(t.charge) : market::seller_charge_share(t.charge);
      }
    for (const auto& [bus, v] : per_bus)
      out.push_back(channel_entry{market, c->clearing.price_ucpkwh, bus, v.first, v.second});
  }
  return out;
}

std::vector<settlement_row> energy_application::settlements(std::uint64_t first, std::uint64_t end,
                                                            std::uint64_t cycle) const {
  std::vector<settlement_row> out;
  for (auto it = settled_.lower_bound({first, cycle}); it != settled_.end() && it->first.first < end; ++it) {
    if (it->first.second != cycle) continue;
    // In (party, role) order, whatever order the blocks took them in.
    for (const auto& [who, row] : it->second) out.push_back(row);
  }
  return out;
}

bool energy_application::all_fixed(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) {
  if (end < first || end - first > max_markets_per_query) return false;
  const auto& head = ledger_->state();
  for (std::uint64_t market = first; market < end; ++market)
    if (!head.dues_recorded.find({market, cycle})) return false;
  return true;
}

namespace {

result<number_list> read_numbers(const bytes& request, std::size_t count) {
  auto n = decode_fields<number_list>(request);
  if (!n) return n.err();
  if (n.value().values.size() != count)
    return chain_error("decode", "expected " + std::to_string(count) + " numbers, got " +
                                     std::to_string(n.value().values.size()));
  return n;
}

}  // namespace

result<bytes> energy_application::query(std::string_view path, const bytes& request) {
  encoder e;
  field_writer w(e);
  if (path == "open_ctps") {
    if (auto n = read_numbers(request, 0); !n) return n.err();
    const auto [count, last] = open_ctp_summary();
    w.array(2);
    w(count);
    w(last);
    return e.take();
  }
  if (path == "energy_accounts") {
    if (auto n = read_numbers(request, 0); !n) return n.err();
    answer_list<energy_offer_row> rows;
    for (const auto& [key, a] : ledger_->state().energy_accounts.items())
      if (a.energy_mwh > 0) rows.items.push_back({key, a.energy_mwh, a.price_ucpkwh});
    std::sort(rows.items.begin(), rows.items.end(), [](const energy_offer_row& a, const energy_offer_row& b) {
      return std::tie(a.price_ucpkwh, a.producer) < std::tie(b.price_ucpkwh, b.producer);
    });
    return encode_fields(rows);
  }
  if (path == "energy_account") {
    // One producer's advertised energy: [producer] -> [[producer, energy, price]] or [].
    auto keys = decode_fields<key_list>(request);
    if (!keys) return keys.err();
    if (keys.value().keys.size() != 1) return chain_error("decode", "expected one key");
    answer_list<energy_offer_row> rows;
    const auto& key = keys.value().keys.front();
    if (const auto* a = ledger_->state().energy_accounts.find(key); a && a->energy_mwh > 0)
      rows.items.push_back({key, a->energy_mwh, a->price_ucpkwh});
    return encode_fields(rows);
  }
  if (path == "progress" || path == "open_orders") {
    auto n = read_numbers(request, path == "progress" ? 1 : 2);
    if (!n) return n.err();
    const auto& v = n.value().values;
    w.array(1);
    w(path == "progress" ? progress(v[0]) : static_cast<std::uint64_t>(open_orders({v[0], v[1]})));
    return e.take();
  }
  return signed_question(path, request);
}

bool energy_application::is_signed_question(std::string_view path) {
  return path == "my_account" || path == "my_ctps" || path == "my_outcome" || path == "book" ||
         path == "settlements" || path == "balances" || path == "channel" || path == "late_orders";
}

std::vector<late_order> energy_application::late_orders(std::uint64_t first, std::uint64_t end, std::uint64_t cycle) const {
  std::vector<late_order> out;
  if (!desk_ || end < first || end - first > max_markets_per_query) return out;
  for (std::uint64_t market = first; market < end; ++market)
    for (const auto& o : desk_->late_orders({market, cycle})) out.push_back(late_order{market, book_order_of(o, late_kind, 0, 0)});
  return out;
}

std::vector<bytes> energy_application::open_order_envelopes(std::uint64_t first, std::uint64_t end,
                                                           std::uint64_t cycle) const {
  std::vector<bytes> out;
  if (!desk_ || end < first || end - first > max_markets_per_query) return out;
  for (std::uint64_t market = first; market < end; ++market)
    for (auto& e : desk_->open_envelopes({market, cycle})) out.push_back(std::move(e));
  return out;
}

result<bytes> energy_application::signed_question(std::string_view path, const bytes& request) {
  if (!is_signed_question(path)) return chain_error("unknown-query", "no question '" + std::string(path) + "'");
  auto q = open_query(path, request, cfg_.genesis.chain_id);
  if (!q) return q.err();
  return answer_signed(path, q.value().asker, q.value().args);
}

result<bytes> energy_application::answer_signed(std::string_view path, const public_key& asker, const bytes& args) {
  if (!is_signed_question(path)) return chain_error("unknown-query", "no question '" + std::string(path) + "'");
  const bool whole = path == "book" || path == "settlements" || path == "balances" || path == "late_orders";
  const auto& observers = cfg_.observers;
  if (whole && std::find(observers.begin(), observers.end(), asker) == observers.end())
    return chain_error("not-allowed", "only an observer may ask '" + std::string(path) + "'");
  if (path == "channel" && asker != ledger_->state().genesis.dso)
    return chain_error("not-allowed", "only the DSO may read its channel");
  if (path == "my_account" || path == "my_ctps") {
    if (auto n = read_numbers(args, 0); !n) return n.err();
    if (path == "my_ctps") {
      answer_list<ctp_row> rows;
      for (const auto& c : ctps_of(asker))
        rows.items.push_back(ctp_row{c.id, c.producer, c.expiry_height, c.amount_uc, c.market, c.cycle, c.energy_mwh, c.meter_key});
      return encode_fields(rows);
    }
    const auto a = account(asker);
    return encode_fields(account_answer{a.balance_uc, a.held_uc, a.nonce});
  }
  if (path == "balances") {
    auto keys = decode_fields<key_list>(args);
    if (!keys) return keys.err();
    answer_list<account_answer> rows;
    for (const auto& k : keys.value().keys) {
      const auto a = account(k);
      rows.items.push_back(account_answer{a.balance_uc, a.held_uc, a.nonce});
    }
    return encode_fields(rows);
  }
  if (path == "my_outcome") {
    auto n = read_numbers(args, 2);
    if (!n) return n.err();
    return encode_fields(outcome_of(asker, n.value().values[0], n.value().values[1]));
  }
  auto n = read_numbers(args, 3);
  if (!n) return n.err();
  const auto& v = n.value().values;
  if (path == "settlements") return encode_fields(answer_list<settlement_row>{settlements(v[0], v[1], v[2])});
  if (path == "late_orders") return encode_fields(answer_list<late_order>{late_orders(v[0], v[1], v[2])});
  if (path == "book") {
    auto b = books(v[0], v[1], v[2]);
    if (!b) return chain_error("not-fixed", "a market of the range is not fixed with its orders on this validator");
    return encode_fields(answer_list<market_book>{std::move(*b)});
  }
  auto c = channel(v[0], v[1], v[2]);
  if (!c) return chain_error("not-fixed", "a market of the range is not fixed with its orders on this validator");
  return encode_fields(answer_list<channel_entry>{std::move(*c)});
}

}  // namespace voltaic::chain
