// Houses and their miner in one actor system: each house's signed order
// reaches the miner's book, forged and misplaced orders are refused with
// their reason, the cycle clears on chain when closed, each house learns its
// own outcome, the buyer holds its payment and the meters settle.
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <thread>

#include "miners.hpp"
#include "support/paths.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/prosumer.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/agents/smart_meter.hpp"
#include "voltaic/chain/core/codec.hpp"
#include "voltaic/chain/core/signed_query.hpp"
#include "voltaic/chain/energy/events.hpp"
#include "voltaic/chain/energy/signed_order.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/outcome.hpp"

using namespace voltaic;

namespace {

template <class... Ts, class... Xs>
std::tuple<Ts...> ask(caf::scoped_actor& self, const caf::actor& whom, Xs... xs) {
  std::tuple<Ts...> out;
  self->request(whom, std::chrono::seconds(10), xs...)
      .receive([&](Ts... ts) { out = std::make_tuple(ts...); }, [&](caf::error& e) { FAIL(to_string(e)); });
  return out;
}

// Two houses (prosumer and meter) trading through one validator, phase by
// phase as the market clock would announce them.
struct house {
  caf::actor prosumer, meter;
};
house spawn_house(caf::actor_system& system, const caf::actor& miner, const std::string& name, const chain::key_pair& key,
                  const chain::meter_keys& meter, market::side side, market::price_ucpkwh valuation,
                  const std::string& chain_id) {
  agents::smart_meter_config mc;
  mc.name = name + ".meter";
  mc.key = chain::derived_key(5, 11, key.pub[0]);  // its identity: no part of trading
  mc.coe = meter;
  mc.party = key.pub;
  mc.chain_id = chain_id;
  mc.miner = miner;
  agents::prosumer_config pc;
  pc.name = name;
  pc.key = key;
  for (const auto& k : meter.keys) pc.meter_keys.push_back(k.pub);
  pc.chain_id = chain_id;
  pc.bus = 3;
  pc.side = side;
  pc.valuation = valuation;
  pc.strategy = market::strategy_kind::truthful;
  pc.min_energy = pc.max_energy = 50'000'000;
  pc.miner = miner;
  house h;
  h.meter = agents::spawn_smart_meter(system, mc);
  pc.meter_agent = h.meter;
  h.prosumer = agents::spawn_prosumer(system, pc);
  return h;
}

agents::phase_done tell(caf::scoped_actor& self, const caf::actor& who, const caf::actor& miner, std::uint64_t cycle,
                        agents::phase what) {
  const auto [height, head] = ask<std::uint64_t, std::string>(self, miner, agents::head_atom::value);
  return std::get<0>(ask<agents::phase_done>(self, who, agents::phase_atom::value,
                                             agents::phase_start{cycle, static_cast<std::uint8_t>(what), height, 0}));
}

void wait_committed(caf::scoped_actor& self, const caf::actor& miner, std::vector<chain::hash256> ids) {
  for (int i = 0; i < 200 && !ids.empty(); ++i) {
    ids = std::get<0>(ask<std::vector<chain::hash256>>(self, miner, agents::committed_atom::value, ids));
    if (!ids.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CHECK(ids.empty());
}

}  // namespace

TEST_CASE("houses trade a cycle on their own: orders, their outcomes from the validator, holds, meter readings") {
  const auto root = std::filesystem::temp_directory_path() / ("voltaic-prosumer-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  chain::workload_options wo;
  wo.chain_id = "prosumer-test";
  chain::workload wl(wo);
  auto grid = test::ieee33_grid();
  REQUIRE(grid.ok());
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg};
    caf::scoped_actor self{system};
    agents::miner_config mc = test::lab_miner(wl, root, 0);
    mc.grid = grid.value();
    auto miner = agents::spawn_miner(system, mc);
    // Funded accounts of the workload's genesis.
    const auto alice_key = wl.account_key(0), bob_key = wl.account_key(1), carol_key = wl.account_key(2);
    auto alice = spawn_house(system, miner, "alice", alice_key, wl.meter(0), market::side::sell, 180'000, wo.chain_id);
    auto bob = spawn_house(system, miner, "bob", bob_key, wl.meter(1), market::side::buy, 220'000, wo.chain_id);
    const auto [alice_before, alice_held_before] = ask<std::int64_t, std::int64_t>(self, alice.prosumer, agents::balance_atom::value);
    CHECK(alice_held_before == 0);

    // Quotation: each house bids on its own when told the phase has begun.
    CHECK(tell(self, alice.prosumer, miner, 1, agents::phase::quotation).orders == 1);
    CHECK(tell(self, bob.prosumer, miner, 1, agents::phase::quotation).orders == 1);
    CHECK(std::get<0>(ask<agents::order_counts>(self, miner, agents::ordcount_atom::value, std::uint64_t{0},
                                                std::uint64_t{2}, std::uint64_t{1}))
              .per_market == std::vector<std::uint64_t>{2, 0});

    // The same order twice, a changed price under the old signature, a bus the grid lacks.
    // Two more orders that cross, so that trade reduction (market.md) drops
    // their pair and keeps alice's and bob's.
    chain::order_terms t;
    t.cycle = 1;
    t.price_ucpkwh = 210'000;
    t.energy_mwh = 50'000'000;
    t.bus = 3;
    const auto carols = chain::sign_order(t, wo.chain_id, carol_key);
    auto bytes_of = [](const chain::signed_order& o) { return std::string(o.envelope.begin(), o.envelope.end()); };
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(carols))) == "ok");
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(carols))) == "duplicate");
    chain::order_terms erins = t;
    erins.side = market::side::sell;
    erins.price_ucpkwh = 190'000;
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value,
                                       bytes_of(chain::sign_order(erins, wo.chain_id, wl.account_key(3))))) == "ok");
    t.price_ucpkwh = 1;
    chain::signed_order tampered = chain::sign_order(t, wo.chain_id, carol_key);
    tampered.envelope[tampered.envelope.size() - 80] ^= 1;  // inside the signed payload
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(tampered))) == "bad-signature");
    t.bus = 500;
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(chain::sign_order(t, wo.chain_id, carol_key))))
              .rfind("bad-order", 0) == 0);
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, std::string("garbage"))).rfind("decode", 0) == 0);

    // Closing the cycle puts its order set, clearing and dues on chain, and
    // a subscriber hears of it.
    self->send(miner, agents::subscribe_atom::value);
    self->send(miner, agents::close_atom::value, std::uint64_t{0}, std::uint64_t{1});
    bool fixed = false;
    for (int i = 0; i < 200 && !fixed; ++i) {
      fixed = std::get<0>(ask<bool>(self, miner, agents::fixed_atom::value, std::uint64_t{0}, std::uint64_t{1}, std::uint64_t{1}));
      if (!fixed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    REQUIRE(fixed);
    bool heard = false;
    for (int i = 0; i < 100 && !heard; ++i)  // blocks announce themselves too
      self->receive(
          [&](agents::event_atom, std::uint64_t height, const std::string& kind, const std::string& data) {
            if (kind != chain::cycle_fixed_kind) return;
            const auto e =
                chain::read_cycle_fixed(chain::node::event{height, kind, chain::bytes(data.begin(), data.end())});
            REQUIRE(e.ok());
            CHECK(e.value().market == 0);
            CHECK(e.value().cycle == 1);
            CHECK(e.value().order_count == 4);
            heard = true;
          },
          caf::after(std::chrono::seconds(10)) >> [&i] { i = 100; });
    CHECK(heard);
    // The generic question crosses the actor: the market's last fixed cycle is 1.
    chain::encoder market0;
    market0.array(1).uint(0);
    const auto progress_args = market0.take();
    const auto [answered, answer] = ask<bool, std::string>(self, miner, agents::query_atom::value, std::string("progress"),
                                                           std::string(progress_args.begin(), progress_args.end()));
    CHECK(answered);
    chain::encoder one;
    one.array(1).uint(1);
    const auto cycle_one = one.take();
    CHECK(answer == std::string(cycle_one.begin(), cycle_one.end()));
    const auto [refused, why] = ask<bool, std::string>(self, miner, agents::query_atom::value, std::string("nothing"),
                                                       std::string{});
    CHECK_FALSE(refused);
    CHECK(why.rfind("unknown-query", 0) == 0);
    // Signed questions are checked before anything is looked up: a forged
    // one is refused, and so is one that claims to have been checked.
    auto asked = chain::sign_query("my_account", chain::bytes{0x90}, alice_key, wo.chain_id);
    asked[asked.size() - 1] ^= 1;
    const auto [forged_ok, forged_why] = ask<bool, std::string>(self, miner, agents::query_atom::value,
                                                                std::string("my_account"), std::string(asked.begin(), asked.end()));
    CHECK_FALSE(forged_ok);
    CHECK(forged_why.rfind("bad-signature", 0) == 0);
    using checkedq_atom = caf::atom_constant<caf::atom("checkedq")>;  // the gates' word to their miner
    const auto [passed, passed_why] = ask<bool, std::string>(self, miner, checkedq_atom::value, std::uint64_t{42},
                                                             std::string("my_account"), bob_key.pub, std::string("\x90"));
    CHECK_FALSE(passed);
    CHECK(passed_why.rfind("not-allowed", 0) == 0);

    // A house whose quotation comes after the close: its order is late, and
    // it says so rather than going silent (F9).
    auto dave = spawn_house(system, miner, "dave", chain::derived_key(5, 10, 3), wl.meter(3), market::side::buy, 200'000,
                            wo.chain_id);
    const auto late = tell(self, dave.prosumer, miner, 1, agents::phase::quotation);
    CHECK(late.orders == 0);
    CHECK(late.note.find("late") != std::string::npos);
    const auto [dave_history] = ask<std::vector<agents::outcome_record>>(self, dave.prosumer, agents::history_atom::value);
    REQUIRE(dave_history.size() == 1);
    CHECK(dave_history[0].outcome == agents::late_outcome);

    // Feedback: each asks its validator for its own outcome; the buyer
    // commits to pay its seller, counting expiry from the phase's height.
    const auto [feedback_height, head] = ask<std::uint64_t, std::string>(self, miner, agents::head_atom::value);
    const auto sold = std::get<0>(ask<agents::phase_done>(
        self, alice.prosumer, agents::phase_atom::value,
        agents::phase_start{1, static_cast<std::uint8_t>(agents::phase::feedback), feedback_height, 0}));
    CHECK(sold.txs.empty());
    const auto bought = std::get<0>(ask<agents::phase_done>(
        self, bob.prosumer, agents::phase_atom::value,
        agents::phase_start{1, static_cast<std::uint8_t>(agents::phase::feedback), feedback_height, 0}));
    REQUIRE(bought.txs.size() == 1);
    const auto [alice_history] = ask<std::vector<agents::outcome_record>>(self, alice.prosumer, agents::history_atom::value);
    const auto [bob_history] = ask<std::vector<agents::outcome_record>>(self, bob.prosumer, agents::history_atom::value);
    REQUIRE(alice_history.size() == 1);
    REQUIRE(bob_history.size() == 1);
    CHECK(alice_history[0].traded_mwh > 0);
    CHECK(alice_history[0].traded_mwh == bob_history[0].traded_mwh);
    CHECK(alice_history[0].bid_ucpkwh == 180'000);  // truthful: its valuation
    CHECK(bob_history[0].price_ucpkwh == alice_history[0].price_ucpkwh);
    wait_committed(self, miner, bought.txs);
    const auto [bob_balance, bob_held] = ask<std::int64_t, std::int64_t>(self, bob.prosumer, agents::balance_atom::value);
    CHECK(bob_held > 0);

    // Cycle 1 settles in cycle 2's settlement phase (none in its own): the
    // seller's meter reads its delivery, the buyer's confirms its hold with
    // an ERC, which pays the seller.
    CHECK(tell(self, alice.prosumer, miner, 1, agents::phase::settlement).txs.empty());
    const auto seller_reading = tell(self, alice.prosumer, miner, 2, agents::phase::settlement);
    const auto buyer_reading = tell(self, bob.prosumer, miner, 2, agents::phase::settlement);
    REQUIRE(seller_reading.txs.size() == 1);
    REQUIRE(buyer_reading.txs.size() == 1);
    wait_committed(self, miner, {seller_reading.txs[0], buyer_reading.txs[0]});
    const auto [alice_after, alice_held] = ask<std::int64_t, std::int64_t>(self, alice.prosumer, agents::balance_atom::value);
    const auto [bob_after, bob_held_after] = ask<std::int64_t, std::int64_t>(self, bob.prosumer, agents::balance_atom::value);
    CHECK(alice_after > alice_before);
    CHECK(bob_after < bob_balance);
    CHECK(bob_held_after == 0);
    for (auto* h : {&alice, &bob, &dave}) {
      self->send_exit(h->prosumer, caf::exit_reason::user_shutdown);
      self->send_exit(h->meter, caf::exit_reason::user_shutdown);
    }
    self->send_exit(miner, caf::exit_reason::user_shutdown);
  }
  std::filesystem::remove_all(root);
}

// voltaic run lets agents wait on a validator of their own process without a
// timer. That relies on a request to a validator that has stopped failing at
// once; requests a validator held when it stopped are the market clock's to
// notice (it monitors the validators).
TEST_CASE("a prosumer without a request timer gets an answer when its validator has stopped") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  // A stand-in validator that stops when told to.
  auto validator = system.spawn([](caf::event_based_actor* v) -> caf::behavior {
    return {[v](caf::ok_atom) { v->quit(); }};
  });
  agents::prosumer_config pc;
  pc.name = "bob";
  pc.key = chain::derived_key(5, 10, 1);
  pc.meter_keys = {chain::derived_key(5, 11, 1).pub};
  pc.chain_id = "stopped-test";
  pc.side = market::side::buy;
  pc.valuation = 180'000;
  pc.strategy = market::strategy_kind::truthful;
  pc.miner = validator;
  pc.miner_timeout = caf::duration{caf::infinite};
  auto bob = agents::spawn_prosumer(system, pc);
  self->send(validator, caf::ok_atom::value);  // stops it
  self->wait_for(validator);
  bool answered = false;
  // The 30 s bound only keeps a regression from hanging the suite.
  self->request(bob, std::chrono::seconds(30), agents::phase_atom::value,
                agents::phase_start{1, static_cast<std::uint8_t>(agents::phase::quotation), 1, 0})
      .receive([&](const agents::phase_done& done) { answered = done.orders == 0; },
               [&](caf::error& e) { FAIL("no answer: " << to_string(e)); });
  CHECK(answered);  // no order was taken: the prosumer says so instead of waiting forever
  self->send_exit(bob, caf::exit_reason::user_shutdown);
}
