// A trading scenario composed: validators (here or elsewhere), a house per
// party, the DSO, the recorder and the market clock. Nothing here takes part
// in a cycle: the clock announces phases, the agents act on them, and the
// outputs are what the recorder read from the chain.
#include "voltaic/runtime/trading_run.hpp"

#include <algorithm>
#include <caf/all.hpp>
#include <caf/io/all.hpp>
#include <chrono>
#include <filesystem>
#include <iostream>
#include <thread>

#include "run_config_toml.hpp"
#include "trading/lab_agents.hpp"
#include "trading/lab_clock.hpp"
#include "trading/lab_part.hpp"
#include "trading/lab_report.hpp"
#include "trading/lab_setup.hpp"
#include "trading/lab_validators.hpp"
#include "trading/parties.hpp"
#include "trading/validator_watch.hpp"
#include "validator_node.hpp"
#include "voltaic/agents/lab_roster.hpp"
#include "voltaic/agents/market_clock.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/runtime/commands.hpp"

namespace voltaic::runtime {

namespace {

using clock_type = std::chrono::steady_clock;

template <class R, class... Ts>
bool ask(caf::scoped_actor& self, const caf::actor& whom, R& result, Ts&&... xs) {
  bool ok = false;
  self->request(whom, std::chrono::seconds(30), std::forward<Ts>(xs)...)
      .receive([&](R r) { result = std::move(r), ok = true; }, [](caf::error&) {});
  return ok;
}

}  // namespace

int run_trading(const scenario_config& sc, const trading_part& part, const std::string& out_dir, std::ostream& out,
                std::ostream& err) {
  auto fail = [&](const std::string& m, int status) {
    err << "voltaic run: " << m << "\n";
    return status;
  };
  const auto started = clock_type::now();
  auto feeder = market::load_feeder(sc.feeder, feeder_data_root());
  if (!feeder) return fail(feeder.err().message, 2);
  std::vector<std::uint32_t> load_buses;
  for (const auto& name : feeder.value().load_buses) load_buses.push_back(feeder.value().grid.bus_index(name).value());
  auto grid = chain::market_grid::make(feeder.value().grid, load_buses);
  if (!grid) return fail(grid.err().message, 2);

  std::vector<trading::party> parties = trading::make_parties(sc, load_buses.size());
  run_config rc = sc.run;
  const std::int64_t money_uc = trading::lab_genesis(sc, parties, rc.genesis);

  const std::string chain_dir = out_dir + "/chain";
  std::error_code ec;
  auto here = trading::resolve_part(part.names, parties, sc);
  if (!here) return fail(here.err().message, 2);
  const bool apart = !part.all;  // validators and agents in separate processes
  if (apart && here.value().any_validator()) {
    // Validators only: serve the named ones until stopped.
    const std::vector<bool> local = here.value().validators;
    for (const auto& v : rc.validators)
      if (v.port == 0) return fail("validator " + v.name + " needs a [[validator]] entry with a port to run apart", 2);
    std::filesystem::create_directories(chain_dir, ec);
    const chain::market_grid g = grid.value();
    return serve_validators(
        rc, local, chain_dir, [&sc, g](agents::miner_config& mc) { trading::configure_miner(mc, sc, g); }, out, err);
  }
  if (chain::derived_key(sc.seed, lab_role_dso, 0).pub != rc.genesis.dso)
    return fail("the genesis DSO key is not the lab DSO key of this seed", 1);

  caf::actor_system_config cfg;
  if (apart) trading::configure_networked_system(cfg);
  else agents::register_protocol(cfg);
  // One scheduler thread per core (CAF 0.17 starts at least four): the
  // validators' own threads and the signature helpers share the cores too.
  // Work sharing: idle workers sleep on a condition variable, where work
  // stealing's polled (docs/PERFORMANCE.md has the measurements).
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  cfg.set("scheduler.policy", caf::atom("sharing"));
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto end_process = [&](int status) { trading::end_process(out, err, status); };
  std::vector<caf::actor> miners;
  if (apart) {
    miners = trading::connect_validators(system, self, rc, err);
    if (miners.empty()) end_process(1);
    // Validators in other processes gossip to each other: start once they are
    // all connected.
    const auto deadline = clock_type::now() + std::chrono::seconds(60);
    auto all_connected = [&] {
      for (const auto& m : miners) {
        std::uint64_t n = 0;
        if (!ask(self, m, n, agents::peercount_atom::value) || n + 1 < miners.size()) return false;
      }
      return true;
    };
    while (!all_connected()) {
      if (clock_type::now() > deadline) end_process(fail("the validators are not all connected to each other", 1));
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  } else {
    std::filesystem::remove_all(chain_dir, ec);  // a run in one process starts a fresh chain
    std::filesystem::create_directories(chain_dir, ec);
    if (ec) return fail("cannot create " + chain_dir + ": " + ec.message(), 1);
    auto spawned = trading::spawn_validators(system, sc, rc, grid.value(), chain_dir);
    if (!spawned) return fail(system.render(spawned.error()), 1);
    miners = std::move(*spawned);
    for (auto& m : miners) self->send(m, agents::peers_atom::value, miners);
  }
  auto stop = [&](int status) {
    for (const auto& p : parties) {
      if (p.prosumer) self->send_exit(p.prosumer, caf::exit_reason::user_shutdown);
      if (p.meter) self->send_exit(p.meter, caf::exit_reason::user_shutdown);
    }
    if (apart) end_process(status);
    for (auto& m : miners) self->send(m, agents::peers_atom::value, std::vector<caf::actor>{});
    for (auto& m : miners) self->send_exit(m, caf::exit_reason::user_shutdown);
    self->wait_for(miners);
    return status;
  };

  // A restarted agents process picks up at the first cycle not yet on chain.
  std::uint64_t done = 0;
  if (!ask(self, miners.front(), done, agents::progress_atom::value, std::uint64_t{0}))
    return stop(fail("the validators do not answer", 1));
  chain::market_grid view = grid.value();  // the grid as of the next cycle
  for (const auto& step : sc.grid_changes)
    if (step.before_cycle <= done)
      if (auto s = view.apply(step.change); !s) return stop(fail(s.err().message, 2));
  std::filesystem::create_directories(out_dir, ec);
  trading::lab_place place{&miners, !apart, out_dir, done > 0, {}};
  const auto lab =
      trading::spawn_lab_agents(system, sc, rc.genesis, parties, view, feeder.value(), place, here.value());
  auto stop_all = [&](int status) {
    if (lab.dso) self->send_exit(lab.dso, caf::exit_reason::user_shutdown);
    if (lab.recorder) self->send_exit(lab.recorder, caf::exit_reason::user_shutdown);
    return stop(status);
  };
  if (!lab.problem.empty()) return stop_all(fail(lab.problem, 1));
  // Gives the agents and the clock restarted validators back.
  if (apart) place.validator_watch = trading::watch_validators(system, rc.validators, miners, lab);
  // The agents here take their places with the clock, in this process or at
  // the scenario's [clock] address.
  caf::actor roster;
  if (here.value().clock) {
    roster = agents::spawn_lab_roster(system, parties.size());
    if (apart && sc.clock_port != 0) {
      auto published = system.middleman().publish(roster, sc.clock_port, sc.clock_host.c_str(), true);
      if (!published)
        return stop_all(fail("cannot listen for agents at " + sc.clock_host + ":" + std::to_string(sc.clock_port) +
                                 ": " + system.render(published.error()),
                             1));
    }
  } else {
    if (sc.clock_port == 0) return stop_all(fail("the clock runs elsewhere: the scenario needs a [clock] port", 2));
    roster = trading::connect_to(system, self, sc.clock_host, sc.clock_port, err);
    if (!roster) return stop_all(1);
  }
  if (!trading::join_roster(self, roster, lab))
    return stop_all(fail("the market clock did not take this process's agents", 1));
  if (!here.value().clock) {
    // Until the clock's process ends: then so does this one.
    out << "voltaic: " << lab.houses.size() << " house(s)"
        << (lab.meters.empty() ? "" : ", " + std::to_string(lab.meters.size()) + " meter(s) apart")
        << (lab.dso ? ", the DSO" : "")
        << (lab.recorder ? ", the recorder" : "") << " joined the market clock at " << sc.clock_host << ":"
        << sc.clock_port << std::endl;
    self->monitor(roster);
    self->receive([](caf::down_msg&) {});
    return stop_all(0);
  }

  trading::report_start(out, sc, feeder.value().name, miners.size(), parties, done);
  const auto mc = trading::clock_settings(sc, rc.genesis, place, roster, done, money_uc, out, part.crash_after);
  if (auto why = agents::run_market_clock(system, mc); !why.empty()) return stop_all(fail(why, 1));

  trading::report_end(out, self, miners, rc, apart, out_dir, chain_dir,
                      std::chrono::duration<double>(clock_type::now() - started).count());
  self->send_exit(roster, caf::exit_reason::user_shutdown);
  return stop_all(0);
}

}  // namespace voltaic::runtime
