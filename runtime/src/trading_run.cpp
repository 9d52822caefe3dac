// A trading scenario in one process: miners, the DSO, prosumers and their
// smart meters as actors, driven through the cycles of spec/protocols.md
// section 6 by the scenario's clock. The clock only says when a phase
// starts; everything that counts (orders, clearing, holds, settlement) goes
// through the chain, and the outputs are what the chain committed.
#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "run_config_toml.hpp"
#include "voltaic/agents/dso.hpp"
#include "voltaic/agents/messages.hpp"
#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/prosumer.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/agents/smart_meter.hpp"
#include "voltaic/chain/core/key_order.hpp"
#include "voltaic/chain/energy/market_cycle.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/chain/node/parallel.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/market/report.hpp"
#include "voltaic/market/settlement.hpp"
#include "voltaic/runtime/commands.hpp"
#include "voltaic/runtime/trading_run.hpp"
#include "trading/chain_clock.hpp"
#include "trading/cycles.hpp"
#include "trading/driver.hpp"
#include "trading/lab_setup.hpp"
#include "trading/outputs.hpp"
#include "trading/parties.hpp"
#include "validator_node.hpp"

namespace voltaic::runtime {

namespace {

using trading::chain_clock;
using trading::chunked_commit;
using trading::clock_type;
using trading::configure_miner;
using trading::connect_validators;
using trading::csv_out;
using trading::driver;
using trading::measure_verify_rate;
using trading::make_parties;
using trading::outputs;
using trading::party;


using trading::credits;

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

  std::vector<party> parties = make_parties(sc, load_buses.size());
  std::unordered_map<chain::public_key, std::size_t, chain::key_hasher> party_of;  // looked up per order, 3 times a cycle
  for (std::size_t i = 0; i < parties.size(); ++i) party_of[parties[i].key.pub] = i;

  // Genesis: every prosumer starts with initial_credits; the DSO, counterparty
  // of every bill and income, with as much as all of them together.
  run_config rc = sc.run;
  rc.genesis.balances.clear();
  for (const auto& p : parties) rc.genesis.balances.emplace_back(p.key.pub, sc.initial_credits_uc);
  const std::int64_t dso_start = sc.initial_credits_uc * static_cast<std::int64_t>(parties.size());
  rc.genesis.balances.emplace_back(rc.genesis.dso, dso_start);
  const std::int64_t money_total = dso_start * 2;

  const std::string chain_dir = out_dir + "/chain";
  std::error_code ec;
  if (!part.all && !part.agents) {
    // Validators only: serve the named ones until stopped.
    std::vector<bool> local(rc.validators.size(), false);
    for (const auto& name : part.validators) {
      bool found = false;
      for (std::size_t i = 0; i < rc.validators.size(); ++i)
        if (rc.validators[i].name == name) local[i] = found = true;
      if (!found) return fail("the scenario has no validator named '" + name + "'", 2);
    }
    for (const auto& v : rc.validators)
      if (v.port == 0) return fail("validator " + v.name + " needs a [[validator]] entry with a port to run apart", 2);
    std::filesystem::create_directories(chain_dir, ec);
    const chain::market_grid g = grid.value();
    return serve_validators(rc, local, chain_dir, [&sc, g](agents::miner_config& mc) { configure_miner(mc, sc, g); },
                            out, err);
  }

