#include <doctest/doctest.h>

#include <fstream>

#include "voltaic/market/scenario.hpp"
#include "voltaic/market/strategy.hpp"

using namespace voltaic::market;

TEST_CASE("behaviour draws stay within their accepted ranges (experiments.md 2.1)") {
  // Accepted m per behaviour and side, as prices at the reference 0.2023.
  struct range_case {
    strategy_kind kind;
    side s;
    price_ucpkwh lo, hi;
  };
  const range_case cases[] = {{strategy_kind::cooperative, side::sell, 101'150, 232'645},
                              {strategy_kind::cooperative, side::buy, 171'955, 303'450},
                              {strategy_kind::non_cooperative, side::sell, 101'150, 303'450},
                              {strategy_kind::non_cooperative, side::buy, 101'150, 303'450}};
  for (const auto& c : cases) {
    rng r(7);
    for (int k = 0; k < 10'000; ++k) {
      const auto p = choose_price(c.kind, {c.s, 0, 202'300, 0}, {}, r).value();
      CHECK(p >= c.lo);
      CHECK(p <= c.hi);
    }
  }
}

TEST_CASE("non-cooperation is a share of the population: about 29 % of sellers and 8 % of buyers leave the band") {
  // The thesis's 15 % rule (sellers above 1.15 ref, buyers below 0.85 ref),
  // met by Table 3.8's 6/25 sellers and 2/25 buyers; cooperative bids never
  // leave it on the seller side.
  rng r(8);
  int sellers_out = 0, buyers_out = 0, coop_sellers_out = 0;
  const int n = 20'000;
  for (int k = 0; k < n; ++k) {
    sellers_out += choose_price(strategy_kind::non_cooperative, {side::sell, 0, 202'300, 0}, {}, r).value() > 232'645;
    buyers_out += choose_price(strategy_kind::non_cooperative, {side::buy, 0, 202'300, 0}, {}, r).value() < 171'955;
    coop_sellers_out += choose_price(strategy_kind::cooperative, {side::sell, 0, 202'300, 0}, {}, r).value() > 232'645;
  }
  CHECK(sellers_out > n * 24 / 100);
  CHECK(sellers_out < n * 34 / 100);
  CHECK(buyers_out > n * 5 / 100);
  CHECK(buyers_out < n * 11 / 100);
  CHECK(coop_sellers_out == 0);
}

TEST_CASE("a behaviour's price draw is m = mu + (sigma / 0.2023) z, z the sum of twelve uniforms minus 6") {
  rng r(99), replay(99);
  const auto draw = price_draw_of(strategy_kind::non_cooperative, side::sell);
  CHECK(draw.mu == 1.03);
  CHECK(draw.sigma == 0.045);
  const auto p = draw_price(draw, 202'300, r);
  double m = 0;
  for (;;) {
    double z = 0;
    for (int k = 0; k < 12; ++k) z += replay.uniform();
    m = 1.03 + (0.045 / 0.2023) * (z - 6);
    if (m >= 0.5 && m <= 1.5) break;
  }
  CHECK(p == round_half_even(202'300 * m).value());
}

TEST_CASE("truthful agents bid their valuation") {
  rng r(9);
  CHECK(choose_price(strategy_kind::truthful, {side::buy, 210'000, 202'300, 0}, {}, r).value() == 210'000);
}

TEST_CASE("adaptive sellers move half-way toward the clearing price after a rejection, never below cost") {
  rng r(10);
  const bid_context ctx{side::sell, 150'000, 202'300, 1};
  bid_memory m;
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 150'000);  // starts truthful
  remember(m, 260'000, reason::price_above_clearing, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 230'000);
  remember(m, 160'000, reason::trade_reduction, 100'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 150'000);  // clamped at cost
  remember(m, 230'000, reason::none, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 230'000);  // filled: keeps its bid
  remember(m, 240'000, reason::oversupply_consumed, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 240'000);  // not its price: keeps it
  remember(m, 241'000, reason::no_crossing, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 241'000);
  remember(m, 200'001, reason::price_above_clearing, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 200'001);  // -0.5 rounds half to even: 0
}

TEST_CASE("adaptive buyers move up toward the clearing price, never above their worth") {
  rng r(11);
  const bid_context ctx{side::buy, 220'000, 202'300, 1};
  bid_memory m;
  remember(m, 150'000, reason::price_below_clearing, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 175'000);
  remember(m, 175'000, reason::insufficient_supply, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 175'000);  // the guard's, not its price
  remember(m, 210'000, reason::price_below_clearing, 260'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 220'000);
}

TEST_CASE("scripted agents read their prices from a CSV and report gaps") {
  const std::string path = "strategy_test_script.csv";
  std::ofstream(path) << "cycle,agent,price\n0,alice,0.21\n1,alice,0.19\n";
  auto script = scripted_prices::load_csv(path);
  REQUIRE(script.ok());
  rng r(1);
  CHECK(choose_price(strategy_kind::scripted, {side::buy, 0, 0, 1}, {}, r, "alice", &script.value()).value() ==
        190'000);
  auto gap = choose_price(strategy_kind::scripted, {side::buy, 0, 0, 2}, {}, r, "alice", &script.value());
  REQUIRE_FALSE(gap.ok());
  CHECK(gap.err().message == "the script has no price for agent 'alice' in cycle 2");
  std::ofstream(path) << "cycle,agent,price\n0,alice,abc\n";
  auto bad = scripted_prices::load_csv(path);
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.err().message.rfind(path + ":2: ", 0) == 0);
}

TEST_CASE("the same seed generates the same P-series scenario, another seed a different one") {
  const std::vector<std::string> buses{"34", "47", "70"};
  for (std::size_t n : p_series) {
    scenario_params p;
    p.participants = n;
    p.seed = 42;
    const auto a = generate_scenario(p, buses).value();
    const auto b = generate_scenario(p, buses).value();
    REQUIRE(a.book.size() == n);
    std::size_t buyers = 0;
    for (std::size_t k = 0; k < n; ++k) {
      CHECK(a.book[k].price == b.book[k].price);
      CHECK(a.book[k].energy == b.book[k].energy);
      CHECK(a.book[k].energy >= 30'000'000);
      CHECK(a.book[k].energy <= 200'000'000);
      buyers += a.book[k].side == side::buy;
    }
    CHECK(buyers == (n + 1) / 2);
    CHECK(validate_book(a.book).ok());
    p.seed = 43;
    const auto c = generate_scenario(p, buses).value();
    bool differs = false;
    for (std::size_t k = 0; k < n; ++k) differs |= c.book[k].price != a.book[k].price;
    CHECK(differs);
  }
}
