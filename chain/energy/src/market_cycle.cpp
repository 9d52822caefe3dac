#include "voltaic/chain/energy/market_cycle.hpp"

#include <algorithm>
#include <map>
#include <tuple>

#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/merkle.hpp"

namespace voltaic::chain {

namespace {

market::error bad_order_set(const std::string& what) { return chain_error("bad-order-set", what); }

hash256 trade_leaf(const std::vector<signed_order>& orders, const market::trade& t) {
  encoder e;
  e.array(5).bin(orders[t.buyer].id).bin(orders[t.seller].id).sint(t.energy).sint(t.distance).sint(t.charge);
  return merkle_leaf(e.take());
}

}  // namespace

hash256 distances_hash(const market::distance_table& table) {
  encoder e;
  e.array(3).uint(table.rows()).uint(table.cols()).array(static_cast<std::uint32_t>(table.data().size()));
  for (auto mm : table.data()) e.sint(mm);
  return blake2b_256(e.take());
}

std::string book_order_id(const hash256& order_id) { return to_hex(order_id).substr(0, 16); }

result<cleared_cycle> clear_market_cycle(std::uint64_t market, std::uint64_t cycle, std::vector<signed_order> orders,
                                         const market::distance_table& bus_distances,
                                         const market::clearing_options& rules, std::int64_t charge_uc_per_m) {
  cleared_cycle out;
  std::sort(orders.begin(), orders.end(), [](const signed_order& a, const signed_order& b) { return a.id < b.id; });
  std::vector<public_key> owners;
  owners.reserve(orders.size());
  for (const auto& o : orders) {
    const std::string name = "order " + book_order_id(o.id);
    if (o.terms.market != market || o.terms.cycle != cycle)
      return bad_order_set(name + " is for another market or cycle");
    if (o.terms.bus >= bus_distances.rows()) return bad_order_set(name + " names a bus outside the grid");
    owners.push_back(o.terms.owner);
  }
  std::sort(owners.begin(), owners.end());
  if (std::adjacent_find(owners.begin(), owners.end()) != owners.end())
    return bad_order_set("an owner has two orders in one cycle");

  out.book.reserve(orders.size());
  for (const auto& o : orders) {
    market::order m;
    m.id = book_order_id(o.id);
    m.side = o.terms.side;
    m.price = o.terms.price_ucpkwh;
    m.energy = o.terms.energy_mwh;
    m.distance_pref = o.terms.distance_pref_mm;
    m.location = static_cast<std::int32_t>(o.terms.bus);
    m.seq = o.terms.seq;
    out.book.push_back(std::move(m));
  }
  market::cycle_options options;
  options.clearing = rules;
  options.matching.charge_per_m = charge_uc_per_m;
  auto r = market::run_cycle(out.book, bus_distances, options);
  if (!r) return r.err();
  out.result = std::move(r).value();

  std::vector<hash256> ids;
  ids.reserve(orders.size());
  for (const auto& o : orders) ids.push_back(merkle_leaf(o.id.data(), o.id.size()));
  out.root = {market, cycle, merkle_root(ids), orders.size()};

  std::vector<hash256> trade_leaves;
  std::int64_t traded = 0;
  // (party, role) -> due; std::map gives the canonical (party, role) order.
  std::map<std::pair<public_key, std::uint8_t>, party_due> dues;
  auto add_due = [&](const signed_order& o, party_role role, std::int64_t energy, std::int64_t tariff) {
    party_due& d = dues[{o.terms.owner, static_cast<std::uint8_t>(role)}];
    d.party = o.terms.owner;
    d.role = role;
    d.meter = o.terms.meter;
    d.agreed_mwh += energy;
    d.tariff_uc += tariff;
  };
  for (const auto& t : out.result.trades) {
    trade_leaves.push_back(trade_leaf(orders, t));
    traded += t.energy;
    add_due(orders[t.buyer], party_role::buyer, t.energy, market::buyer_charge_share(t.charge));
    add_due(orders[t.seller], party_role::seller, t.energy, market::seller_charge_share(t.charge));
  }
  const auto& c = out.result.clearing;
  auto& cr = out.clearing;
  cr.market = market;
  cr.cycle = cycle;
  cr.mechanism = static_cast<std::uint8_t>(c.mechanism);
  cr.policy = static_cast<std::uint8_t>(c.policy);
  cr.case_number = static_cast<std::uint8_t>(c.case_number);
  cr.price_ucpkwh = c.price;
  cr.price_adjusted = c.price_adjusted;
  cr.traded_mwh = traded;
  cr.trades_root = merkle_root(trade_leaves);
  cr.trade_count = out.result.trades.size();

  out.dues.market = market;
  out.dues.cycle = cycle;
  for (auto& [key, d] : dues) out.dues.dues.push_back(d);
  out.orders = std::move(orders);
  return out;
}

}  // namespace voltaic::chain
