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


std::string kwh(std::int64_t mwh) { return market::format_scaled(mwh, market::mwh_per_kwh); }
std::string credits(std::int64_t uc) { return market::format_scaled(uc, market::uc_per_credit); }

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
  outputs o;
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

  // Simulated clock: a phase's transactions commit in up to four chunks, each
  // as soon as its agents have answered, while the others still sign and
  // submit theirs (a small chunk is not worth its block).
  auto commit_chunks = [&sc](std::size_t answers) -> std::size_t {
    return sc.wall_clock ? 1 : std::clamp<std::size_t>(answers / sc.chunk_answers, 1, 4);
  };
  std::vector<chain::public_key> balance_keys;  // every party's, then the DSO's
  for (const auto& p : parties) balance_keys.push_back(p.key.pub);
  balance_keys.push_back(rc.genesis.dso);
  double rate_before = measure_verify_rate();
  for (std::uint64_t cycle = done + 1; cycle <= sc.cycles; ++cycle) {
    const auto cycle_started = clock_type::now();
    std::size_t signatures = 0;  // orders and transactions of this cycle
    // Long cycles show progress phase by phase.
    auto progress = [&](const char* phase) {
      const double t = std::chrono::duration<double>(clock_type::now() - cycle_started).count();
      if (t >= 2) out << "  cycle " << cycle << ": " << phase << " done at " << static_cast<int>(t * 10) / 10.0 << " s" << std::endl;
    };
    clock.begin_phase(cycle, 0);
    // DSO grid changes take effect at the start of a cycle (quotation).
    for (const auto& step : sc.grid_changes) {
      if (step.before_cycle != cycle) continue;
      std::vector<chain::hash256> changed;
      if (!d.ask(dso, changed, agents::gridchg_atom::value, step.change) || changed.size() != 1 ||
          !clock.commit(changed, limit))
        return shutdown(fail("grid change '" + step.change + "' did not reach the chain", 1));
      if (auto s = view.apply(step.change); !s) return shutdown(fail(s.err().message, 1));
      out << "cycle " << cycle << ": the DSO applied '" << step.change << "' (grid "
          << chain::to_hex(view.version()).substr(0, 16) << ")" << std::endl;
    }
    if (!expire_holds()) return shutdown(fail("timeouts of expired holds did not reach the chain", 1));

    // Matching, market by market: once every validator holds a market's
    // orders, the miners close its cycle; the proposer's block fixes the order
    // set, every validator re-runs the clearing, and so does this driver.
    std::vector<std::size_t> bids(sc.markets, 0);  // orders submitted per market
    std::vector<std::vector<std::string>> fixed_sets(sc.markets);  // order envelopes per market
    std::vector<std::optional<chain::result<chain::cleared_cycle>>> recomputed(sc.markets);
    std::uint64_t matched = 0;  // markets [0, matched) are fixed on chain
    std::string match_failure;
    auto match_up_to = [&](std::uint64_t last) -> bool {
      if (last <= matched) return true;
      clock.begin_phase(cycle, 1);
      // One question per validator for all the markets (each answer waits
      // behind the orders still being admitted).
      if (!sc.wall_clock)
        for (const auto& m : miners)
          if (!clock.wait_until(limit, [&] {
                agents::order_counts held;
                if (!d.ask(m, held, agents::ordcount_atom::value, matched, last, cycle)) return false;
                if (held.per_market.size() != last - matched) return false;
                for (std::uint64_t market_id = matched; market_id < last; ++market_id)
                  if (held.per_market[market_id - matched] < bids[market_id]) return false;
                return true;
              })) {
            match_failure = "orders did not reach every validator";
            return false;
          }
      for (auto& m : miners)
        for (std::uint64_t market_id = matched; market_id < last; ++market_id)
          self->send(m, agents::close_atom::value, market_id, cycle);
      // The fixed order sets, a slice of markets per question (the first
      // question waits for the block that fixes them all).
      constexpr std::uint64_t slice = 256;
      for (std::uint64_t from = matched; from < last; from += slice) {
        const std::uint64_t to = std::min(last, from + slice);
        agents::fixed_order_sets fixed;
        if (!clock.blocks_until(limit, [&] {
              return d.ask(watcher, fixed, agents::cycleq_atom::value, from, to, cycle) && fixed.complete;
            })) {
          match_failure = "markets " + std::to_string(from) + " to " + std::to_string(to - 1) + " of cycle " +
                          std::to_string(cycle) + " were not cleared on chain";
          return false;
        }
        auto& envelopes = fixed.envelopes;
        std::size_t taken = 0;
        if (fixed.counts.size() != to - from) {
          match_failure = "the validator's order sets do not add up";
          return false;
        }
        for (std::uint64_t market_id = from; market_id < to; ++market_id) {
          const std::size_t n = fixed.counts[market_id - from];
          if (n > envelopes.size() - taken) {
            match_failure = "the validator's order sets do not add up";
            return false;
          }
          fixed_sets[market_id].assign(std::make_move_iterator(envelopes.begin() + taken),
                                       std::make_move_iterator(envelopes.begin() + taken + n));
          taken += n;
        }
      }
      // The markets are independent: recompute them on all cores.
      chain::parallel_for(last - matched, [&, first = matched](std::size_t k) {
        const std::uint64_t market_id = first + k;
        std::vector<chain::signed_order> orders;
        for (const auto& e : fixed_sets[market_id]) {
          auto order = chain::decode_order(chain::bytes(e.begin(), e.end()));
          if (!order) {
            recomputed[market_id].emplace(order.err());
            return;
          }
          orders.push_back(std::move(order).value());
        }
        recomputed[market_id].emplace(chain::clear_market_cycle(market_id, cycle, std::move(orders),
                                                                view.distances(), sc.rules, sc.charge_uc_per_m));
      });
      matched = last;
      return true;
    };

    // Quotation: every prosumer signs its order and hands it to its miner.
    // Simulated clock: the markets whose prosumers have all answered are
    // matched while the others still bid (parties are grouped by market).
    std::size_t counted = 0;  // answers counted into bids
    auto count_bids = [&](std::size_t end, const std::vector<std::optional<std::string>>& answers) {
      for (; counted < end; ++counted)
        if (answers[counted] && !answers[counted]->empty()) ++bids[parties[counted].market];
    };
    const auto envelopes = d.gather<std::string>(
        parties.size(), commit_chunks(parties.size()),
        [&parties, cycle](std::size_t i, auto* who) {
          return who->request(parties[i].prosumer, caf::infinite, agents::bid_atom::value, cycle);
        },
        [&](std::size_t, std::size_t end, const auto& answers) {
          count_bids(end, answers);
          if (match_failure.empty()) match_up_to(end / sc.prosumers);
        });
    count_bids(envelopes.size(), envelopes);
    std::size_t submitted = 0;
    for (const auto n : bids) submitted += n;
    clock.end_phase(0);
    progress("quotation");
    if (match_failure.empty()) match_up_to(sc.markets);
    if (!match_failure.empty()) return shutdown(fail(match_failure, 1));
    std::vector<chain::cleared_cycle> cleared;
    for (auto& c : recomputed) {
      if (!*c) return shutdown(fail(c->err().message, 1));
      cleared.push_back(std::move(*c).value());
    }
    // What the chain committed this cycle, as CSV rows: built on the side
    // while the agents settle, as the order sets and clearings are final.
    auto committed_rows = std::async(std::launch::async, [&] {
      outputs r;
      for (const auto& c : cleared) {
        const std::string prefix = std::to_string(cycle) + "," + std::to_string(c.root.market) + ",";
        for (std::size_t k = 0; k < c.orders.size(); ++k) {
          const auto& t = c.orders[k].terms;
          const auto& b = c.book[k];
          r.orders += prefix + b.id + "," + parties[party_of.at(t.owner)].name + "," + market::to_string(t.side) + "," +
                      credits(t.price_ucpkwh) + "," + kwh(t.energy_mwh) + "," +
                      (t.distance_pref_mm == market::distance_anywhere ? std::string{}
                                                                        : market::format_scaled(t.distance_pref_mm, market::mm_per_m)) +
                      "," + feeder.value().load_buses[t.bus] + "," + std::to_string(t.seq) + "\n";
          const auto& oc = c.result.outcomes[k];
          r.outcomes += prefix + b.id + "," + market::to_string(oc.kind) + "," +
                        (oc.kind == market::outcome_kind::rejected ? market::to_string(oc.reason) : "") + "," +
                        kwh(oc.traded) + "\n";
        }
        const auto& cr = c.result.clearing;
        r.clearing += prefix + market::to_string(cr.mechanism) + "," + market::to_string(cr.policy) + "," +
                      std::to_string(cr.case_number) + "," + credits(cr.price) + "," +
                      (cr.price_adjusted ? "true" : "false") + "\n";
        for (const auto& t : c.result.trades)
          r.trades += prefix + parties[party_of.at(c.orders[t.buyer].terms.owner)].name + "," +
                      parties[party_of.at(c.orders[t.seller].terms.owner)].name + "," + kwh(t.energy) + "," +
                      market::format_scaled(t.distance, market::mm_per_m) + "," + credits(t.charge) + "\n";
      }
      return r;
    });
    clock.end_phase(1);
    progress("matching");

    // Feedback: each owner learns its own outcome; buyers commit to pay.
    clock.begin_phase(cycle, 2);
    std::size_t orders_fixed = 0, trade_count = 0;
    std::int64_t traded = 0;
    // Every owner of every market is asked at once (the collector keeps a
    // window of requests in flight): market by market, each market would wait
    // for its slowest prosumer and the validator's admission batches stay small.
    std::vector<std::pair<std::size_t, std::size_t>> owners;  // (market index in cleared, order index)
    std::vector<std::map<std::size_t, std::vector<agents::trade_due>>> buyer_trades(cleared.size());
    for (std::size_t m = 0; m < cleared.size(); ++m) {
      const auto& c = cleared[m];
      const auto& r = c.result;
      orders_fixed += c.orders.size();
      trade_count += r.trades.size();
      traded += c.clearing.traded_mwh;
      for (const auto& t : r.trades) {
        const auto& seller = c.orders[t.seller].terms.owner;
        const std::int64_t amount = market::money_for(r.clearing.price, t.energy) + market::buyer_charge_share(t.charge);
        buyer_trades[m][t.buyer].push_back(agents::trade_due{seller, t.energy, amount});
      }
      for (std::size_t k = 0; k < c.orders.size(); ++k) owners.emplace_back(m, k);
    }
    // Agents count expiries from the height the phase starts at, not from
    // whatever height their miner has reached when it answers them: blocks
    // of earlier chunks commit meanwhile, and the chain must not depend on
    // that timing.
    const std::uint64_t feedback_height = d.height(watcher);
    chunked_commit holds{clock, limit};
    const auto got = d.gather<std::vector<chain::hash256>>(
        owners.size(), commit_chunks(owners.size()),
        [&](std::size_t i, auto* who) {
          const auto [m, k] = owners[i];
          const auto& r = cleared[m].result;
          const auto& oc = r.outcomes[k];
          const party& p = parties[party_of.at(cleared[m].orders[k].terms.owner)];
          return who->request(p.prosumer, caf::infinite, agents::outcome_atom::value,
                              agents::outcome_notice{cycle, static_cast<std::uint8_t>(oc.kind),
                                                     static_cast<std::uint8_t>(oc.reason), oc.traded, r.clearing.price,
                                                     buyer_trades[m][k], feedback_height});
        },
        [&holds](std::size_t begin, std::size_t end, const auto& answers) { holds.chunk(begin, end, answers); });
    std::size_t hold_count = 0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      const auto [m, k] = owners[i];
      if (!got[i]) return shutdown(fail(parties[party_of.at(cleared[m].orders[k].terms.owner)].name + " did not take its outcome", 1));
      hold_count += got[i]->size();
    }
    if (!holds.rest(got)) return shutdown(fail("holds did not reach the chain", 1));
    signatures += submitted + expired_now + hold_count;
    clock.end_phase(2);
    progress("feedback");

    // Settlement: each party's meter reports what it metered.
    clock.begin_phase(cycle, 3);
    std::size_t settled = 0;
    // As in feedback, every meter of every market is asked at once.
    std::vector<std::pair<std::size_t, std::size_t>> meters;  // (market index in cleared, due index)
    std::vector<std::map<chain::public_key, std::vector<chain::public_key>>> sellers_of(cleared.size());
    for (std::size_t m = 0; m < cleared.size(); ++m) {
      const auto& c = cleared[m];
      for (const auto& t : c.result.trades)
        sellers_of[m][c.orders[t.buyer].terms.owner].push_back(c.orders[t.seller].terms.owner);
      for (std::size_t k = 0; k < c.dues.dues.size(); ++k) meters.emplace_back(m, k);
    }
    const std::uint64_t settlement_height = d.height(watcher);
    chunked_commit readings{clock, limit};
    const auto ids = d.gather<std::vector<chain::hash256>>(
        meters.size(), commit_chunks(meters.size()),
        [&](std::size_t i, auto* who) {
          const auto [m, k] = meters[i];
          const auto& c = cleared[m];
          const auto& due = c.dues.dues[k];
          return who->request(parties[party_of.at(due.party)].meter, caf::infinite, agents::read_atom::value,
                              agents::meter_read{c.dues.market, cycle, static_cast<std::uint8_t>(due.role),
                                                 due.agreed_mwh, c.clearing.price_ucpkwh, due.tariff_uc,
                                                 sellers_of[m][due.party], settlement_height});
        },
        [&readings](std::size_t begin, std::size_t end, const auto& answers) { readings.chunk(begin, end, answers); });
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto [m, k] = meters[i];
      const auto& c = cleared[m];
      const auto& due = c.dues.dues[k];
      const party& p = parties[party_of.at(due.party)];
      if (!ids[i]) return shutdown(fail(p.name + "'s meter did not answer", 1));
      if (ids[i]->empty()) continue;  // a silent meter
      ++settled;
      market::settlement_terms t{c.clearing.price_ucpkwh, due.agreed_mwh,
                                 due.agreed_mwh * p.delivery_permille / 1'000, due.tariff_uc, sc.penalty_ucpkwh};
      const auto s = due.role == chain::party_role::buyer ? market::settle_buyer(t) : market::settle_seller(t);
      o.settlements += std::to_string(cycle) + "," + std::to_string(c.dues.market) + "," + p.name + "," +
                       (due.role == chain::party_role::buyer ? "buyer" : "seller") + "," + kwh(t.agreed) + "," +
                       kwh(t.metered) + "," + credits(s.total) + "," + credits(s.tariff) + "," +
                       credits(s.penalty) + "\n";
    }
    if (!readings.rest(ids)) return shutdown(fail("settlements did not reach the chain", 1));
    clock.end_phase(3);
    progress("settlement");

    // The DSO channel: per market and bus, energy traded and grid charges.
    std::vector<agents::channel_row> channel_rows;
    for (const auto& c : cleared) {
      std::map<std::string, std::pair<std::int64_t, std::int64_t>> per_bus;  // bus -> traded mWh, charge uc
      for (const auto& t : c.result.trades) {
        for (const auto k : {t.buyer, t.seller}) {
          auto& b = per_bus[feeder.value().load_buses[c.orders[k].terms.bus]];
          b.first += t.energy;
          b.second += k == t.buyer ? market::buyer_charge_share(t.charge) : market::seller_charge_share(t.charge);
        }
      }
      for (const auto& [bus, v] : per_bus)
        channel_rows.push_back(agents::channel_row{c.root.market, c.clearing.price_ucpkwh, bus, v.first, v.second});
    }
    std::uint64_t written = 0;
    if (!d.ask(dso, written, agents::summary_atom::value, cycle, channel_rows) || written != channel_rows.size())
      return shutdown(fail("the DSO could not record its channel", 1));

    {
      const outputs rows = committed_rows.get();
      o.orders += rows.orders;
      o.outcomes += rows.outcomes;
      o.clearing += rows.clearing;
      o.trades += rows.trades;
    }
    std::int64_t sum = 0;
    {
      const auto b = d.balances(watcher, balance_keys);
      if (b.size() != balance_keys.size()) return shutdown(fail("the balances could not be read", 1));
      for (std::size_t i = 0; i < balance_keys.size(); ++i) {
        sum += b[i].balance_uc;
        o.balances += std::to_string(cycle) + "," + (i < parties.size() ? parties[i].name : std::string("dso")) + "," +
                      credits(b[i].balance_uc) + "\n";
      }
    }
    out << "cycle " << cycle << ": " << orders_fixed << " of " << submitted << " orders fixed on chain, "
        << trade_count << " trades, " << kwh(traded) << " kWh";
    if (sc.markets == 1) out << " at p0 " << credits(cleared.front().clearing.price_ucpkwh) << " (case "
                             << int(cleared.front().clearing.case_number) << ")";
    signatures += settled;
    const double took = std::chrono::duration<double>(clock_type::now() - cycle_started).count();
    const double rate_after = measure_verify_rate();
    const double verify_rate = (rate_before + rate_after) / 2;
    rate_before = rate_after;
    const double floor = verify_rate > 0 ? static_cast<double>(signatures * miners.size()) / verify_rate : 0;
    out << "; " << settled << " settlements; height " << d.height(watcher) << "; "
        << static_cast<int>(took * 100) / 100.0 << " s (verification floor " << static_cast<int>(floor * 100) / 100.0
        << " s: " << signatures << " signatures x " << miners.size() << " validators at "
        << static_cast<int>(verify_rate) << "/s on one core, before and after)"
        << (sum == money_total ? "; money conserved" : "; MONEY NOT CONSERVED") << std::endl;
    orders_csv.write(o.orders);
    outcomes_csv.write(o.outcomes);
    clearing_csv.write(o.clearing);
    trades_csv.write(o.trades);
    settlements_csv.write(o.settlements);
    balances_csv.write(o.balances);
    if (sum != money_total) return shutdown(fail("balances sum to " + credits(sum) + ", not " + credits(money_total), 1));
  }

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
