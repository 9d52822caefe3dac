// The escrow baseline SPB is compared with (spec/protocols.md section 3,
// item 5): deploy, pay in, pay out — three block entries per trade, each
// the buyer's; the producer paid pro rata to what the buyer's meter read,
// the rest back; an escrow whose producer never delivered refunded after
// its expiry; every wrong step refused with its reason and nothing changed;
// money conserved as balances plus paid escrows; a replica replays it all.
#include <doctest/doctest.h>

#include "ledger_lab.hpp"

using namespace voltaic::chain;
using namespace voltaic::chain::testing;

namespace {

struct escrow_lab : ledger_lab {
  std::int64_t money = 0;
  escrow_lab() { money = total_money(); }
  std::int64_t escrowed() const {
    std::int64_t sum = 0;
    for (const auto& [id, x] : state().escrows.items()) sum += x.paid ? x.amount_uc : 0;
    return sum;
  }
  // The buyer's deploy for 1.4 credits of 10 kWh from the producer, and its id.
  std::pair<signed_transaction, hash256> deploy(std::uint64_t expiry = 30) {
    auto d = tx(buyer, escrow_deploy_body{producer.pub, 1'400'000, 10'000'000, expiry});
    return {d, escrow_id_of(d.tx)};
  }
};

}  // namespace

TEST_CASE("an escrow trade is three block entries: deploy, pay in, pay out, and the producer is paid pro rata") {
  escrow_lab l;
  auto [d, id] = l.deploy();
  // Deploy and payment in one block (the buyer knows the escrow's id before it is on chain).
  auto built = l.chain->propose({d, l.tx(l.buyer, escrow_pay_body{{id}})}, 90'000, l.validator.pub);
  REQUIRE(built.ok());
  CHECK(built.value().rejected.empty());
  CHECK(built.value().blk.entries.size() == 2);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - 1'400'000);
  CHECK(l.escrowed() == 1'400'000);
  CHECK(l.total_money() + l.escrowed() == l.money);
  // The meter read 9 of 10 kWh: the producer gets 9/10, the buyer the rest.
  built = l.chain->propose({l.tx(l.buyer, escrow_payout_body{id, 9'000'000})}, 91'000, l.validator.pub);
  REQUIRE(built.ok());
  CHECK(built.value().rejected.empty());
  CHECK(built.value().blk.entries.size() == 1);
  CHECK(l.acct(l.producer).balance_uc == 1'260'000);
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000 - 1'260'000);
  CHECK(l.state().escrows.items().empty());
  CHECK(l.total_money() == l.money);
  // Paid out once: again is refused.
  CHECK(l.propose({l.tx(l.buyer, escrow_payout_body{id, 1})}) == std::vector<std::string>{"escrow-unknown"});
}

TEST_CASE("wrong escrow steps are refused with their reason and change nothing") {
  escrow_lab l;
  auto [d, id] = l.deploy();
  REQUIRE(l.propose({d}).empty());
  const std::vector<std::pair<signed_transaction, const char*>> cases = {
      {l.tx(l.buyer, escrow_payout_body{id, 1'000'000}), "escrow-unpaid"},           // nothing in it yet
      {l.tx(l.stranger, escrow_pay_body{{id}}), "escrow-not-owner"},                 // someone else's escrow
      {l.tx(l.producer, escrow_payout_body{id, 1'000'000}), "escrow-not-owner"},     // the producer pays itself
      {l.tx(l.buyer, escrow_pay_body{{hash256{}}}), "escrow-unknown"},
      {l.tx(l.buyer, escrow_refund_body{{id}}), "escrow-not-expired"},
      {l.tx(l.buyer, escrow_deploy_body{l.buyer.pub, 1, 1, 30}), "escrow-self"},
      {l.tx(l.buyer, escrow_deploy_body{l.producer.pub, 0, 1, 30}), "amount-out-of-range"},
      {l.tx(l.buyer, escrow_deploy_body{l.producer.pub, 1, 1, 1}), "escrow-expiry-past"},
      {l.tx(l.stranger, escrow_deploy_body{l.producer.pub, 5, 1, 30}), ""},  // deploys, but cannot pay:
  };
  for (const auto& [t, reason] : cases) {
    INFO(reason);
    const auto got = l.propose({t});
    if (*reason) CHECK(got == std::vector<std::string>{reason});
  }
  // The stranger's escrow exists; paying it needs money the stranger has not got.
  CHECK(l.state().escrows.items().size() == 2);
  const auto stranger_escrow = escrow_id_of(cases.back().first.tx);
  CHECK(l.propose({l.tx(l.stranger, escrow_pay_body{{stranger_escrow}})}) ==
        std::vector<std::string>{"insufficient-balance"});
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000);
  CHECK(l.total_money() == l.money);
  // Paid, more than agreed is refused; paying twice is refused.
  REQUIRE(l.propose({l.tx(l.buyer, escrow_pay_body{{id}})}).empty());
  CHECK(l.propose({l.tx(l.buyer, escrow_pay_body{{id}})}) == std::vector<std::string>{"escrow-paid"});
  CHECK(l.propose({l.tx(l.buyer, escrow_payout_body{id, 10'000'001})}) ==
        std::vector<std::string>{"escrow-energy-exceeds"});
  CHECK(l.total_money() + l.escrowed() == l.money);
}

TEST_CASE("a producer that never delivers: the paid escrow comes back to the buyer after its expiry, not before") {
  escrow_lab l;
  auto [d, id] = l.deploy(12);
  REQUIRE(l.propose({d, l.tx(l.buyer, escrow_pay_body{{id}})}).empty());
  CHECK(l.propose({l.tx(l.buyer, escrow_refund_body{{id}})}) == std::vector<std::string>{"escrow-not-expired"});
  while (l.state().height < 12) l.propose({});
  // Past its expiry it pays out no more.
  CHECK(l.propose({l.tx(l.buyer, escrow_payout_body{id, 5'000'000})}) == std::vector<std::string>{"escrow-expired"});
  CHECK(l.propose({l.tx(l.buyer, escrow_refund_body{{id}})}).empty());
  CHECK(l.acct(l.buyer).balance_uc == 10'000'000);
  CHECK(l.acct(l.producer).balance_uc == 0);
  CHECK(l.state().escrows.items().empty());
  CHECK(l.total_money() == l.money);
}

TEST_CASE("escrows are state: a replica replaying the chain holds the same escrows and root") {
  escrow_lab l;
  auto [d1, id1] = l.deploy();
  auto [d2, id2] = l.deploy();
  REQUIRE(l.propose({d1, d2, l.tx(l.buyer, escrow_pay_body{{id1}})}).empty());
  REQUIRE(l.propose({l.tx(l.buyer, escrow_payout_body{id1, 10'000'000})}).empty());
  CHECK(l.state().escrows.items().size() == 1);  // the second, deployed and unpaid
  const auto replica = l.replay();
  CHECK(replica->state().head_hash == l.state().head_hash);
  CHECK(replica->state().all_records() == l.state().all_records());
  CHECK(replica->state().escrows.items().count(id2) == 1);
}
