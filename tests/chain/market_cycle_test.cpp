// The cycle contract: signed orders, the order set's root, the clearing and
// the per-party dues that validators put on chain.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <set>

#include "support/random_books.hpp"
#include "voltaic/chain/core/merkle.hpp"
#include "voltaic/chain/energy/cycle_desk.hpp"
#include "voltaic/chain/energy/ledger.hpp"
#include "voltaic/chain/energy/market_cycle.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"

using namespace voltaic::chain;
namespace market = voltaic::market;

namespace {

const std::string chain_id = "cycle-test";

// The random book as orders signed by one owner each (and a meter each).
std::vector<signed_order> sign_book(const std::vector<market::order>& book, std::uint64_t market_id,
                                    std::uint64_t cycle) {
  std::vector<signed_order> out;
  for (std::size_t i = 0; i < book.size(); ++i) {
    order_terms t;
    t.market = market_id;
    t.cycle = cycle;
    t.side = book[i].side;
    t.price_ucpkwh = book[i].price;
    t.energy_mwh = book[i].energy;
    t.distance_pref_mm = book[i].distance_pref;
    t.bus = static_cast<std::uint32_t>(book[i].location);
    t.seq = book[i].seq;
    t.meter = derived_key(9, 2, i).pub;
    out.push_back(sign_order(t, chain_id, derived_key(9, 1, i)));
  }
  return out;
}

// A chain in memory with one validator, an authority and a DSO.
// Two load buses 150 m apart.
market_grid two_bus_grid() {
  market::grid g;
  REQUIRE(g.add_line("L1", "a", "b", 150'000, true).ok());
  auto grid = market_grid::make(g, {0, 1});
  REQUIRE(grid.ok());
  return grid.value();
}

std::unique_ptr<ledger> one_validator_chain(const key_pair& validator) {
  genesis_config g;
  g.chain_id = chain_id;
  g.authority = derived_key(9, 4, 0).pub;
  g.dso = derived_key(9, 5, 0).pub;
  g.validators = {{validator.pub, 1}};
  return std::move(ledger::open(make_memory_store(), &g)).value();
}

}  // namespace

TEST_CASE("a signed order round-trips, and forgery, truncation and bad ranges are refused") {
  const auto m = voltaic::test::make_random_market(3);
  REQUIRE(!m.book.empty());
  const auto orders = sign_book(m.book, 4, 2);
  for (const auto& o : orders) {
    auto back = decode_order(o.envelope);
    REQUIRE(back.ok());
    CHECK(back.value().id == o.id);
    CHECK(back.value().terms.price_ucpkwh == o.terms.price_ucpkwh);
    CHECK(back.value().terms.distance_pref_mm == o.terms.distance_pref_mm);
    CHECK(order_signature_valid(back.value(), chain_id));
    CHECK_FALSE(order_signature_valid(back.value(), "another-chain"));
  }
  // A payload byte changed after signing: the owner's signature no longer holds.
  bytes forged = orders[0].envelope;
  forged[forged.size() - 70] ^= 1;  // inside the meter key, the payload's last field
  auto f = decode_order(forged);
  REQUIRE(f.ok());
  CHECK_FALSE(order_signature_valid(f.value(), chain_id));
  for (std::size_t n = 0; n < orders[0].envelope.size(); ++n)
    CHECK_FALSE(decode_order(orders[0].envelope.data(), n).ok());
  order_terms bad;
  bad.energy_mwh = 0;
  auto zero = decode_order(sign_order(bad, chain_id, derived_key(9, 1, 0)).envelope);
  REQUIRE_FALSE(zero.ok());
  CHECK(zero.err().message.find("energy") != std::string::npos);
}

TEST_CASE("clearing a cycle is independent of arrival order and conserves energy and charges, over 300 books") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    CAPTURE(seed);
    const auto m = voltaic::test::make_random_market(seed);
    auto orders = sign_book(m.book, 1, seed);
    market::clearing_options rules;
    rules.policy = seed % 2 ? market::surplus_policy::equal_share : market::surplus_policy::water_fill;
    rules.mechanism = seed % 5 == 0 ? market::mechanism::mcafee : market::mechanism::dpda;
    auto a = clear_market_cycle(1, seed, orders, m.distances, rules, 2'000);
    REQUIRE(a.ok());
    std::reverse(orders.begin(), orders.end());
    auto b = clear_market_cycle(1, seed, orders, m.distances, rules, 2'000);
    REQUIRE(b.ok());
    const auto& x = a.value();
    const auto& y = b.value();
    // Byte-identical transactions whatever order the validator heard the orders in.
    auto tx_of = [](tx_body body) {
      transaction t;
      t.body = std::move(body);
      return encode_payload(t);
    };
    CHECK(tx_of(x.root) == tx_of(y.root));
    CHECK(tx_of(x.clearing) == tx_of(y.clearing));
    CHECK(tx_of(x.dues) == tx_of(y.dues));

    // The clearing price and case do not depend on the book's order either:
    // market/ on the book as generated gives the same.
    const auto direct = market::clear(m.book, rules);
    CHECK(x.clearing.price_ucpkwh == direct.price);
    CHECK(x.clearing.case_number == direct.case_number);

    // Energy is conserved: buyers' and sellers' dues both equal the traded energy;
    // the tariffs add up to the trades' charges.
    std::int64_t bought = 0, sold = 0, tariffs = 0, charges = 0, traded = 0;
    for (const auto& d : x.dues.dues) {
      (d.role == party_role::buyer ? bought : sold) += d.agreed_mwh;
      tariffs += d.tariff_uc;
    }
    for (const auto& t : x.result.trades) {
      charges += t.charge;
      traded += t.energy;
    }
    CHECK(bought == traded);
    CHECK(sold == traded);
    CHECK(x.clearing.traded_mwh == traded);
    CHECK(tariffs == charges);
    CHECK(x.root.order_count == orders.size());
    std::vector<hash256> leaves;
    for (const auto& o : x.orders) leaves.push_back(merkle_leaf(o.id.data(), o.id.size()));
    CHECK(x.root.root == merkle_root(leaves));
    // Every order has exactly one outcome.
    CHECK(x.result.outcomes.size() == orders.size());
  }
}

TEST_CASE("an order set with a foreign order, a duplicate owner or an unknown bus is refused, naming it") {
  const auto m = voltaic::test::make_random_market(11);
  auto orders = sign_book(m.book, 1, 5);
  REQUIRE(orders.size() >= 2);
  market::clearing_options rules;
  auto other_cycle = orders;
  order_terms t = other_cycle[0].terms;
  t.cycle = 6;
  other_cycle[0] = sign_order(t, chain_id, derived_key(9, 1, 0));
  auto r = clear_market_cycle(1, 5, other_cycle, m.distances, rules, 2'000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("another market or cycle") != std::string::npos);

  auto twice = orders;
  t = twice[1].terms;
  t.seq += 100;
  twice.push_back(sign_order(t, chain_id, derived_key(9, 1, 1)));
  r = clear_market_cycle(1, 5, twice, m.distances, rules, 2'000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("two orders") != std::string::npos);

  auto far = orders;
  t = far[0].terms;
  t.bus = 1'000;
  far[0] = sign_order(t, chain_id, derived_key(9, 1, 0));
  r = clear_market_cycle(1, 5, far, m.distances, rules, 2'000);
  REQUIRE_FALSE(r.ok());
  CHECK(r.err().message.find("outside the grid") != std::string::npos);
}

TEST_CASE("the cycle's transactions apply on a ledger and its dues balance there") {
  // A book that crosses, on a one-validator chain: sellers on bus 0, buyers on bus 1, 150 m apart.
  std::vector<market::order> book;
  for (int i = 0; i < 3; ++i) {
    market::order s, b;
    s.id = "s" + std::to_string(i), s.side = market::side::sell, s.price = 100'000 + 10'000 * i, s.energy = 30'000'000;
    b.id = "b" + std::to_string(i), b.side = market::side::buy, b.price = 200'000 - 10'000 * i, b.energy = 20'000'000;
    s.location = 0;
    b.location = 1;
    s.seq = 2 * i;
    b.seq = 2 * i + 1;
    book.push_back(s);
    book.push_back(b);
  }
  market::distance_table d(2, 2, 0);
  d.set(0, 1, 150'000);
  d.set(1, 0, 150'000);
  auto c = clear_market_cycle(0, 1, sign_book(book, 0, 1), d, {}, 2'000);
  REQUIRE(c.ok());
  REQUIRE_FALSE(c.value().result.trades.empty());
  std::map<std::size_t, std::pair<std::int64_t, std::int64_t>> bought;  // buyer book index -> energy, tariff
  for (const auto& t : c.value().result.trades) {
    CHECK(t.charge == 300'000);  // 150 m at 0.002 per metre
    bought[t.buyer].first += t.energy;
    bought[t.buyer].second += market::buyer_charge_share(t.charge);
  }

  const key_pair validator = derived_key(9, 3, 0);
  auto chain = one_validator_chain(validator);
  std::vector<signed_transaction> txs;
  std::uint64_t nonce = 0;
  for (tx_body body : {tx_body{c.value().root}, tx_body{c.value().clearing}, tx_body{c.value().dues}}) {
    transaction t;
    t.signer = validator.pub;
    t.nonce = ++nonce;
    t.expiry_height = 10;
    t.body = std::move(body);
    txs.push_back(sign_transaction(t, chain_id, validator));
  }
  auto built = chain->propose(txs, 2'000, validator.pub);
  REQUIRE(built.ok());
  CHECK(built.value().rejected.empty());
  const auto& st = chain->state();
  REQUIRE(st.dues_recorded.find({0, 1}));
  CHECK(*st.dues_recorded.find({0, 1}) == c.value().dues.dues.size());
  for (const auto& [index, due] : bought) {
    const auto& owner = c.value().orders[index].terms.owner;
    const auto* recorded = st.dues.find({0, 1, owner, 0});
    REQUIRE(recorded);
    CHECK(recorded->agreed_mwh == due.first);
    CHECK(recorded->tariff_uc == due.second);
    CHECK(recorded->meter == c.value().orders[index].terms.meter);
  }
}

TEST_CASE("a validator's desk: its cycle transactions check, a tampered clearing or carried order is refused, and only recent order sets are kept") {
  const market_grid grid = two_bus_grid();
  const key_pair validator = derived_key(9, 3, 0);
  auto chain = one_validator_chain(validator);
  cycle_desk desk(chain_id, grid, {});
  std::uint64_t nonce = 0;
  const std::uint64_t cycles = cycle_desk::kept_cycles + 4;
  for (std::uint64_t cycle = 1; cycle <= cycles; ++cycle) {
    CAPTURE(cycle);
    for (std::uint64_t i = 0; i < 4; ++i) {
      order_terms t;
      t.cycle = cycle;
      t.side = i < 2 ? market::side::buy : market::side::sell;
      t.price_ucpkwh = i < 2 ? 200'000 - 1'000 * i : 100'000 + 1'000 * i;
      t.energy_mwh = 10'000'000;
      t.bus = static_cast<std::uint32_t>(i % 2);
      CHECK(desk.admit(sign_order(t, chain_id, derived_key(9, 1, i)).envelope, chain->state()) == "ok");
    }
    desk.close({0, cycle});
    const auto batch = desk.propose(chain->state(), validator, nonce);
    REQUIRE(batch.txs.size() == 3);
    const auto& carried = batch.orders.at({0, cycle});
    ledger_state scratch = chain->state();
    const auto built = build_block(scratch, batch.txs, 2'000 + cycle, validator.pub);
    REQUIRE(built.rejected.empty());
    CHECK(desk.check(built.blk, carried, chain->state()).empty());
    if (cycle == 1) {
      // Carried orders that differ from what the clearing used: refused.
      auto fewer = carried;
      fewer.pop_back();
      CHECK(desk.check(built.blk, fewer, chain->state()).find("differs from the re-run clearing") != std::string::npos);
      // A clearing signed with another price: refused.
      auto forged = batch.txs;
      auto body = std::get<clearing_result_body>(forged[1].tx.body);
      body.price_ucpkwh += 1;
      transaction t = forged[1].tx;
      t.body = body;
      forged[1] = sign_transaction(t, chain_id, validator);
      ledger_state other = chain->state();
      const auto bad = build_block(other, forged, 2'000, validator.pub);
      CHECK(desk.check(bad.blk, carried, chain->state()).find("clearing_result differs") != std::string::npos);
    }
    REQUIRE(chain->append(built.blk, built.ercs).ok());
    desk.committed(built.blk, carried, desk.charge_per_m(chain->state()));
    REQUIRE(desk.fixed_cycle({0, cycle}) != nullptr);
    CHECK(desk.fixed_cycle({0, cycle})->orders.size() == 4);
  }
  CHECK(desk.fixed_cycle({0, cycles - cycle_desk::kept_cycles + 1}) != nullptr);
  CHECK(desk.fixed_cycle({0, cycles - cycle_desk::kept_cycles}) == nullptr);
  CHECK(desk.fixed_cycle({0, 1}) == nullptr);
}

TEST_CASE("a validator's desk keeps as late the orders it took that the fixed set lacks and those that come after it, never one of the set nor a forgery") {
  const market_grid grid = two_bus_grid();
  const key_pair validator = derived_key(9, 3, 0);
  auto chain = one_validator_chain(validator);
  cycle_desk proposer(chain_id, grid, {});
  cycle_desk mine(chain_id, grid, {});  // another validator's desk
  auto order_of = [](std::uint64_t i) {
    order_terms t;
    t.cycle = 1;
    t.side = i < 2 ? market::side::buy : market::side::sell;
    t.price_ucpkwh = i < 2 ? 200'000 - 1'000 * i : 100'000 + 1'000 * i;
    t.energy_mwh = 10'000'000;
    t.bus = static_cast<std::uint32_t>(i % 2);
    return sign_order(t, chain_id, derived_key(9, 1, i));
  };
  // The proposer never saw order 3; this validator took all four.
  for (std::uint64_t i = 0; i < 4; ++i) {
    CHECK(mine.admit(order_of(i).envelope, chain->state()) == "ok");
    if (i < 3) CHECK(proposer.admit(order_of(i).envelope, chain->state()) == "ok");
  }
  proposer.close({0, 1});
  mine.close({0, 1});
  std::uint64_t nonce = 0;
  const auto batch = proposer.propose(chain->state(), validator, nonce);
  const auto& carried = batch.orders.at({0, 1});
  REQUIRE(carried.size() == 3);
  ledger_state scratch = chain->state();
  const auto built = build_block(scratch, batch.txs, 2'001, validator.pub);
  CHECK(mine.check(built.blk, carried, chain->state()).empty());
  const auto charge = mine.charge_per_m(chain->state());
  REQUIRE(chain->append(built.blk, built.ercs).ok());
  mine.committed(built.blk, carried, charge);
  auto late = mine.late_orders({0, 1});
  REQUIRE(late.size() == 1);
  CHECK(late[0].id == order_of(3).id);
  // After the set is fixed: an order of the set gossiped again is no late
  // order; a new owner's is; a forged one is not kept.
  CHECK(mine.admit(order_of(1).envelope, chain->state()) == "cycle-closed");
  CHECK(mine.admit(order_of(4).envelope, chain->state()) == "cycle-closed");
  auto forged = order_of(5);
  forged.envelope[forged.envelope.size() - 80] ^= 1;
  mine.admit(forged.envelope, chain->state());
  late = mine.late_orders({0, 1});
  REQUIRE(late.size() == 2);
  std::set<hash256> ids{late[0].id, late[1].id};
  CHECK(ids == std::set<hash256>{order_of(3).id, order_of(4).id});
  CHECK(proposer.late_orders({0, 1}).empty());  // the proposer had no order beside its set
}
