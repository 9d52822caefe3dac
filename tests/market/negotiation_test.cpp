// Bilateral negotiation as plain logic: alternating offers with linear
// concessions agree at a price between the two reservations, never beyond
// either; a gap no concession closes ends in a reject at the deadline; the
// same strategies always give the same rounds.
#include <doctest/doctest.h>

#include <vector>

#include "voltaic/market/negotiation.hpp"
#include "voltaic/market/rng.hpp"

using namespace voltaic::market;

namespace {

struct outcome {
  bool deal = false;
  price_ucpkwh price = 0;
  int messages = 0;  // offers, counters and the final word
};

// Runs a negotiation to its end, buyer first.
outcome negotiate(const negotiation_strategy& b, const negotiation_strategy& p) {
  negotiator buyer(true, b), producer(false, p);
  price_ucpkwh asked = buyer.open();
  outcome o;
  o.messages = 1;
  negotiator* turn = &producer;
  for (int guard = 0; guard < 1000; ++guard) {
    const auto r = turn->answer(asked);
    ++o.messages;
    if (r.step == negotiation_step::accept) return {true, r.price, o.messages};
    if (r.step == negotiation_step::reject) return {false, 0, o.messages};
    CHECK(r.step == negotiation_step::counter);
    asked = r.price;
    turn = turn == &producer ? &buyer : &producer;
  }
  FAIL("the negotiation did not end");
  return o;
}

}  // namespace

TEST_CASE("buyer and producer concede toward each other and agree at a price both reservations allow") {
  // Buyer opens 0.15, will pay 0.22, +0.01 a round; producer opens 0.25, takes 0.18, -0.01 a round.
  const negotiation_strategy buyer{150'000, 220'000, 10'000, 10}, producer{250'000, 180'000, 10'000, 10};
  const auto o = negotiate(buyer, producer);
  REQUIRE(o.deal);
  CHECK(o.price >= 180'000);
  CHECK(o.price <= 220'000);
  // Offers 0.15, 0.25 (producer opens), 0.16, 0.24, 0.17, 0.23, 0.18, 0.22, 0.19, 0.21, 0.20, then 0.20 accepted.
  CHECK(o.price == 200'000);
  CHECK(o.messages == 12);
  // A producer asking no more than the buyer's opening accepts at once.
  const auto cheap = negotiate(buyer, {140'000, 100'000, 0, 3});
  CHECK(cheap.deal);
  CHECK(cheap.price == 150'000);
  CHECK(cheap.messages == 2);
}

TEST_CASE("reservations that never meet end in a reject at the deadline, never in a deal beyond one") {
  const auto o = negotiate({150'000, 170'000, 10'000, 4}, {250'000, 200'000, 10'000, 4});
  CHECK(!o.deal);
  // A firm producer (no concession) still deals once the buyer comes up to it.
  const auto firm = negotiate({150'000, 220'000, 20'000, 10}, {200'000, 200'000, 0, 10});
  CHECK(firm.deal);
  CHECK(firm.price == 200'000);
}

TEST_CASE("over thousands of random strategies a deal lies within both reservations and repeats exactly") {
  rng r(2026);
  int deals = 0;
  for (int i = 0; i < 5000; ++i) {
    const auto b_res = static_cast<price_ucpkwh>(r.uniform(100'000, 300'000));
    const auto p_res = static_cast<price_ucpkwh>(r.uniform(100'000, 300'000));
    const negotiation_strategy b{b_res - static_cast<price_ucpkwh>(r.uniform(0, 80'000)), b_res,
                                 static_cast<price_ucpkwh>(r.uniform(0, 20'000)),
                                 static_cast<std::uint32_t>(r.uniform(1, 12))};
    const negotiation_strategy p{p_res + static_cast<price_ucpkwh>(r.uniform(0, 80'000)), p_res,
                                 static_cast<price_ucpkwh>(r.uniform(0, 20'000)),
                                 static_cast<std::uint32_t>(r.uniform(1, 12))};
    REQUIRE(check_strategy(b, true));
    REQUIRE(check_strategy(p, false));
    const auto o = negotiate(b, p);
    if (o.deal) {
      ++deals;
      CHECK(o.price <= b_res);
      CHECK(o.price >= p_res);
    } else {
      CHECK(o.messages <= 2 * 12 + 2);
    }
    const auto again = negotiate(b, p);
    CHECK(again.deal == o.deal);
    CHECK(again.price == o.price);
    CHECK(again.messages == o.messages);
  }
  CHECK(deals > 500);  // overlapping reservations happen in about half the draws
}

TEST_CASE("a strategy that opens beyond its reservation, or has no round at all, is refused") {
  CHECK(!check_strategy({230'000, 220'000, 1, 3}, true));
  CHECK(!check_strategy({170'000, 180'000, 1, 3}, false));
  CHECK(!check_strategy({100'000, 120'000, 1, 0}, true));
  CHECK(!check_strategy({100'000, 120'000, -1, 3}, true));
  CHECK(check_strategy({100'000, 120'000, 0, 3}, true));
}
