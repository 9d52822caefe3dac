#pragma once
// Serving validators (private to runtime/): the miners a process runs,
// published at their configured addresses, kept connected to the others
// (reconnecting when a peer goes away) until SIGINT or SIGTERM.

#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "voltaic/agents/miner.hpp"
#include "voltaic/runtime/run_config.hpp"

namespace voltaic::runtime {

// `local[i]`: validator i runs here. `customize` adjusts each miner's
// configuration (a scenario's grid, rules and clock). Stores go to
// chain_dir/<name>/. Ends the process when stopped.
int serve_validators(const run_config& c, const std::vector<bool>& local, const std::string& chain_dir,
                     const std::function<void(agents::miner_config&)>& customize, std::ostream& out,
                     std::ostream& err);

}  // namespace voltaic::runtime
