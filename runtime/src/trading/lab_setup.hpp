#pragma once
// Setting up a trading lab: miners' settings and connections to validators
// elsewhere (private to runtime/, used by run_trading).

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <ostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "voltaic/agents/miner.hpp"
#include "voltaic/agents/protocol.hpp"
#include "voltaic/chain/core/keys.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/chain/energy/testing/workload.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"
#include "../run_config_toml.hpp"

namespace voltaic::runtime::trading {

using clock_type = std::chrono::steady_clock;

// The settings a scenario gives each of its miners.
inline void configure_miner(agents::miner_config& mc, const scenario_config& sc, const chain::market_grid& grid) {
  mc.grid = grid;
  mc.rules = sc.rules;
  mc.observers = {chain::derived_key(sc.seed, lab_role_recorder, 0).pub};  // the lab's recorder
  mc.on_demand = !sc.wall_clock;
  if (mc.on_demand) {
    // Simulated time does not hurry anyone: a round never times out on a
    // validator that is merely busy, so round 0's proposer makes each block.
    mc.timing.timeout_propose_ms = std::max<std::uint64_t>(mc.timing.timeout_propose_ms, 10'000);
    mc.timing.timeout_prevote_ms = std::max<std::uint64_t>(mc.timing.timeout_prevote_ms, 2'000);
    mc.timing.timeout_precommit_ms = std::max<std::uint64_t>(mc.timing.timeout_precommit_ms, 2'000);
    mc.timing.gossip_ms = std::max<std::uint64_t>(mc.timing.gossip_ms, 1'000);
    // Each phase's transactions are all in before a block is asked for: take
    // them in few blocks (each block is executed and synced to disk).
    mc.max_block_txs = std::max<std::size_t>(mc.max_block_txs, 20'000);
    // Such blocks take long to execute. A lone validator's thread is then
    // what the cycle waits on: checking signatures meanwhile, on another
    // thread, pays for the thread hop (3-4 % faster at 100,045 prosumers).
    // Several validators keep the cores busy without it (4 % slower with it
    // at 10,010 prosumers and 4 validators).
    mc.checks_on_own_thread = sc.run.validators.size() == 1;
  }
}

// What an actor system talking to other processes needs: the protocol, the
// middleman, and heartbeats that find dead connections (never wait forever
// on a peer).
inline void configure_networked_system(caf::actor_system_config& cfg) {
  agents::register_protocol(cfg);
  cfg.load<caf::io::middleman>();
  cfg.set("middleman.heartbeat-interval", caf::timespan{std::chrono::milliseconds(500)});
  cfg.set("middleman.connection-timeout", caf::timespan{std::chrono::seconds(3)});
}

// Ends a process that holds handles to actors of other processes: CAF 0.17
// may wait forever at exit for them, so it ends without unwinding (nothing
// of its own is left unsaved: its tables are flushed as written).
[[noreturn]] inline void end_process(std::ostream& out, std::ostream& err, int status) {
  out.flush();
  err.flush();
  std::cout.flush();
  std::cerr.flush();
  std::_Exit(status);
}

// Connects to the actor published at host:port, retrying for up to a minute;
// an invalid handle (and a line on `err`) if it cannot.
inline caf::actor connect_to(caf::actor_system& system, caf::scoped_actor& self, const std::string& host,
                             std::uint16_t port, std::ostream& err) {
  const auto deadline = clock_type::now() + std::chrono::seconds(60);
  while (true) {
    caf::actor found;
    self->request(system.middleman().actor_handle(), std::chrono::seconds(2), caf::connect_atom::value, host, port)
        .receive([&](const caf::node_id&, caf::strong_actor_ptr& ptr,
                     const std::set<std::string>&) { found = caf::actor_cast<caf::actor>(ptr); },
                 [&](caf::error&) {});
    if (found) return found;
    if (clock_type::now() > deadline) {
      err << "voltaic run: nothing answers at " << host << ":" << port << "\n";
      return {};
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

// Connects to every validator at its configured address, retrying for up to a minute.
inline std::vector<caf::actor> connect_validators(caf::actor_system& system, caf::scoped_actor& self, const run_config& rc,
                                           std::ostream& err) {
  std::vector<caf::actor> miners;
  for (const auto& v : rc.validators) {
    miners.push_back(connect_to(system, self, v.host, v.port, err));
    if (!miners.back()) {
      err << "voltaic run: cannot reach validator " << v.name << "\n";
      return {};
    }
  }
  return miners;
}

}  // namespace voltaic::runtime::trading
