// When a validator dies mid-quotation it may have passed an order to only
// some peers, and peers never pass on what a peer sent them: the survivors
// would hold different order sets and the cycle could not be closed. Asked
// to share (the market clock does when a validator goes away), a validator
// sends every open order of the cycle to every peer.
#include <doctest/doctest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "miners.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/energy/signed_order.hpp"

using namespace voltaic;

namespace {

std::uint64_t held_by(caf::scoped_actor& self, const caf::actor& miner, std::uint64_t cycle) {
  std::uint64_t n = 0;
  self->request(miner, std::chrono::seconds(10), agents::ordcount_atom::value, std::uint64_t{0}, std::uint64_t{1}, cycle)
      .receive([&](const agents::order_counts& c) { n = c.per_market.empty() ? 0 : c.per_market[0]; },
               [&](caf::error& e) { FAIL(to_string(e)); });
  return n;
}

std::uint64_t share(caf::scoped_actor& self, const caf::actor& miner, std::uint64_t cycle) {
  std::uint64_t n = 0;
  self->request(miner, std::chrono::seconds(10), agents::shareord_atom::value, std::uint64_t{0}, std::uint64_t{1}, cycle)
      .receive([&](std::uint64_t shared) { n = shared; }, [&](caf::error& e) { FAIL(to_string(e)); });
  return n;
}

}  // namespace

TEST_CASE("orders a dying validator passed to only one peer reach every survivor once the survivors share") {
  const auto root = test::fresh_dir("order-sharing");
  chain::workload wl(test::lab_options(3, "order-sharing-test"));
  auto grid = test::ieee33_grid();
  REQUIRE(grid.ok());
  {
    caf::actor_system_config cfg;
    caf::actor_system system{cfg};
    caf::scoped_actor self{system};
    // v0 and v1 survive; v2 (never started here) is the one that died.
    std::vector<caf::actor> miners(3);
    for (std::uint32_t i : {0u, 1u}) {
      agents::miner_config mc = test::lab_miner(wl, root, i);
      mc.grid = grid.value();
      mc.timing.gossip_ms = 100;
      miners[i] = agents::spawn_miner(system, mc);
    }
    for (std::uint32_t i : {0u, 1u}) self->send(miners[i], agents::peers_atom::value, miners);

    // What v2 passed to v0 alone before it died: gossip, which v0 keeps to itself.
    std::vector<std::string> passed;
    for (std::uint32_t k = 0; k < 3; ++k) {
      chain::order_terms t;
      t.cycle = 1;
      t.side = k == 0 ? market::side::sell : market::side::buy;
      t.price_ucpkwh = 200'000 + 1'000 * k;
      t.energy_mwh = 10'000'000;
      t.bus = 3;
      const auto o = chain::sign_order(t, wl.genesis().chain_id, wl.account_key(k));
      passed.emplace_back(o.envelope.begin(), o.envelope.end());
    }
    self->send(miners[0], agents::ordgossip_atom::value, passed);
    CHECK(held_by(self, miners[0], 1) == 3);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // three gossip intervals
    CHECK(held_by(self, miners[1], 1) == 0);

    CHECK(share(self, miners[0], 1) == 3);
    std::uint64_t at_v1 = 0;
    for (int i = 0; i < 200 && at_v1 < 3; ++i) {
      at_v1 = held_by(self, miners[1], 1);
      if (at_v1 < 3) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(at_v1 == 3);
    CHECK(share(self, miners[1], 2) == 0);  // cycle 2 has no orders yet
    for (const auto& m : miners)
      if (m) self->send_exit(m, caf::exit_reason::user_shutdown);
  }
  std::filesystem::remove_all(root);
}
