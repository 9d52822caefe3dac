#pragma once
// Spawning a lab's trading agents from its scenario: a house (prosumer and
// smart meter) per party, the DSO and the recorder (private to runtime/,
// used by run_trading).
// Thread-safety: call from one thread; the actors then run on their own.

#include <caf/all.hpp>

#include <string>
#include <utility>
#include <vector>

#include "lab_part.hpp"
#include "parties.hpp"
#include "voltaic/chain/energy/genesis.hpp"
#include "voltaic/chain/energy/market_grid.hpp"
#include "voltaic/market/feeder.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

struct lab_agents {
  caf::actor dso;       // when this process runs it
  caf::actor recorder;  // when this process runs it
  std::vector<std::pair<std::size_t, caf::actor>> houses;  // (party index, prosumer) of the houses here
  std::vector<std::pair<std::size_t, caf::actor>> meters;  // meters here apart from their houses
  std::vector<std::pair<std::size_t, caf::actor>> local_meters;  // (party index, meter) of every meter spawned here
  std::string problem;  // why not every agent could take its place
};

struct lab_place {
  const std::vector<caf::actor>* validators;
  bool validators_local = false;  // in this process: requests to them need no timer
  std::string out_dir;
  bool resume = false;  // cycles are on chain already: append to the outputs
  caf::actor validator_watch;  // validators of other processes: validator_watch.hpp
};

// The agents `part` places here; `grid` is the grid as the next cycle will
// see it. A house whose meter the file places elsewhere reaches it there
// (retrying for a minute); a meter placed apart listens at its address.
// Spawns in an actor system with the middleman loaded when meters are placed.
lab_agents spawn_lab_agents(caf::actor_system& system, const scenario_config& sc, const chain::genesis_config& genesis,
                            std::vector<party>& parties, const chain::market_grid& grid, const market::feeder& feeder,
                            const lab_place& place, const lab_part& part);

// Takes the agents' places with the market clock's roster (here or in
// another process); false if the roster refuses one or does not answer.
bool join_roster(caf::scoped_actor& self, const caf::actor& roster, const lab_agents& agents);

}  // namespace voltaic::runtime::trading
