// Invariants over 10,000+ seeded random order books (issue 2).
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>
#include <string>

#include "support/random_books.hpp"
#include "voltaic/market/cycle.hpp"
#include "voltaic/market/report.hpp"

using namespace voltaic;
using market::side;

namespace {

constexpr std::uint64_t book_count = 10'000;

void check_invariants(const test::random_market& m, const market::cycle_options& opt) {
  const auto& book = m.book;
  const auto cy = market::run_cycle(book, m.distances, opt);
  REQUIRE(cy.ok());
  const auto& r = cy.value();
  const auto& cl = r.clearing;
  REQUIRE(r.outcomes.size() == book.size());

  // Traded energy per order, summed from the trades (integer mWh).
  std::vector<market::energy_mwh> traded(book.size(), 0);
  market::energy_mwh bought = 0, sold = 0;
  for (const auto& t : r.trades) {
    REQUIRE(t.energy > 0);
    REQUIRE(book[t.buyer].side == side::buy);
    REQUIRE(book[t.seller].side == side::sell);
    traded[t.buyer] += t.energy;
    traded[t.seller] += t.energy;
    bought += t.energy;
    sold += t.energy;
    // Individual rationality: both reserves respected at p0.
    CHECK(book[t.seller].price <= cl.price);
    CHECK(cl.price <= book[t.buyer].price);
  }
  CHECK(bought == sold);

  for (std::size_t i = 0; i < cl.sellers.size(); ++i) {
    const auto s = cl.sellers[i];
    CHECK(cl.seller_allowed[i] <= book[s].energy);
    CHECK(traded[s] <= cl.seller_allowed[i]);
    CHECK(book[s].price <= cl.price);
  }
  for (std::size_t j = 0; j < cl.buyers.size(); ++j) {
    const auto b = cl.buyers[j];
    CHECK(traded[b] <= book[b].energy);
    CHECK(cl.price <= book[b].price);
    if (opt.clearing.mechanism == market::mechanism::dpda) CHECK(traded[b] == book[b].energy);
  }
  // Exactly one outcome per order, consistent with the trades.
  for (std::size_t k = 0; k < book.size(); ++k) {
    const auto& o = r.outcomes[k];
    CHECK(o.traded == traded[k]);
    if (o.kind == market::outcome_kind::rejected) CHECK(o.reason != market::reason::none);
    else CHECK(o.reason == market::reason::none);
    if (o.kind == market::outcome_kind::filled) CHECK(o.traded == book[k].energy);
  }
  if (!cl.traded) CHECK(r.trades.empty());

  // The fast matching walks exactly the sorted list of every pair.
  const auto reference = market::match_reference(book, cl, m.distances, opt.matching);
  REQUIRE(reference.ok());
  REQUIRE(reference.value().size() == r.trades.size());
  for (std::size_t k = 0; k < r.trades.size(); ++k) {
    CHECK(reference.value()[k].buyer == r.trades[k].buyer);
    CHECK(reference.value()[k].seller == r.trades[k].seller);
    CHECK(reference.value()[k].energy == r.trades[k].energy);
  }

  // Identical input gives byte-identical reports.
  const auto again = market::run_cycle(book, m.distances, opt);
  REQUIRE(again.ok());
  CHECK(market::to_text(book, r) == market::to_text(book, again.value()));
  const auto tables = market::to_csv_tables(book, r), tables_again = market::to_csv_tables(book, again.value());
  REQUIRE(tables.size() == tables_again.size());
  for (std::size_t i = 0; i < tables.size(); ++i) CHECK(tables[i].text == tables_again[i].text);
}

}  // namespace

TEST_CASE("DPDA invariants hold on 10,000 random books under equal_share") {
  int cases[5] = {0, 0, 0, 0, 0};
  int traded = 0, adjusted = 0;
  for (std::uint64_t seed = 0; seed < book_count; ++seed) {
    INFO("seed " << seed);
    const auto m = test::make_random_market(seed);
    check_invariants(m, {});
    const auto cl = market::clear(m.book, {});
    ++cases[cl.case_number];
    traded += cl.traded;
    adjusted += cl.price_adjusted;
  }
  // The generator reaches every reachable case, and most books trade.
  MESSAGE("cases 0..4: " << cases[0] << " " << cases[1] << " " << cases[2] << " " << cases[3]
                         << " " << cases[4] << "; traded " << traded << ", adjusted " << adjusted);
  CHECK(cases[0] > 100);
  CHECK(cases[1] > 100);
  CHECK(cases[3] > 100);
  CHECK(cases[4] > 100);
  CHECK(cases[2] == 0);  // unreachable with exact integer arithmetic
  CHECK(traded > 3000);
  CHECK(adjusted > 10);
}

