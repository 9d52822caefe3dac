// A miner that checks signatures off its own thread still admits in the
// order it received: orders sent before a market's close belong to the
// cycle, and a question about the pool counts every transaction sent before
// it, even while their checks are still running. (Checked inline, the same
// holds trivially; both ways are run.)
#include <doctest/doctest.h>

#include <thread>

#include "miners.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/chain/signed_order.hpp"

using namespace voltaic;

TEST_CASE("orders sent before a close, unanswered yet, are all in the cycle's order set") {
  const auto root = test::fresh_dir("admission-orders");
  chain::workload wl(test::lab_options(1, "admission-test"));
  market::grid g;
  REQUIRE(g.add_line("L1", "a", "b", 150'000, true).ok());
  auto grid = chain::market_grid::make(g, {0, 1});
  REQUIRE(grid.ok());
  constexpr std::uint64_t orders = 1'000;  // several batches for the checker
  std::vector<std::string> sent;
  for (std::uint64_t i = 0; i < orders; ++i) {
    chain::order_terms t;
    t.cycle = 1;
    t.side = i % 2 ? market::side::buy : market::side::sell;
    t.price_ucpkwh = 150'000;
    t.energy_mwh = 1'000'000;
    t.bus = static_cast<std::uint32_t>(i % 2);
    const auto o = chain::sign_order(t, wl.genesis().chain_id, chain::derived_key(7, 1, i));
    sent.emplace_back(o.envelope.begin(), o.envelope.end());
  }
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg};
    caf::scoped_actor self{system};
    agents::miner_config mc = test::lab_miner(wl, root, 0);
    mc.grid = grid.value();
    SUBCASE("checked on the miner's thread") { mc.checks_on_own_thread = false; }
    SUBCASE("checked on a thread of its own") { mc.checks_on_own_thread = true; }
    auto miner = agents::spawn_miner(system, mc);
    // No verdict awaited: the close follows the orders straight away.
    for (const auto& e : sent) caf::anon_send(miner, agents::order_atom::value, e);
    caf::anon_send(miner, agents::close_atom::value, std::uint64_t{0}, std::uint64_t{1});
    bool fixed = false;
    for (int i = 0; i < 400 && !fixed; ++i) {
      self->request(miner, std::chrono::seconds(10), agents::cycleq_atom::value, std::uint64_t{0}, std::uint64_t{1},
                    std::uint64_t{1})
          .receive(
              [&](bool committed, const std::vector<std::string>& set, const std::string& counts) {
                fixed = committed;
                if (!fixed) return;
                CHECK(counts == std::to_string(orders) + " ");
                CHECK(std::set<std::string>(set.begin(), set.end()) == std::set<std::string>(sent.begin(), sent.end()));
              },
              [&](caf::error& e) { FAIL(to_string(e)); });
      if (!fixed) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    CHECK(fixed);
    self->send_exit(miner, caf::exit_reason::user_shutdown);
  }
  std::filesystem::remove_all(root);
}

TEST_CASE("a question about the pool counts every transaction sent before it") {
  const auto root = test::fresh_dir("admission-pool");
  chain::workload wl(test::lab_options(1, "admission-test"));
  for (const bool own_thread : {true, false}) {
    CAPTURE(own_thread);
    const auto dir = root / (own_thread ? "own-thread" : "inline");
    std::filesystem::create_directories(dir);
    test::miner_lab lab(wl, dir, {0}, own_thread);
    std::vector<std::string> ids;
    for (std::uint64_t nonce = 1; nonce <= 1'000; ++nonce) {
      chain::transaction t;
      t.signer = wl.authority().pub;
      t.nonce = nonce;
      t.expiry_height = 1'000'000;
      t.body = chain::fund_body{wl.account_key(nonce % 64).pub, 1'000};
      const auto stx = chain::sign_transaction(t, wl.genesis().chain_id, wl.authority());
      caf::anon_send(lab.miners[0], agents::tx_atom::value, std::string(stx.envelope.begin(), stx.envelope.end()));
      ids.push_back(chain::to_hex(stx.id));
    }
    std::uint64_t held = 0;
    lab.client->request(lab.miners[0], std::chrono::seconds(30), agents::pooled_atom::value, ids)
        .receive([&](std::uint64_t n) { held = n; }, [&](caf::error& e) { FAIL(to_string(e)); });
    CHECK(held == ids.size());  // waiting in the pool or already committed
  }
  std::filesystem::remove_all(root);
}
