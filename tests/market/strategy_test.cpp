#include <doctest/doctest.h>

#include <fstream>

#include "voltaic/market/scenario.hpp"
#include "voltaic/market/strategy.hpp"

using namespace voltaic::market;

TEST_CASE("cooperative bids stay within 15 % of the reference price") {
  rng r(7);
  const bid_context ctx{side::sell, 190'000, 202'300, 0};
  for (int k = 0; k < 10'000; ++k) {
    const auto p = choose_price(strategy_kind::cooperative, ctx, {}, r).value();
    CHECK(p >= 171'955);  // 0.85 * 202300
    CHECK(p <= 232'645);  // 1.15 * 202300
  }
}

TEST_CASE("non-cooperative sellers bid above 115 % and buyers below 85 % of the reference") {
  rng r(8);
  for (int k = 0; k < 10'000; ++k) {
    CHECK(choose_price(strategy_kind::non_cooperative, {side::sell, 0, 202'300, 0}, {}, r).value() > 232'645);
    CHECK(choose_price(strategy_kind::non_cooperative, {side::buy, 0, 202'300, 0}, {}, r).value() < 171'955);
  }
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
  remember(m, 260'000, true, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 230'000);
  remember(m, 160'000, true, 100'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 150'000);  // clamped at cost
  remember(m, 230'000, false, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 230'000);  // filled: keeps its bid
}

TEST_CASE("adaptive buyers move up toward the clearing price, never above their worth") {
  rng r(11);
  const bid_context ctx{side::buy, 220'000, 202'300, 1};
  bid_memory m;
  remember(m, 150'000, true, 200'000);
  CHECK(choose_price(strategy_kind::adaptive, ctx, m, r).value() == 175'000);
  remember(m, 210'000, true, 260'000);
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
