// A prosumer and its miner in one actor system: the signed order reaches the
// miner's book, forged and misplaced orders are refused with their reason,
// the cycle clears on chain when closed, and the prosumer keeps its history.
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
#include "voltaic/chain/core/codec.hpp"
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

}  // namespace

TEST_CASE("a prosumer's signed order reaches its miner; forgeries are refused; the cycle clears; history is kept") {
  const auto root = std::filesystem::temp_directory_path() / ("voltaic-prosumer-" + std::to_string(::getpid()));
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  chain::workload_options wo;
  wo.chain_id = "prosumer-test";
  chain::workload wl(wo);
  auto feeder = market::load_feeder("ieee33", test::source_dir() + "/data/feeders");
  REQUIRE(feeder.ok());
  std::vector<std::uint32_t> buses;
  for (const auto& b : feeder.value().load_buses) buses.push_back(feeder.value().grid.bus_index(b).value());
  auto grid = chain::market_grid::make(feeder.value().grid, buses);
  REQUIRE(grid.ok());
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg};
    caf::scoped_actor self{system};
    agents::miner_config mc = test::lab_miner(wl, root, 0);
    mc.grid = grid.value();
    auto miner = agents::spawn_miner(system, mc);

    agents::prosumer_config pc;
    pc.name = "alice";
    pc.key = chain::derived_key(5, 10, 0);
    pc.meter = chain::derived_key(5, 11, 0).pub;
    pc.chain_id = wo.chain_id;
    pc.bus = 3;
    pc.side = market::side::sell;
    pc.valuation = 180'000;
    pc.strategy = market::strategy_kind::truthful;
    pc.miner = miner;
    auto alice = agents::spawn_prosumer(system, pc);

    const auto [envelope] = ask<std::string>(self, alice, agents::bid_atom::value, std::uint64_t{1});
    REQUIRE_FALSE(envelope.empty());
    auto order = chain::decode_order(chain::bytes(envelope.begin(), envelope.end()));
    REQUIRE(order.ok());
    CHECK(order.value().terms.price_ucpkwh == 180'000);  // truthful: its valuation
    CHECK(std::get<0>(ask<agents::order_counts>(self, miner, agents::ordcount_atom::value, std::uint64_t{0},
                                                std::uint64_t{2}, std::uint64_t{1}))
              .per_market == std::vector<std::uint64_t>{1, 0});

    // The same order again, a changed price under the old signature, a bus the grid lacks.
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, envelope)) == "duplicate");
    chain::order_terms t = order.value().terms;
    t.price_ucpkwh = 1;
    auto bytes_of = [](const chain::signed_order& o) { return std::string(o.envelope.begin(), o.envelope.end()); };
    chain::signed_order tampered = chain::sign_order(t, wo.chain_id, pc.key);
    tampered.envelope[tampered.envelope.size() - 80] ^= 1;  // inside the signed payload
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(tampered))) == "bad-signature");
    t.bus = 500;
    const auto far = chain::sign_order(t, wo.chain_id, pc.key);
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(far))).rfind("bad-order", 0) == 0);
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, std::string("garbage"))).rfind("decode", 0) == 0);

    // Closing the cycle puts its order set, clearing and dues on chain, and
    // a subscriber hears of it.
    self->send(miner, agents::subscribe_atom::value);
    self->send(miner, agents::close_atom::value, std::uint64_t{0}, std::uint64_t{1});
    bool fixed = false;
    for (int i = 0; i < 200 && !fixed; ++i) {
      auto [sets] = ask<agents::fixed_order_sets>(self, miner, agents::cycleq_atom::value, std::uint64_t{0},
                                                  std::uint64_t{1}, std::uint64_t{1});
      fixed = sets.complete;
      if (fixed) CHECK(sets.envelopes == std::vector<std::string>{envelope});
      if (fixed) CHECK(sets.counts == std::vector<std::uint64_t>{1});
      else std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(fixed);
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
            CHECK(e.value().order_count == 1);
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
    // A closed cycle takes no more orders.
    t = order.value().terms;
    t.seq += 1;
    CHECK(std::get<0>(ask<std::string>(self, miner, agents::order_atom::value, bytes_of(chain::sign_order(t, wo.chain_id, pc.key)))) ==
          "cycle-closed");

    // Alone in its market it was not matched: the outcome goes into its history.
    const auto [ids] = ask<std::vector<chain::hash256>>(self, alice, agents::outcome_atom::value,
                                                        agents::outcome_notice{1, 2, 6, 0, 0, {}, 1});
    CHECK(ids.empty());
    const auto [history] = ask<std::vector<agents::outcome_record>>(self, alice, agents::history_atom::value);
    REQUIRE(history.size() == 1);
    CHECK(history[0].cycle == 1);
    CHECK(history[0].outcome == static_cast<std::uint8_t>(market::outcome_kind::rejected));
    CHECK(history[0].reason == static_cast<std::uint8_t>(market::reason::no_crossing));
    CHECK(history[0].traded_mwh == 0);
    CHECK(history[0].bid_ucpkwh == 180'000);
    const auto [balance, held] = ask<std::int64_t, std::int64_t>(self, alice, agents::balance_atom::value);
    CHECK(balance == 0);
    CHECK(held == 0);

    // Told the height its phase started at, it counts its hold's expiry from
    // there, whatever height its miner has reached meanwhile (in a simulated
    // run, blocks of other agents' holds commit while it answers).
    const auto seller = chain::derived_key(5, 10, 1).pub;
    const std::uint64_t phase_height = 1'000;
    const auto [holds] = ask<std::vector<chain::hash256>>(
        self, alice, agents::outcome_atom::value,
        agents::outcome_notice{2, 0, 0, 1'000'000, 150'000, {agents::trade_due{seller, 1'000'000, 150'000}}, phase_height});
    chain::ctp_commit_body hold;
    hold.producer = seller;
    hold.energy_mwh = 1'000'000;
    hold.amount_uc = 150'000;
    hold.expiry_height = phase_height + pc.ctp_lifetime_blocks;
    hold.meter_root = chain::blake2b_256(pc.meter.data(), pc.meter.size());
    const auto expected = chain::sign_transaction(
        chain::transaction{pc.key.pub, 1, phase_height + pc.ctp_lifetime_blocks, hold}, wo.chain_id, pc.key);
    REQUIRE(holds.size() == 1);
    CHECK(holds[0] == expected.id);
    self->send_exit(alice, caf::exit_reason::user_shutdown);
    self->send_exit(miner, caf::exit_reason::user_shutdown);
  }
  std::filesystem::remove_all(root);
}

// voltaic run lets agents wait on a validator of their own process without a
// timer. That relies on a request to a validator that has stopped failing at
// once; requests a validator held when it stopped are the driver's to notice
// (it monitors the validators).
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
  pc.meter = chain::derived_key(5, 11, 1).pub;
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
  self->request(bob, std::chrono::seconds(30), agents::bid_atom::value, std::uint64_t{1})
      .receive([&](const std::string& envelope) { answered = envelope.empty(); },
               [&](caf::error& e) { FAIL("no answer: " << to_string(e)); });
  CHECK(answered);  // no order was taken: the prosumer says so instead of waiting forever
  self->send_exit(bob, caf::exit_reason::user_shutdown);
}
