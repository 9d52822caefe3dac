#pragma once
// The carbon market's clock: it runs a clearing period by telling the
// participants when to act, and waits for the carbon chain to commit each
// step before the next. Claims and emissions reports first, then orders
// (each participant reads its own balance from its validator), then the
// first carbon validator records the auction, which every validator re-runs;
// once it is committed, each participant is told to read its results.
// On the simulated clock it also makes the blocks (carbon_clock_config).
// Nothing is decided here: every verdict is a validator's.
//   (cperiod, period) -> (claims admitted, orders admitted, problem or "",
//                         std::vector<carbon_outcome> by participant)
// Thread-safety: an actor; all state is its own.

#include <caf/all.hpp>

#include <chrono>
#include <vector>

namespace voltaic::agents {

using cperiod_atom = caf::atom_constant<caf::atom("cperiod")>;

struct carbon_clock_config {
  std::vector<caf::actor> participants;
  std::vector<caf::actor> validators;  // the first records auctions
  caf::duration patience{std::chrono::seconds(60)};  // for each step to commit
  // Simulated clock: the validators make a block only when this clock steps
  // them, holding exactly the step's transactions once every validator has
  // them, stamped a day apart from the period's start; the same inputs give
  // the same chain. Otherwise (wall clock) it waits for their own blocks.
  bool simulated = false;
};

caf::actor spawn_carbon_clock(caf::actor_system& system, const carbon_clock_config& config);

}  // namespace voltaic::agents
