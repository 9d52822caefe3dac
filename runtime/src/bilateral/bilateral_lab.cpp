#include "bilateral_lab.hpp"

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "../trading/lab_setup.hpp"
#include "../trading/lab_validators.hpp"
#include "../trading/parties.hpp"
#include "../validator_node.hpp"
#include "voltaic/agents/lab_roster.hpp"
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

namespace {

// What every process of a lab derives alike from the scenario.
struct lab_setup {
  std::vector<trading::party> parties;
  run_config rc;
  chain::market_grid grid;
  std::int64_t money_uc = 0;
  agents::routing_table table;
  std::size_t buyers = 0, producers = 0;
  std::int64_t deal_mwh = 0;
};

market::result<lab_setup> prepare(const scenario_config& sc, const lab_options& o) {
  auto feeder = market::load_feeder(sc.feeder, feeder_data_root());
  if (!feeder) return feeder.err();
  std::vector<std::uint32_t> load_buses;
  for (const auto& name : feeder.value().load_buses) load_buses.push_back(feeder.value().grid.bus_index(name).value());
  auto grid = chain::market_grid::make(feeder.value().grid, load_buses);
  if (!grid) return grid.err();
  lab_setup l{trading::make_parties(sc, load_buses.size()), sc.run, std::move(grid).value(), 0,
              agents::routing_table::even(sc.bilateral.routers)};
  l.money_uc = trading::lab_genesis(sc, l.parties, l.rc.genesis);
  l.buyers = sc.buyers_per_market();
  l.producers = l.parties.size() - l.buyers;
  l.deal_mwh = o.deal_energy_mwh ? o.deal_energy_mwh : sc.min_energy;
  return l;
}

// Party i's house: a bilateral trader, and a buyer's smart meter (into `meters`).
caf::actor spawn_house(caf::actor_system& system, const scenario_config& sc, const lab_setup& l, std::size_t i,
                       const caf::actor& miner, const std::vector<caf::actor>& routers, std::vector<caf::actor>& meters) {
  const bool buyer = i < l.buyers;
  const auto& p = l.parties[i];
  const auto& kinds = sc.bilateral.negotiators;
  // Enough to sell for every cycle's deals that come its way.
  const auto deals_each = static_cast<std::int64_t>((l.buyers + l.producers - 1) / l.producers);
  agents::bilateral_trader_config tc;
  tc.name = p.name;
  tc.producer = !buyer;
  tc.key = p.key;
  tc.chain_id = l.rc.genesis.chain_id;
  tc.strategy = strategy_of(sc, i, buyer, kinds[i % kinds.size()]);
  tc.energy_mwh = buyer ? l.deal_mwh : l.deal_mwh * deals_each * static_cast<std::int64_t>(sc.cycles);
  tc.delivers = buyer || i - l.buyers >= sc.bilateral.unreliable;
  tc.fresh_keys = sc.bilateral.fresh_keys;
  tc.settlement = sc.bilateral.escrow ? agents::settlement_mode::escrow : agents::settlement_mode::spb;
  tc.lifetime_blocks = sc.ctp_lifetime_blocks;
  tc.miner = miner;
  tc.miner_timeout = caf::duration{std::chrono::seconds(30)};
  tc.table = l.table;
  tc.routers = routers;
  if (buyer) {
    auto coe = trading::lab_meter(sc, l.rc.genesis.chain_id, l.parties, i, trading::lab_manufacturer(sc));
    tc.meter_key = coe.keys[0].pub;
    agents::smart_meter_config mc;
    mc.name = p.name + ".meter";
    mc.key = p.meter_key;
    mc.coe = std::move(coe);
    mc.party = p.key.pub;
    mc.chain_id = l.rc.genesis.chain_id;
    mc.miner = miner;
    meters.push_back(agents::spawn_smart_meter(system, mc));
    tc.meter = meters.back();
  }
  return agents::spawn_bilateral_trader(system, tc);
}

// The producers advertise; waits until a buyer's search finds them all.
std::string advertise(caf::scoped_actor& self, const lab_setup& l, const std::vector<caf::actor>& houses,
                      const caf::actor& miner) {
  std::string problem;
  for (std::size_t i = l.buyers; i < l.parties.size() && problem.empty(); ++i)
    self->request(houses[i], std::chrono::seconds(60), agents::advertise_atom::value)
        .receive(
            [&](const std::string& verdict) {
              if (verdict != "ok") problem = l.parties[i].name + " could not advertise: " + verdict;
            },
            [&](caf::error& e) { problem = l.parties[i].name + " did not answer: " + to_string(e); });
  const auto deadline = clock_type::now() + std::chrono::seconds(60);
  while (problem.empty() && advertised(self, miner) < l.producers) {
    if (clock_type::now() > deadline) problem = "the producers' energy accounts did not all reach the chain";
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return problem;
}

// Every cycle, every buyer's deal (buyer k, cycle c: producer (k + c) mod P).
// `before_answers` runs once the first wave is under way (fault injection).
void run_cycles(caf::scoped_actor& self, const scenario_config& sc, const lab_setup& l,
                const std::vector<caf::actor>& houses, const lab_options& o, const std::function<void()>& before_answers,
                lab_result& out) {
  out.started_ms = steady_ms(clock_type::now());
  using handle = decltype(self->request(houses[0], std::chrono::minutes(10), agents::trade_atom::value,
                                        l.parties[0].key.pub));
  const std::uint64_t wave = o.concurrent ? o.concurrent : l.buyers;
  bool first_wave = true;
  for (std::uint64_t cycle = 1; cycle <= sc.cycles; ++cycle) {
    const std::size_t first_row = out.deals.size();
    auto producer_of = [&](std::size_t k) { return l.buyers + (k + cycle - 1) % l.producers; };
    for (std::size_t k = 0; k < l.buyers; ++k)
      out.deals.push_back({cycle, l.parties[k].name, l.parties[producer_of(k)].name, {}});
    // In waves of `concurrent` deals; a wave's answers are taken in turn.
    for (std::size_t first = 0; first < l.buyers; first += wave) {
      const std::size_t end = std::min<std::size_t>(l.buyers, first + wave);
      std::vector<handle> pending;
      for (std::size_t k = first; k < end; ++k)
        pending.push_back(self->request(houses[k], std::chrono::minutes(10), agents::trade_atom::value,
                                        l.parties[producer_of(k)].key.pub));
      if (first_wave && before_answers) before_answers();
      first_wave = false;
      for (std::size_t k = first; k < end; ++k) {
        auto& row = out.deals[first_row + k];
        pending[k - first].receive([&](const agents::deal_report& r) { row.report = r; },
                                   [&](caf::error& e) { row.report.outcome = "no answer: " + to_string(e); });
      }
    }
  }
}

}  // namespace

lab_result run_lab(const scenario_config& sc, const lab_options& o, const std::string& chain_dir) {
  lab_result out;
  auto prepared = prepare(sc, o);
  if (!prepared) {
    out.problem = prepared.err().message;
    return out;
  }
  const lab_setup& l = prepared.value();
  out.money_uc = l.money_uc;
  std::error_code ec;
  fs::remove_all(chain_dir, ec);
  fs::create_directories(chain_dir, ec);
  if (ec) {
    out.problem = "cannot create " + chain_dir + ": " + ec.message();
    return out;
  }
  out.store_dir = chain_dir + "/" + l.rc.validators.front().name;

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto spawned = trading::spawn_validators(system, sc, l.rc, l.grid, chain_dir);
  if (!spawned) {
    out.problem = system.render(spawned.error());
    return out;
  }
  const auto miners = std::move(*spawned);
  for (const auto& v : miners) self->send(v, agents::peers_atom::value, miners);

  std::vector<caf::actor> routers;
  auto carried = std::make_shared<std::atomic<std::uint64_t>>(0);  // by router 0, for kill_router_after
  for (std::uint64_t i = 0; i < sc.bilateral.routers; ++i) {
    agents::backbone_router_config bc;
    bc.index = i;
    bc.table = l.table;
    bc.chain_id = l.rc.genesis.chain_id;
    if (i == 0) bc.tap = [carried](const chain::public_key&, const std::string&) { ++*carried; };
    routers.push_back(agents::spawn_backbone_router(system, bc));
  }
  for (const auto& r : routers) self->send(r, agents::routers_atom::value, routers);

  std::vector<caf::actor> houses, meters;
  for (std::size_t i = 0; i < l.parties.size(); ++i)
    houses.push_back(spawn_house(system, sc, l, i, miners[i % miners.size()], routers, meters));
  auto stop = [&] {
    for (const auto& a : houses) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : meters) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& a : routers) self->send_exit(a, caf::exit_reason::user_shutdown);
    for (const auto& v : miners) self->send(v, agents::peers_atom::value, std::vector<caf::actor>{});
    for (const auto& v : miners) self->send_exit(v, caf::exit_reason::user_shutdown);
    self->wait_for(miners);
  };
  out.problem = advertise(self, l, houses, miners.front());
  if (!out.problem.empty()) {
    stop();
    return out;
  }
  // Fault injection: router 0 dies once it has carried this many envelopes,
  // in the middle of negotiations; its participants turn to its standby.
  auto kill_router = [&] {
    if (o.kill_router_after == 0) return;
    const auto until = clock_type::now() + std::chrono::seconds(30);
    while (*carried < o.kill_router_after && clock_type::now() < until)
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    self->send_exit(routers.front(), caf::exit_reason::kill);
    out.router_killed_after = *carried;
  };
  run_cycles(self, sc, l, houses, o, kill_router, out);
  stop();
  return out;
}

