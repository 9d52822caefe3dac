#include <doctest/doctest.h>

#include <cmath>

#include "voltaic/market/curve.hpp"
#include "voltaic/market/order.hpp"
#include "voltaic/market/settlement.hpp"
#include "voltaic/market/units.hpp"

using namespace voltaic::market;

TEST_CASE("half-to-even rounding of integer quotients") {
  CHECK(div_round_half_even(5, 2) == 2);
  CHECK(div_round_half_even(7, 2) == 4);
  CHECK(div_round_half_even(-5, 2) == -2);
  CHECK(div_round_half_even(-7, 2) == -4);
  CHECK(div_round_half_even(10, 3) == 3);
  CHECK(div_round_half_even(11, 3) == 4);
  CHECK(round_half_even(2.5).value() == 2);
  CHECK(round_half_even(3.5).value() == 4);
  CHECK_FALSE(round_half_even(NAN).ok());
  CHECK_FALSE(round_half_even(1e19).ok());
}

TEST_CASE("decimal text parses exactly into integer units") {
  CHECK(parse_scaled("16.5", uc_per_credit).value() == 16'500'000);
  CHECK(parse_scaled("0.2023", uc_per_credit).value() == 202'300);
  CHECK(parse_scaled(" 69.25 ", mwh_per_kwh).value() == 69'250'000);
  CHECK(parse_scaled("-2", 1000).value() == -2000);
  CHECK(parse_scaled("0.0000005", mwh_per_kwh).value() == 0);   // half to even: 0
  CHECK(parse_scaled("0.0000015", mwh_per_kwh).value() == 2);
  CHECK(parse_scaled("0.00000051", mwh_per_kwh).value() == 1);
  for (const char* bad : {"", "nan", "inf", "1e3", "1.2.3", "12a", "-", "."})
    CHECK_FALSE(parse_scaled(bad, 1000).ok());
  CHECK(parse_scaled("99999999999999999999999", 1).err().code == errc::out_of_range);
}

TEST_CASE("integer units print exactly with at least one decimal") {
  CHECK(format_scaled(69'250'000, mwh_per_kwh) == "69.25");
  CHECK(format_scaled(70'000'000, mwh_per_kwh) == "70.0");
  CHECK(format_scaled(242'000, uc_per_credit) == "0.242");
  CHECK(format_scaled(-500'000, uc_per_credit) == "-0.5");
  CHECK(format_scaled(0, mm_per_m) == "0.0");
}

TEST_CASE("money products use 128-bit intermediates and round half to even") {
  CHECK(money_for(16'500'000, 16'000'000) == 264'000'000);
  CHECK(money_for(max_price, max_order_energy) == 1'000'000'000'000'000'000);
  CHECK(money_for(1, 500'000) == 0);  // 0.5 micro-credit -> 0
  CHECK(money_for(3, 500'000) == 2);  // 1.5 -> 2
}

TEST_CASE("orders from doubles refuse NaN, infinities and bad ranges, naming the order") {
  CHECK(make_order("a", side::buy, 0.2, 10, HUGE_VAL, 0).ok());
  auto nan_price = make_order("b7", side::sell, NAN, 10, HUGE_VAL, 0);
  REQUIRE_FALSE(nan_price.ok());
  CHECK(nan_price.err().message.find("b7") != std::string::npos);
  CHECK_FALSE(make_order("c", side::sell, 1, INFINITY, HUGE_VAL, 0).ok());
  CHECK(make_order("d", side::sell, -1, 1, HUGE_VAL, 0).err().code == errc::out_of_range);
  CHECK(make_order("e", side::sell, 1, 0, HUGE_VAL, 0).err().code == errc::out_of_range);
  CHECK(make_order("f", side::sell, 1, 1e-9, HUGE_VAL, 0).err().code == errc::out_of_range);
  CHECK_FALSE(make_order("g", side::sell, 1, 1, NAN, 0).ok());
}

TEST_CASE("a book with a duplicate id is rejected before clearing") {
  std::vector<order> book{make_order("x", side::buy, 1, 1, HUGE_VAL, 0).value(),
                          make_order("x", side::sell, 1, 1, HUGE_VAL, 1).value()};
  auto st = validate_book(book);
  REQUIRE_FALSE(st.ok());
  CHECK(st.err().code == errc::duplicate_id);
  CHECK(st.err().message == "order 'x': duplicate id");
}

TEST_CASE("settlement charges the deviation penalty to both sides") {
  settlement_terms t{16'500'000, 10'000'000, 8'000'000, 121'000, 5'000'000};
  const auto b = settle_buyer(t);
  CHECK(b.energy_amount == 132'000'000);
  CHECK(b.penalty == 10'000'000);
  CHECK(b.total == 132'000'000 + 121'000 + 10'000'000);
  const auto s = settle_seller(t);
  CHECK(s.total == 132'000'000 - 121'000 - 10'000'000);
  t.metered = t.agreed;
  CHECK(settle_seller(t).penalty == 0);
}

TEST_CASE("a repeated seq still gives a deterministic curve, ordered by position in the book") {
  std::vector<order> book{make_order("a", side::sell, 1, 1, HUGE_VAL, 5).value(),
                          make_order("b", side::sell, 1, 1, HUGE_VAL, 5).value(),
                          make_order("c", side::sell, 1, 1, HUGE_VAL, 2).value()};
  REQUIRE(validate_book(book).ok());
  const auto c = build_curves(book);
  CHECK(c.sellers == std::vector<std::uint32_t>{2, 0, 1});
}