  caf::actor_system_config cfg;
  agents::register_protocol(cfg);
  if (part.agents) {
    cfg.load<caf::io::middleman>();
    cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(500)});
    cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(3)});
  }
  // One scheduler thread per core (CAF 0.17 starts at least four): the
  // validators' own threads and the signature helpers share the cores too.
  // Measured at 100,045 prosumers, 3 alternating pairs: 11.6-12.5 s per cycle
  // against 11.8-13.6 s with four. Work sharing: idle workers sleep on a
  // condition variable, where work stealing's polled and yielded for 40 % of
  // their non-signing time, taken from the validator's thread. Alternating
  // pairs: 10,010 prosumers 3.73-3.90 s per cycle against 3.94-5.37 s;
  // 100,045 16.6-18.3 s against 16.5-19.3 s with 8 s less CPU per run.
  cfg.set("scheduler.max-threads", static_cast<std::size_t>(std::max(1u, std::thread::hardware_concurrency())));
  cfg.set("scheduler.policy", caf::atom("sharing"));
  caf::actor_system system{cfg};
  std::vector<caf::actor> miners;
  if (part.agents) {
    caf::scoped_actor connector{system};
    miners = connect_validators(system, connector, rc, err);
    if (miners.empty()) {
      std::cout.flush();
      std::_Exit(1);
    }
  } else {
    std::filesystem::remove_all(chain_dir, ec);  // a run in one process starts a fresh chain
    std::filesystem::create_directories(chain_dir, ec);
    if (ec) return fail("cannot create " + chain_dir + ": " + ec.message(), 1);
    for (std::size_t i = 0; i < rc.validators.size(); ++i) {
      const auto& v = rc.validators[i];
      agents::miner_config mc;
      mc.name = v.name;
      mc.store_dir = chain_dir + "/" + v.name;
      mc.sign_guard_path = chain_dir + "/" + v.name + ".signed";
      mc.genesis = rc.genesis;
      if (v.key_file.empty()) {
        mc.key = chain::derived_key(sc.seed, lab_role_validator, i);
      } else {
        auto key = chain::load_key_file(v.key_file);
        if (!key) return fail("validator " + v.name + ": " + key.err().message, 1);
        mc.key = key.value();
      }
      if (mc.key.pub != v.key) return fail("validator " + v.name + ": its key is not its public_key", 1);
      mc.index = static_cast<std::uint32_t>(i);
      mc.timing = rc.timing;
      mc.max_block_txs = rc.max_block_txs;
      configure_miner(mc, sc, grid.value());
      miners.push_back(agents::spawn_miner(system, mc));
    }
  }
  driver d(system, err);
  auto& self = d.self();
  // Validators of this process are watched rather than timed per request.
  const bool local_validators = !part.agents;
  if (local_validators) d.watch(miners);
  if (local_validators)
    for (auto& m : miners) self->send(m, agents::peers_atom::value, miners);
  auto miner_for = [&](std::size_t i) { return miners[i % miners.size()]; };
  const caf::actor& watcher = miners.front();
  chain_clock clock(d, miners, sc, rc.genesis.time_ms);
  // Before any agent exists: with handles to remote validators, CAF 0.17 may
  // wait forever at exit, so the agents' process ends here.
  auto stop_early = [&](const std::string& why) {
    const int status = fail(why, 1);
    if (part.agents) {
      err.flush();
      std::cout.flush();
      std::_Exit(status);
    }
    return status;
  };

  // Validators in other processes gossip to each other: start once they are all connected.
  if (part.agents &&
      !clock.wait_until(std::chrono::seconds(60), [&] {
        for (const auto& m : miners) {
          std::uint64_t n = 0;
          if (!d.ask(m, n, agents::peercount_atom::value) || n + 1 < miners.size()) return false;
        }
        return true;
      }))
    return stop_early("the validators are not all connected to each other");
  // A restarted agents process picks up at the first cycle not yet on chain;
  // an interrupted cycle's holds expire and are timed out.
  std::uint64_t done = 0;
  if (!d.ask(watcher, done, agents::progress_atom::value, std::uint64_t{0}))
    return stop_early("the validators do not answer");
  chain::market_grid view = grid.value();  // the grid as of the next cycle
  for (const auto& step : sc.grid_changes)
    if (step.before_cycle <= done)
      if (auto s = view.apply(step.change); !s) return fail(s.err().message, 2);

  agents::dso_config dc;
  dc.key = chain::derived_key(sc.seed, lab_role_dso, 0);
  if (dc.key.pub != rc.genesis.dso) return stop_early("the genesis DSO key is not the lab DSO key of this seed");
  dc.chain_id = rc.genesis.chain_id;
  dc.grid = view;
  dc.charge_uc_per_m = sc.charge_uc_per_m;
  dc.penalty_ucpkwh = sc.penalty_ucpkwh;
  dc.channel_path = out_dir + "/dso_channel.csv";
  if (done == 0) {
    std::filesystem::create_directories(out_dir, ec);
    std::ofstream(dc.channel_path) << "cycle,market,price,bus,traded_kwh,grid_charge\n";
  }
  dc.miner = miners.front();
  auto dso = agents::spawn_dso(system, dc);

  for (std::size_t i = 0; i < parties.size(); ++i) {
    auto& p = parties[i];
    agents::prosumer_config pc;
    pc.name = p.name;
    pc.key = p.key;
    pc.meter = p.meter_key.pub;
    pc.chain_id = rc.genesis.chain_id;
    pc.market = p.market;
    pc.bus = p.bus;
    pc.side = p.side;
    pc.reference = sc.reference_price;
    pc.valuation = p.valuation;
    pc.strategy = p.faulty() ? market::strategy_kind::truthful : sc.strategies[(i % sc.prosumers) % sc.strategies.size()];
    pc.min_energy = sc.min_energy;
    pc.max_energy = sc.max_energy;
    pc.seed = sc.seed;
    pc.ctp_lifetime_blocks = sc.ctp_lifetime_blocks;
    pc.miner = miner_for(i);
    if (local_validators) pc.miner_timeout = caf::duration{caf::infinite};
    p.prosumer = agents::spawn_prosumer(system, pc);
    agents::smart_meter_config mc;
    mc.name = p.name + ".meter";
    mc.key = p.meter_key;
    mc.party = p.key.pub;
    mc.chain_id = rc.genesis.chain_id;
    mc.delivery_permille = p.delivery_permille;
    mc.reports = !p.silent;
    mc.miner = miner_for(i);
    if (local_validators) mc.miner_timeout = caf::duration{caf::infinite};
    p.meter = agents::spawn_smart_meter(system, mc);
  }

  auto shutdown = [&](int status) {
    for (auto& p : parties) {
      self->send_exit(p.prosumer, caf::exit_reason::user_shutdown);
      self->send_exit(p.meter, caf::exit_reason::user_shutdown);
    }
    self->send_exit(dso, caf::exit_reason::user_shutdown);
    if (part.agents) {
      // The validators belong to other processes; CAF 0.17 may wait forever
      // on a system holding remote handles, and nothing is left to save.
      out.flush();
      err.flush();
      std::cout.flush();
      std::_Exit(status);
    }
    for (auto& m : miners) self->send(m, agents::peers_atom::value, std::vector<caf::actor>{});
    for (auto& m : miners) self->send_exit(m, caf::exit_reason::user_shutdown);
    self->wait_for(miners);
    return status;
  };
  const auto limit = std::chrono::seconds(120);
  out << "voltaic: " << parties.size() << " prosumers in " << sc.markets << " market(s) of " << feeder.value().name
      << ", " << miners.size() << " validator(s), " << sc.cycles << " cycle(s), " << to_string(sc.rules.mechanism)
      << " (" << to_string(sc.rules.policy) << "), " << (sc.wall_clock ? "wall" : "simulated") << " clock, seed "
      << sc.seed << std::endl;

  {
    std::string silent, short_meters;
    for (const auto& p : parties) {
      if (p.silent) silent += " " + p.name;
      if (p.delivery_permille != 1'000) short_meters += " " + p.name;
    }
    if (!silent.empty()) out << "meters that never report:" << silent << std::endl;
    if (!short_meters.empty()) out << "meters that read short:" << short_meters << std::endl;
  }
  // The DSO publishes its charge, penalty and grid before the first cycle.
  if (done == 0) {
    std::vector<chain::hash256> ids;
    if (!d.ask(dso, ids, agents::publish_atom::value) || ids.size() != 2 || !clock.commit(ids, limit))
      return shutdown(fail("the DSO's parameters did not reach the chain", 1));
  } else {
    out << "resuming at cycle " << done + 1 << "; cycles 1 to " << done << " are on chain" << std::endl;
    // A block first commits what the previous process left waiting.
    if (!clock.reach(d.height(watcher) + 1, limit)) return shutdown(fail("the validators make no block", 1));
  }

  std::filesystem::create_directories(out_dir, ec);
  const bool resume = done > 0;
  csv_out orders_csv(out_dir, "orders.csv", "cycle,market,id,owner,side,price,energy_kwh,distance_pref_m,bus,seq", resume);
  csv_out outcomes_csv(out_dir, "outcomes.csv", "cycle,market,id,outcome,reason,traded_kwh", resume);
  csv_out clearing_csv(out_dir, "clearing.csv", "cycle,market,mechanism,policy,case,price,price_adjusted", resume);
  csv_out trades_csv(out_dir, "trades.csv", "cycle,market,buyer,seller,energy_kwh,distance_m,charge", resume);
  csv_out settlements_csv(out_dir, "settlements.csv",
                          "cycle,market,party,role,agreed_kwh,metered_kwh,amount,tariff,penalty", resume);
  csv_out balances_csv(out_dir, "balances.csv", "cycle,account,balance", resume);
  for (const auto* f : {&orders_csv, &outcomes_csv, &clearing_csv, &trades_csv, &settlements_csv, &balances_csv})
    if (!f->ok()) return shutdown(fail("cannot write " + f->path(), 1));
  std::size_t expired_now = 0;
  // Only buyers holding a CTP past its expiry are asked to end it.
  auto expire_holds = [&]() -> bool {
    std::vector<chain::public_key> expired;
    if (!d.ask(watcher, expired, agents::expired_atom::value)) return false;
    std::vector<const party*> buyers_now;
    for (const auto& k : expired)
      if (auto it = party_of.find(k); it != party_of.end()) buyers_now.push_back(&parties[it->second]);
    const auto got = d.gather<std::vector<chain::hash256>>(buyers_now.size(), [&buyers_now](std::size_t i, auto* who) {
      return who->request(buyers_now[i]->prosumer, caf::infinite, agents::expire_atom::value);
    });
    std::vector<chain::hash256> all;
    for (const auto& g : got)
      if (g) all.insert(all.end(), g->begin(), g->end());
    expired_now = all.size();
    return clock.commit(all, limit);
  };

  trading::cycle_world world{sc, rc, d, clock, miners, watcher, dso, parties, party_of, view, feeder.value(), limit,
                             out, money_total, orders_csv, outcomes_csv, clearing_csv, trades_csv, settlements_csv,
                             balances_csv, expire_holds, expired_now};
  if (auto why = trading::run_cycles(world, done + 1); !why.empty()) return shutdown(fail(why, 1));

  // Holds left open (meters that never reported, a cycle interrupted by a
  // restart) expire and are timed out.
  for (const auto& p : parties)
    if (p.silent) out << p.name << ": meter silent; its holds expire" << std::endl;
  while (true) {
    std::tuple<std::uint64_t, std::uint64_t> open;
    if (!d.ask(watcher, open, agents::openctps_atom::value)) return shutdown(fail("the validators do not answer", 1));
    if (std::get<0>(open) == 0) break;
    out << std::get<0>(open) << " hold(s) open; waiting for height " << std::get<1>(open) + 1 << " to time them out"
        << std::endl;
    if (!clock.reach(std::get<1>(open) + 2, limit)) return shutdown(fail("the chain did not reach the holds' expiry", 1));
    if (!expire_holds()) return shutdown(fail("timeouts did not reach the chain", 1));
  }
  {
    std::vector<chain::public_key> keys;
    for (const auto& p : parties) keys.push_back(p.key.pub);
    std::int64_t held = 0;
    for (const auto& b : d.balances(watcher, keys)) held += b.held_uc;
    out << "holds left open: " << credits(held) << " credits" << std::endl;
  }

  for (std::size_t i = 0; i < miners.size(); ++i) {
    std::tuple<std::uint64_t, std::string> head;
    d.ask(miners[i], head, agents::head_atom::value);
    out << rc.validators[i].name << ": height " << std::get<0>(head) << ", head " << std::get<1>(head).substr(0, 16);
    if (!part.agents) out << ", chain in " << chain_dir << "/" << rc.validators[i].name;
    out << std::endl;
  }
  const auto seconds = std::chrono::duration<double>(clock_type::now() - started).count();
  out << "results in " << out_dir << "/ (orders, outcomes, clearing, trades, settlements, balances, dso_channel .csv) after "
      << static_cast<int>(seconds * 10) / 10.0 << " s; check a replica with: voltaic chain verify " << chain_dir
      << "/" << rc.validators[0].name << std::endl;
  return shutdown(0);
}

}  // namespace voltaic::runtime