TEST_CASE("DPDA invariants hold on 10,000 random books under water_fill") {
  market::cycle_options opt;
  opt.clearing.policy = market::surplus_policy::water_fill;
  for (std::uint64_t seed = 0; seed < book_count; ++seed) {
    INFO("seed " << seed);
    const auto m = test::make_random_market(seed);
    check_invariants(m, opt);
    // Water filling makes supply meet demand exactly.
    const auto cl = market::clear(m.book, opt.clearing);
    if (cl.traded) {
      market::energy_mwh allowed = 0, demand = 0;
      for (auto e : cl.seller_allowed) allowed += e;
      for (auto e : cl.buyer_energy) demand += e;
      CHECK(allowed == demand);
    }
  }
}

TEST_CASE("McAfee invariants hold on 10,000 random books") {
  market::cycle_options opt;
  opt.clearing.mechanism = market::mechanism::mcafee;
  for (std::uint64_t seed = 0; seed < book_count; ++seed) {
    INFO("seed " << seed);
    check_invariants(test::make_random_market(seed), opt);
  }
}

TEST_CASE("matching by cells equals sorting every pair on 600 crowded books, under both mechanisms") {
  // Shared prices, equal welfare, zero and negative score prices: the cases
  // where a cell's best pair needs the tie rule (check_invariants compares
  // match() with match_reference() trade by trade).
  for (std::uint64_t seed = 0; seed < 300; ++seed) {
    INFO("seed " << seed);
    const auto m = test::make_crowded_market(seed);
    check_invariants(m, {});
    market::cycle_options mcafee;
    mcafee.clearing.mechanism = market::mechanism::mcafee;
    check_invariants(m, mcafee);
  }
}

TEST_CASE("a book whose curves do not cross rejects every order with no_crossing") {
  std::vector<market::order> book{
      market::make_order("s", side::sell, 30, 10, HUGE_VAL, 0).value(),
      market::make_order("b", side::buy, 20, 10, HUGE_VAL, 0).value()};
  const auto cy = market::run_cycle(book, market::distance_table::uniform(0), {});
  REQUIRE(cy.ok());
  CHECK(cy.value().clearing.case_number == 0);
  for (const auto& o : cy.value().outcomes) CHECK(o.reason == market::reason::no_crossing);
}

TEST_CASE("trades handed over during matching are the trades returned, and render as the report does") {
  // 40,000 orders make more trades than one batch; the crowded books few.
  test::random_market big;
  market::rng r(7);
  for (std::int64_t k = 0; k < 40'000; ++k) {
    market::order o;
    o.side = k % 2 ? market::side::sell : market::side::buy;
    o.id = (k % 2 ? "s" : "b") + std::to_string(k);
    o.price = (k % 2 ? 150'000 : 190'000) + r.between(0, 50) * 1'000;
    o.energy = r.between(1'000, 200'000) * 1'000;
    o.seq = static_cast<std::uint64_t>(k);
    big.book.push_back(o);
  }
  big.distances = market::distance_table::uniform(10'000);
  for (const test::random_market* m : {&big, static_cast<test::random_market*>(nullptr)}) {
    const test::random_market market_under_test = m ? *m : test::make_crowded_market(3);
    const auto& book = market_under_test.book;
    market::cycle_options opt;
    std::vector<market::trade> handed;
    std::size_t batches = 0;
    opt.matching.on_trades = [&](const market::trade* first, std::size_t count) {
      handed.insert(handed.end(), first, first + count);
      ++batches;
    };
    const auto cycle = market::run_cycle(book, market_under_test.distances, opt);
    REQUIRE(cycle.ok());
    const auto& trades = cycle.value().trades;
    REQUIRE(handed.size() == trades.size());
    if (m) CHECK(batches > 1);
    for (std::size_t k = 0; k < trades.size(); ++k) {
      CHECK(handed[k].buyer == trades[k].buyer);
      CHECK(handed[k].seller == trades[k].seller);
      CHECK(handed[k].energy == trades[k].energy);
    }
    std::string lines, rows = market::trade_table_header;
    market::append_text_trade_lines(lines, book, handed.data(), handed.size());
    market::append_trade_table_rows(rows, book, handed.data(), handed.size());
    CHECK(market::text_summary_head(book, cycle.value()) + lines +
              market::text_summary_rejected(book, cycle.value()) ==
          market::to_text(book, cycle.value()));
    std::ostringstream table;
    market::write_csv_table(table, book, cycle.value(), market::report_table::trades);
    CHECK(rows == table.str());
  }
}
