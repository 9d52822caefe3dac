// Every worked case of tests/data/testvectors/market.json (a copy of
// shared/spec/testvectors) reproduced by the market library.
#include <doctest/doctest.h>

#include <cmath>
#include <map>

#include "support/books.hpp"
#include "support/json.hpp"
#include "support/paths.hpp"
#include "voltaic/market/cycle.hpp"
#include "voltaic/market/welfare.hpp"

using namespace voltaic;
using market::side;
using test::ids_of;
using test::strings_of;

namespace {

const test::json& vectors() {
  static const test::json v = test::json::parse(test::read_text(test::testvectors_path()));
  return v;
}

const test::json& find_case(const std::string& name) {
  for (const auto& c : vectors()["cases"].arr)
    if (c["name"].str == name) return c;
  throw std::runtime_error("no case " + name);
}

// Energy within 1 mWh (spec section 8 rounding), as the README allows.
void check_kwh(market::energy_mwh got, double expected_kwh) {
  CHECK(std::fabs(static_cast<double>(got) - expected_kwh * 1e6) <= 1.0);
}

void check_expected(const std::vector<market::order>& book, const test::json& ex,
                    const market::clearing_options& opt) {
  const auto r = market::clear(book, opt);
  CHECK(r.case_number == static_cast<int>(ex["case"].num));
  CHECK(r.x == static_cast<std::size_t>(ex["x"].num));
  CHECK(r.y == static_cast<std::size_t>(ex["y"].num));
  CHECK(std::fabs(static_cast<double>(r.price) - ex["price"].num * 1e6) <= 1.0);
  CHECK(r.price_adjusted == ex["price_adjusted"].b);
  CHECK(r.traded == ex["reason"].str.empty());
  CHECK(ids_of(book, r.sellers) == strings_of(ex["sellers"]));
  CHECK(ids_of(book, r.buyers) == strings_of(ex["buyers"]));
  for (std::size_t i = 0; i < r.sellers.size(); ++i)
    check_kwh(r.seller_allowed[i], ex["seller_energy_kwh"][book[r.sellers[i]].id].num);
  for (std::size_t j = 0; j < r.buyers.size(); ++j)
    check_kwh(r.buyer_energy[j], ex["buyer_energy_kwh"][book[r.buyers[j]].id].num);
  CHECK(r.surplus_share_kwh == doctest::Approx(ex["surplus_share_kwh"].num).epsilon(1e-9));
}

}  // namespace

TEST_CASE("every test-vector case clears as specified under DPDA and McAfee") {
  int checked = 0;
  for (const auto& c : vectors()["cases"].arr) {
    if (!c.has("orders")) continue;
    const auto book = test::book_from_json(c["orders"]);
    REQUIRE(market::validate_book(book).ok());
    const std::pair<const char*, market::clearing_options> variants[] = {
        {"dpda_equal_share", {market::mechanism::dpda, market::surplus_policy::equal_share}},
        {"dpda_water_fill", {market::mechanism::dpda, market::surplus_policy::water_fill}},
        {"mcafee", {market::mechanism::mcafee, market::surplus_policy::equal_share}},
    };
    for (const auto& [key, opt] : variants) {
      if (!c.has(key)) continue;
      INFO("case " << c["name"].str << " / " << key);
      check_expected(book, c[key], opt);
      ++checked;
    }
  }
  CHECK(checked == 9);
}

