#pragma once
// Runs a trading scenario (scenario_config.hpp) with every agent in this
// process and writes its outputs to `out_dir`: orders, outcomes, clearing,
// trades, settlements and balances as CSV, and each replica's chain under
// out_dir/chain/<validator>/ (replaced if present). Returns the exit status.
// Thread-safety: one call at a time per output directory.

#include <ostream>
#include <string>
#include <vector>

#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime {

// Which agents this process runs: everything (the default), the named
// validators (serving until stopped, chains in out_dir/chain/<name>/), or the
// prosumers, meters, DSO and the clock ("agents"), which reach the validators
// at their configured addresses. A restarted agents process resumes at the
// first cycle whose order set is not yet on chain.
struct trading_part {
  bool all = true;
  bool agents = false;
  std::vector<std::string> validators;
};

int run_trading(const scenario_config& scenario, const trading_part& part, const std::string& out_dir,
                std::ostream& out, std::ostream& err);

// The embedded default of `voltaic demo`: 55 prosumers on the IEEE European
// LV feeder, 4 validators, 3 cycles on the simulated clock.
const char* demo_scenario_text();

}  // namespace voltaic::runtime
