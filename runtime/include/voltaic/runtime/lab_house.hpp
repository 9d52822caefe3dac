#pragma once
// A house of a running lab — a prosumer with its smart meter — in a C++
// program's own actor system: the program spawns party `name` of a scenario
// (scenario_config.hpp), its house reaches the scenario's validators and
// takes its place with the market clock at the scenario's [clock] address,
// exactly as `voltaic run FILE --only NAME` would place it. The lab's other
// processes run as usual; the house then trades on its own
// (examples/embed_prosumer.cpp).
// The actor system must load CAF's middleman and have
// agents::register_protocol() on its configuration.
// Thread-safety: call from one thread; the actors run on their own.

#include <caf/all.hpp>

#include <string>

#include "voltaic/market/error.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

struct lab_house {
  caf::actor prosumer;  // asks: (history) -> [agents::outcome_record...], (balance) -> (balance_uc, held_uc)
  caf::actor meter;
  caf::actor clock;     // the market clock's roster: monitor it to learn when the lab is over
};

// Waits up to a minute for each validator and the clock to answer.
market::result<lab_house> join_lab(caf::actor_system& system, const scenario_config& scenario, const std::string& name);

}  // namespace voltaic::runtime
