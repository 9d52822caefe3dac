// A buyer's side of a bilateral deal, without a chain: once its search finds
// the producer's energy account it opens with an offer sealed to the producer and acts only on an accept of that very
// offer, signed by that producer — a forged accept, an accept of a price it
// never offered and one from a third party are refused and change nothing.
#include <doctest/doctest.h>

#include "voltaic/agents/backbone_router.hpp"
#include "voltaic/agents/bilateral_trader.hpp"
#include "voltaic/agents/deal_message.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/agents/routed_endpoint.hpp"
#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/energy/answers.hpp"

using namespace voltaic;

namespace {

const std::string chain_id = "deal-test";

chain::key_pair seeded(std::uint8_t n) {
  std::array<std::uint8_t, 32> s{};
  s.fill(n);
  return chain::key_pair_from_seed(s);
}

// A validator without a chain: it shows `producer`'s energy account (the
// buyer's search) and fails every other question.
caf::behavior no_chain(caf::event_based_actor*, chain::public_key producer) {
  return {
      [](agents::headnonce_atom, const chain::public_key&) -> caf::result<std::uint64_t, std::uint64_t> {
        return caf::make_error(caf::sec::runtime_error, "no chain here");
      },
      [producer](agents::query_atom, const std::string& path, const std::string&) {
        chain::answer_list<chain::energy_offer_row> rows;
        if (path == "energy_account") rows.items.push_back({producer, 1'000'000'000, 200'000});
        const auto b = chain::encode_fields(rows);
        return std::make_tuple(path == "energy_account", std::string(b.begin(), b.end()));
      },
  };
}

}  // namespace

TEST_CASE("a buyer acts only on its producer's signed accept of the price it offered") {
  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  const auto table = agents::routing_table::even(2);
  std::vector<caf::actor> routers;
  for (std::size_t i = 0; i < 2; ++i) routers.push_back(agents::spawn_backbone_router(system, {i, table, chain_id, {}}));
  for (const auto& r : routers) self->send(r, agents::routers_atom::value, routers);

  const auto buyer_key = seeded(1), producer_key = seeded(2), mallory_key = seeded(3);
  auto endpoint_of = [&](const chain::key_pair& k) {
    agents::routed_endpoint_config ec;
    ec.key = k;
    ec.chain_id = chain_id;
    ec.table = table;
    ec.routers = routers;
    ec.owner = caf::actor_cast<caf::actor>(self);
    return agents::spawn_routed_endpoint(system, ec);
  };
  auto producer = endpoint_of(producer_key);
  auto mallory = endpoint_of(mallory_key);
  agents::bilateral_trader_config bc;
  bc.name = "buyer";
  bc.key = buyer_key;
  bc.chain_id = chain_id;
  bc.strategy = {150'000, 220'000, 10'000, 10};
  bc.energy_mwh = 10'000'000;
  bc.miner = system.spawn(no_chain, producer_key.pub);
  bc.table = table;
  bc.routers = routers;
  auto buyer = agents::spawn_bilateral_trader(system, bc);
  // Both endpoints associated before anything is sent to them.
  for (const auto& e : {producer, mallory})
    for (std::uint64_t at = SIZE_MAX; at == SIZE_MAX;)
      self->request(e, std::chrono::seconds(5), agents::associated_atom::value)
          .receive([&](std::uint64_t r) { at = r; }, [](caf::error&) {});

  auto deal = self->request(buyer, std::chrono::seconds(60), agents::trade_atom::value, producer_key.pub);
  agents::deal_message offer;
  self->receive([&](agents::routed_atom, const std::string& plain) {
    auto m = agents::decode_deal_message(chain::bytes(plain.begin(), plain.end()), chain_id);
    REQUIRE(m);
    offer = m.value();
  });
  CHECK(offer.word == agents::deal_word::offer);
  CHECK(offer.from == buyer_key.pub);
  CHECK(offer.price_ucpkwh == 150'000);

  auto send = [&](const caf::actor& via, const chain::key_pair& signer, agents::deal_message m) {
    const auto wire = agents::encode_deal_message(m, chain_id, signer);
    std::string verdict;
    self->request(via, std::chrono::seconds(10), agents::send_atom::value, buyer_key.pub,
                  std::string(wire.begin(), wire.end()))
        .receive([&](const std::string& v) { verdict = v; }, [](caf::error&) {});
    CHECK(verdict == "ok");  // the backbone delivered it: refusing it is the buyer's business
  };
  agents::deal_message accept = offer;
  accept.word = agents::deal_word::accept;
  accept.from = producer_key.pub;
  accept.to = buyer_key.pub;
  // Forged: "from" the producer, signed by mallory.
  accept.price_ucpkwh = offer.price_ucpkwh + 2;
  send(mallory, mallory_key, accept);
  // The producer's, of a price the buyer never offered.
  accept.price_ucpkwh = offer.price_ucpkwh + 1;
  send(producer, producer_key, accept);
  // Mallory's own, of the offered price: not the deal's producer.
  agents::deal_message third = accept;
  third.from = mallory_key.pub;
  third.price_ucpkwh = offer.price_ucpkwh + 3;
  send(mallory, mallory_key, third);
  // Then the real accept: the deal is agreed at the offered price and goes
  // on to commit the payment, which this chainless validator refuses.
  accept.price_ucpkwh = offer.price_ucpkwh;
  send(producer, producer_key, accept);
  agents::deal_report report;
  deal.receive([&](const agents::deal_report& r) { report = r; }, [&](caf::error& e) { FAIL(to_string(e)); });
  CHECK(report.price_ucpkwh == offer.price_ucpkwh);
  CHECK(report.accepted_ms > 0);
  CHECK(report.outcome.rfind("its validator did not answer", 0) == 0);

  // A producer the search does not find gets no offer at all.
  self->request(buyer, std::chrono::seconds(30), agents::trade_atom::value, mallory_key.pub)
      .receive([&](const agents::deal_report& r) { report = r; }, [&](caf::error& e) { FAIL(to_string(e)); });
  CHECK(report.outcome == "the producer advertises no such energy");
  CHECK(report.words == 0);

  for (const auto& a : {buyer, producer, mallory, bc.miner}) self->send_exit(a, caf::exit_reason::user_shutdown);
  for (const auto& r : routers) self->send_exit(r, caf::exit_reason::user_shutdown);
}