int run_apart(const scenario_config& sc, const std::vector<std::string>& names, const std::string& out_dir,
              const std::function<int(const lab_result&)>& report, std::ostream& out, std::ostream& err) {
  auto fail = [&](const std::string& why, int status) {
    err << "voltaic run: " << why << "\n";
    return status;
  };
  lab_options o;
  o.concurrent = 1'000;
  auto prepared = prepare(sc, o);
  if (!prepared) return fail(prepared.err().message, 2);
  const lab_setup& l = prepared.value();
  // What runs here: validators (by name), routers (r0, r1, ...), houses (by
  // party name or range), or the clock that runs the deals.
  std::vector<bool> validators(l.rc.validators.size()), routers_here(sc.bilateral.routers), houses(l.parties.size());
  bool clock = false;
  auto party_named = [&](const std::string& n) -> std::size_t {
    const auto i = sc.party_index(n);
    return i ? *i : l.parties.size();
  };
  for (const auto& name : names) {
    if (name == "clock") {
      clock = true;
      continue;
    }
    bool found = false;
    for (std::size_t i = 0; i < l.rc.validators.size(); ++i)
      if (l.rc.validators[i].name == name) validators[i] = found = true;
    for (std::size_t i = 0; i < routers_here.size(); ++i)
      if (name == "r" + std::to_string(i)) routers_here[i] = found = true;
    if (found) continue;
    const auto dots = name.find("..");
    const std::size_t first = party_named(dots == std::string::npos ? name : name.substr(0, dots));
    const std::size_t last = dots == std::string::npos ? first : party_named(name.substr(dots + 2));
    if (first == l.parties.size() || last == l.parties.size() || last < first)
      return fail("--only: '" + name + "' names no validator, router (r0), party, range of parties (p0..p99) or clock", 2);
    for (std::size_t i = first; i <= last; ++i) houses[i] = true;
  }
  const auto any = [](const std::vector<bool>& v) { return std::find(v.begin(), v.end(), true) != v.end(); };
  const int kinds = any(validators) + any(routers_here) + (any(houses) || clock);
  if (kinds > 1) return fail("--only: run validators, routers and houses (with the clock) in separate processes", 2);
  for (const auto& v : l.rc.validators)
    if (v.port == 0) return fail("validator " + v.name + " needs a [[validator]] entry with a port to run apart", 2);
  if (sc.bilateral.places.size() != sc.bilateral.routers)
    return fail("routers run apart only at the addresses of [[router]] entries", 2);
  const std::string chain_dir = out_dir + "/chain";
  std::error_code ec;
  fs::create_directories(chain_dir, ec);

  if (any(validators)) {
    const chain::market_grid g = l.grid;
    return serve_validators(
        l.rc, validators, chain_dir, [&sc, g](agents::miner_config& mc) { trading::configure_miner(mc, sc, g); }, out,
        err);
  }
  if (any(routers_here)) {
    caf::actor_system_config cfg;
    configure_validator_system(cfg);
    caf::actor_system system{cfg};
    std::vector<peer_endpoint> at;
    std::vector<caf::actor> peers(sc.bilateral.routers);
    for (std::size_t i = 0; i < peers.size(); ++i) {
      at.push_back({"r" + std::to_string(i), sc.bilateral.places[i].host, sc.bilateral.places[i].port, "", "router"});
      if (!routers_here[i]) continue;
      agents::backbone_router_config bc;
      bc.index = i;
      bc.table = l.table;
      bc.chain_id = l.rc.genesis.chain_id;
      peers[i] = agents::spawn_backbone_router(system, bc);
    }
    return serve_peers(system, at, std::move(peers), out, err);
  }

  // Houses and/or the clock, with validators and routers elsewhere.
  if (!clock && sc.clock_port == 0) return fail("the clock runs elsewhere: the scenario needs a [clock] port", 2);
  caf::actor_system_config cfg;
  trading::configure_networked_system(cfg);
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto miners = trading::connect_validators(system, self, l.rc, err);
  if (miners.empty()) trading::end_process(out, err, 1);
  std::vector<caf::actor> routers;
  for (const auto& p : sc.bilateral.places) {
    routers.push_back(trading::connect_to(system, self, p.host, p.port, err));
    if (!routers.back()) trading::end_process(out, err, 1);
  }
  std::vector<caf::actor> mine(l.parties.size()), meters;
  std::size_t here = 0;
  for (std::size_t i = 0; i < l.parties.size(); ++i)
    if (houses[i]) mine[i] = spawn_house(system, sc, l, i, miners[i % miners.size()], routers, meters), ++here;
  caf::actor roster;
  if (clock) {
    roster = agents::spawn_lab_roster(system, l.parties.size());
    if (sc.clock_port != 0) {
      auto published = system.middleman().publish(roster, sc.clock_port, sc.clock_host.c_str(), true);
      if (!published)
        trading::end_process(out, err,
                             fail("cannot listen for houses at " + sc.clock_host + ":" + std::to_string(sc.clock_port) +
                                      ": " + system.render(published.error()),
                                  1));
    }
  } else {
    roster = trading::connect_to(system, self, sc.clock_host, sc.clock_port, err);
    if (!roster) trading::end_process(out, err, 1);
  }
  for (std::size_t i = 0; i < mine.size(); ++i) {
    if (!mine[i]) continue;
    bool taken = false;
    self->request(roster, std::chrono::seconds(30), agents::join_atom::value, std::string("house"),
                  static_cast<std::uint64_t>(i), mine[i])
        .receive([&](bool ok) { taken = ok; }, [&](caf::error&) {});
    if (!taken) trading::end_process(out, err, fail("the clock did not take house " + l.parties[i].name, 1));
  }
  if (!clock) {
    out << "voltaic: " << here << " house(s) joined the clock at " << sc.clock_host << ":" << sc.clock_port << std::endl;
    self->monitor(roster);
    self->receive([](caf::down_msg&) {});  // until the clock's process ends
    trading::end_process(out, err, 0);
  }
  // Every house in its place, wherever it runs.
  agents::lab_roster places;
  const auto wait_until = clock_type::now() + std::chrono::minutes(2);
  while (true) {
    self->request(roster, std::chrono::seconds(10), agents::roster_atom::value)
        .receive([&](agents::lab_roster& r) { places = std::move(r); }, [&](caf::error&) {});
    if (places.houses.size() == l.parties.size() &&
        std::none_of(places.houses.begin(), places.houses.end(), [](const caf::actor& a) { return !a; }))
      break;
    if (clock_type::now() > wait_until)
      trading::end_process(out, err, fail("not every house joined the clock within two minutes", 1));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  lab_result result;
  result.money_uc = l.money_uc;
  result.problem = advertise(self, l, places.houses, miners.front());
  if (result.problem.empty()) run_cycles(self, sc, l, places.houses, o, {}, result);
  const int status = result.problem.empty() ? report(result) : fail(result.problem, 1);
  self->send_exit(roster, caf::exit_reason::user_shutdown);  // houses elsewhere end with it
  trading::end_process(out, err, status);
}

}  // namespace voltaic::runtime::bilateral
