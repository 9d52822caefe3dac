#pragma once
// What a trading lab tells its operator at the start and the end of a run
// (private to runtime/, used by run_trading).

#include <caf/all.hpp>

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "parties.hpp"
#include "voltaic/runtime/run_config.hpp"
#include "voltaic/runtime/scenario_config.hpp"

namespace voltaic::runtime::trading {

// The scenario in one line, then its faulty meters, and where a resumed run
// picks up (`done` cycles are on chain already).
void report_start(std::ostream& out, const scenario_config& sc, const std::string& feeder_name,
                  std::size_t validators, const std::vector<party>& parties, std::uint64_t done);

// Each validator's height and head, and where the results are.
void report_end(std::ostream& out, caf::scoped_actor& self, const std::vector<caf::actor>& miners,
                const run_config& rc, bool apart, const std::string& out_dir, const std::string& chain_dir,
                double seconds);

}  // namespace voltaic::runtime::trading
