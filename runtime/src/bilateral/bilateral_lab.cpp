#include "bilateral_lab.hpp"

#include <caf/all.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "../trading/lab_setup.hpp"
#include "../trading/lab_validators.hpp"
#include "../trading/parties.hpp"
#include "voltaic/agents/backbone_router.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/agents/smart_meter.hpp"
#include "voltaic/chain/core/fields.hpp"
#include "voltaic/chain/energy/answers.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/rng.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime::bilateral {

namespace {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

std::int64_t steady_ms(clock_type::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// How many energy accounts the chain lists (a buyer's search, asked of `miner`).
std::size_t advertised(caf::scoped_actor& self, const caf::actor& miner) {
  std::size_t n = 0;
  const auto ask = chain::encode_fields(chain::number_list{});
  self->request(miner, std::chrono::seconds(10), agents::query_atom::value, std::string("energy_accounts"),
                std::string(ask.begin(), ask.end()))
      .receive(
          [&](bool ok, const std::string& answer) {
            if (!ok) return;
            auto rows = chain::decode_fields<chain::answer_list<chain::energy_offer_row>>(
                reinterpret_cast<const std::uint8_t*>(answer.data()), answer.size());
            if (rows) n = rows.value().items.size();
          },
          [&](caf::error&) {});
  return n;
}

}  // namespace

market::negotiation_strategy strategy_of(const scenario_config& sc, std::size_t party, bool buyer,
                                         const std::string& kind) {
  market::rng r(sc.seed * 7'919 + party);
  const double ref = static_cast<double>(sc.reference_price);
  const auto at = [ref](double share) { return static_cast<market::price_ucpkwh>(ref * share); };
  if (kind == "firm") {
    const auto p = at(r.uniform(0.98, 1.02));
    return {p, p, 0, 12};
  }
  const bool eager = kind == "eager";
  const double opening = buyer ? (eager ? 0.95 : 0.85) : (eager ? 1.05 : 1.15);
  const double reservation = buyer ? (eager ? r.uniform(1.05, 1.15) : r.uniform(1.0, 1.1))
                                   : (eager ? r.uniform(0.85, 0.95) : r.uniform(0.9, 1.0));
  return {at(opening), at(reservation), at(eager ? 0.04 : 0.02), eager ? 6u : 12u};
}

lab_result run_lab(const scenario_config& sc, const lab_options& o, const std::string& chain_dir) {
  lab_result out;
  auto feeder = market::load_feeder(sc.feeder, feeder_data_root());
  if (!feeder) {
    out.problem = feeder.err().message;
    return out;
  }
  std::vector<std::uint32_t> load_buses;
  for (const auto& name : feeder.value().load_buses) load_buses.push_back(feeder.value().grid.bus_index(name).value());
  auto grid = chain::market_grid::make(feeder.value().grid, load_buses);
  if (!grid) {
    out.problem = grid.err().message;
    return out;
  }
  auto parties = trading::make_parties(sc, load_buses.size());
  run_config rc = sc.run;
  out.money_uc = trading::lab_genesis(sc, parties, rc.genesis);
  std::error_code ec;
  fs::remove_all(chain_dir, ec);
  fs::create_directories(chain_dir, ec);
  if (ec) {
    out.problem = "cannot create " + chain_dir + ": " + ec.message();
    return out;
  }
  out.store_dir = chain_dir + "/" + rc.validators.front().name;

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto spawned = trading::spawn_validators(system, sc, rc, grid.value(), chain_dir);
  if (!spawned) {
    out.problem = system.render(spawned.error());
    return out;
  }
  const auto miners = std::move(*spawned);
  for (const auto& v : miners) self->send(v, agents::peers_atom::value, miners);

  const auto table = agents::routing_table::even(sc.bilateral.routers);
  std::vector<caf::actor> routers;
  auto carried = std::make_shared<std::atomic<std::uint64_t>>(0);  // by router 0, for kill_router_after
  for (std::uint64_t i = 0; i < sc.bilateral.routers; ++i) {
    agents::backbone_router_config bc;
    bc.index = i;
    bc.table = table;
    bc.chain_id = rc.genesis.chain_id;
    if (i == 0) bc.tap = [carried](const chain::public_key&, const std::string&) { ++*carried; };
    routers.push_back(agents::spawn_backbone_router(system, bc));
  }
  for (const auto& r : routers) self->send(r, agents::routers_atom::value, routers);

  // The scenario's buyers (the first parties) and its producers (the rest).
  const std::size_t buyer_count = sc.buyers_per_market();
  const std::size_t producer_count = parties.size() - buyer_count;
  const std::int64_t deal_mwh = o.deal_energy_mwh ? o.deal_energy_mwh : sc.min_energy;
  // Enough to sell for every cycle's deals that come its way.
  const std::int64_t deals_each = static_cast<std::int64_t>((buyer_count + producer_count - 1) / producer_count);
  const auto maker = trading::lab_manufacturer(sc);
  std::vector<caf::actor> traders, meters;
  for (std::size_t i = 0; i < parties.size(); ++i) {
    const bool buyer = i < buyer_count;
    const auto& p = parties[i];
    const auto& kinds = sc.bilateral.negotiators;
    agents::bilateral_trader_config tc;
    tc.name = p.name;
    tc.producer = !buyer;
    tc.key = p.key;
    tc.chain_id = rc.genesis.chain_id;
    tc.strategy = strategy_of(sc, i, buyer, kinds[i % kinds.size()]);
    tc.energy_mwh = buyer ? deal_mwh : deal_mwh * deals_each * static_cast<std::int64_t>(sc.cycles);
    tc.delivers = buyer || i - buyer_count >= sc.bilateral.unreliable;
    tc.settlement = sc.bilateral.escrow ? agents::settlement_mode::escrow : agents::settlement_mode::spb;
    tc.lifetime_blocks = sc.ctp_lifetime_blocks;
    tc.miner = miners[i % miners.size()];
    tc.miner_timeout = caf::duration{std::chrono::seconds(30)};
    tc.table = table;
    tc.routers = routers;
    if (buyer) {
      auto coe = trading::lab_meter(sc, rc.genesis.chain_id, parties, i, maker);
      tc.meter_key = coe.keys[0].pub;
      agents::smart_meter_config mc;
      mc.name = p.name + ".meter";
      mc.key = p.meter_key;
      mc.coe = std::move(coe);
      mc.party = p.key.pub;
      mc.chain_id = rc.genesis.chain_id;
      mc.miner = tc.miner;
      meters.push_back(agents::spawn_smart_meter(system, mc));
      tc.meter = meters.back();
    }
    traders.push_back(agents::spawn_bilateral_trader(system, tc));
  }
  auto stop = [&] {
    for (const auto& a : traders) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : meters) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : routers) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& v : miners) self->send(v, agents::peers_atom::value, std::vector<caf::actor>{});
    for (const auto& v : miners) self->send_exit(v, caf::exit_reason::user_shutdown);
    self->wait_for(miners);
  };

  // Producers advertise; the lab waits until a buyer's search finds them all.
  for (std::size_t i = buyer_count; i < parties.size() && out.problem.empty(); ++i)
    self->request(traders[i], std::chrono::seconds(60), agents::advertise_atom::value)
        .receive(
            [&](const std::string& verdict) {
              if (verdict != "ok") out.problem = parties[i].name + " could not advertise: " + verdict;
            },
            [&](caf::error& e) { out.problem = parties[i].name + " did not answer: " + to_string(e); });
  const auto deadline = clock_type::now() + std::chrono::seconds(60);
  while (out.problem.empty() && advertised(self, miners.front()) < producer_count) {
    if (clock_type::now() > deadline) out.problem = "the producers' energy accounts did not all reach the chain";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (!out.problem.empty()) {
    stop();
    return out;
  }

  out.started_ms = steady_ms(clock_type::now());
  using handle = decltype(self->request(traders[0], std::chrono::minutes(10), agents::trade_atom::value,
                                        parties[0].key.pub));
  const std::uint64_t wave = o.concurrent ? o.concurrent : buyer_count;
  bool killed = o.kill_router_after == 0;
  for (std::uint64_t cycle = 1; cycle <= sc.cycles; ++cycle) {
    const std::size_t first_row = out.deals.size();
    for (std::size_t k = 0; k < buyer_count; ++k) {
      const std::size_t producer = buyer_count + (k + cycle - 1) % producer_count;
      out.deals.push_back({cycle, parties[k].name, parties[producer].name, {}});
    }
    // In waves of `concurrent` deals; a wave's answers are taken in turn.
    for (std::size_t first = 0; first < buyer_count; first += wave) {
      const std::size_t end = std::min<std::size_t>(buyer_count, first + wave);
      std::vector<handle> pending;
      for (std::size_t k = first; k < end; ++k) {
        const std::size_t producer = buyer_count + (k + cycle - 1) % producer_count;
        pending.push_back(
            self->request(traders[k], std::chrono::minutes(10), agents::trade_atom::value, parties[producer].key.pub));
      }
      // Fault injection: router 0 dies once it has carried this many
      // envelopes, in the middle of negotiations; its participants turn to
      // its standby.
      if (!killed) {
        const auto until = clock_type::now() + std::chrono::seconds(30);
        while (*carried < o.kill_router_after && clock_type::now() < until)
          std::this_thread::sleep_for(std::chrono::microseconds(200));
        self->send_exit(routers.front(), caf::exit_reason::kill);
        out.router_killed_after = *carried;
        killed = true;
      }
      for (std::size_t k = first; k < end; ++k) {
        auto& row = out.deals[first_row + k];
        pending[k - first].receive([&](const agents::deal_report& r) { row.report = r; },
                                   [&](caf::error& e) { row.report.outcome = "no answer: " + to_string(e); });
      }
    }
  }
  stop();
  return out;
}

}  // namespace voltaic::runtime::bilateral