TEST_CASE("DPDA case 3 of Table 2.2 shares the surplus equally among winning sellers") {
  const auto book = test::book_from_json(find_case("table_2_2")["orders"]);
  const auto r = market::clear(book, {});
  REQUIRE(r.case_number == 3);
  // 149 kWh offered by the winners, 146 kWh asked: 3 kWh over 4 sellers.
  for (std::size_t i = 0; i < r.sellers.size(); ++i)
    CHECK(book[r.sellers[i]].energy - r.seller_allowed[i] == 750'000);
}

TEST_CASE("scenario 10 clips E' at zero and leaves the excess unsold") {
  const auto book = test::book_from_json(find_case("scenario_10")["orders"]);
  const auto cy = market::run_cycle(book, market::distance_table::uniform(0), {});
  REQUIRE(cy.ok());
  market::energy_mwh allowed = 0, sold = 0;
  for (auto e : cy.value().clearing.seller_allowed) allowed += e;
  for (const auto& t : cy.value().trades) sold += t.energy;
  CHECK(allowed == 78'000'000);  // 78 kWh offered for 72 kWh of demand
  CHECK(sold == 72'000'000);
}

namespace {

// Table 2.2 with Appendix B's distance preferences and pairwise distances:
// buyers are rows, sellers columns of the distance table.
struct appendix_b_setup {
  std::vector<market::order> book;
  market::distance_table distances;
};

appendix_b_setup appendix_b() {
  const auto& ab = find_case("appendix_b_score_matching");
  appendix_b_setup s{test::book_from_json(find_case("table_2_2")["orders"]), {}};
  std::map<std::string, int> buyer_row, seller_col;
  for (const auto& b : ab["buyers"].arr) buyer_row[b["id"].str] = static_cast<int>(buyer_row.size());
  for (const auto& x : ab["sellers"].arr) seller_col[x["id"].str] = static_cast<int>(seller_col.size());
  s.distances = market::distance_table(buyer_row.size(), seller_col.size());
  for (auto& o : s.book) {
    const auto& rows = o.side == side::buy ? ab["buyers"] : ab["sellers"];
    for (const auto& p : rows.arr)
      if (p["id"].str == o.id) {
        o.distance_pref = static_cast<market::distance_mm>(std::llround(p["distance_pref_m"].num * 1000));
        o.location = o.side == side::buy ? buyer_row[o.id] : seller_col[o.id];
      }
  }
  for (const auto& [key, d] : ab["distance_m"].obj) {
    const auto arrow = key.find("->");
    s.distances.set(static_cast<std::size_t>(buyer_row.at(key.substr(0, arrow))),
                    static_cast<std::size_t>(seller_col.at(key.substr(arrow + 2))),
                    static_cast<market::distance_mm>(std::llround(d.num * 1000)));
  }
  return s;
}

}  // namespace

TEST_CASE("Appendix B: welfare, scores, matching order and quotes") {
  const auto& ab = find_case("appendix_b_score_matching");
  const auto setup = appendix_b();
  const auto cy = market::run_cycle(setup.book, setup.distances, {});
  REQUIRE(cy.ok());
  const auto& r = cy.value();
  CHECK(r.clearing.price == 16'500'000);

  // Welfare of every winner at p0 with its traded energy.
  const double p0 = 16.5;
  for (std::size_t i = 0; i < r.clearing.sellers.size(); ++i) {
    const auto& o = setup.book[r.clearing.sellers[i]];
    CHECK(market::seller_welfare(o.welfare, p0, market::to_kwh(r.clearing.seller_allowed[i])) ==
          doctest::Approx(ab["expected_welfare"][o.id].num).epsilon(1e-12));
  }
  for (std::size_t j = 0; j < r.clearing.buyers.size(); ++j) {
    const auto& o = setup.book[r.clearing.buyers[j]];
    CHECK(market::buyer_welfare(o.welfare, p0, market::to_kwh(r.clearing.buyer_energy[j])) ==
          doctest::Approx(ab["expected_welfare"][o.id].num).epsilon(1e-12));
  }

  // Trades in matching order, with their scores and charges.
  const auto& expected = ab["expected_trades_in_order"].arr;
  REQUIRE(r.trades.size() == expected.size());
  for (std::size_t k = 0; k < expected.size(); ++k) {
    const auto& t = r.trades[k];
    INFO("trade " << k);
    CHECK(setup.book[t.buyer].id == expected[k]["buyer"].str);
    CHECK(setup.book[t.seller].id == expected[k]["seller"].str);
    check_kwh(t.energy, expected[k]["energy"].num);
    CHECK(t.distance == std::llround(expected[k]["distance"].num * 1000));
    CHECK(std::fabs(t.score - expected[k]["score"].num) < 1e-6);
    CHECK(t.charge == std::llround(0.002 * expected[k]["distance"].num * 1e6));
  }

  // Quotes of formula 4.6 / 4.7.
  for (const auto& q : r.quotes.buyers)
    CHECK(std::fabs(static_cast<double>(q.amount) -
                    ab["expected_buyer_quotes"][setup.book[q.order].id].num * 1e6) <= 1.0);
  for (const auto& q : r.quotes.sellers)
    CHECK(std::fabs(static_cast<double>(q.amount) -
                    ab["expected_seller_quotes"][setup.book[q.order].id].num * 1e6) <= 1.0);
}

TEST_CASE("Appendix B: every one of the twelve scores matches") {
  const auto& ab = find_case("appendix_b_score_matching");
  const auto setup = appendix_b();
  const auto r = market::clear(setup.book, {});
  // One seller and one buyer at a time: a matching of a single pair reports
  // that pair's score, so scores of pairs the walk skips are checked too.
  int checked = 0;
  for (const auto& [key, expected] : ab["expected_scores"].obj) {
    const auto arrow = key.find("->");
    const std::string buyer = key.substr(0, arrow), seller = key.substr(arrow + 2);
    market::clearing_result one = r;
    one.buyers.clear(), one.buyer_energy.clear(), one.sellers.clear(), one.seller_allowed.clear();
    for (std::size_t j = 0; j < r.buyers.size(); ++j)
      if (setup.book[r.buyers[j]].id == buyer)
        one.buyers.push_back(r.buyers[j]), one.buyer_energy.push_back(r.buyer_energy[j]);
    for (std::size_t i = 0; i < r.sellers.size(); ++i)
      if (setup.book[r.sellers[i]].id == seller)
        one.sellers.push_back(r.sellers[i]), one.seller_allowed.push_back(r.seller_allowed[i]);
    // Welfare depends only on each party's own energy, so it is unchanged.
    const auto trades = market::match(setup.book, one, setup.distances, {});
    REQUIRE(trades.ok());
    REQUIRE(trades.value().size() == 1);
    INFO(key);
    CHECK(std::fabs(trades.value()[0].score - expected.num) < 1e-6);
    ++checked;
  }
  CHECK(checked == 12);
}

TEST_CASE("outcomes give every order of Table 2.2 exactly one verdict with a reason") {
  const auto setup = appendix_b();
  const auto cy = market::run_cycle(setup.book, setup.distances, {});
  REQUIRE(cy.ok());
  std::map<std::string, std::string> verdict;
  for (std::size_t k = 0; k < setup.book.size(); ++k) {
    const auto& o = cy.value().outcomes[k];
    verdict[setup.book[k].id + (setup.book[k].side == side::buy ? "b" : "s")] =
        std::string(market::to_string(o.kind)) + "/" + market::to_string(o.reason);
  }
  CHECK(verdict["9b"] == "filled/");
  CHECK(verdict["4s"] == "partially_filled/");
  CHECK(verdict["11s"] == "rejected/trade_reduction");    // S_y, cut by case 3
  CHECK(verdict["13s"] == "rejected/price_above_clearing");
  CHECK(verdict["16b"] == "rejected/trade_reduction");    // B_x, cut by case 3
  CHECK(verdict["8b"] == "rejected/price_below_clearing");
  CHECK(cy.value().outcomes[0].clearing_price == 16'500'000);
}
