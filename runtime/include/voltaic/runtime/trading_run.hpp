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

// Which agents this process runs: everything (the default), or what
// `voltaic run --only` names: validators ("v0,v1": serving until stopped,
// chains in out_dir/chain/<name>/), houses by party name or range of names
// ("p3", "p0..p27": a prosumer with its meter, unless the file's [[meter]]
// places the meter apart: then "p3.meter" runs it, listening at its address),
// "dso", "clock", "recorder", or "agents" for every house, the DSO, the
// clock and the recorder. Agents
// reach the validators at their configured addresses and the clock at the
// scenario's [clock] address; a restarted agents process takes part again
// from the next phase, and a restarted clock resumes at the first cycle not
// yet on chain.
struct trading_part {
  bool all = true;
  std::vector<std::string> names;
  std::string crash_after;  // fault injection: "cycle:phase" after which the clock's process ends abruptly
};

int run_trading(const scenario_config& scenario, const trading_part& part, const std::string& out_dir,
                std::ostream& out, std::ostream& err);

// The embedded default of `voltaic demo`: 55 prosumers on the IEEE European
// LV feeder, 4 validators, 3 cycles on the simulated clock.
const char* demo_scenario_text();

}  // namespace voltaic::runtime
